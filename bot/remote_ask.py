"""Asking a running ``crosscheck serve`` from the command line, through ``POST /chat``.

Imports httpx and nothing of the index, the engine or the models: a process that asks a server
starts in a tenth of the time of one that loads them.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import httpx


class ServerError(Exception):
    """The server could not be reached, or it answered with an error or not with an answer."""


def ask_server(
    url: str,
    question: str,
    *,
    after: Sequence[str] = (),
    filters: Mapping[str, object] | None = None,
    api_key: str | None = None,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """The answer object the server at ``url`` gives for ``question``.

    With ``after``, the earlier questions are asked first, oldest first, as one conversation
    (the first without a ``conversation_id``, each later one with the id the server returned),
    and ``question`` continues it: the follow-up a local ``ask --after`` answers.

    Args:
        url: the server's base URL, e.g. ``http://127.0.0.1:8000``.
        question: what to ask.
        after: earlier questions of the conversation, oldest first.
        filters: ``/chat``'s ``filters`` (``sources``, ``since``, ``until``), sent with every
            question; None for none.
        api_key: sent as ``Authorization: Bearer <key>`` when given.
        timeout: seconds to wait for each answer.

    Returns:
        The answer object of ``question``, without ``/chat``'s ``conversation_id``: exactly
        the fields of a local answer's ``to_json()``.

    Raises:
        ServerError: the server cannot be reached or did not answer in time, answered with an
            error (the message gives its status, type and words), or answered with something
            that is not an answer object.
    """
    base = url.rstrip("/")
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    conversation: dict[str, str] = {}  # none at first: the server starts one
    body: dict[str, Any] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
        for message in (*after, question):
            request: dict[str, object] = {"message": message, **conversation}
            if filters is not None:
                request["filters"] = dict(filters)
            body = _post_chat(client, base, request)
            conversation = {"conversation_id": str(body["conversation_id"])}
    return {key: value for key, value in body.items() if key != "conversation_id"}


def _post_chat(client: httpx.Client, base: str, request: Mapping[str, object]) -> dict[str, Any]:
    try:
        response = client.post("/chat", json=request)
    except httpx.ReadTimeout:
        raise ServerError(
            f"the server at {base} did not answer within {client.timeout.read:g} s"
        ) from None
    except httpx.TransportError as error:
        reason = str(error) or type(error).__name__
        raise ServerError(f"cannot reach the server at {base}: {reason}") from None
    if response.status_code >= 400:
        raise ServerError(_error_message(base, response))
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "answer" not in body or "conversation_id" not in body:
        raise ServerError(
            f"the server at {base} answered {response.status_code} without an answer object "
            "(is it a crosscheck server?)"
        )
    return body


def _error_message(base: str, response: httpx.Response) -> str:
    """What the server said went wrong, from its ``{"error": {"message", "type"}}`` body (or
    the start of whatever else it sent)."""
    status = response.status_code
    try:
        error = response.json()["error"]
        kind, message = str(error["type"]), str(error["message"])
    except (ValueError, KeyError, TypeError):
        text = " ".join(response.text.split())[:200] or "(no body)"
        return f"the server at {base} answered {status} {response.reason_phrase}: {text}"
    if status == 503 and kind == "not_ready":
        return (
            f"the server at {base} is still loading its index (503 not_ready); ask again "
            f"once {base}/health answers 200"
        )
    return f"the server at {base} answered {status} {kind}: {message}"

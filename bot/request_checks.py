"""Checks a request passes before its route runs: the API key, and a body that is JSON."""

import hmac
from email.message import Message
from typing import Annotated

from fastapi import Header

from bot.api_errors import ApiError
from bot.state import State


def require_api_key(state: State, authorization: Annotated[str | None, Header()] = None) -> None:
    """Let the request through when no API key is set or it sends the key as a bearer token.

    Raises:
        ApiError: 401 ``unauthorized``.
    """
    key = state.settings.api_key
    if key is None:
        return
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), key.encode()):
        raise ApiError(
            401, "missing or wrong API key (Authorization: Bearer <key>)", "unauthorized"
        )


def require_json(content_type: Annotated[str | None, Header()] = None) -> None:
    """Let the request through when its body is declared JSON (``application/json`` or any
    ``application/*+json``) or not declared at all (read as JSON, as FastAPI does).

    Raises:
        ApiError: 415 ``unsupported_media_type``, naming the type sent.
    """
    if content_type is None:
        return
    header = Message()
    header["content-type"] = content_type
    subtype = header.get_content_subtype()
    if header.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    ):
        return
    raise ApiError(
        415,
        f"Content-Type {content_type!r}: the body must be JSON (Content-Type: application/json)",
        "unsupported_media_type",
    )

"""The OpenAI-compatible API: ``POST /v1/chat/completions`` and ``GET /v1/models``, so any
OpenAI client can ask crosscheck.

The question is the last user message and the user messages before it are the conversation's
history; system, developer and assistant messages count only towards ``usage``. The reply's
content is the answer with its ``[n]`` markers and a list of sources; every marker is also a
``url_citation`` annotation (its URL absolute, from the request's base URL), and the whole
answer of the contract travels in the extra ``crosscheck`` field, so programs lose nothing.
Only the models ``/v1/models`` lists are served; any other is a 404 ``model_not_found``, with
OpenAI's ``param`` and ``code`` in the error.
"""

import json
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from bot import asking
from bot.api_errors import ApiError, Text, call_service, check_length
from bot.request_checks import require_json
from bot.state import VERSION_HEADER, State
from retrieval import Answer, Citation

MODEL = "crosscheck"
# Every model ``/v1/models`` lists, and so every name a request may give.
MODELS = (MODEL,)
# The "created" time of the one model: crosscheck's first commit (2026-11-22).
MODEL_CREATED = 1_795_331_318
MARKER = re.compile(r"\[(\d+)\]")

router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])


class Role(StrEnum):
    """Who wrote a message (``developer`` is OpenAI's newer name for ``system``)."""

    SYSTEM = "system"
    DEVELOPER = "developer"
    USER = "user"
    ASSISTANT = "assistant"


class ContentPart(BaseModel):
    """One part of a message's content; crosscheck reads ``text`` parts only."""

    type: Text
    text: Text | None = None


class ChatMessage(BaseModel):
    """A message of the conversation."""

    role: Role
    content: Text | list[ContentPart] | None = None


class StreamOptions(BaseModel):
    """OpenAI's options of a stream: ``include_usage`` adds a last chunk with the usage."""

    model_config = ConfigDict(extra="ignore")
    include_usage: bool | None = False


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; its other fields (temperature, max_tokens, ...) are accepted and
    ignored."""

    model_config = ConfigDict(extra="ignore")
    model: Text
    messages: list[ChatMessage]
    stream: bool | None = False
    stream_options: StreamOptions | None = None


@router.post("/chat/completions", response_model=None, dependencies=[Depends(require_json)])
def chat_completions(
    body: ChatCompletionRequest, state: State, request: Request, response: Response
) -> dict[str, Any] | StreamingResponse:
    """Answer the last user message as a ``chat.completion``, or as a stream of
    ``chat.completion.chunk`` server-sent events when ``stream`` is true (with a last chunk
    holding the usage when ``stream_options.include_usage`` is true, as OpenAI sends it).

    ``usage`` counts words, not tokens: crosscheck has no tokenizer of a language model.
    Annotation URLs start with the request's base URL.

    Raises:
        ApiError: 404 ``model_not_found`` for a model ``/v1/models`` does not list; 422 when
            there are more messages than ``max_turns``, there is no user message, the
            question is empty, a user message is longer than ``max_message_chars`` or has a
            part that is not text; the service's errors as ``call_service`` maps them.
    """
    settings = state.settings
    _check_model(body.model)
    _check_turns(body.messages, settings.max_turns)
    question, history = _question(body.messages, settings.max_message_chars)
    asked = call_service(lambda: asking.ask(state, question, history=history))
    answer = asked.answer
    version = {VERSION_HEADER: asked.version}
    response.headers.update(version)
    content, annotations = compose(answer, str(request.base_url))
    completion_id = f"chatcmpl-{secrets.token_hex(12)}"
    created = int(time.time())
    prompt_words = sum(_words(m.content) for m in body.messages)
    completion_words = len(content.split())
    usage = {
        "prompt_tokens": prompt_words,
        "completion_tokens": completion_words,
        "total_tokens": prompt_words + completion_words,
    }
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        return StreamingResponse(
            _events(
                completion_id,
                created,
                body.model,
                content,
                answer,
                usage if include_usage else None,
            ),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", **version},
        )
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": body.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "annotations": annotations},
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
        "crosscheck": answer.to_json(),
    }


@router.get("/models")
def models() -> dict[str, Any]:
    """The one model, ``crosscheck``."""
    return {
        "object": "list",
        "data": [
            {"id": name, "object": "model", "created": MODEL_CREATED, "owned_by": "crosscheck"}
            for name in MODELS
        ],
    }


def compose(answer: Answer, base_url: str) -> tuple[str, list[dict[str, Any]]]:
    """The message content of an answer, and its annotations.

    Args:
        answer: the answer.
        base_url: the server's URL, ending in ``/`` (``http://127.0.0.1:8000/``), that
            annotation URLs start with.

    Returns:
        The content: the answer's text, then (when it cites anything) a blank line,
        ``Sources:`` and a line per citation, ``[n] <article name>, <date>: “<quote>”``
        (no date part when the article has none; runs of white space in the quote shown as
        one space). The annotations: a ``url_citation`` per ``[n]`` marker of the answer's
        text and of the source lines, in order, with ``content[start_index:end_index] ==
        "[n]"`` (offsets in characters, as Python counts them), the url
        ``<base_url>articles/<doc_id>#<start>-<end>`` of the quote and the title its
        article's name.
    """
    cited = {citation.n: citation for citation in answer.citations}
    annotations = [
        _annotation(cited[int(marker[1])], marker.start(), marker.end(), base_url)
        for marker in MARKER.finditer(answer.answer)
        if int(marker[1]) in cited
    ]
    if not answer.citations:
        return answer.answer, annotations
    content = f"{answer.answer}\n\nSources:"
    for citation in answer.citations:
        marker = f"[{citation.n}]"
        start = len(content) + 1
        annotations.append(_annotation(citation, start, start + len(marker), base_url))
        dated = f"{_title(citation)}, {citation.date}" if citation.date else _title(citation)
        content += f"\n{marker} {dated}: “{' '.join(citation.quote.split())}”"
    return content, annotations


def _check_model(model: str) -> None:
    if model not in MODELS:
        listed = ", ".join(repr(name) for name in MODELS)
        raise ApiError(
            404,
            f"model: no model named {model!r} (GET /v1/models lists {listed})",
            "model_not_found",
            {"param": "model", "code": "model_not_found"},
        )


def _check_turns(messages: Sequence[ChatMessage], limit: int) -> None:
    if len(messages) > limit:
        raise ApiError(
            422,
            f"messages: {len(messages)} messages, more than the limit of {limit} "
            "(CROSSCHECK_MAX_TURNS); start a new conversation",
            "conversation_too_long",
        )


def _question(messages: Sequence[ChatMessage], limit: int) -> tuple[str, tuple[str, ...]]:
    asked: list[tuple[int, str]] = []
    for i, message in enumerate(messages):
        if message.role is Role.USER:
            text = _user_text(message.content, f"messages[{i}].content")
            check_length(text, limit, f"messages[{i}].content")
            asked.append((i, text))
    if not asked:
        raise ApiError(
            422,
            "messages: no user message (the question is the last user message)",
            "invalid_request",
        )
    last, question = asked[-1]
    if not question.strip():
        raise ApiError(422, f"messages[{last}].content: the question is empty", "invalid_request")
    return question, tuple(text for _, text in asked[:-1])


def _user_text(content: str | list[ContentPart] | None, where: str) -> str:
    for j, part in enumerate(content if isinstance(content, list) else ()):
        if part.type != "text":
            raise ApiError(
                422,
                f"{where}[{j}]: type {part.type!r}; only 'text' parts are read",
                "invalid_request",
            )
    return _text(content)


def _text(content: str | list[ContentPart] | None) -> str:
    if isinstance(content, list):
        return "\n".join(part.text or "" for part in content if part.type == "text")
    return content or ""


def _words(content: str | list[ContentPart] | None) -> int:
    return len(_text(content).split())


def _title(citation: Citation) -> str:
    return citation.name or citation.source or citation.doc_id


def _annotation(citation: Citation, start: int, end: int, base_url: str) -> dict[str, Any]:
    return {
        "type": "url_citation",
        "url_citation": {
            "start_index": start,
            "end_index": end,
            "url": f"{base_url}articles/{citation.doc_id}#{citation.start}-{citation.end}",
            "title": _title(citation),
        },
    }


def _events(
    completion_id: str,
    created: int,
    model: str,
    content: str,
    answer: Answer,
    usage: dict[str, int] | None,
) -> Iterator[str]:
    """The server-sent events of a streamed completion: the role, the content a line at a
    time, a chunk that stops and carries the ``crosscheck`` answer, then ``[DONE]``.

    With ``usage`` (``include_usage`` asked for), as OpenAI does: every chunk has a null
    ``usage``, and one more chunk, with no choices, holds it before ``[DONE]``."""
    blank_usage: dict[str, Any] = {} if usage is None else {"usage": None}

    def event(choices: list[dict[str, Any]], **extra: Any) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": choices,
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    def chunk(delta: dict[str, str], finish_reason: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        return event([choice], **blank_usage, **extra)

    yield chunk({"role": "assistant"})
    for line in content.splitlines(keepends=True):
        yield chunk({"content": line})
    yield chunk({}, "stop", crosscheck=answer.to_json())
    if usage is not None:
        yield event([], usage=usage)
    yield "data: [DONE]\n\n"

"""The OpenAI-compatible API: ``POST /v1/chat/completions`` and ``GET /v1/models``, so any
OpenAI client can ask crosscheck.

The question is the last user message and the user messages before it are the conversation's
history; system, developer and assistant messages count only towards ``usage``. The reply's
content is the answer with its ``[n]`` markers and a list of sources; every marker is also a
``url_citation`` annotation, and the whole answer of the contract travels in the extra
``crosscheck`` field, so programs lose nothing.
"""

import json
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from bot.api_errors import ApiError, Text, call_service, check_length
from retrieval import Answer, Citation

MODEL = "crosscheck"
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


class ChatCompletionRequest(BaseModel):
    """OpenAI's request; its other fields (temperature, max_tokens, ...) are accepted and
    ignored."""

    model_config = ConfigDict(extra="ignore")
    model: Text
    messages: list[ChatMessage]
    stream: bool | None = False


@router.post("/chat/completions", response_model=None)
def chat_completions(
    body: ChatCompletionRequest, request: Request, response: Response
) -> dict[str, Any] | StreamingResponse:
    """Answer the last user message as a ``chat.completion``, or as a stream of
    ``chat.completion.chunk`` server-sent events when ``stream`` is true.

    ``usage`` counts words, not tokens: crosscheck has no tokenizer of a language model.

    Raises:
        ApiError: 422 when there are more messages than ``max_turns``, there is no user
            message, the question is empty, a user message is longer than
            ``max_message_chars`` or has a part that is not text; the service's errors as
            ``call_service`` maps them.
    """
    settings = request.app.state.settings
    _check_turns(body.messages, settings.max_turns)
    question, history = _question(body.messages, settings.max_message_chars)
    snapshot = call_service(request.app.state.crosscheck.snapshot)
    answer: Answer = call_service(lambda: snapshot.engine.ask(question, history))
    version = {"X-Crosscheck-Index-Version": snapshot.version}
    response.headers.update(version)
    content, annotations = compose(answer)
    completion_id = f"chatcmpl-{secrets.token_hex(12)}"
    created = int(time.time())
    if body.stream:
        return StreamingResponse(
            _events(completion_id, created, body.model, content, answer),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", **version},
        )
    prompt_words = sum(_words(m.content) for m in body.messages)
    completion_words = len(content.split())
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
        "usage": {
            "prompt_tokens": prompt_words,
            "completion_tokens": completion_words,
            "total_tokens": prompt_words + completion_words,
        },
        "crosscheck": answer.to_json(),
    }


@router.get("/models")
def models() -> dict[str, Any]:
    """The one model, ``crosscheck``."""
    return {
        "object": "list",
        "data": [
            {"id": MODEL, "object": "model", "created": MODEL_CREATED, "owned_by": "crosscheck"}
        ],
    }


def compose(answer: Answer) -> tuple[str, list[dict[str, Any]]]:
    """The message content of an answer, and its annotations.

    Returns:
        The content: the answer's text, then (when it cites anything) a blank line,
        ``Sources:`` and a line per citation, ``[n] <source or doc id>, <date>: “<quote>”``
        (no date part when the article has none; runs of white space in the quote shown as
        one space). The annotations: a ``url_citation`` per ``[n]`` marker of the answer's
        text and of the source lines, in order, with ``content[start_index:end_index] ==
        "[n]"`` (offsets in characters, as Python counts them), the url
        ``/articles/<doc_id>#<start>-<end>`` of the quote and the title its source or doc id.
    """
    cited = {citation.n: citation for citation in answer.citations}
    annotations = [
        _annotation(cited[int(marker[1])], marker.start(), marker.end())
        for marker in MARKER.finditer(answer.answer)
        if int(marker[1]) in cited
    ]
    if not answer.citations:
        return answer.answer, annotations
    content = f"{answer.answer}\n\nSources:"
    for citation in answer.citations:
        marker = f"[{citation.n}]"
        start = len(content) + 1
        annotations.append(_annotation(citation, start, start + len(marker)))
        dated = f"{_title(citation)}, {citation.date}" if citation.date else _title(citation)
        content += f"\n{marker} {dated}: “{' '.join(citation.quote.split())}”"
    return content, annotations


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
    return citation.source or citation.doc_id


def _annotation(citation: Citation, start: int, end: int) -> dict[str, Any]:
    return {
        "type": "url_citation",
        "url_citation": {
            "start_index": start,
            "end_index": end,
            "url": f"/articles/{citation.doc_id}#{citation.start}-{citation.end}",
            "title": _title(citation),
        },
    }


def _events(
    completion_id: str, created: int, model: str, content: str, answer: Answer
) -> Iterator[str]:
    """The server-sent events of a streamed completion: the role, the content a line at a
    time, a last chunk that stops and carries the ``crosscheck`` answer, then ``[DONE]``."""

    def chunk(delta: dict[str, str], finish_reason: str | None = None, **extra: Any) -> str:
        body = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            **extra,
        }
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant"})
    for line in content.splitlines(keepends=True):
        yield chunk({"content": line})
    yield chunk({}, "stop", crosscheck=answer.to_json())
    yield "data: [DONE]\n\n"

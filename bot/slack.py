"""Slack: the Events API (mentions, direct messages) and a slash command, answered in threads.

Every request is verified on its raw body with slack_sdk's ``SignatureVerifier`` before it is
parsed; anything unsigned, tampered, stale (over 5 minutes either way) or malformed gets 401.
Without a signing secret the routes answer 503: never open to anyone. Events are acknowledged at
once and answered in the background; Slack's retries of one event are answered once.
"""

import json
import logging
import re
import time
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, BackgroundTasks, Request
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bot import asking
from bot.api_errors import ApiError, error_response
from bot.settings import Settings
from bot.slack_blocks import answer_blocks, escape, fallback_text
from bot.state import AppState, State
from retrieval import Answer

log = logging.getLogger("crosscheck.slack")
MAX_AGE_SECONDS = 300
POST_ATTEMPTS = 3
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

router = APIRouter(prefix="/slack", tags=["slack"])


@router.post("/events")
async def events(request: Request, state: State, background: BackgroundTasks) -> Any:
    """Slack's Events API: ``url_verification`` and ``event_callback``."""
    body = await _verified_body(request, state.settings)
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        return error_response(400, "the body is not valid JSON", "invalid_json")
    if not isinstance(payload, dict):
        return error_response(400, "the body must be a JSON object", "invalid_request")
    if payload.get("type") == "url_verification":
        return {"challenge": payload.get("challenge")}
    if payload.get("type") != "event_callback":
        return {"ok": True}
    event = payload.get("event") or {}
    if not isinstance(event, dict):
        return error_response(400, "the event must be a JSON object", "invalid_request")
    event_id = str(payload.get("event_id") or "")
    if not _is_question(event, payload) or not event_id:
        return {"ok": True}
    if not state.slack_seen.first_time(event_id):
        return {"ok": True}  # a retry of an event being answered
    background.add_task(_answer_event, state, event, event_id)
    return {"ok": True}


@router.post("/commands")
async def commands(request: Request, state: State, background: BackgroundTasks) -> Any:
    """A slash command (``/crosscheck how many missiles were launched?``)."""
    body = await _verified_body(request, state.settings)
    form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    question = form.get("text", "").strip()
    response_url = form.get("response_url", "")
    if not question:
        return {
            "response_type": "ephemeral",
            "text": "Ask a question, for example: /crosscheck how many people were injured?",
        }
    if not response_url.startswith("https://") and not response_url.startswith("http://"):
        return error_response(400, "the command has no response_url", "invalid_request")
    background.add_task(_answer_command, state, question, response_url)
    return {"response_type": "ephemeral", "text": "Checking the sources…"}


async def _verified_body(request: Request, settings: Settings) -> str:
    secret = settings.slack_signing_secret
    if not secret:
        raise ApiError(
            503,
            "Slack is not configured: set CROSSCHECK_SLACK_SIGNING_SECRET to enable these routes",
            "slack_not_configured",
        )
    signature = request.headers.get("x-slack-signature")
    timestamp = request.headers.get("x-slack-request-timestamp")
    if not signature or not timestamp:
        raise ApiError(
            401, "missing X-Slack-Signature or X-Slack-Request-Timestamp", "unauthorized"
        )
    if not timestamp.isdigit():
        raise ApiError(401, "X-Slack-Request-Timestamp is not a number", "unauthorized")
    if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
        raise ApiError(401, "the request timestamp is more than 5 minutes off", "unauthorized")
    raw = await request.body()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(
            401, "the body is not UTF-8, so it cannot be verified", "unauthorized"
        ) from None
    if not SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature):
        raise ApiError(401, "the Slack signature does not match", "unauthorized")
    return body


def _is_question(event: dict[str, Any], payload: dict[str, Any]) -> bool:
    """A mention or a direct message from a person, never from a bot (so never from us)."""
    if event.get("bot_id") or event.get("subtype") or not event.get("text"):
        return False
    authorizations = payload.get("authorizations")
    own = {
        a.get("user_id")
        for a in (authorizations if isinstance(authorizations, list) else [])
        if isinstance(a, dict) and a.get("is_bot")
    }
    if event.get("user") in own:
        return False
    kind = event.get("type")
    return kind == "app_mention" or (kind == "message" and event.get("channel_type") == "im")


def _answer_event(state: AppState, event: dict[str, Any], event_id: str) -> None:
    settings = state.settings
    question = _MENTION.sub("", str(event["text"])).strip()
    channel = str(event.get("channel"))
    thread = str(event.get("thread_ts") or event.get("ts"))
    answered = None
    try:
        # A thread is a conversation: its first question starts it.
        answered = (
            _answer(state, question, conversation_id=f"slack:{channel}:{thread}")
            if question
            else None
        )
    except Exception as error:  # an unanswerable question is told, not crashed on
        log.warning("event %s: could not answer: %s", event_id, error)
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    if answered is None:
        text, blocks = (
            "Ask me a question about the articles, e.g. how many people were injured?",
            None,
        )
    else:
        text, blocks = fallback_text(answered[0]), answer_blocks(*answered)
    _with_retries(
        event_id,
        lambda: client.chat_postMessage(
            channel=channel, thread_ts=thread, text=text, blocks=blocks
        ),
    )


def _answer_command(state: AppState, question: str, response_url: str) -> None:
    settings = state.settings
    try:
        answered = _answer(state, question)
        text, blocks = fallback_text(answered[0]), answer_blocks(*answered)
    except Exception as error:
        log.warning("command %r: could not answer: %s", question, error)
        text, blocks = f"Sorry, that question could not be answered: {escape(str(error))}", None
    webhook = WebhookClient(response_url)
    response_type = "in_channel" if settings.slack_in_channel else "ephemeral"
    _with_retries(
        "command",
        lambda: webhook.send(text=text, blocks=blocks, response_type=response_type),
    )


def _answer(
    state: AppState, question: str, conversation_id: str | None = None
) -> tuple[Answer, dict[str, tuple[str | None, str | None]]]:
    """The answer (in the conversation ``conversation_id``, or on its own) and each cited
    article's title and URL, both from one index version (an article deleted meanwhile cannot
    go missing between the two)."""
    if conversation_id is None:
        asked = asking.ask(state, question, history=())
    else:
        asked = asking.ask(state, question, conversation_id=conversation_id, start_if_unknown=True)
    articles = asked.snapshot.index.articles
    cited = {c.doc_id: articles[c.doc_id] for c in asked.answer.citations}
    return asked.answer, {doc_id: (a.title, a.url) for doc_id, a in cited.items()}


def _with_retries(what: str, post: Any) -> None:
    """Post, retrying a few times with backoff; failures are logged, never raised."""
    for attempt in range(1, POST_ATTEMPTS + 1):
        try:
            response = post()
            status = getattr(response, "status_code", 200)
            if status < 400:
                return
            log.warning("%s: Slack answered %s (attempt %d)", what, status, attempt)
        except (SlackApiError, OSError) as error:
            log.warning("%s: posting to Slack failed (attempt %d): %s", what, attempt, error)
        time.sleep(0.2 * 2**attempt)
    log.error("%s: giving up after %d attempts", what, POST_ATTEMPTS)

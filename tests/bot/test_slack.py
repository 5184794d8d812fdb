"""Slack: requests signed as Slack signs them, answers posted to a fake Slack API on 127.0.0.1."""

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from slack_sdk.signature import SignatureVerifier

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


class FakeSlack:
    """Records chat.postMessage calls and response_url posts."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []
        self.failures_left = 0
        self.attempts = 0
        app = FastAPI()

        @app.post("/api/chat.postMessage")
        async def post_message(request: Request) -> Any:
            self.attempts += 1
            if self.failures_left:
                self.failures_left -= 1
                return JSONResponse({"ok": False, "error": "internal_error"}, status_code=500)
            self.messages.append(json.loads(await request.body()))
            return {"ok": True, "ts": "1700000000.000200"}

        @app.post("/hook")
        async def hook(request: Request) -> str:
            self.responses.append(json.loads(await request.body()))
            return "ok"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def wait_for(
        self, records: list[dict[str, Any]], count: int, seconds: float = 20
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + seconds
        while len(records) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return records


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.thread.start()
    while not fake.server.started:
        time.sleep(0.02)
    yield fake
    fake.server.should_exit = True
    fake.thread.join(timeout=10)


@pytest.fixture
def server(start_server, bundled_index: Path, slack: FakeSlack):  # type: ignore[no-untyped-def]
    environ = {
        "CROSSCHECK_SLACK_SIGNING_SECRET": SECRET,
        "CROSSCHECK_SLACK_BOT_TOKEN": "xoxb-test",
        "CROSSCHECK_SLACK_API_URL": f"{slack.url}/api/",
    }
    with start_server(bundled_index, environ) as running:
        yield running


def signed(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body.decode())
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def event(text: str, event_id: str, ts: str, thread_ts: str | None = None, **extra: Any) -> bytes:
    inner = {
        "type": "app_mention",
        "user": "U123",
        "text": text,
        "channel": "C1",
        "ts": ts,
        **extra,
    }
    if thread_ts:
        inner["thread_ts"] = thread_ts
    payload = {
        "type": "event_callback",
        "event_id": event_id,
        "event": inner,
        "authorizations": [{"user_id": "UBOT", "is_bot": True}],
    }
    return json.dumps(payload).encode()


def post_event(server: Any, body: bytes, **headers: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/slack/events",
        content=body,
        headers={"content-type": "application/json", **signed(body), **headers},
    )


def test_url_verification_echoes_the_challenge(server: Any) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aB"}).encode()
    response = post_event(server, body)
    assert response.status_code == 200 and response.json() == {"challenge": "3eZbrw1aB"}


def test_a_mention_is_answered_in_its_thread_with_figures_and_citations(
    server: Any, slack: FakeSlack
) -> None:
    # 000: "wounded at least 26 others"; 001: "23 were wounded". One story, two counts.
    response = post_event(server, event("<@UBOT> how many people were wounded?", "Ev1", "111.1"))
    assert response.status_code == 200
    (message,) = slack.wait_for(slack.messages, 1)
    assert message["channel"] == "C1" and message["thread_ts"] == "111.1"
    assert "disagree" in message["text"]
    blocks = message["blocks"]
    assert len(blocks) <= 50
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sections[0].startswith(":warning: *The sources disagree on people wounded")
    assert any(s.startswith("*at least 26*") for s in sections)
    assert any(s.startswith("_vs_\n*23*") for s in sections)
    contexts = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    citations = [c for c in contexts if not c.startswith("*Related figures:*")]
    assert citations and all(c.startswith("[") and "“" in c for c in citations)
    assert not re.search(r"[0-9a-f]{16}", json.dumps(blocks))  # articles by name, no hex id


def test_a_follow_up_in_the_thread_continues_the_conversation(
    server: Any, slack: FakeSlack
) -> None:
    post_event(server, event("<@UBOT> how many people were injured in Kyiv?", "Ev2", "222.1"))
    slack.wait_for(slack.messages, 1)
    post_event(server, event("<@UBOT> and how many were killed?", "Ev3", "222.5", "222.1"))
    messages = slack.wait_for(slack.messages, 2)
    assert messages[1]["thread_ts"] == "222.1"
    # The measure is named in the engine's words: killed now, no longer injured.
    headline = messages[1]["text"].split("\n")[0]
    assert re.match(r"The sources agree on [^:]*kill[^:]*: 1\b", headline), headline


def test_a_retried_event_is_answered_once(server: Any, slack: FakeSlack) -> None:
    body = event("<@UBOT> how many missiles were launched?", "Ev4", "333.1")
    assert post_event(server, body).status_code == 200
    assert post_event(server, body, **{"X-Slack-Retry-Num": "1"}).status_code == 200
    slack.wait_for(slack.messages, 2, seconds=2)  # time for a second answer, if one were sent
    assert len(slack.messages) == 1


def test_a_failed_post_is_retried_and_the_server_stays_up(server: Any, slack: FakeSlack) -> None:
    slack.failures_left = 2
    assert (
        post_event(server, event("<@UBOT> how many missiles?", "Ev6", "555.1")).status_code == 200
    )
    (message,) = slack.wait_for(slack.messages, 1)
    assert slack.attempts == 3 and message["thread_ts"] == "555.1"
    assert httpx.get(f"{server.url}/health").status_code == 200


def test_the_bots_own_messages_are_ignored(server: Any, slack: FakeSlack) -> None:
    for n, extra in enumerate([{"bot_id": "B1"}, {"subtype": "bot_message"}, {"user": "UBOT"}]):
        body = event("how many missiles were launched?", f"Ev5-{n}", "444.1", **extra)
        assert post_event(server, body).status_code == 200
    # A person's message after them is answered, and is the only answer: the bots' were dropped.
    post_event(server, event("<@UBOT> how many missiles were launched?", "Ev5-person", "444.9"))
    messages = slack.wait_for(slack.messages, 2, seconds=3)
    assert [m["thread_ts"] for m in messages] == ["444.9"]


def test_a_slash_command_is_answered_through_response_url(server: Any, slack: FakeSlack) -> None:
    form = urlencode(
        {"command": "/crosscheck", "text": "how many missiles hit?",
         "response_url": f"{slack.url}/hook", "user_id": "U123", "channel_id": "C1"}
    ).encode()  # fmt: skip
    response = httpx.post(
        f"{server.url}/slack/commands",
        content=form,
        headers={"content-type": "application/x-www-form-urlencoded", **signed(form)},
    )
    assert response.status_code == 200 and response.json()["text"] == "Checking the sources…"
    (posted,) = slack.wait_for(slack.responses, 1)
    assert posted["response_type"] == "ephemeral"
    headline = posted["text"].split("\n")[0]
    # 000 and 004: "Russia (still) successfully hit eight locations with nine missiles".
    assert re.match(r"The sources agree on [^:]*missile[^:]*: nine\.$", headline), headline


BODY = event("<@UBOT> how many missiles?", "Ev9", "999.1")
Headers = Callable[[int], dict[str, str]]


# Each case makes its headers when the test runs (``now``), so that a long test session never
# turns a fresh signature into a stale one.
@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        (lambda now: {"X-Slack-Signature": "v0=" + "0" * 64,
                      "X-Slack-Request-Timestamp": str(now)}, BODY, "signature does not match"),
        (lambda now: signed(BODY, now), BODY.replace(b"missiles", b"drones"),
         "signature does not match"),
        (lambda now: signed(BODY, now - 600), BODY, "more than 5 minutes off"),
        (lambda now: signed(BODY, now + 600), BODY, "more than 5 minutes off"),
        (lambda now: {}, BODY, "missing X-Slack-Signature"),
        (lambda now: {"X-Slack-Signature": signed(BODY, now)["X-Slack-Signature"]}, BODY,
         "missing"),
        (lambda now: {**signed(BODY, now), "X-Slack-Request-Timestamp": "soon"}, BODY,
         "not a number"),
        (lambda now: signed(BODY, now), b"\xff\xfe not utf-8", "not UTF-8"),
        (lambda now: signed(BODY, now, secret="another-secret"), BODY,
         "signature does not match"),
    ],
    ids=["bad-signature", "tampered-body", "old", "ahead", "no-headers", "no-timestamp",
         "non-numeric-timestamp", "non-utf8-body", "wrong-secret"],
)  # fmt: skip
def test_bad_signatures_get_401(
    server: Any, slack: FakeSlack, headers: Headers, body: bytes, message: str
) -> None:
    for route in ("events", "commands"):
        sent = headers(int(time.time()))
        response = httpx.post(f"{server.url}/slack/{route}", content=body, headers=sent)
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "unauthorized"
        assert message in response.json()["error"]["message"]
    assert slack.messages == []


def test_without_a_signing_secret_slack_routes_are_closed(live_server: Any) -> None:
    for route in ("events", "commands"):
        response = httpx.post(
            f"{live_server.url}/slack/{route}", content=BODY, headers=signed(BODY)
        )
        assert response.status_code == 503
        assert "CROSSCHECK_SLACK_SIGNING_SECRET" in response.json()["error"]["message"]


HOSTILE = "<!channel> <!here|here> <!everyone> <!subteam^S1> <https://evil.example|click me>"
LIVE_MARKUP = ("<!channel", "<!here", "<!everyone", "<!subteam", "<https://evil", "<http://evil")


def test_hostile_markup_is_never_echoed_live(server: Any, slack: FakeSlack) -> None:
    article = {
        "text": f"{HOSTILE} Russia launched 40 drones at Kharkiv, {HOSTILE} officials said.",
        "doc_id": "hostile-1",
        "source": "<!channel> Wire",
        "title": "<https://evil.example|Read this>",
        "url": "https://example.com/a>|<!channel>",
    }
    added = httpx.post(f"{server.url}/articles", json=article)
    if added.status_code != 201:
        pytest.fail(added.text)
    question = f"<@UBOT> {HOSTILE} how many drones were launched at Kharkiv? {HOSTILE}"
    post_event(server, event(question, "Ev-hostile", "777.1"))
    form = urlencode(
        {"command": "/crosscheck", "text": f"{HOSTILE} how many drones at Kharkiv? {HOSTILE}",
         "response_url": f"{slack.url}/hook", "user_id": "U123", "channel_id": "C1"}
    ).encode()  # fmt: skip
    httpx.post(
        f"{server.url}/slack/commands",
        content=form,
        headers={"content-type": "application/x-www-form-urlencoded", **signed(form)},
    )

    (message,) = slack.wait_for(slack.messages, 1)
    (posted,) = slack.wait_for(slack.responses, 1)

    for sent in (message, posted):
        assert "40" in sent["text"]
        everything = json.dumps(sent, ensure_ascii=False)
        assert "&lt;!channel&gt;" in everything  # shown as written...
        for markup in LIVE_MARKUP:
            assert markup not in everything  # ...never acted on


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "event_callback", "event_id": "EvX", "event": "not an object"},
        {"type": "event_callback", "event_id": "EvY", "event": ["app_mention"]},
    ],
    ids=["event-string", "event-list"],
)
def test_a_signed_but_malformed_event_gets_400(
    server: Any, slack: FakeSlack, payload: dict[str, Any]
) -> None:
    response = post_event(server, json.dumps(payload).encode())
    assert response.status_code == 400
    assert response.json() == {
        "error": {"message": "the event must be a JSON object", "type": "invalid_request"}
    }
    assert httpx.get(f"{server.url}/health").status_code == 200


def test_odd_authorizations_do_not_stop_an_answer(server: Any, slack: FakeSlack) -> None:
    body = json.loads(event("<@UBOT> how many missiles were launched?", "EvZ", "888.1"))
    body["authorizations"] = ["UBOT", 7, None, {"user_id": "UBOT", "is_bot": True}]
    assert post_event(server, json.dumps(body).encode()).status_code == 200
    (message,) = slack.wait_for(slack.messages, 1)
    assert message["thread_ts"] == "888.1"

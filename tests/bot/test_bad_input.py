"""Bad input, end to end against a running server: every request gets a 4xx JSON error naming
the problem, or a proper answer; the server stays up and loses nothing it had indexed."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

JSON = {"content-type": "application/json"}
QUESTION = "How many people were injured?"


@pytest.fixture(scope="module")
def client(module_server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=module_server.url, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def indexed(client: httpx.Client) -> list[dict[str, Any]]:
    """The article list before any bad request."""
    listing: list[dict[str, Any]] = client.get("/articles").json()["articles"]
    return listing


@pytest.fixture(autouse=True)
def nothing_lost(client: httpx.Client, indexed: list[dict[str, Any]]) -> Iterator[None]:
    """After each test the server is up and holds exactly the articles it held before."""
    yield
    assert client.get("/health").status_code == 200
    assert client.get("/articles").json()["articles"] == indexed


def error_of(response: httpx.Response) -> tuple[int, str, str]:
    """(status, type, message) of an error response, checking its whole shape."""
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type"}, body
    return response.status_code, body["error"]["type"], body["error"]["message"]


def raw(method: str, path: str, body: bytes) -> Callable[[httpx.Client], httpx.Response]:
    return lambda http: http.request(method, path, content=body, headers=JSON)


def typed(path: str, body: bytes, content_type: str) -> Callable[[httpx.Client], httpx.Response]:
    return lambda http: http.post(path, content=body, headers={"content-type": content_type})


def post(path: str, body: Any) -> Callable[[httpx.Client], httpx.Response]:
    return lambda http: http.post(path, json=body)


def completion(messages: list[dict[str, Any]]) -> dict[str, Any]:
    return {"model": "crosscheck", "messages": messages}


BIG = 10_000_000
NOT_UTF8 = "the body is not valid JSON (JSON must be UTF-8 text)"
LONE = "holds a lone surrogate (U+{}) at character {}: not valid Unicode text"
ALPHABET = "use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit"
SURROGATE = b'{"message": "how many \\ud800 were injured?"}'
FORM = "application/x-www-form-urlencoded"


def not_json(content_type: str) -> str:
    return f"Content-Type {content_type!r}: the body must be JSON (Content-Type: application/json)"


ERRORS = {
    # malformed JSON
    "chat-truncated-json": (
        raw("POST", "/chat", b'{"message": '),
        400,
        "invalid_json",
        "the body is not valid JSON",
    ),
    "chat-not-json": (
        raw("POST", "/chat", b"how many were injured?"),
        400,
        "invalid_json",
        "the body is not valid JSON",
    ),
    # a body that is not JSON at all: 415, whatever it holds
    "chat-form-encoded": (
        typed("/chat", b"message=how+many+were+injured", FORM),
        415,
        "unsupported_media_type",
        not_json(FORM),
    ),
    "chat-text-plain": (
        typed("/chat", b'{"message": "how many were injured?"}', "text/plain"),
        415,
        "unsupported_media_type",
        not_json("text/plain"),
    ),
    "openai-form-encoded": (
        typed("/v1/chat/completions", b"model=crosscheck", FORM),
        415,
        "unsupported_media_type",
        not_json(FORM),
    ),
    "articles-multipart": (
        typed("/articles", b"--x\r\n\r\nTen drones.\r\n--x--", "multipart/form-data; boundary=x"),
        415,
        "unsupported_media_type",
        not_json("multipart/form-data; boundary=x"),
    ),
    "openai-truncated-json": (
        raw("POST", "/v1/chat/completions", b'{"model": "crosscheck", "messages": [{'),
        400,
        "invalid_json",
        "the body is not valid JSON",
    ),
    "articles-truncated-json": (
        raw("POST", "/articles", b'{"text": "Ten drones'),
        400,
        "invalid_json",
        "the body is not valid JSON",
    ),
    "raw-control-character": (
        raw("POST", "/chat", b'{"message": "how many\x07 were injured?"}'),
        400,
        "invalid_json",
        "the body is not valid JSON",
    ),
    # non-UTF-8 bytes
    "latin-1-body": (
        raw("POST", "/chat", '{"message": "combien de blessés ?"}'.encode("latin-1")),
        400,
        "invalid_json",
        NOT_UTF8,
    ),
    "invalid-utf-8-body": (
        raw("POST", "/articles", b'{"text": "\xff\xfe\xfd drones"}'),
        400,
        "invalid_json",
        NOT_UTF8,
    ),
    "lone-surrogate-escape": (
        raw("POST", "/chat", SURROGATE),
        422,
        "invalid_request",
        "message: " + LONE.format("D800", 9),
    ),
    "lone-surrogate-article": (
        raw("POST", "/articles", b'{"text": "Ten drones \\udfff were launched."}'),
        422,
        "invalid_request",
        "text: " + LONE.format("DFFF", 11),
    ),
    # wrong types
    "chat-message-number": (
        post("/chat", {"message": 5}),
        422,
        "invalid_request",
        "message: Input should be a valid string",
    ),
    "chat-message-list": (
        post("/chat", {"message": ["how", "many"]}),
        422,
        "invalid_request",
        "message: Input should be a valid string",
    ),
    "chat-body-list": (
        post("/chat", [QUESTION]),
        422,
        "invalid_request",
        "Input should be a valid dictionary or object to extract fields from",
    ),
    "chat-body-string": (
        post("/chat", QUESTION),
        422,
        "invalid_request",
        "Input should be a valid dictionary or object to extract fields from",
    ),
    "chat-filters-sources-string": (
        post("/chat", {"message": QUESTION, "filters": {"sources": "ICIR"}}),
        422,
        "invalid_request",
        "filters.sources: Input should be a valid list",
    ),
    "chat-filters-bad-date": (
        post("/chat", {"message": QUESTION, "filters": {"since": "July"}}),
        422,
        "invalid_request",
        "filters.since: String should match pattern '^\\d{4}-\\d{2}-\\d{2}$'",
    ),
    "chat-unknown-field": (
        post("/chat", {"message": QUESTION, "mesage": "typo"}),
        422,
        "invalid_request",
        "mesage: Extra inputs are not permitted",
    ),
    "openai-messages-string": (
        post("/v1/chat/completions", {"model": "crosscheck", "messages": QUESTION}),
        422,
        "invalid_request",
        "messages: Input should be a valid list",
    ),
    "openai-bad-role": (
        post("/v1/chat/completions", completion([{"role": "robot", "content": QUESTION}])),
        422,
        "invalid_request",
        "messages.0.role: Input should be 'system', 'developer', 'user' or 'assistant'",
    ),
    "articles-text-number": (
        post("/articles", {"text": 42}),
        422,
        "invalid_request",
        "text: Input should be a valid string",
    ),
    # missing fields
    "chat-no-message": (post("/chat", {}), 422, "invalid_request", "message: Field required"),
    "openai-no-model": (
        post("/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]}),
        422,
        "invalid_request",
        "model: Field required",
    ),
    "openai-no-user-message": (
        post("/v1/chat/completions", completion([{"role": "system", "content": "be brief"}])),
        422,
        "invalid_request",
        "messages: no user message (the question is the last user message)",
    ),
    "articles-no-text": (
        post("/articles", {"title": "No text"}),
        422,
        "invalid_request",
        "text: Field required",
    ),
    # empty or whitespace message
    "chat-empty": (
        post("/chat", {"message": ""}),
        422,
        "invalid_request",
        "message: the message is empty",
    ),
    "chat-whitespace": (
        post("/chat", {"message": " \n\t\u3000 "}),
        422,
        "invalid_request",
        "message: the message is empty",
    ),
    "openai-whitespace": (
        post("/v1/chat/completions", completion([{"role": "user", "content": "  "}])),
        422,
        "invalid_request",
        "messages[0].content: the question is empty",
    ),
    # too long, too big
    "chat-100-kb": (
        post("/chat", {"message": "how many " * 11_112}),
        422,
        "message_too_long",
        "message: 100008 characters, more than the limit of 2000",
    ),
    "openai-100-kb": (
        post("/v1/chat/completions", completion([{"role": "user", "content": "x" * 100_000}])),
        422,
        "message_too_long",
        "messages[0].content: 100000 characters, more than the limit of 2000",
    ),
    "chat-10-mb-body": (
        raw("POST", "/chat", b'{"message": "' + b"a" * BIG + b'"}'),
        413,
        "request_too_large",
        "the request body is larger than 5000000 bytes",
    ),
    "articles-50-mb": (
        raw("POST", "/articles", b'{"text": "' + b"drones " * 7_200_000 + b'"}'),
        413,
        "request_too_large",
        "the request body is larger than 5000000 bytes",
    ),
    "articles-2-mb": (
        post("/articles", {"text": "Ten drones were launched. " * 80_000}),
        413,
        "article_too_large",
        "text: 2080000 bytes, more than the limit of 1000000 (CROSSCHECK_MAX_ARTICLE_BYTES)",
    ),
    # article pages of no size, too big a size, or a size that is not a whole number
    "articles-limit-zero": (
        lambda http: http.get("/articles", params={"limit": 0}),
        422,
        "invalid_request",
        "limit: Input should be greater than or equal to 1",
    ),
    "articles-limit-too-big": (
        lambda http: http.get("/articles", params={"limit": 1001}),
        422,
        "invalid_request",
        "limit: Input should be less than or equal to 1000",
    ),
    "articles-limit-not-integer": (
        lambda http: http.get("/articles", params={"limit": "ten"}),
        422,
        "invalid_request",
        "limit: Input should be a valid integer, unable to parse string as an integer",
    ),
    "articles-limit-fraction": (
        lambda http: http.get("/articles", params={"limit": "2.5"}),
        422,
        "invalid_request",
        "limit: Input should be a valid integer, unable to parse string as an integer",
    ),
    # conversations of thousands of turns
    "openai-5000-turns": (
        post("/v1/chat/completions", completion([{"role": "user", "content": QUESTION}] * 5000)),
        422,
        "conversation_too_long",
        "messages: 5000 messages, more than the limit of 200 (CROSSCHECK_MAX_TURNS); "
        "start a new conversation",
    ),
    # unknown and hostile doc ids
    "get-unknown-doc": (
        lambda http: http.get("/articles/no-such-doc"),
        404,
        "not_found",
        "no article has doc id 'no-such-doc'",
    ),
    "delete-unknown-doc": (
        lambda http: http.delete("/articles/no-such-doc"),
        404,
        "not_found",
        "no article has doc id 'no-such-doc'",
    ),
    "get-dot-dot-slash": (
        lambda http: http.get("/articles/..%2F..%2Fetc%2Fpasswd"),
        404,
        "not_found",
        "Not Found",
    ),
    "get-encoded-dots": (
        lambda http: http.get("/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
        404,
        "not_found",
        "Not Found",
    ),
    "get-dot-dot": (
        lambda http: http.get("/articles/%2e%2e"),
        404,
        "not_found",
        "no article has doc id '..'",
    ),
    "delete-dot-dot-slash": (
        lambda http: http.delete("/articles/..%2F..%2Fetc%2Fpasswd"),
        404,
        "not_found",
        "Not Found",
    ),
    "delete-encoded-dots": (
        lambda http: http.delete("/articles/%2e%2e"),
        404,
        "not_found",
        "no article has doc id '..'",
    ),
    "post-traversal-doc-id": (
        post("/articles", {"text": "Ten drones.", "doc_id": "../../etc/passwd"}),
        422,
        "invalid_article",
        f"doc id '../../etc/passwd' is not valid: {ALPHABET}",
    ),
    "post-encoded-doc-id": (
        post("/articles", {"text": "Ten drones.", "doc_id": "%2e%2e%2f"}),
        422,
        "invalid_article",
        f"doc id '%2e%2e%2f' is not valid: {ALPHABET}",
    ),
    # empty and binary articles
    "articles-empty": (
        post("/articles", {"text": "", "doc_id": "empty"}),
        422,
        "invalid_article",
        "article 'empty' is empty",
    ),
    "articles-blank": (
        post("/articles", {"text": " \n\n ", "doc_id": "blank"}),
        422,
        "invalid_article",
        "article 'blank' is empty",
    ),
    "articles-binary": (
        post("/articles", {"text": "PK\x03\x04\x00\x00\x08\x00", "doc_id": "zip"}),
        422,
        "invalid_article",
        "article 'zip' looks binary: its text holds NUL bytes",
    ),
    "articles-bad-date": (
        post("/articles", {"text": "Ten drones.", "doc_id": "dated", "date": "yesterday"}),
        422,
        "invalid_article",
        "article 'dated' has date 'yesterday': not an ISO date (YYYY-MM-DD)",
    ),
}


@pytest.mark.parametrize(("send", "status", "kind", "message"), ERRORS.values(), ids=ERRORS.keys())
def test_bad_input_gets_a_json_error_naming_the_problem(
    client: httpx.Client, send: Any, status: int, kind: str, message: str
) -> None:
    assert error_of(send(client)) == (status, kind, message)


ANSWERED = {
    "control-characters": "how many\u0000 people\u0007 were \u001b[31minjured\u202e?",
    "right-to-left": "كم عدد الجرحى في كييف؟ how many were injured?",
    "emoji": "🚀💥 how many drones 🛸 were launched? 🇺🇦",
    "cjk": "基辅有多少人受伤？ how many people were injured?",
    "only-foreign": "基辅有多少人受伤？",
    "zalgo": "h̸̛o̵w̷ m̶a̴n̷y̸ w̵e̴r̷e̸ i̵n̶j̸u̵r̷e̶d̸?",
    "noise": "%s %n {0} ${jndi:ldap://x} '; DROP TABLE articles; -- <script>alert(1)</script>",
    "slack-markup": "<!channel> <!here> <@U1> <https://evil.example|click> how many were injured?",
}


@pytest.mark.parametrize("message", ANSWERED.values(), ids=ANSWERED.keys())
def test_odd_text_gets_a_proper_answer(client: httpx.Client, message: str) -> None:
    response = client.post("/chat", json={"message": message})

    assert response.status_code == 200
    body = response.json()
    assert body["question"] == message
    assert isinstance(body["answer"], str) and body["answer"]
    for citation in body["citations"]:
        text = client.get(f"/articles/{citation['doc_id']}").json()["text"]
        assert text[citation["start"] : citation["end"]] == citation["quote"]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_openai_with_odd_text_gets_a_proper_answer(client: httpx.Client, stream: bool) -> None:
    messages = [{"role": "user", "content": text} for text in ANSWERED.values()]
    response = client.post("/v1/chat/completions", json={**completion(messages), "stream": stream})

    assert response.status_code == 200
    if stream:
        events = [line for line in response.text.splitlines() if line.startswith("data: ")]
        assert events[-1] == "data: [DONE]"
        answer = json.loads(events[-2].removeprefix("data: "))["crosscheck"]
    else:
        answer = response.json()["crosscheck"]
    assert answer["question"] == ANSWERED["slack-markup"]


def test_a_long_openai_history_within_the_limit_is_answered(client: httpx.Client) -> None:
    turns = [
        {"role": role, "content": text}
        for _ in range(66)
        for role, text in (("user", "How many were injured in Kyiv?"), ("assistant", "23 [1]"))
    ]
    messages = [*turns, {"role": "user", "content": "And how many were killed?"}]
    assert len(messages) == 133

    response = client.post("/v1/chat/completions", json=completion(messages))

    assert response.status_code == 200
    assert [f["value"] for f in response.json()["crosscheck"]["figures"]] == [1]


def test_hundreds_of_follow_ups_in_one_conversation_are_answered(client: httpx.Client) -> None:
    first = client.post("/chat", json={"message": "How many people were injured in Kyiv?"})
    conversation = first.json()["conversation_id"]
    questions = ["And how many were killed?", "What about hospitalized?"] * 150

    answers = [
        client.post("/chat", json={"message": q, "conversation_id": conversation})
        for q in questions
    ]

    assert [a.status_code for a in answers] == [200] * 300
    assert {a.json()["conversation_id"] for a in answers} == {conversation}
    assert {f["value"] for f in answers[-2].json()["figures"]} == {1}
    assert {f["value"] for f in answers[-1].json()["figures"]} == {14}


def test_right_to_left_emoji_and_cjk_articles_round_trip(
    client: httpx.Client, values_citing: Any
) -> None:
    text = (
        "أطلقت روسيا 40 طائرة مسيرة على خاركيف.\n\n"
        "🚀 Russia launched 40 drones 🛸 at Kharkiv overnight, officials said. "
        "俄罗斯向哈尔科夫发射了40架无人机。 Three people were injured in Kharkiv."
    )
    article = {"text": text, "doc_id": "unicode-1", "source": "وكالة"}
    created = client.post("/articles", json=article)
    assert created.status_code == 201

    stored = client.get("/articles/unicode-1").json()
    answer = client.post("/chat", json={"message": "How many drones were launched at Kharkiv?"})
    deleted = client.delete("/articles/unicode-1")

    assert stored["text"] == text and stored["source"] == "وكالة"
    assert values_citing(answer.json(), "unicode-1") == [40]
    assert deleted.json() == {"deleted": "unicode-1"}


def test_a_duplicate_doc_id_replaces_the_article(client: httpx.Client) -> None:
    first = {"text": "Russia launched 40 drones at Kharkiv.", "doc_id": "dup-1"}
    second = {"text": "Russia launched 41 drones at Kharkiv.", "doc_id": "dup-1"}

    created = client.post("/articles", json=first)
    replaced = client.post("/articles", json=second)
    listing = [a["doc_id"] for a in client.get("/articles").json()["articles"]]
    text = client.get("/articles/dup-1").json()["text"]
    client.delete("/articles/dup-1")

    assert (created.status_code, created.json()["replaced"]) == (201, False)
    assert (replaced.status_code, replaced.json()["replaced"]) == (201, True)
    assert listing.count("dup-1") == 1
    assert text == second["text"]


def test_a_bundled_article_posted_again_unchanged_is_kept(
    client: httpx.Client, indexed: list[dict[str, Any]]
) -> None:
    doc_id = indexed[0]["doc_id"]
    article = client.get(f"/articles/{doc_id}").json()

    # Posted back as read: its ``name`` is derived from the other fields, and ignored.
    again = client.post("/articles", json=article)

    assert (again.status_code, again.json()["replaced"]) == (201, True)
    assert client.get(f"/articles/{doc_id}").json() == article


def test_a_form_encoded_body_is_a_415_and_malformed_json_a_400(client: httpx.Client) -> None:
    form = client.post("/chat", data={"message": QUESTION})
    assert form.status_code == 415
    assert form.json() == {
        "error": {
            "message": "Content-Type 'application/x-www-form-urlencoded': the body must be JSON "
            "(Content-Type: application/json)",
            "type": "unsupported_media_type",
        }
    }
    malformed = client.post("/chat", content=b'{"message": ', headers=JSON)
    assert malformed.status_code == 400
    assert malformed.json() == {
        "error": {"message": "the body is not valid JSON", "type": "invalid_json"}
    }
    # JSON by another name is JSON.
    answered = client.post(
        "/chat",
        content=json.dumps({"message": QUESTION}),
        headers={"content-type": "application/vnd.api+json; charset=utf-8"},
    )
    assert answered.status_code == 200 and answered.json()["question"] == QUESTION


def test_a_validation_message_is_ours_without_pydantics_prefix(client: httpx.Client) -> None:
    response = client.post("/chat", json={"message": "   "})
    assert response.status_code == 422
    assert response.json() == {
        "error": {"message": "message: the message is empty", "type": "invalid_request"}
    }

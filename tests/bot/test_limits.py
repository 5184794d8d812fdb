"""Limits and abuse: sizes and lengths, a rate limit per client, no file outside the index and
the page's own, and a server that binds 127.0.0.1 unless told otherwise."""

import http.client
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.rate_limit import TokenBuckets
from bot.settings import Settings, SettingsError


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def test_the_limits_are_settings() -> None:
    default = Settings.from_environ({})
    assert (default.max_article_bytes, default.max_turns, default.rate_limit) == (
        1_000_000,
        200,
        1_200,
    )
    chosen = Settings.from_environ(
        {
            "CROSSCHECK_MAX_ARTICLE_BYTES": "100",
            "CROSSCHECK_MAX_TURNS": "3",
            "CROSSCHECK_RATE_LIMIT": "0",
        }
    )
    assert (chosen.max_article_bytes, chosen.max_turns, chosen.rate_limit) == (100, 3, 0)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CROSSCHECK_RATE_LIMIT", "-1", "CROSSCHECK_RATE_LIMIT has value '-1': not a whole number"),
        ("CROSSCHECK_RATE_LIMIT", "lots", "CROSSCHECK_RATE_LIMIT has value 'lots'"),
        ("CROSSCHECK_MAX_TURNS", "0", "CROSSCHECK_MAX_TURNS has value '0': not a positive"),
        ("CROSSCHECK_MAX_ARTICLE_BYTES", "1e6", "CROSSCHECK_MAX_ARTICLE_BYTES has value '1e6'"),
    ],
)
def test_bad_limit_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_environ({name: value})


LIMITS = {
    "CROSSCHECK_MAX_ARTICLE_BYTES": "100",
    "CROSSCHECK_MAX_TURNS": "3",
    "CROSSCHECK_MAX_BODY_BYTES": "2000",
    "CROSSCHECK_MAX_MESSAGE_CHARS": "40",
}


def test_each_limit_is_a_4xx_naming_it(start_server: Any, bundled_index: Path) -> None:
    with start_server(bundled_index, LIMITS) as server, httpx.Client(base_url=server.url) as http:
        before = http.get("/articles").json()
        article = http.post("/articles", json={"text": "é" * 60, "doc_id": "accents"})
        turns = http.post(
            "/v1/chat/completions",
            json={"model": "crosscheck", "messages": [{"role": "user", "content": "hi"}] * 4},
        )
        message = http.post("/chat", json={"message": "how many people were injured in Kyiv?!"})
        body = http.post("/chat", json={"message": "x" * 3000})
        within = http.post(
            "/v1/chat/completions",
            json={"model": "crosscheck", "messages": [{"role": "user", "content": "how many?"}]},
        )

        assert (article.status_code, error_of(article)) == (
            413,
            {
                "error": {
                    "message": "text: 120 bytes, more than the limit of 100 "
                    "(CROSSCHECK_MAX_ARTICLE_BYTES)",
                    "type": "article_too_large",
                }
            },
        )
        assert (turns.status_code, error_of(turns)["error"]["type"]) == (
            422,
            "conversation_too_long",
        )
        assert "4 messages, more than the limit of 3" in turns.json()["error"]["message"]
        assert message.status_code == 200  # 39 characters: within 40
        assert (body.status_code, error_of(body)["error"]["type"]) == (413, "request_too_large")
        assert within.status_code == 200
        assert http.get("/articles").json() == before


def test_a_client_over_the_rate_limit_gets_429_with_retry_after(
    start_server: Any, bundled_index: Path
) -> None:
    # LiveServer's start-up polls /health, which is never limited.
    limited_server = start_server(bundled_index, {"CROSSCHECK_RATE_LIMIT": "5"})
    with limited_server as server, httpx.Client(base_url=server.url) as http:
        allowed = [
            http.get("/articles"),
            http.post("/chat", json={"message": "How many were injured?"}),
            http.get("/v1/models"),
            http.get("/articles/no-such-doc"),
            http.post("/chat", json={"message": ""}),
        ]
        limited = http.post("/chat", json={"message": "How many were injured?"})
        health = http.get("/health")

    assert [r.status_code for r in allowed] == [200, 200, 200, 404, 422]
    assert limited.status_code == 429
    retry_after = int(limited.headers["Retry-After"])
    assert 1 <= retry_after <= 12  # a token every 60 / 5 = 12 s
    assert error_of(limited) == {
        "error": {
            "message": f"too many requests from this client; try again in {retry_after} s",
            "type": "rate_limited",
        }
    }
    assert health.status_code == 200


def test_a_rate_limit_of_zero_is_off(start_server: Any, bundled_index: Path) -> None:
    unlimited = start_server(bundled_index, {"CROSSCHECK_RATE_LIMIT": "0"})
    with unlimited as server, httpx.Client(base_url=server.url) as http:
        statuses = {http.get("/v1/models").status_code for _ in range(1250)}
    assert statuses == {200}  # more than the default 1,200 a minute


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_buckets_refill_at_the_rate_per_key() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=6, max_keys=2, clock=clock)

    assert [buckets.take("a") for _ in range(6)] == [0.0] * 6
    assert buckets.take("a") == pytest.approx(10.0)  # one token every 10 s
    assert buckets.take("b") == 0.0  # another client has its own bucket
    clock.now += 10.0
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(10.0)
    clock.now += 600.0  # a long idle time refills to the minute's allowance, no more
    assert [buckets.take("a") for _ in range(7)][-2:] == [0.0, pytest.approx(10.0)]


def test_token_buckets_forget_the_least_recent_keys() -> None:
    buckets = TokenBuckets(per_minute=1, max_keys=2, clock=Clock())
    assert [buckets.take(key) for key in ("a", "b", "c")] == [0.0, 0.0, 0.0]
    assert buckets.take("c") > 0 and buckets.take("b") > 0
    assert buckets.take("a") == 0.0  # forgotten, so full again: memory stays bounded


TRAVERSALS = [
    "/static/../../../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e%2fapi.py",
    "/static/..%5c..%5capi.py",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/articles/..%2f..%2f..%2fetc%2fpasswd",
    "/articles/%2e%2e%2f%2e%2e%2fbot%2fapi.py",
    "/articles/..",
    "/../../etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_route_reads_a_file_outside_its_directories(module_server: Any, path: str) -> None:
    # http.client sends the path exactly as written (httpx would normalise the dots away).
    connection = http.client.HTTPConnection("127.0.0.1", module_server.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
    finally:
        connection.close()

    assert response.status == 404
    assert response.getheader("content-type") == "application/json"
    assert "root:" not in body and "import" not in body
    assert httpx.get(f"{module_server.url}/static/app.js").status_code == 200


def test_the_command_line_binds_127_0_0_1_by_default(
    server_process: Any, bundled_index: Path
) -> None:
    server = server_process(bundled_index).wait_until_up()
    assert f"serving on http://127.0.0.1:{server.port}/" in server.log.read_text()
    assert listening_addresses(server.port) == {"127.0.0.1"}


def test_command_line_options_keep_the_other_settings(
    server_process: Any, bundled_index: Path
) -> None:
    # --index-dir and --embedder override their variables, and nothing else: the API key
    # (and every limit) set in the environment still holds.
    environ = {"CROSSCHECK_API_KEY": "s3cret", "CROSSCHECK_MAX_MESSAGE_CHARS": "10"}
    server = server_process(bundled_index, environ=environ).wait_until_up()
    key = {"Authorization": "Bearer s3cret"}

    assert httpx.get(f"{server.url}/articles").status_code == 401
    assert httpx.get(f"{server.url}/articles", headers=key).status_code == 200
    long = httpx.post(f"{server.url}/chat", json={"message": "x" * 11}, headers=key)
    assert long.json()["error"]["type"] == "message_too_long"


def listening_addresses(port: int) -> set[str]:
    """The local addresses of TCP sockets listening on ``port`` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(_address(address))
    return found


def _address(hexadecimal: str) -> str:
    if len(hexadecimal) == 8:  # IPv4, little-endian
        return ".".join(str(int(hexadecimal[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return "::" if set(hexadecimal) == {"0"} else hexadecimal

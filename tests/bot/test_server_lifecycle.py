"""The server's life: 503 while the index loads, the ready line and the access log of
`crosscheck serve`, and an index shared with `crosscheck index`."""

import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from bot.api import create_app
from bot.settings import Settings
from index import HashEmbedder


class GatedEmbedder(HashEmbedder):
    """The stand-in embedder, holding every call until ``gate`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.gate.wait(timeout=60)
        return super().embed(texts)


def test_health_is_503_until_the_index_is_ready(tmp_path: Path) -> None:
    embedder = GatedEmbedder()
    settings = Settings.from_environ({"CROSSCHECK_INDEX_DIR": str(tmp_path / "index")})
    app = create_app(settings, embedder)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                loading = httpx.get(f"{url}/health")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        assert loading.status_code == 503
        assert loading.json()["error"]["type"] == "not_ready"
        chat = httpx.post(f"{url}/chat", json={"message": "How many were injured?"})
        assert chat.status_code == 503
        embedder.gate.set()
        while time.monotonic() < deadline and httpx.get(f"{url}/health").status_code != 200:
            time.sleep(0.05)
        assert httpx.get(f"{url}/health").json()["articles"] == 5
    finally:
        embedder.gate.set()
        server.should_exit = True
        thread.join(timeout=10)


def test_a_rebuild_by_the_command_line_is_served_next(
    live_server, bundled_index: Path, crosscheck, tmp_path: Path
) -> None:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "odesa-1.txt").write_text(
        "Russia launched 12 drones at Odesa overnight, the navy said.", encoding="utf-8"
    )
    result = crosscheck("index", folder, "--index-dir", bundled_index, "--embedder", "hash")
    assert result.returncode == 0, result.stderr
    assert httpx.get(f"{live_server.url}/health").json()["articles"] == 1
    # Not "... at Odesa?": see test_cli_ask's test_a_count_at_the_place_asked_about_answers.
    answer = httpx.post(
        f"{live_server.url}/chat", json={"message": "How many drones were launched?"}
    ).json()
    assert [f["value"] for f in answer["figures"]] == [12]


READY = re.compile(r"^crosscheck is ready on (http://127\.0\.0\.1:\d+/)$", re.MULTILINE)
ACCESS_LINE = '"GET /health HTTP/1.1" 200'


def ready_url(server: Any, seconds: float = 60) -> str:
    """The URL in the ``crosscheck is ready on URL`` line ``server`` prints, once it has."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = READY.search(server.log.read_text(encoding="utf-8"))
        if found:
            return found.group(1)
        if server.process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"no ready line: {server.log.read_text(encoding='utf-8')}")


def test_serve_says_where_it_is_ready_once_health_is_200(
    server_process: Any, bundled_index: Path
) -> None:
    server = server_process(bundled_index)

    url = ready_url(server)

    assert url == f"{server.url}/"
    health = httpx.get(f"{url}health")
    assert health.status_code == 200
    assert health.json()["articles"] == 5
    assert len(READY.findall(server.log.read_text(encoding="utf-8"))) == 1


def test_serve_says_it_is_ready_only_once_the_index_loads(
    server_process: Any, tmp_path: Path
) -> None:
    # No index yet: the server builds one from the bundled articles, answering 503 meanwhile.
    server = server_process(tmp_path / "index")
    statuses_before_ready = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        printed = READY.search(server.log.read_text(encoding="utf-8"))
        try:
            status = httpx.get(f"{server.url}/health").status_code
        except httpx.TransportError:
            status = None  # not listening yet
        if printed:
            assert status == 200
            break
        if status is not None:
            statuses_before_ready.add(status)
        time.sleep(0.02)
    else:
        raise AssertionError(f"no ready line: {server.log.read_text(encoding='utf-8')}")
    assert 503 in statuses_before_ready


@pytest.mark.parametrize("flag", [True, False], ids=["--access-log", "default"])
def test_access_log_only_when_asked(server_process: Any, bundled_index: Path, flag: bool) -> None:
    server = server_process(bundled_index, *(["--access-log"] if flag else []))
    url = ready_url(server)

    assert httpx.get(f"{url}health").status_code == 200
    server.stop()  # every line written before reading the log

    log = server.log.read_text(encoding="utf-8")
    assert (ACCESS_LINE in log) is flag, log

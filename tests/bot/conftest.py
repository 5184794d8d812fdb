"""Fixtures for the command-line tests: ``crosscheck`` runs as a real process. Tests pass
``--embedder hash`` (never the real model) and an ``--index-dir`` under ``tmp_path``."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from corpus import bundled_articles_dir

if TYPE_CHECKING:
    from index import Embedder

# ``python -m bot`` is the ``crosscheck`` command without needing the console script on PATH.
CLI = (sys.executable, "-m", "bot")

Crosscheck = Callable[..., subprocess.CompletedProcess[str]]


def run_crosscheck(
    *args: str | Path, environ: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``crosscheck ARGS`` to completion and capture its output.

    The child gets this process's environment without any ``CROSSCHECK_*`` variable (so the
    caller's shell cannot change what a test means), plus ``environ``.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("CROSSCHECK_")}
    env.update(environ or {})
    return subprocess.run(
        [*CLI, *(str(arg) for arg in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def crosscheck() -> Crosscheck:
    """``crosscheck(*args, environ=None)``: run the command line, return the finished process."""
    return run_crosscheck


@pytest.fixture(scope="session")
def _bundled_index_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("template") / "index"
    result = run_crosscheck("index", "--index-dir", index_dir, "--embedder", "hash")
    assert result.returncode == 0, result.stderr
    return index_dir


@pytest.fixture
def bundled_index(_bundled_index_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of an index of the bundled articles built by ``crosscheck index``."""
    index_dir = tmp_path / "index"
    shutil.copytree(_bundled_index_template, index_dir)
    return index_dir


@pytest.fixture
def bundled_doc_ids() -> set[str]:
    """The doc ids of the bundled articles: their file stems."""
    return {path.stem for path in bundled_articles_dir().glob("*.txt")}


def _values_citing(answer: Mapping[str, Any], doc_id: str) -> list[Any]:
    figures = [*answer["figures"], *(f for s in answer["other_stories"] for f in s["figures"])]
    return [f["value"] for f in figures if any(c["doc_id"] == doc_id for c in f["citations"])]


@pytest.fixture
def values_citing() -> Callable[[Mapping[str, Any], str], list[Any]]:
    """``values_citing(answer, doc_id)``: the values of the figures an answer takes from article
    ``doc_id``, whether they answer in its own story or are listed under another story (an
    added article may start a story of its own or join one)."""
    return _values_citing


class LiveServer:
    """A crosscheck server run by uvicorn in a thread on 127.0.0.1 (with ``embedder`` instead
    of the one the settings name, when given)."""

    def __init__(
        self,
        index_dir: Path,
        environ: Mapping[str, str] | None = None,
        embedder: "Embedder | None" = None,
    ) -> None:
        import socket
        import threading

        import uvicorn

        from bot.api import create_app
        from bot.settings import Settings

        settings = Settings.from_environ(
            {
                "CROSSCHECK_INDEX_DIR": str(index_dir),
                "CROSSCHECK_EMBEDDER": "hash",
                # Every test client is 127.0.0.1: one bucket. Tests hammering a server would
                # hit the limit or not depending on the machine's speed; test_limits sets it.
                "CROSSCHECK_RATE_LIMIT": "0",
                **(environ or {}),
            }
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings, embedder)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        import time

        import httpx

        self.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the server did not become ready in 60 s")

    def start(self) -> "LiveServer":
        """Start serving and return once the server accepts connections (``with`` waits for
        ``/health`` to answer 200 as well)."""
        import time

        import httpx

        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/health", timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the server did not accept connections in 60 s")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(bundled_index: Path) -> Iterator[LiveServer]:
    """A running server (stand-in embedder) over a fresh copy of the bundled index."""
    with LiveServer(bundled_index) as server:
        yield server


@pytest.fixture
def start_server() -> Callable[..., LiveServer]:
    """``start_server(index_dir, environ=None)``: a LiveServer to use in a ``with`` block."""
    return LiveServer


@pytest.fixture(scope="module")
def module_server(
    _bundled_index_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One running server for a whole test module, over its own copy of the bundled index;
    tests that change the articles put them back."""
    index_dir = tmp_path_factory.mktemp("module-server") / "index"
    shutil.copytree(_bundled_index_template, index_dir)
    with LiveServer(index_dir) as server:
        yield server


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    """``crosscheck serve --embedder hash`` as a child process (so it can be killed), on a free
    port of 127.0.0.1 unless ``args`` say otherwise; standard error goes to ``log``."""

    def __init__(
        self, index_dir: Path, log: Path, *args: str, environ: Mapping[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSCHECK_")}
        env.update({"CROSSCHECK_RATE_LIMIT": "0", **(environ or {})})  # as LiveServer
        command = [*CLI, "serve", "--index-dir", str(index_dir), "--embedder", "hash"]
        command += ["--port", str(self.port), *args]
        with log.open("wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)

    def wait_until_up(self, seconds: float = 60) -> "ServerProcess":
        """Poll ``/health`` until the server answers at all (200, or 503 when the index failed)."""
        import time

        import httpx

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()}")
            try:
                status = httpx.get(f"{self.url}/health", timeout=2).status_code
                if status == 200 or (status == 503 and self._failed()):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not come up in {seconds} s: {self.log.read_text()}")

    def _failed(self) -> bool:
        import httpx

        body = httpx.get(f"{self.url}/health", timeout=2).json()
        # Asked again: it may have finished loading since (200, no error).
        return bool(body.get("error", {}).get("type") == "index_unavailable")

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop it if it still runs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """``server_process(index_dir, *args, environ=None)``: a started ``crosscheck serve``
    child process (wait for it with ``.wait_until_up()``); stopped after the test."""
    started: list[ServerProcess] = []

    def start(
        index_dir: Path, *args: str, environ: Mapping[str, str] | None = None
    ) -> ServerProcess:
        log = tmp_path / f"serve-{len(started)}.log"
        server = ServerProcess(index_dir, log, *args, environ=environ)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()

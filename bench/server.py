"""A ``crosscheck serve`` for a benchmark: started on a free port of 127.0.0.1, polled until
``GET /health`` answers 200, stopped on leaving. One place for what bench/cli_start.py,
bench/open.py and bench/ingest.py each need of a server."""

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx


@dataclass(frozen=True)
class Served:
    """A running server: its process, its URL, and the seconds from starting it until
    ``/health`` answered 200 (None when it did not within the cap)."""

    process: "subprocess.Popen[bytes]"
    url: str
    ready_after: float | None


@contextlib.contextmanager
def crosscheck_serve(
    repo: Path,
    env: Mapping[str, str],
    *,
    cap: float = 300,
    poll: float = 0.02,
    must_be_ready: bool = True,
) -> Iterator[Served]:
    """``python -m bot serve`` of the checkout ``repo`` with ``env`` (which names the index).

    Raises:
        SystemExit: the server exited, or (with ``must_be_ready``) was not ready within
            ``cap`` seconds; the message holds what it printed.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        began = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=repo, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            ready_after = None
            while time.perf_counter() - began < cap:
                if process.poll() is not None:
                    raise SystemExit(
                        f"crosscheck serve exited with {process.returncode}:\n{_said(log)}"
                    )
                if healthy(url):
                    ready_after = time.perf_counter() - began
                    break
                time.sleep(poll)
            if ready_after is None and must_be_ready:
                raise SystemExit(f"crosscheck serve was not ready in {cap:g} s:\n{_said(log)}")
            yield Served(process, url, ready_after)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def healthy(url: str) -> bool:
    """Whether the server at ``url`` answers ``GET /health`` with 200."""
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _said(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode("utf-8", "replace")

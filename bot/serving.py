"""Running the app under uvicorn for ``crosscheck serve``: says where it is ready, and logs
each request when asked to.

The index loads in the background after the server starts (``/health`` answers 503 until it is
ready), so "ready" is printed once uvicorn accepts connections and ``/health`` answers 200.
"""

import asyncio
import logging
import threading
import time
from typing import TextIO

import httpx
import uvicorn
from starlette.types import ASGIApp

# How often the app's health is asked while the index loads: soon at first, then at most once a
# second for a large index.
FIRST_POLL_SECONDS = 0.05
LAST_POLL_SECONDS = 1.0


def serve(app: ASGIApp, host: str, port: int, *, access_log: bool, out: TextIO) -> None:
    """Serve ``app`` on ``host``:``port`` until interrupted; print ``crosscheck is ready on
    http://HOST:PORT/`` to ``out`` once it answers ``/health`` with 200. With ``access_log``,
    uvicorn logs one line per request (``"GET /health HTTP/1.1" 200``) on standard error.
    """
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=access_log)
    if access_log:
        # Warnings only from the server itself, but every request from its access logger.
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    server = uvicorn.Server(config)
    watcher = threading.Thread(target=_announce_when_ready, args=(server, app, out), daemon=True)
    watcher.start()
    server.run()


def url_of(host: str, port: int) -> str:
    """``http://HOST:PORT/``, an IPv6 address in brackets."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def _announce_when_ready(server: uvicorn.Server, app: ASGIApp, out: TextIO) -> None:
    pause = FIRST_POLL_SECONDS
    while not server.should_exit:
        if server.started and asyncio.run(_health_status(app)) == 200:
            host, port = _bound_address(server)
            print(f"crosscheck is ready on {url_of(host, port)}", file=out, flush=True)
            return
        time.sleep(pause)
        pause = min(pause * 2, LAST_POLL_SECONDS)


async def _health_status(app: ASGIApp) -> int:
    """``/health``'s status, asked of the app in this process (not over the network, so it is
    never in the access log)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://crosscheck") as client:
        return (await client.get("/health")).status_code


def _bound_address(server: uvicorn.Server) -> tuple[str, int]:
    """The address the server listens on: the configured host and the port actually bound
    (``--port 0`` takes a free one)."""
    port = server.config.port
    for listener in server.servers:
        for sock in listener.sockets:
            port = sock.getsockname()[1]
            break
    return server.config.host, port

"""The HTTP app: the core routes, the OpenAI-compatible and Slack routes, the chat page, and
the API's docs (served from this machine: ``/docs`` works offline).

``create_app`` builds the app; the index loads in the background at start-up, so ``/health``
answers 503 until it is ready and 200 after.
"""

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from bot import asking
from bot.api_errors import BodyLimit, ErrorBody, install_error_handlers
from bot.conversations import ConversationLimits, ConversationStore
from bot.openai_api import router as openai_router
from bot.rate_limit import RateLimit
from bot.request_checks import require_api_key
from bot.routes import router as core_router
from bot.seen_events import SeenEvents
from bot.service import CrossCheck
from bot.settings import Settings
from bot.slack import router as slack_router
from bot.state import AppState, attach_state
from index import Embedder, make_backend, make_embedder

log = logging.getLogger("crosscheck.api")
STATIC = Path(str(resources.files("bot") / "static"))
# Where Swagger UI's and ReDoc's scripts and styles are served from (fastapi-offline's copy).
DOCS_ASSETS = "/docs-assets"
# Asked once the index is loaded, to load the embedding model and fill the caches before the
# first person asks.
WARM_UP_QUESTION = "how many were injured?"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "Malformed JSON",
        401: "Missing or wrong API key",
        404: "No such article, conversation or model",
        409: "The last article cannot be deleted",
        413: "Request body, or the article posted, too large",
        415: "The body is not JSON",
        422: "Invalid request",
        429: "Too many requests from this client; see the Retry-After header",
        503: "The index is still loading, cannot be read, or a change could not be written",
    }.items()
}


def create_app(settings: Settings, embedder: Embedder | None = None) -> FastAPI:
    """The crosscheck app over ``settings.index_dir`` (the embedder defaults to the settings')."""
    state = AppState(
        crosscheck=CrossCheck(
            make_backend(settings.backend, settings.index_dir, settings.milvus_uri),
            embedder or make_embedder(settings.embedder),
            merge_segments=settings.merge_segments,
        ),
        conversations=ConversationStore(ConversationLimits()),
        settings=settings,
        slack_seen=SeenEvents(),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loader = threading.Thread(target=_start, args=(state,), daemon=True)
        loader.start()
        yield

    app = FastAPIOffline(
        title="crosscheck",
        description="Every figure the news sources give, each with its exact words.",
        lifespan=lifespan,
        responses=ERRORS,
        static_url=DOCS_ASSETS,
    )
    attach_state(app, state)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.rate_limit > 0:
        app.add_middleware(RateLimit, per_minute=settings.rate_limit)
    app.include_router(core_router)
    app.include_router(openai_router, dependencies=[Depends(require_api_key)])
    app.include_router(slack_router)  # signed by Slack instead of the API key

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _start(state: AppState) -> None:
    """Load the index, then ask one question through the ask step to warm the model and the
    caches."""
    try:
        state.crosscheck.start()
    except Exception:  # kept on the service as .error; /health and every route report it
        log.error("crosscheck: error: %s", state.crosscheck.error)
        return
    try:
        asking.ask(state, WARM_UP_QUESTION, history=())
    except Exception as error:  # the index serves; the first question just starts cold
        log.warning("crosscheck: the warm-up question failed: %s", error)

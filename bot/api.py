"""The HTTP API: health, chat with follow-ups, articles, and the chat page.

``create_app`` builds the app; the index loads in the background at start-up, so ``/health``
answers 503 until it is ready and 200 after.
"""

import hmac
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.api_errors import (
    ApiError,
    BodyLimit,
    ErrorBody,
    Text,
    call_service,
    check_length,
    install_error_handlers,
)
from bot.conversations import ConversationLimits, ConversationStore
from bot.openai_api import router as openai_router
from bot.rate_limit import RateLimit
from bot.service import CrossCheck, Snapshot, UnknownDocumentError
from bot.settings import Settings
from bot.slack import SeenEvents
from bot.slack import router as slack_router
from corpus import ArticleFileError
from index import Embedder, make_embedder
from retrieval import ArticleFilter

log = logging.getLogger("crosscheck.api")
STATIC = Path(str(resources.files("bot") / "static"))
# Names the index version (generation) a response was computed from: every answer is drawn
# from one version, and a write's response names the version that holds it.
VERSION_HEADER = "X-Crosscheck-Index-Version"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "Malformed JSON",
        401: "Missing or wrong API key",
        404: "No such article",
        409: "The last article cannot be deleted",
        413: "Request body, or the article posted, too large",
        422: "Invalid request",
        429: "Too many requests from this client; see the Retry-After header",
        503: "The index is still loading, cannot be read, or a change could not be written",
    }.items()
}


class Filters(BaseModel):
    """Which articles an answer may use."""

    model_config = ConfigDict(extra="forbid")
    sources: list[Text] | None = None
    since: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    until: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class ChatRequest(BaseModel):
    """A chat message; ``conversation_id`` continues a conversation."""

    model_config = ConfigDict(extra="forbid")
    message: Text
    conversation_id: Text | None = Field(None, max_length=100)
    filters: Filters | None = None

    @field_validator("message")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the message is empty")
        return value


class ArticleRequest(BaseModel):
    """An article to add or replace. ``name`` is accepted so that an article read from
    ``GET /articles/{doc_id}`` can be posted back as it is, and ignored: an article's name is
    made from its outlet, URL, title and doc id."""

    model_config = ConfigDict(extra="forbid")
    text: Text
    name: Text | None = None
    title: Text | None = None
    source: Text | None = None
    date: Text | None = None
    url: Text | None = None
    doc_id: Text | None = None


class ArticleSummary(BaseModel):
    """An article in a listing; ``name`` is how it is shown (its outlet, URL domain, title or
    doc id without a hash)."""

    doc_id: str
    name: str
    source: str | None
    date: str | None
    title: str | None
    length: int


class ArticleBody(BaseModel):
    """An article with its text; every citation's offsets index into ``text``."""

    doc_id: str
    name: str
    source: str | None
    date: str | None
    title: str | None
    url: str | None
    text: str


class Health(BaseModel):
    """The service is up and how much it holds."""

    status: str
    articles: int
    chunks: int


def create_app(settings: Settings, embedder: Embedder | None = None) -> FastAPI:
    """The crosscheck app over ``settings.index_dir`` (the embedder defaults to the settings')."""
    service = CrossCheck(settings.index_dir, embedder or make_embedder(settings.embedder))
    conversations = ConversationStore(ConversationLimits())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loader = threading.Thread(target=_start, args=(service,), daemon=True)
        loader.start()
        yield

    app = FastAPI(
        title="crosscheck",
        description="Every figure the news sources give, each with its exact words.",
        lifespan=lifespan,
        responses=ERRORS,
    )
    app.state.crosscheck = service
    app.state.conversations = conversations
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.rate_limit > 0:
        app.add_middleware(RateLimit, per_minute=settings.rate_limit)
    authorized = [Depends(_api_key_check(settings.api_key))]
    app.include_router(openai_router, dependencies=authorized)
    app.include_router(slack_router)  # signed by Slack instead of the API key
    app.state.slack_seen = SeenEvents()

    @app.get("/health", response_model=Health)
    def health(response: Response) -> Any:
        index = _snapshot(service, response).index  # 503 while loading or when it failed
        return {"status": "ok", "articles": len(index.articles), "chunks": len(index.chunks)}

    @app.post("/chat", dependencies=authorized)
    def chat(request: ChatRequest, response: Response) -> dict[str, Any]:
        check_length(request.message, settings.max_message_chars, "message")
        conversation_id = request.conversation_id or conversations.new_id()
        history = conversations.history(conversation_id)
        snapshot = _snapshot(service, response)
        answer = call_service(
            lambda: snapshot.engine.ask(request.message, history, _filter(request.filters))
        )
        conversations.record(conversation_id, request.message)
        return {**answer.to_json(), "conversation_id": conversation_id}

    @app.get("/articles", dependencies=authorized)
    def list_articles(response: Response) -> dict[str, list[ArticleSummary]]:
        index = _snapshot(service, response).index
        articles = sorted(index.articles.values(), key=lambda a: a.doc_id)
        return {"articles": [_summary(a) for a in articles]}

    @app.get("/articles/{doc_id}", response_model=ArticleBody, dependencies=authorized)
    def get_article(doc_id: str, response: Response) -> Any:
        article = _snapshot(service, response).index.articles.get(doc_id)
        if article is None:
            raise ApiError(404, f"no article has doc id {doc_id!r}", "not_found")
        return {
            "doc_id": article.doc_id,
            "name": article.name,
            "source": article.source,
            "date": article.date,
            "title": article.title,
            "url": article.url,
            "text": article.text,
        }

    @app.post("/articles", status_code=201, dependencies=authorized)
    def post_article(request: ArticleRequest, response: Response) -> dict[str, Any]:
        size = len(request.text.encode("utf-8"))
        if size > settings.max_article_bytes:
            raise ApiError(
                413,
                f"text: {size} bytes, more than the limit of {settings.max_article_bytes} "
                "(CROSSCHECK_MAX_ARTICLE_BYTES)",
                "article_too_large",
            )
        try:
            ingested = call_service(
                lambda: service.ingest(
                    request.text,
                    doc_id=request.doc_id,
                    title=request.title,
                    source=request.source,
                    date=request.date,
                    url=request.url,
                )
            )
        except ArticleFileError as error:
            raise ApiError(422, str(error), "invalid_article") from None
        response.headers[VERSION_HEADER] = ingested.version
        return {**_summary(ingested.article).model_dump(), "replaced": ingested.replaced}

    @app.delete("/articles/{doc_id}", dependencies=authorized)
    def delete_article(doc_id: str, response: Response) -> dict[str, str]:
        try:
            response.headers[VERSION_HEADER] = call_service(lambda: service.delete(doc_id))
        except UnknownDocumentError:
            raise ApiError(404, f"no article has doc id {doc_id!r}", "not_found") from None
        except ValueError as error:
            raise ApiError(409, str(error), "conflict") from None
        return {"deleted": doc_id}

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _start(service: CrossCheck) -> None:
    try:
        service.start()
    except Exception:  # kept on the service as .error; /health and every route report it
        log.error("crosscheck: error: %s", service.error)


def _snapshot(service: CrossCheck, response: Response) -> Snapshot:
    """The index now serving, its version named in ``response``'s headers."""
    snapshot = call_service(service.snapshot)
    response.headers[VERSION_HEADER] = snapshot.version
    return snapshot


def _summary(article: Any) -> ArticleSummary:
    return ArticleSummary(
        doc_id=article.doc_id,
        name=article.name,
        source=article.source,
        date=article.date,
        title=article.title,
        length=len(article.text),
    )


def _filter(filters: Filters | None) -> ArticleFilter | None:
    if filters is None:
        return None
    return ArticleFilter(
        sources=frozenset(filters.sources) if filters.sources is not None else None,
        since=filters.since,
        until=filters.until,
    )


def _api_key_check(key: str | None) -> Any:
    def check(authorization: Annotated[str | None, Header()] = None) -> None:
        if key is None:
            return
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), key.encode()):
            raise ApiError(
                401, "missing or wrong API key (Authorization: Bearer <key>)", "unauthorized"
            )

    return check

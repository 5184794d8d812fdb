"""The core routes: health, chat with follow-ups, and the articles (list, read, add, delete)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot import asking
from bot.api_errors import ApiError, Text, call_service, check_length
from bot.article_pages import article_page
from bot.request_checks import require_api_key, require_json
from bot.service import Snapshot, UnknownDocumentError
from bot.state import VERSION_HEADER, AppState, State
from corpus import Article, ArticleFileError
from retrieval import ArticleFilter

router = APIRouter()
AUTHORIZED = [Depends(require_api_key)]
JSON_BODY = [Depends(require_api_key), Depends(require_json)]
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class Filters(BaseModel):
    """Which articles an answer may use."""

    model_config = ConfigDict(extra="forbid")
    sources: list[Text] | None = None
    since: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    until: str | None = Field(None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class ChatRequest(BaseModel):
    """A chat message; ``conversation_id`` continues a conversation (leave it out to start
    one)."""

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


class ArticleList(BaseModel):
    """A page of the articles by doc id; ``next`` is the ``after`` of the next page, ``null``
    on the last one."""

    articles: list[ArticleSummary]
    next: str | None
    total: int


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


@router.get("/health", response_model=Health)
def health(state: State, response: Response) -> Any:
    """200 once the index is loaded; 503 while it loads or when it cannot be read."""
    index = _snapshot(state, response).index
    return call_service(
        lambda: {"status": "ok", "articles": len(index.articles), "chunks": index.chunk_count}
    )


@router.post("/chat", dependencies=JSON_BODY)
def chat(request: ChatRequest, state: State, response: Response) -> dict[str, Any]:
    """The answer object plus the ``conversation_id`` to send back with a follow-up."""
    check_length(request.message, state.settings.max_message_chars, "message")
    asked = call_service(
        lambda: asking.ask(
            state,
            request.message,
            conversation_id=request.conversation_id,
            filters=_filter(request.filters),
        )
    )
    response.headers[VERSION_HEADER] = asked.version
    return {**asked.answer.to_json(), "conversation_id": asked.conversation_id}


@router.get("/articles", response_model=ArticleList, dependencies=AUTHORIZED)
def list_articles(
    state: State,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = PAGE_SIZE,
    after: str | None = None,
) -> Any:
    """The articles a page at a time, by doc id: up to ``limit`` (1-1000, default 100) after
    doc id ``after`` (from the first when left out), ``next`` to pass as ``after`` for the
    next page (``null`` on the last) and the ``total`` held.

    Listings are paged: a client that ignores ``next`` gets only the first page.
    """
    articles = _snapshot(state, response).index.articles
    page = article_page(articles, after, limit)
    return {
        "articles": [_summary(a) for a in page.articles],
        "next": page.next,
        "total": len(articles),
    }


@router.get("/articles/{doc_id}", response_model=ArticleBody, dependencies=AUTHORIZED)
def get_article(doc_id: str, state: State, response: Response) -> Any:
    """One article with its text."""
    article = _snapshot(state, response).index.articles.get(doc_id)
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


@router.post("/articles", status_code=201, dependencies=JSON_BODY)
def post_article(request: ArticleRequest, state: State, response: Response) -> dict[str, Any]:
    """Add or replace an article; a 201 means it is on disk and serving."""
    limit = state.settings.max_article_bytes
    size = len(request.text.encode("utf-8"))
    if size > limit:
        raise ApiError(
            413,
            f"text: {size} bytes, more than the limit of {limit} (CROSSCHECK_MAX_ARTICLE_BYTES)",
            "article_too_large",
        )
    try:
        ingested = call_service(
            lambda: state.crosscheck.ingest(
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


@router.delete("/articles/{doc_id}", dependencies=AUTHORIZED)
def delete_article(doc_id: str, state: State, response: Response) -> dict[str, str]:
    """Remove an article (not the last one)."""
    try:
        response.headers[VERSION_HEADER] = call_service(lambda: state.crosscheck.delete(doc_id))
    except UnknownDocumentError:
        raise ApiError(404, f"no article has doc id {doc_id!r}", "not_found") from None
    except ValueError as error:
        raise ApiError(409, str(error), "conflict") from None
    return {"deleted": doc_id}


def _snapshot(state: AppState, response: Response) -> Snapshot:
    """The index now serving, its version named in ``response``'s headers."""
    snapshot = call_service(state.crosscheck.snapshot)
    response.headers[VERSION_HEADER] = snapshot.version
    return snapshot


def _summary(article: Article) -> ArticleSummary:
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

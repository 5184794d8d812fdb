"""Errors at the HTTP edge: every failure is ``{"error": {"message", "type"}}`` with a 4xx (or
503 while loading), never a traceback or a 500 for bad input."""

from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.conversations import UnknownConversationError
from bot.service import NotReadyError, UnavailableError
from index import BackendUnavailableError, IndexStoreError, IndexWriteError
from retrieval import SearchError

T = TypeVar("T")


class ErrorDetail(BaseModel):
    """What went wrong."""

    message: str
    type: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def error_response(
    status: int,
    message: str,
    kind: str,
    headers: Mapping[str, str] | None = None,
    details: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error response of the documented shape (with ``headers``, e.g. ``Allow``, and more
    fields of the error in ``details``, e.g. OpenAI's ``param`` and ``code``)."""
    return JSONResponse(
        {"error": {"message": message, "type": kind, **(details or {})}},
        status_code=status,
        headers=headers,
    )


class ApiError(Exception):
    """Raised by routes to answer with an error of the documented shape; ``details`` are
    more fields of the error object."""

    def __init__(
        self, status: int, message: str, kind: str, details: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.kind = kind
        self.details = dict(details or {})


def call_service(call: Callable[[], T]) -> T:
    """``call()``, its result returned.

    Raises:
        ApiError: 404 ``unknown_conversation`` for a conversation id that is unknown or
            expired, 503 ``not_ready`` while the index loads, 422 ``invalid_request`` for a search
            the service cannot run, 503 ``write_failed`` when a change could not be written
            (the previous index is intact), 503 ``index_unavailable`` when the index cannot be
            read (the message says how to rebuild it), 503 ``backend_unavailable`` when Milvus
            cannot be reached (nothing was written).
    """
    try:
        return call()
    except UnknownConversationError as error:
        raise ApiError(404, str(error), "unknown_conversation") from None
    except NotReadyError as error:
        raise ApiError(503, str(error), "not_ready") from None
    except SearchError as error:
        raise ApiError(422, str(error), "invalid_request") from None
    except IndexWriteError as error:
        raise ApiError(503, str(error), "write_failed") from None
    except BackendUnavailableError as error:
        raise ApiError(503, str(error), "backend_unavailable") from None
    except UnavailableError as error:
        raise ApiError(503, str(error), error.kind) from None
    except IndexStoreError as error:
        raise ApiError(503, str(error), "index_unavailable") from None


def check_length(text: str, limit: int, field: str) -> None:
    """Check that ``text`` (the value of ``field``) has at most ``limit`` characters.

    Raises:
        ApiError: 422 ``message_too_long``, naming the field, the length and the limit.
    """
    if len(text) > limit:
        raise ApiError(
            422,
            f"{field}: {len(text)} characters, more than the limit of {limit}",
            "message_too_long",
        )


def check_text(value: str) -> str:
    """``value``, if it can be written as UTF-8: a JSON ``\\ud800`` escape decodes to a lone
    surrogate, which could be neither answered nor stored.

    Raises:
        ValueError: naming the position of the first lone surrogate (pydantic reports it as a
            422 for the field).
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"holds a lone surrogate (U+{ord(value[error.start]):04X}) at character "
            f"{error.start}: not valid Unicode text"
        ) from None
    return value


Text = Annotated[str, AfterValidator(check_text)]
"""A string field of a request, checked to be valid Unicode."""

# What FastAPI says of a body it cannot even decode (not UTF-8, say).
_UNPARSABLE = "There was an error parsing the body"
# What pydantic puts before the message of a ValueError a validator raised.
_VALUE_ERROR = "Value error, "
# Where FastAPI says a bad field came from, the first part of its "loc", left out of messages:
# "limit", not "query.limit".
_PLACES = ("body", "query")
_STATUS_TYPES = {
    400: "invalid_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "not_ready",
}


def install_error_handlers(app: FastAPI) -> None:
    """Map validation errors, HTTP errors and ``ApiError`` to the documented error shape."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.message, error.kind, details=error.details)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return error_response(400, "the body is not valid JSON", "invalid_json")
        return error_response(422, "; ".join(_describe(p) for p in problems), "invalid_request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400 and error.detail == _UNPARSABLE:  # FastAPI's own words
            return error_response(
                400, "the body is not valid JSON (JSON must be UTF-8 text)", "invalid_json"
            )
        kind = _STATUS_TYPES.get(error.status_code, "error")
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return error_response(error.status_code, str(error.detail), kind, headers)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at the request's path (Starlette's own ``Allow`` names
    only the first route's, and ``GET /articles`` and ``POST /articles`` are two routes)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def _describe(problem: dict[str, Any]) -> str:
    loc = tuple(problem.get("loc", ()))
    if loc and loc[0] in _PLACES:
        loc = loc[1:]
    where = ".".join(str(part) for part in loc)
    message = str(problem.get("msg", "invalid"))
    if problem.get("type") == "value_error":  # our own validators' words, without pydantic's
        message = message.removeprefix(_VALUE_ERROR)
    return f"{where}: {message}" if where else message


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413 before any route reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        seen = 0
        started = False

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(send)

    async def _too_large(self, send: Send) -> None:
        response = error_response(
            413, f"the request body is larger than {self.max_bytes} bytes", "request_too_large"
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": response.body})


class _TooLarge(Exception):
    pass

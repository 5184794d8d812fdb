"""A rate limit per client address: a token bucket each, as ASGI middleware answering 429.

Each address has a bucket holding at most ``per_minute`` tokens, refilled at ``per_minute / 60``
a second; a request takes one token, and a request that finds none gets 429 with
``Retry-After`` (whole seconds until a token is back). So a client may spend a minute's
allowance at once, then one request every ``60 / per_minute`` seconds. ``/health`` is never
limited: monitors poll it. The address is the connection's peer: behind a proxy, every client
shares the proxy's bucket.
"""

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.api_errors import error_response

UNLIMITED_PATHS = frozenset({"/health"})


class TokenBuckets:
    """A token bucket per key, at most ``max_keys`` of them (the least recently used go
    first: a forgotten key starts again with a full bucket)."""

    def __init__(
        self,
        per_minute: int,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_minute < 1:
            raise ValueError(f"per_minute must be at least 1, got {per_minute}")
        self._capacity = float(per_minute)
        self._per_second = per_minute / 60.0
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when

    def take(self, key: str) -> float:
        """Take a token from ``key``'s bucket: 0.0 if there was one, else the seconds until
        there will be one (and nothing is taken)."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(key, (self._capacity, now))
            tokens = min(self._capacity, tokens + (now - then) * self._per_second)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self._per_second
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return wait


class RateLimit:
    """ASGI middleware: 429 ``rate_limited`` with ``Retry-After`` for a client over its rate."""

    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app = app
        self.buckets = TokenBuckets(per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        wait = self.buckets.take(client[0] if client else "unknown")
        if wait <= 0.0:
            await self.app(scope, receive, send)
            return
        seconds = max(1, math.ceil(wait))
        response = error_response(
            429,
            f"too many requests from this client; try again in {seconds} s",
            "rate_limited",
        )
        response.headers["Retry-After"] = str(seconds)
        await response(scope, receive, send)

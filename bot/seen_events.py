"""Slack event ids seen lately, so that Slack's retries of one event are answered once."""

import threading
import time
from collections import OrderedDict


class SeenEvents:
    """Event ids seen in the last ``ttl`` seconds (at most ``size``), to answer each once."""

    def __init__(self, ttl: float = 3600.0, size: int = 10_000) -> None:
        self._ttl = ttl
        self._size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """Record ``event_id``; True only the first time it is seen."""
        now = time.monotonic()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now - self._ttl:
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            while len(self._seen) > self._size:
                self._seen.popitem(last=False)
            return True

"""Conversations: the questions asked so far, kept in a store bounded in count and age."""

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ConversationLimits:
    """At most ``max_conversations`` are kept (the least recently used goes first), each for
    ``ttl_seconds`` after its last question, remembering its last ``max_turns`` questions."""

    max_conversations: int = 10_000
    ttl_seconds: float = 3600.0
    max_turns: int = 20


class UnknownConversationError(LookupError):
    """No conversation has that id: it never existed, or it expired."""


class ConversationStore:
    """Thread-safe store of conversation histories."""

    def __init__(
        self, limits: ConversationLimits, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, tuple[str, ...]]] = OrderedDict()

    @staticmethod
    def new_id() -> str:
        """A fresh, unguessable conversation id."""
        return secrets.token_hex(12)

    @property
    def limits(self) -> ConversationLimits:
        """How many conversations are kept, for how long, with how many questions."""
        return self._limits

    def history(self, conversation_id: str) -> tuple[str, ...] | None:
        """The questions asked so far in a conversation; None if it is unknown or expired."""
        with self._lock:
            self._expire()
            item = self._items.get(conversation_id)
            return item[1] if item else None

    def record(self, conversation_id: str, question: str) -> None:
        """Remember that ``question`` was asked in the conversation."""
        with self._lock:
            _, history = self._items.pop(conversation_id, (0.0, ()))
            turns = (*history, question)[-self._limits.max_turns :]
            self._items[conversation_id] = (self._clock(), turns)
            while len(self._items) > self._limits.max_conversations:
                self._items.popitem(last=False)
            self._expire()

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._items)

    def _expire(self) -> None:
        deadline = self._clock() - self._limits.ttl_seconds
        while self._items:
            oldest = next(iter(self._items))
            if self._items[oldest][0] >= deadline:
                break
            del self._items[oldest]

"""The one ask step behind every surface (``/chat``, the OpenAI route, Slack): take the index
version now serving, ask its engine, keep the conversation's history, and say which version
answered. No other function in ``bot/`` serving a request asks the engine.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from bot.conversations import UnknownConversationError
from bot.service import Snapshot
from bot.state import AppState
from retrieval import Answer, ArticleFilter


@dataclass(frozen=True)
class Asked:
    """An answer, the index version it was drawn from (read the cited articles there, not
    in a later version), and the conversation it belongs to (None when the caller passed the
    history itself)."""

    answer: Answer
    snapshot: Snapshot
    conversation_id: str | None

    @property
    def version(self) -> str:
        """The name of the index version that answered."""
        return self.snapshot.version


def ask(
    state: AppState,
    message: str,
    *,
    conversation_id: str | None = None,
    history: Sequence[str] | None = None,
    filters: ArticleFilter | None = None,
    start_if_unknown: bool = False,
) -> Asked:
    """Answer ``message`` from the index now serving.

    The earlier questions come from one of two places. With ``history`` (the OpenAI route,
    whose client sends the whole conversation) they are those, and nothing is kept. Otherwise
    they are the conversation's: a new one when ``conversation_id`` is None, else the one with
    that id; ``message`` is then added to it once answered.

    Args:
        state: the app's state.
        message: the question.
        conversation_id: the conversation it continues; None starts a new one.
        history: the earlier questions, when the caller keeps them (no conversation id then).
        filters: which articles the answer may use.
        start_if_unknown: start the conversation ``conversation_id`` if it is unknown (a
            Slack thread's first question), rather than raise.

    Raises:
        UnknownConversationError: no conversation has ``conversation_id`` (unknown, or
            expired), and ``start_if_unknown`` is false.
        ValueError: both ``history`` and ``conversation_id`` were given.
        NotReadyError, UnavailableError, IndexStoreError, SearchError: as the service and the
            engine raise them.
    """
    conversations = state.conversations
    if history is not None:
        if conversation_id is not None:
            raise ValueError("give the history or a conversation id, not both")
        earlier = tuple(history)
    elif conversation_id is None:
        conversation_id = conversations.new_id()
        earlier = ()
    else:
        kept = conversations.history(conversation_id)
        if kept is None and not start_if_unknown:
            minutes = round(conversations.limits.ttl_seconds / 60)
            raise UnknownConversationError(
                f"conversation_id: no conversation has id {conversation_id!r} (unknown, or "
                f"expired {minutes} minutes after its last question); leave conversation_id "
                "out to start a new conversation"
            )
        earlier = kept or ()
    snapshot = state.crosscheck.snapshot()
    answer = snapshot.engine.ask(message, earlier, filters)
    if conversation_id is not None:
        conversations.record(conversation_id, message)
    return Asked(answer, snapshot, conversation_id)

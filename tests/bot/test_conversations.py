"""The conversation store stays bounded in count, age and length."""

from bot.conversations import ConversationLimits, ConversationStore


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_history_is_kept_in_order_per_conversation() -> None:
    store = ConversationStore(ConversationLimits())
    store.record("a", "How many were injured?")
    store.record("b", "How many missiles?")
    store.record("a", "And killed?")
    assert store.history("a") == ("How many were injured?", "And killed?")
    assert store.history("b") == ("How many missiles?",)
    assert store.history("unknown") is None


def test_the_least_recently_used_conversation_goes_first() -> None:
    store = ConversationStore(ConversationLimits(max_conversations=2))
    store.record("a", "q1")
    store.record("b", "q2")
    store.record("a", "q3")  # a is now the most recent
    store.record("c", "q4")
    assert len(store) == 2
    assert store.history("b") is None
    assert store.history("a") == ("q1", "q3")


def test_conversations_expire_after_their_time_to_live() -> None:
    clock = Clock()
    store = ConversationStore(ConversationLimits(ttl_seconds=60), clock=clock)
    store.record("a", "q1")
    clock.now += 30
    store.record("b", "q2")
    clock.now += 31
    assert store.history("a") is None
    assert store.history("b") == ("q2",)
    clock.now += 60
    assert len(store) == 0


def test_only_the_last_turns_are_remembered() -> None:
    store = ConversationStore(ConversationLimits(max_turns=3))
    for n in range(10):
        store.record("a", f"q{n}")
    assert store.history("a") == ("q7", "q8", "q9")


def test_new_ids_are_unique_and_unguessable() -> None:
    ids = {ConversationStore.new_id() for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 24 for i in ids)

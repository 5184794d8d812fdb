"""What a question asks: the measure (what is counted, which action, which dimension) and its
constraints (a place, a month, a side)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from index import tokenize
from retrieval.lexicon import (
    AERIAL,
    CATEGORIES,
    DEFAULT_THING,
    MONTH_PATTERN,
    PARTS,
    SIDES,
    UNIT_DIMENSIONS,
    action_of,
    thing_of,
)

_NUMERIC = re.compile(
    r"\b(?:how\s+(?:many|much|long|far|big|large|often)|what\s+(?:number|percentage|share)|"
    r"death\s+toll|toll|number\s+of|total\s+of|how\s+high|how\s+old|"
    r"what\s+(?:weight|amount|length|distance|size))\b",
    re.IGNORECASE,
)
_LENGTH_WORDS = frozenset("line front border distance road convoy range long-range".split())
_DURATION_WORDS = frozenset("last lasted lasting duration take took".split())
_WORD = re.compile(r"[\w’'-]+")
_QUESTION_WORDS = frozenset(
    "how many much long far what which who whom whose when where why was were is are did do "
    "does the a an of in on at to by for and or and? about what's".split()
)
_PLACE = re.compile(
    r"\b(?:in|near|around|at|across|of)\s+(?:the\s+)?([A-Z][\w-]+(?:\s+[A-Z][\w-]+)*"
    r"(?:\s+(?:region|district|oblast|province))?)"
)
_PLACE_WITH_KIND = re.compile(
    r"\b[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*\s+(?:region|district|oblast|province)\b"
)
# "how long is the front line", "how many hours did the onslaught ...": the subject of a measure.
_SUBJECT = re.compile(
    r"\bhow\s+(?:long|far|old|much|many\s+[\w-]+)\s+(?:\w+\s+)?(?:is|was|are|were|did|does|do|had|has|"
    r"have)\s+(?:the\s+|a\s+)?([\w’'-]+(?:\s+[\w’'-]+)?)",
    re.IGNORECASE,
)
_SUBORDINATORS = frozenset("when after before while because as since which that who whose".split())
_SUBJECT_STOP = frozenset(
    "been be on from last lasted when go going in of at for to did was were is had has with "
    "by".split()
)
_PLACE_KINDS = frozenset({"region", "district", "city", "station"})
_NOT_A_NOUN = frozenset(
    "were was are is did do does have has had of in the times more people".split()
)
_KIND_WORDS = frozenset(
    "cruise ballistic hypersonic kamikaze guided artillery anti-aircraft surface-to-air".split()
)


MEASURE = "measure"  # a question for some quantity with a unit, whichever


@dataclass(frozen=True)
class Question:
    """A question, analysed.

    ``numeric``: it asks for a quantity. ``thing``: what is counted ("person", "missile",
    "aerial weapon" for drones and missiles together), or None. ``action``: the canonical action
    ("launched", "injured"), or None. ``dimension``: "count", or "length"/"duration"/"mass" for
    "how long"/"how far"/"how much". ``side``: "Russian"/"Ukrainian" when the question qualifies
    the counted thing so. ``months`` and ``places``: time and place constraints it names.
    ``terms``: its index terms, for ranking sentences. ``modifiers``: words narrowing the
    counted thing ("cruise" in "how many cruise missiles", "Hellfire"). ``subject``: what a
    measure is of ("front line", "bombardment", "war").
    """

    text: str
    numeric: bool
    thing: str | None
    action: str | None
    dimension: str
    side: str | None
    months: tuple[str, ...]
    places: tuple[str, ...]
    terms: tuple[str, ...]
    modifiers: tuple[str, ...] = ()
    subject: str | None = None

    @property
    def has_measure(self) -> bool:
        """Whether the question names something figures can be matched against."""
        return self.thing is not None or self.action is not None or self.dimension != "count"

    def describe(self) -> str:
        """The measure in words: "people injured", "drones and missiles launched"."""
        known = {None: "", "person": "people", "child": "children", AERIAL: "drones and missiles"}
        if self.thing in known:
            thing = known[self.thing]
        elif self.thing in CATEGORIES:
            thing = f"{self.thing}s"
        else:
            thing = self.thing or ""  # as the question wrote it: "tanks"
        dimension = {"length": "length", "duration": "duration", "mass": "amount"}.get(
            self.dimension, ""
        )
        parts = [p for p in (dimension, thing, self.action) if p]
        return " ".join(parts) or "figures"


def analyse(text: str, history: Sequence[str] = ()) -> Question:
    """Analyse ``text``; ``history`` holds the conversation's earlier questions, oldest first,
    whose measure and constraints a follow-up ("And how many were killed?") inherits."""
    question = _analyse(text)
    for earlier in reversed(history):
        question = _inherit(question, _analyse(earlier))
    return question


def _analyse(text: str) -> Question:
    words = _WORD.findall(text)
    lower = [w.lower() for w in words]
    thing, side, modifiers = _thing(words)
    action = None
    # The main verb comes last ("At how many sites did debris from intercepted drones fall?"),
    # and a participle before a noun ("intercepted drones") describes the noun.
    for i, word in enumerate(lower):
        if action is not None and word in _SUBORDINATORS:
            break  # "injured when drones crashed": the clause after "when" is background
        following = lower[i + 1] if i + 1 < len(lower) else ""
        found = action_of(word, following)
        if found is not None and found != "included" and not thing_of(following):
            action = found
    if action is None and re.search(r"\bin\s+(?:the\s+)?hospital\b", text, re.IGNORECASE):
        action = "hospitalized"
    dimension = "count"
    if thing in UNIT_DIMENSIONS:  # "how many kilometres", "how many hours"
        dimension, thing = UNIT_DIMENSIONS[thing][0], None
    elif re.search(r"\bhow\s+old\b", text, re.IGNORECASE):
        dimension, thing, action = "age", None, None
    elif re.search(r"\bhow\s+(?:long|far)\b", text, re.IGNORECASE):
        is_length = any(w in _LENGTH_WORDS for w in lower) or "far" in lower
        dimension = "length" if is_length and not set(lower) & _DURATION_WORDS else "duration"
    elif thing is None and re.search(
        r"\b(?:how\s+much|what\s+(?:weight|amount|length|distance|size))\b", text, re.I
    ):
        dimension = MEASURE  # any quantity with a unit: tons of rubble, a distance
    if thing is None and action in DEFAULT_THING and dimension == "count":
        thing = DEFAULT_THING[action]
    months = tuple(m.group().rstrip(".") for m in MONTH_PATTERN.finditer(text))
    places = tuple(
        dict.fromkeys(
            [m.group(0) for m in _PLACE_WITH_KIND.finditer(text)]
            + [
                m.group(1)
                for m in _PLACE.finditer(text)
                if not MONTH_PATTERN.fullmatch(m.group(1)) and m.group(1).lower() not in SIDES
            ]
        )
    )
    places = tuple(p for p in places if not any(p != q and p in q for q in places))
    return Question(
        text=text,
        numeric=bool(_NUMERIC.search(text)),
        thing=thing,
        action=action,
        dimension=dimension,
        side=side,
        months=months,
        places=places,
        terms=tuple(tokenize(text)),
        modifiers=modifiers,
        subject=_subject(text),
    )


def _subject(text: str) -> str | None:
    amount = re.search(r"\bhow\s+much\s+([\w-]+)", text, re.IGNORECASE)
    if amount and amount.group(1).lower() not in _SUBJECT_STOP:
        return amount.group(1).lower()  # "how much rubble"
    match = _SUBJECT.search(text)
    if not match:
        return None
    words = []
    for word in match.group(1).lower().split():
        if word in _SUBJECT_STOP or action_of(word):
            break
        words.append(word)
    return " ".join(words) or None


def _thing(words: Sequence[str]) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The counted thing, preferring the noun after "how many"; its side; and the words that
    narrow it to a kind ("cruise", "Hellfire": a type word, or a capitalised name)."""
    lower = [w.lower() for w in words]
    start = 0
    for i in range(len(lower) - 1):
        if lower[i] == "how" and lower[i + 1] in ("many", "much"):
            start = i + 2
            break
    order = list(range(start, len(lower))) + list(range(0, start))
    for i in order:
        thing = thing_of(lower[i])
        if thing is None or lower[i] in ("others", "other", "place", "places"):
            continue
        named = i > 0 and words[i - 1][:1].isupper() and lower[i - 1] not in SIDES
        if thing in _PLACE_KINDS and named:
            continue  # "the Moscow region" names a place; it is not what is counted
        if (
            i + 2 < len(lower)
            and lower[i + 1] in ("and", "or")
            and {thing, thing_of(lower[i + 2])} == PARTS[AERIAL]
        ):
            thing = AERIAL
        side = SIDES.get(lower[i - 1]) if i > 0 else None
        modifiers = tuple(
            w.lower()
            for w in words[start:i]
            if start
            and w.lower() not in SIDES
            and not thing_of(w)
            and (w.lower() in _KIND_WORDS or (w[:1].isupper() and "’" not in w and "'" not in w))
        )
        return thing, side, modifiers
    counted = start and lower[start - 1] == "many" and start < len(lower)
    if (
        counted
        and lower[start].isalpha()
        and lower[start] not in _NOT_A_NOUN
        and action_of(lower[start]) is None  # "how many died?"
    ):
        # "How many tanks": a thing no article counts in words crosscheck knows; kept as written
        # so that the answer can say the articles give no figure for tanks.
        return lower[start], None, ()
    return None, None, ()


_FOLLOW_UP = re.compile(
    r"^\s*(?:and|what about|how about|also|then)\b|\b(?:of them|they|them|those)\b", re.IGNORECASE
)


def _inherit(question: Question, earlier: Question) -> Question:
    """Fill what a follow-up leaves out from the question before it: "And how many were
    killed?" after "How many people were injured in Kyiv?" asks for people killed in Kyiv."""
    follow_up = bool(_FOLLOW_UP.search(question.text)) or not question.has_measure
    if not follow_up:
        return question
    action = question.action
    if action is None and (question.thing is None or not question.numeric):
        action = earlier.action
    numeric = question.numeric or (earlier.numeric and (action or question.thing) is not None)
    return replace(
        question,
        numeric=numeric,
        thing=question.thing or earlier.thing,
        action=action,
        dimension=question.dimension if question.numeric else earlier.dimension,
        side=question.side or earlier.side,
        months=question.months or earlier.months,
        places=question.places or earlier.places,
        terms=question.terms + earlier.terms if not question.has_measure else question.terms,
    )

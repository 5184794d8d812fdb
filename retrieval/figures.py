"""Figures: the quantities a sentence states, with what they count, the action they measure,
who claims them and the context they belong to.

Rule-based over words, not a parser: an action is the verb right after the counted noun
("14 people were hospitalized"), the verb of the clause a "with" phrase hangs on ("hit eight
locations with nine missiles"), the action of the figure it is listed with ("539 drones and 11
missiles", "including two cruise missiles"), else the nearest action verb before or after.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from corpus import Sentence
from retrieval.claims import claims
from retrieval.lexicon import (
    AERIAL,
    DEFAULT_THING,
    EVENT_WORDS,
    MONTH_PATTERN,
    PARTS,
    SCOPE_PHRASES,
    SIDES,
    UNIT_DIMENSIONS,
    WEAPONS,
    action_of,
    thing_of,
)
from retrieval.numbers import Number, Qualifier, find_numbers

_TOKEN = re.compile(r"[\w’'%-]+|[^\w\s]")
_AUXILIARIES = frozenset(
    "were was are is have has had been be being will would also reportedly later each all "
    "then subsequently".split()
)
_PREPOSITIONS = frozenset("of in on at to from by for with across after before since".split())
_NOUN_WINDOW = 4
_BEFORE_WINDOW = 14
_AFTER_WINDOW = 8
_COORDINATED = re.compile(r"^\s*,?\s*(?:and|or|as well as|along with|plus|while)\s*$")
_WITH = re.compile(r"\bwith\s+(?:a\s+total\s+of\s+|an?\s+(?:estimated|further)\s+)?$")
_INCLUDING = re.compile(r"\b(?:including|included|among them|among which|of which)\s+$")
_HOME_TO = re.compile(r"\bhome\s+to\s+$")
_LOCATIVE = re.compile(r"\b(?:across|in|at|on|over)\s+$")
_PARTITIVE_WHOLE = re.compile(r"^\s+of\s+(?:the\s+)?(?:[\w-]+[’']s\s+)?$")
_PLACE_AFTER_PREPOSITION = re.compile(
    r"\b(?:[Ii]n|[Nn]ear|[Aa]round|[Oo]utside|[Aa]cross|city of|town of|village of)\s+"
    r"(?:and\s+around\s+)?"
    r"(?:the\s+)?(?:(?:eastern|western|northern|southern|central|frontline)\s+)?"
    r"(?:city\s+of\s+)?([A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)"
)
_PLACE_WITH_KIND = re.compile(
    r"\b([A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)(?:[’']s)?\s+(region|district|oblast|Oblast|province)"
)


@dataclass(frozen=True)
class Figure:
    """A quantity stated in a sentence of an article.

    ``start``/``end`` locate ``text`` (the number as written, with its qualifier) in the article;
    ``sentence`` is the whole sentence, the quote a citation gives. ``thing`` is what it counts or
    the unit it measures in ("person", "missile", "aerial weapon", "hour", "mile"); ``noun`` the
    words it was written with; ``action`` the canonical action ("launched", "injured"); ``side``
    "Russian"/"Ukrainian" when the noun says so; ``subject`` what a measure is of ("bombardment",
    "front line", "rubble"). ``whole`` marks a total quoted for comparison ("10" in "six of the
    city's 10 districts"); ``coordinated`` marks a figure listed with the one before it ("539
    drones and 11 missiles"). ``places``, ``months`` and ``cumulative`` describe the sentence's
    context: where, when, and whether it speaks of a whole war rather than one event.
    """

    doc_id: str
    start: int
    end: int
    text: str
    value: float
    qualifier: Qualifier
    low: float
    high: float
    thing: str | None
    noun: str | None
    action: str | None
    side: str | None
    subject: str | None
    claimant: str | None
    whole: bool
    coordinated: bool
    places: tuple[str, ...]
    months: tuple[str, ...]
    cumulative: bool
    sentence: Sentence
    phrase: str = ""
    parts: tuple["Figure", ...] = ()

    @property
    def dimension(self) -> str:
        """ "count", or the dimension of a measure ("length", "duration", "mass", "ratio")."""
        return UNIT_DIMENSIONS[self.thing][0] if self.thing in UNIT_DIMENSIONS else "count"

    def in_base_units(self, value: float) -> float:
        """``value`` of this figure's unit in base units (metres, seconds, kilograms)."""
        return value * UNIT_DIMENSIONS[self.thing][1] if self.thing in UNIT_DIMENSIONS else value


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


def extract_figures(sentence: Sentence) -> list[Figure]:
    """Every figure ``sentence`` states, in order, then the totals of listed parts ("539
    drones and 11 missiles" is also 550 drones and missiles, a figure with ``parts``)."""
    text = sentence.text
    tokens = [_Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    context = _Context(text)
    figures: list[Figure] = []
    for number in find_numbers(text):
        figures.append(_figure(sentence, tokens, number, figures, context))
    return figures + _totals(figures)


def _totals(figures: Sequence[Figure]) -> list[Figure]:
    """A drone count listed with a missile count for the same action adds up to a total."""
    totals = []
    for first, second in itertools.pairwise(figures):
        if (
            second.coordinated
            and {first.thing, second.thing} == PARTS[AERIAL]
            and first.action == second.action
            and Qualifier.VAGUE not in (first.qualifier, second.qualifier)
        ):
            sentence = first.sentence
            end = _end_in_sentence(second) + sentence.start
            totals.append(
                replace(
                    first,
                    end=end,
                    text=sentence.text[first.start - sentence.start : end - sentence.start],
                    value=first.value + second.value,
                    qualifier=first.qualifier
                    if first.qualifier == second.qualifier
                    else Qualifier.EXACT,
                    low=first.low + second.low,
                    high=first.high + second.high,
                    thing=AERIAL,
                    noun=None,
                    phrase=sentence.text[first.start - sentence.start : end - sentence.start],
                    parts=(first, second),
                )
            )
    return totals


class _Context:
    """What a sentence says about where and when, shared by its figures."""

    def __init__(self, text: str) -> None:
        places = [m.group(1) + " " + m.group(2).lower() for m in _PLACE_WITH_KIND.finditer(text)]
        for match in _PLACE_AFTER_PREPOSITION.finditer(text):
            name = match.group(1)
            if (
                not MONTH_PATTERN.fullmatch(name)
                and name.lower() not in SIDES
                and not any(p.startswith(name) for p in places)
            ):
                places.append(name)
        self.places = tuple(dict.fromkeys(places))
        self.months = tuple(
            dict.fromkeys(m.group().rstrip(".") for m in MONTH_PATTERN.finditer(text))
        )
        self.cumulative = SCOPE_PHRASES.search(text) is not None
        self.claims = claims(text)


def _figure(
    sentence: Sentence,
    tokens: Sequence[_Token],
    number: Number,
    previous: Sequence[Figure],
    context: _Context,
) -> Figure:
    text = sentence.text
    after = next((i for i, t in enumerate(tokens) if t.start >= number.end), len(tokens))
    first = next(i for i, t in enumerate(tokens) if t.end > number.number_start)
    thing, noun, side, noun_end, subject = _noun(tokens, after, number)
    before_text = text[: number.start]
    prior = previous[-1] if previous else None
    coordinated = prior is not None and bool(
        _COORDINATED.match(text[_end_in_sentence(prior) : number.start])
    )
    if thing is None and prior is not None and (coordinated or noun == "them"):
        thing, side = prior.thing, side or prior.side
    action = _action(tokens, first, noun_end, before_text, prior, coordinated)
    if action == "included" and thing in WEAPONS and _mentions_event(text):
        action = "launched"
    if thing is None and action in DEFAULT_THING:
        thing = DEFAULT_THING[action]
    phrase_end = number.end
    if noun and noun != "them" and number.unit is None:
        found = text.find(noun, number.end)
        phrase_end = found + len(noun) if found >= 0 else number.end
    return Figure(
        doc_id=sentence.doc_id,
        start=sentence.start + number.start,
        end=sentence.start + number.end,
        text=number.text,
        value=number.value,
        qualifier=number.qualifier,
        low=number.low,
        high=number.high,
        thing=thing,
        noun=noun,
        action=action,
        side=side,
        subject=subject,
        claimant=context.claims.at(number.start),
        whole=prior is not None
        and bool(_PARTITIVE_WHOLE.match(text[prior.end - sentence.start : number.start])),
        coordinated=coordinated,
        places=context.places,
        months=context.months,
        cumulative=context.cumulative,
        sentence=sentence,
        phrase=text[number.start : phrase_end],
    )


def _end_in_sentence(figure: Figure) -> int:
    """Where the figure's noun phrase ends, relative to its sentence."""
    end = figure.end - figure.sentence.start
    if figure.noun:
        found = figure.sentence.text.find(figure.noun, end)
        if found >= 0:
            return found + len(figure.noun)
    return end


def _noun(
    tokens: Sequence[_Token], after: int, number: Number
) -> tuple[str | None, str | None, str | None, int, str | None]:
    """(thing, noun as written, side, index of the noun's last token, subject)."""
    if number.unit is not None:
        thing = thing_of(number.unit)
        subject = _subject(tokens, after)
        return thing, number.unit, None, after - 1, subject
    side = None
    i = after
    if i < len(tokens) and tokens[i].lower == "them":
        return None, "them", None, i, None
    if i < len(tokens) and tokens[i].lower == "of":  # "six of the city's 10 districts"
        i += 1
        while i < len(tokens) and (
            tokens[i].lower in ("the", "them", "those") or tokens[i].lower.endswith(("’s", "'s"))
        ):
            if tokens[i].lower in ("them", "those"):
                return None, "them", None, i, None
            i += 1
        if i < len(tokens) and find_numbers(tokens[i].text):
            i += 1
    for k in range(i, min(i + _NOUN_WINDOW, len(tokens))):
        word = tokens[k].lower
        if not re.match(r"[\w%]", word) or word in _AUXILIARIES or action_of(word):
            break
        if word in SIDES:
            side = SIDES[word]
            continue
        thing = thing_of(word)
        if thing is None:
            continue
        end = k
        while end + 1 < len(tokens) and thing_of(tokens[end + 1].lower) == thing:
            end += 1  # "Shahed drones", "apartment buildings"
        k = end
        if (
            k + 2 < len(tokens)
            and tokens[k + 1].lower in ("and", "or")
            and (other := thing_of(tokens[k + 2].lower)) is not None
        ):
            if {thing, other} == PARTS[AERIAL]:
                thing = AERIAL
            end = k + 2
        written = " ".join(t.text for t in tokens[max(i, after) : end + 1])
        subject = _subject(tokens, end + 1) if thing in UNIT_DIMENSIONS else None
        return thing, written, side, end, subject
    return None, None, side, after - 1, None


def _subject(tokens: Sequence[_Token], i: int) -> str | None:
    """The noun a measure is of: "bombardment" in "seven-hour bombardment", "rubble" in
    "300 tons of rubble", "front line" in "620-mile front line"."""
    if i < len(tokens) and tokens[i].lower == "of":
        i += 1
    words = []
    for token in tokens[i : i + 2]:
        if (
            not re.match(r"\w", token.text)
            or token.lower in _AUXILIARIES
            or token.lower in _PREPOSITIONS
            or action_of(token.lower)
        ):
            break
        words.append(token.lower)
    return " ".join(words) or None


def _action(
    tokens: Sequence[_Token],
    first: int,
    noun_end: int,
    before_text: str,
    prior: Figure | None,
    coordinated: bool,
) -> str | None:
    direct = _action_right_after(tokens, noun_end + 1)
    # "nine missiles and 63 drones launched" after "hit eight locations with": one list.
    if coordinated and prior is not None and (direct is None or _came_from_with(prior)):
        return prior.action
    if direct is not None:
        return direct
    if _HOME_TO.search(before_text):
        return "lived"
    if _WITH.search(before_text):
        return _nearest(tokens, first, -1, _BEFORE_WINDOW, skip_with=True)
    if _INCLUDING.search(before_text) and prior is not None and prior.action:
        return prior.action
    # "damaged ... across six of the city's districts": a place phrase hangs on the main verb.
    window = len(tokens) if _LOCATIVE.search(before_text) else _BEFORE_WINDOW
    return _nearest(tokens, first, -1, window) or _nearest(tokens, noun_end + 1, 1, _AFTER_WINDOW)


def _came_from_with(figure: Figure) -> bool:
    return bool(_WITH.search(figure.sentence.text[: figure.start - figure.sentence.start]))


def _action_right_after(tokens: Sequence[_Token], i: int) -> str | None:
    skipped = 0
    while i < len(tokens) and tokens[i].lower in _AUXILIARIES and skipped < 3:
        i += 1
        skipped += 1
    if i < len(tokens):
        following = tokens[i + 1].text if i + 1 < len(tokens) else ""
        return action_of(tokens[i].lower, following)
    return None


def _nearest(
    tokens: Sequence[_Token], i: int, step: int, window: int, skip_with: bool = False
) -> str | None:
    k = i + step
    seen_with = not skip_with
    for _ in range(window):
        if not 0 <= k < len(tokens):
            return None
        if tokens[k].lower == "with":
            seen_with = True
        elif seen_with:
            following = tokens[k + 1].text if k + 1 < len(tokens) else ""
            action = action_of(tokens[k].lower, following)
            if action is not None:
                return action
        k += step
    return None


def _mentions_event(text: str) -> bool:
    return any(word in EVENT_WORDS for word in re.findall(r"\w+", text.lower()))

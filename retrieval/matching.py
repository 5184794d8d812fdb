"""Decide which figures answer a question, which are related, and which are beside the point."""

from collections.abc import Callable
from enum import Enum

from index import tokenize
from retrieval.figures import Figure
from retrieval.focus import Focus
from retrieval.lexicon import (
    AERIAL,
    EVENT_WORDS,
    PARTS,
    SUBJECT_SYNONYMS,
)
from retrieval.numbers import Qualifier
from retrieval.question import MEASURE, Question

# Question words that say which quantity is asked, not what it is about.
_GENERIC_TERMS = frozenset(
    tokenize(
        "long far old much many hours hour minutes kilometres kilometers miles days years weeks "
        "weight amount length distance size time going go went"
    )
)


class Role(Enum):
    """A figure's part in an answer."""

    ANSWER = "answer"
    RELATED = "related"
    NONE = "none"


def classify(figure: Figure, question: Question, focus: Focus, context: str = "") -> Role:
    """Whether ``figure`` answers ``question``, is a neighbouring measure, or neither.

    A count answers when it counts the asked thing (with the asked modifiers, "cruise
    missiles") by the asked action, in the story's own place and time, or in the place or month
    the question names. A measure (length, duration, mass, age) answers when it is of the asked
    dimension and about the asked subject: an event word for "how long did the bombardment
    last", otherwise words the question shares with the figure's sentence or ``context`` (the
    sentence before it). A figure that shares the thing or the action but not both, counts a
    total or part of the asked thing, or belongs to a side story is related.
    """
    if figure.whole or figure.thing is None:
        return Role.NONE
    if question.dimension != "count":
        return _classify_measure(figure, question, focus, context)
    if figure.dimension != "count":
        return Role.NONE
    thing = _thing_relation(question.thing, figure.thing)
    action = _action_relation(question.action, figure.action)
    if (
        thing == "same"
        and action is True
        and _has_modifiers(figure, question)
        and not _off_focus(figure, question, focus)
    ):
        return Role.ANSWER
    shares_thing = question.thing is not None and thing in ("same", "wider", "narrower")
    shares_action = question.action is not None and action is True
    return Role.RELATED if shares_thing or shares_action else Role.NONE


def subject_overlap(
    figure: Figure,
    question: Question,
    context: str = "",
    weight: Callable[[str], float] = lambda term: 1.0,
) -> float:
    """The weight of the question's subject words the figure's sentence holds, plus half the
    weight of those only ``context`` (the sentences before it) holds: "the 47-year-old said"
    names no one, the sentence before it does. ``weight`` rates a term (e.g. its IDF)."""
    asked = _expand(set(question.terms) - _GENERIC_TERMS)
    own = asked & _expand(set(tokenize(figure.sentence.text)))
    nearby = (asked & _expand(set(tokenize(context)))) - own
    return sum(weight(t) for t in own) + 0.5 * sum(weight(t) for t in nearby)


def _classify_measure(figure: Figure, question: Question, focus: Focus, context: str) -> Role:
    if figure.dimension == "count" or (
        question.dimension != MEASURE and figure.dimension != question.dimension
    ):
        return Role.NONE
    subject = set((question.subject or "").split())
    if subject & EVENT_WORDS:
        matches = bool(set((figure.subject or "").split()) & EVENT_WORDS) or (
            figure.action == "lasted"
        )
    else:
        # "How long had the war been going on": not how long the bombardment lasted.
        about_event = bool(set((figure.subject or "").split()) & EVENT_WORDS)
        matches = (
            subject_overlap(figure, question, context) > 0
            and not about_event
            and figure.action != "lasted"
        )
    if question.action is not None and figure.action != question.action:
        # "how much rubble did they remove": a measure of something else done is not it.
        matches = matches and figure.action is None and question.dimension != MEASURE
    if matches and not _off_focus(figure, question, focus):
        return Role.ANSWER
    return Role.RELATED if matches else Role.NONE


def _expand(terms: set[str]) -> set[str]:
    expanded = set(terms)
    for group in SUBJECT_SYNONYMS:
        stems = set(tokenize(" ".join(group)))
        if terms & stems:
            expanded |= stems
    return expanded


def _has_modifiers(figure: Figure, question: Question) -> bool:
    """ "How many cruise missiles": the figure's words must say "cruise" too."""
    written = set(tokenize(figure.phrase or figure.text))
    return all(set(tokenize(m)) <= written for m in question.modifiers)


def _thing_relation(asked: str | None, figure: str | None) -> str:
    if asked is None or asked == figure:
        return "same"
    if figure is None:
        return "other"
    if figure in PARTS and asked in PARTS[figure]:
        return "wider"
    if asked in PARTS and figure in PARTS[asked]:
        return "narrower"
    return "other"


def _action_relation(asked: str | None, figure: str | None) -> bool | None:
    """True when the actions agree (or none is asked), False when they differ, None when the
    figure's action is unknown."""
    if asked is None:
        return True
    if figure is None:
        return None
    # Synonyms ("downed", "shot down") already map to one canonical action in the lexicon.
    return figure == asked


def _off_focus(figure: Figure, question: Question, focus: Focus) -> bool:
    """Whether the figure belongs to a side story the question did not ask about."""
    if figure.cumulative:
        return True
    asked_places = [p.lower() for p in question.places if not focus.is_main_place(p)]
    if asked_places:
        # "in the Moscow region": the figure's sentence must be about that place.
        text = figure.sentence.text.lower()
        if not any(place.split()[0] in text for place in asked_places):
            return True
    elif any(not focus.is_focus_place(place) for place in figure.places):
        return True
    asked_months = {m[:3].lower() for m in question.months if not focus.is_focus_month(m)}
    if asked_months:
        if not any(m[:3].lower() in asked_months for m in figure.months):
            return True
    elif any(not focus.is_focus_month(m) for m in figure.months):
        return True
    side = question.side or focus.side
    return (
        side is not None
        and figure.side is not None
        and figure.side != side
        and (figure.thing in (AERIAL, *PARTS[AERIAL]) or question.side is not None)
    )


def is_vague(figure: Figure) -> bool:
    """ "Hundreds of drones": a figure that gives an order of magnitude, not a number."""
    return figure.qualifier is Qualifier.VAGUE

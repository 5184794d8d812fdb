"""The answer record (the contract of ``crosscheck ask --json`` and the API): every figure,
how the figures group into values that can all be true, which groups conflict and why others
only look different, with the quotes behind each. The words of an answer are written from this
structure by ``retrieval.compose``; every surface renders from the structure, none from the
words."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from corpus import Article, Sentence
from retrieval.reconcile import Rule
from retrieval.search import Passage


class AnswerKind(Enum):
    """What answers: figures, names (who/where/when), quoted sentences, or nothing (then the
    closest passages are quoted)."""

    FIGURES = "figures"
    NAMES = "names"
    QUOTES = "quotes"
    NONE = "none"


class NoteKind(Enum):
    """What a line of an answer after its headline says."""

    CONFLICT = "conflict"  # two values that cannot both be true
    TIMELINE = "timeline"  # the values in the order the articles reported them
    RECONCILED = "reconciled"  # values that only look different
    OTHER_STORY = "other_story"  # figures of another story that also answer
    CLOSEST = "closest"  # the closest passages, when nothing answers


class RelationKind(Enum):
    """How two groups of values, or values within a group, relate."""

    CONFLICT = "conflict"
    RECONCILED = "reconciled"


@dataclass(frozen=True)
class Citation:
    """A quote: ``quote == article.text[start:end]`` of article ``doc_id``; ``n`` is its
    ``[n]`` marker in the answer; ``name`` is how the article is shown (``Article.name``);
    ``claimant`` is whom the quote attributes its figure to."""

    n: int
    doc_id: str
    source: str | None
    date: str | None
    quote: str
    start: int
    end: int
    claimant: str | None = None
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        """The citation as JSON."""
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "source": self.source,
            "name": self.name or self.source or self.doc_id,
            "date": self.date,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "claimant": self.claimant,
        }


@dataclass(frozen=True)
class Report:
    """One article's report of a value: its citation's marker ``n``, the article's name, the
    value as that article wrote it, and whom it credits."""

    n: int
    name: str
    text: str
    claimant: str | None

    def to_json(self) -> dict[str, Any]:
        """The report as JSON."""
        return {"n": self.n, "name": self.name, "text": self.text, "claimant": self.claimant}


@dataclass(frozen=True)
class AnswerFigure:
    """One distinct value (a number with its qualifier and unit) with every report of it.

    ``id`` names it in groups, relations and the timeline ("f1"; "r1" for a related figure);
    ``group`` is the id of the group it belongs to; ``low``/``high`` bound the true values it
    allows (None when unbounded); ``phrase`` is the value with its noun as written ("at least
    26 others"); ``action`` is what happened to what it counts, as written ("injuring").
    """

    value: float
    text: str
    vague: bool
    qualifier: str
    unit: str | None
    measure: str
    claimant: str | None
    citations: tuple[Citation, ...]
    doc_ids: tuple[str, ...]
    id: str = ""
    group: str | None = None
    low: float | None = None
    high: float | None = None
    phrase: str = ""
    action: str | None = None
    texts: tuple[str, ...] = ()
    reports: tuple[Report, ...] = ()
    dates: tuple[str, ...] = ()

    @property
    def outlets(self) -> tuple[str, ...]:
        """The names of the articles reporting the value, each once, in order."""
        return tuple(dict.fromkeys(r.name for r in self.reports))

    def to_json(self) -> dict[str, Any]:
        """The figure as JSON; whole values are integers."""
        return {
            "id": self.id,
            "group": self.group,
            # A vague amount ("thousands") is a range, not a number: its value is null.
            "value": None if self.vague else _number(self.value),
            "low": _bound(self.low),
            "high": _bound(self.high),
            "text": self.text,
            "texts": list(self.texts or (self.text,)),
            "phrase": self.phrase or self.text,
            "qualifier": self.qualifier,
            "unit": self.unit,
            "measure": self.measure,
            "action": self.action,
            "claimant": self.claimant,
            "outlets": list(self.outlets),
            "dates": list(self.dates),
            "reports": [r.to_json() for r in self.reports],
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(frozen=True)
class AnswerGroup:
    """Values that can all be true together ("at least 26" and "at least 23"), by id, best
    supported first, with the names, claimants, citation markers and dates behind them."""

    id: str
    figures: tuple[str, ...]
    texts: tuple[str, ...]
    outlets: tuple[str, ...]
    claimants: tuple[str, ...]
    citations: tuple[int, ...]
    dates: tuple[str, ...]
    doc_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The group as JSON."""
        return {
            "id": self.id,
            "figures": list(self.figures),
            "texts": list(self.texts),
            "outlets": list(self.outlets),
            "claimants": list(self.claimants),
            "citations": list(self.citations),
            "dates": list(self.dates),
            "doc_ids": list(self.doc_ids),
        }


@dataclass(frozen=True)
class Relation:
    """A conflict between two groups (``pairs`` are the values of each that clash), or values
    that only look different (``rule`` says why; ``text`` says it: "620 miles is about 998 km",
    "539 drones and 11 missiles add up to 550")."""

    kind: RelationKind
    groups: tuple[str, ...]
    figures: tuple[str, ...]
    citations: tuple[int, ...]
    rule: Rule | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        """The relation as JSON."""
        return {
            "kind": self.kind.value,
            "rule": self.rule.value if self.rule is not None else None,
            "groups": list(self.groups),
            "figures": list(self.figures),
            "pairs": [list(p) for p in self.pairs],
            "text": self.text,
            "citations": list(self.citations),
        }


@dataclass(frozen=True)
class TimelineEntry:
    """The first dated report of a value."""

    date: str
    figure: str
    group: str | None
    text: str
    citations: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON."""
        return {
            "date": self.date,
            "figure": self.figure,
            "group": self.group,
            "text": self.text,
            "citations": list(self.citations),
        }


@dataclass(frozen=True)
class Note:
    """A line of an answer after its headline, with the markers it holds."""

    kind: NoteKind
    text: str
    citations: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        """The note as JSON."""
        return {"kind": self.kind.value, "text": self.text, "citations": list(self.citations)}


@dataclass(frozen=True)
class Answer:
    """An answer: its structure, and the words ``retrieval.compose`` writes from it.

    ``about`` says what was asked ("people injured"); ``headline``, ``notes`` and ``answer``
    (the whole text, with ``[n]`` markers) are the composer's; the rest is the structure.
    """

    question: str
    answer: str
    conflict: bool
    figures: tuple[AnswerFigure, ...]
    related: tuple[AnswerFigure, ...]
    citations: tuple[Citation, ...]
    story: Mapping[str, Any] | None = None
    other_stories: tuple[Mapping[str, Any], ...] = ()
    entities: tuple[str, ...] = ()
    kind: AnswerKind = AnswerKind.NONE
    about: str = ""
    headline: str = ""
    notes: tuple[Note, ...] = ()
    groups: tuple[AnswerGroup, ...] = ()
    relations: tuple[Relation, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    quotes: tuple[int, ...] = ()
    passages: tuple[Passage, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The answer as the JSON object of the contract.

        ``kind``: "figures", "names", "quotes" or "none"; ``headline`` and ``notes`` (each
        ``{"kind", "text", "citations"}``) are the lines of ``answer`` after the figures' own;
        ``figures`` are the distinct values, ``groups`` the sets of them that can all be true,
        ``relations`` which groups conflict (and by which values) and which values only look
        different (``rule``: sum_of_parts, unit_conversion, bound or range); ``timeline`` is
        each value's first dated report; ``quotes`` are the citation numbers a names, quotes
        or none answer shows, in order; ``passages`` are the passages searched, best first.
        ``story`` is the story (event) the answer keeps to, ``{"id", "title", "articles",
        "outlets"}`` (None for an index without stories); ``other_stories`` lists other stories
        whose figures also answer, each with its own ``figures`` and ``conflict``;
        ``entities`` holds the names a who/where/when answer gives.
        """
        return {
            "question": self.question,
            "kind": self.kind.value,
            "about": self.about,
            "headline": self.headline,
            "answer": self.answer,
            "notes": [n.to_json() for n in self.notes],
            "conflict": self.conflict,
            "figures": [f.to_json() for f in self.figures],
            "groups": [g.to_json() for g in self.groups],
            "relations": [r.to_json() for r in self.relations],
            "timeline": [t.to_json() for t in self.timeline],
            "related": [f.to_json() for f in self.related],
            "quotes": list(self.quotes),
            "citations": [c.to_json() for c in self.citations],
            "passages": [
                {"doc_id": p.doc_id, "start": p.start, "end": p.end, "score": p.score}
                for p in self.passages
            ],
            "story": dict(self.story) if self.story is not None else None,
            "other_stories": [dict(s) for s in self.other_stories],
            "entities": list(self.entities),
        }


class Citations:
    """Numbers quotes in the order the answer first cites them."""

    def __init__(self, articles: Mapping[str, Article]) -> None:
        self._articles = articles
        self._by_span: dict[tuple[str, int, int], Citation] = {}

    def cite(self, doc_id: str, start: int, end: int, claimant: str | None = None) -> Citation:
        """The citation of ``article.text[start:end]``, numbered on first use."""
        key = (doc_id, start, end)
        if key not in self._by_span:
            article = self._articles[doc_id]
            self._by_span[key] = Citation(
                n=len(self._by_span) + 1,
                doc_id=doc_id,
                source=article.source,
                date=article.date,
                quote=article.text[start:end],
                start=start,
                end=end,
                claimant=claimant,
                name=article.name,
            )
        return self._by_span[key]

    def cite_sentence(self, sentence: Sentence, claimant: str | None = None) -> Citation:
        """The citation of a whole sentence."""
        return self.cite(sentence.doc_id, sentence.start, sentence.end, claimant)

    def all(self) -> tuple[Citation, ...]:
        """Every citation, by number."""
        return tuple(self._by_span.values())

    def date(self, doc_id: str) -> str | None:
        """The article's date (ISO), if known."""
        return self._articles[doc_id].date

    def name(self, doc_id: str) -> str:
        """How the answer names an article (``Article.name``): never a hex id."""
        return self._articles[doc_id].name


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def _bound(value: float | None) -> int | float | None:
    if value is None or value in (float("inf"), float("-inf")):
        return None
    return _number(value)

"""The answer record (the contract of ``crosscheck ask --json`` and the API) and the words of
an answer, composed only from figures and quotes of the articles."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corpus import Article, Sentence
from retrieval.figures import Figure
from retrieval.reconcile import FigureGroup, compatible, conversion_note

# Conflict notes an answer gives at most: the headline already says the sources disagree.
MAX_CONFLICT_NOTES = 3


@dataclass(frozen=True)
class Citation:
    """A quote: ``quote == article.text[start:end]`` of article ``doc_id``; ``n`` is its
    ``[n]`` marker in the answer; ``claimant`` is whom the quote attributes its figure to."""

    n: int
    doc_id: str
    source: str | None
    date: str | None
    quote: str
    start: int
    end: int
    claimant: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The citation as JSON."""
        return {
            "n": self.n,
            "doc_id": self.doc_id,
            "source": self.source,
            "date": self.date,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "claimant": self.claimant,
        }


@dataclass(frozen=True)
class AnswerFigure:
    """One distinct value with every citation that supports it."""

    value: float
    text: str
    vague: bool
    qualifier: str
    unit: str | None
    measure: str
    claimant: str | None
    citations: tuple[Citation, ...]
    doc_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The figure as JSON; whole values are integers."""
        return {
            # A vague amount ("thousands") is a range, not a number: its value is null.
            "value": None if self.vague else _number(self.value),
            "text": self.text,
            "qualifier": self.qualifier,
            "unit": self.unit,
            "measure": self.measure,
            "claimant": self.claimant,
            "citations": [c.to_json() for c in self.citations],
        }


@dataclass(frozen=True)
class Answer:
    """An answer: readable text with ``[n]`` markers, and the structure behind it."""

    question: str
    answer: str
    conflict: bool
    figures: tuple[AnswerFigure, ...]
    related: tuple[AnswerFigure, ...]
    citations: tuple[Citation, ...]
    story: Mapping[str, Any] | None = None
    other_stories: tuple[Mapping[str, Any], ...] = ()
    entities: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The answer as the JSON object of the contract.

        ``story`` is the story (event) the answer keeps to, ``{"id", "title", "articles",
        "outlets"}`` (None for an index without stories); ``other_stories`` lists other stories
        whose figures also answer, each with its own ``figures`` and ``conflict``; ``entities``
        holds the names a who/where/when answer gives.
        """
        return {
            "question": self.question,
            "answer": self.answer,
            "conflict": self.conflict,
            "figures": [f.to_json() for f in self.figures],
            "related": [f.to_json() for f in self.related],
            "citations": [c.to_json() for c in self.citations],
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

    def outlet(self, doc_id: str) -> str:
        """How the answer names an article: its outlet, else its doc id."""
        return self._articles[doc_id].source or doc_id


def unit_words(figure: Figure) -> str:
    """The unit a figure is shown with: its unit ("km", "dollars"), else what it counts."""
    if figure.unit is not None:
        return figure.unit.shown(figure.value)
    if figure.phrase.startswith(figure.text) and len(figure.phrase) > len(figure.text):
        return figure.phrase[len(figure.text) :].strip()  # the noun as written: "civilians"
    return figure.thing or ""


def measure_words(figure: Figure) -> str:
    """What a figure measures, in words: "people injure", "dollars cost"."""
    return " ".join(w for w in (unit_words(figure) or figure.counts, figure.action or "") if w)


def shown(figure: Figure) -> str:
    """The figure with its noun or unit as written ("at least 26 others", "two cruise
    missiles", "539 drones and 11 missiles", "$5 billion", "2,700 km")."""
    return figure.phrase or figure.text


def answer_figure(group: FigureGroup, citations: Citations) -> AnswerFigure:
    """An answer figure for a group, citing the sentence of each supporting figure."""
    cited = [citations.cite_sentence(f.sentence, f.claimant) for f in group.figures]
    claimants = list(dict.fromkeys(f.claimant for f in group.figures if f.claimant))
    lead = group.lead
    return AnswerFigure(
        value=lead.value,
        text=lead.text,
        vague=lead.vague,
        qualifier=lead.qualifier.value,
        unit=unit_words(lead) or None,
        measure=measure_words(lead),
        claimant="; ".join(claimants) or None,
        citations=tuple(dict.fromkeys(cited)),
        doc_ids=group.doc_ids,
    )


def support_line(group: FigureGroup, figure: AnswerFigure, citations: Citations) -> str:
    """ "at least 26 people: Associated Press [1]; Agence France-Presse, citing emergency
    services [2]" — every outlet behind a value, whom it cites, and the markers."""
    parts = []
    for member, cited in zip(group.figures, _cited(group, figure), strict=True):
        wording = f' ("{member.text}")' if member.text != group.lead.text else ""
        claim = f", citing {member.claimant}" if member.claimant else ""
        parts.append(f"{citations.outlet(member.doc_id)}{wording}{claim} [{cited.n}]")
    return f"{shown(group.lead)}: " + "; ".join(dict.fromkeys(parts))


def _cited(group: FigureGroup, figure: AnswerFigure) -> list[Citation]:
    by_span = {(c.doc_id, c.start, c.end): c for c in figure.citations}
    return [by_span[(f.doc_id, f.sentence.start, f.sentence.end)] for f in group.figures]


def reconciliation_notes(groups: Sequence[FigureGroup], citations: Citations) -> list[str]:
    """Why figures that look different agree: totals of parts, unit conversions, bounds."""
    notes = []
    for group in groups:
        for figure in group.figures:
            if figure.parts:
                cited = citations.cite_sentence(figure.sentence, figure.claimant)
                notes.append(
                    f"{citations.outlet(figure.doc_id)} [{cited.n}] gives {figure.text}, which "
                    f"add up to {_number(figure.value)}."
                )
    for a, b in _pairs(groups):
        note = conversion_note(a.lead, b.lead)
        if note:
            notes.append(note[0].upper() + note[1:] + ".")
        elif a.lead.unit == b.lead.unit and all(
            compatible(x, y) for x in a.figures for y in b.figures
        ):
            notes.append(f"{shown(a.lead)} and {shown(b.lead)} can both be true.")
    return list(dict.fromkeys(notes))[:MAX_CONFLICT_NOTES]


def conflict_notes(figures: Sequence[Figure], citations: Citations) -> list[str]:
    """ "23 [6] and at least 26 [1] cannot both be true." for the values that conflict with the
    best supported one (at most ``MAX_CONFLICT_NOTES``), so a reader sees where the sources
    part without a line for every pair."""
    if not figures:
        return []
    support: dict[str, set[str]] = {}
    for figure in figures:
        support.setdefault(figure.text, set()).add(figure.doc_id)
    lead_text = max(support, key=lambda text: len(support[text]))
    leads = [f for f in figures if f.text == lead_text]
    pairs: dict[tuple[str, str], tuple[set[int], set[int]]] = {}
    for other in figures:
        lead = leads[0]
        if other.text == lead_text or other.value == lead.value or compatible(lead, other):
            continue
        first, second = sorted((lead, other), key=lambda f: f.value)
        marks = pairs.setdefault((first.text, second.text), (set(), set()))
        for f in leads if first is lead else [first]:
            marks[0].add(citations.cite_sentence(f.sentence, f.claimant).n)
        for f in leads if second is lead else [second]:
            marks[1].add(citations.cite_sentence(f.sentence, f.claimant).n)
    return [
        f"{low} {_marks(low_marks)} and {high} {_marks(high_marks)} cannot both be true."
        for (low, high), (low_marks, high_marks) in list(pairs.items())[:MAX_CONFLICT_NOTES]
    ]


def update_note(groups: Sequence[FigureGroup], citations: Citations) -> str | None:
    """ "Over time: 50 (2018-10-02) [1], then 59 (2018-10-03) [2]; the latest is 59." when the
    values differ and the articles giving them are dated differently: later reports often
    update earlier ones. Every value is still listed with its sources."""
    dated = []
    for group in groups:
        dates = [citations.date(f.doc_id) for f in group.figures]
        known = [d for d in dates if d]
        if known:
            dated.append((min(known), group))
    if len(dated) < 2 or len({d for d, _ in dated}) < len(dated):
        return None  # values reported the same day are not updates of one another
    dated.sort(key=lambda item: item[0])
    steps = []
    for date, group in dated:
        first = next(f for f in group.figures if citations.date(f.doc_id) == date)
        cited = citations.cite_sentence(first.sentence, first.claimant)
        steps.append(f"{first.text} ({date}) [{cited.n}]")
    latest = dated[-1][1].lead.text
    return "Over time: " + ", then ".join(steps) + f"; the latest is {latest}."


def _marks(numbers: set[int]) -> str:
    return "".join(f"[{n}]" for n in sorted(numbers))


def _pairs(groups: Sequence[FigureGroup]) -> list[tuple[FigureGroup, FigureGroup]]:
    return [(a, b) for i, a in enumerate(groups) for b in groups[i + 1 :]]


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value

"""The answer record (the contract of ``crosscheck ask --json`` and the API) and the words of
an answer, composed only from figures and quotes of the articles."""

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from corpus import Article, Sentence
from retrieval.figures import Figure
from retrieval.lexicon import AERIAL
from retrieval.reconcile import FigureGroup, compatible, conversion_note


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
    qualifier: str
    unit: str | None
    measure: str
    claimant: str | None
    citations: tuple[Citation, ...]
    doc_ids: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The figure as JSON; whole values are integers."""
        return {
            "value": _number(self.value),
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

    def to_json(self) -> dict[str, Any]:
        """The answer as the JSON object of the contract."""
        return {
            "question": self.question,
            "answer": self.answer,
            "conflict": self.conflict,
            "figures": [f.to_json() for f in self.figures],
            "related": [f.to_json() for f in self.related],
            "citations": [c.to_json() for c in self.citations],
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

    def outlet(self, doc_id: str) -> str:
        """How the answer names an article: its outlet, else its doc id."""
        return self._articles[doc_id].source or doc_id


def unit_words(figure: Figure) -> str:
    """The unit a figure is shown with: "people", "missiles", "drones and missiles", "hours"."""
    return {None: "", "person": "people", AERIAL: "drones and missiles", "kilometer": "km"}.get(
        figure.thing, f"{figure.thing}s"
    )


def measure_words(figure: Figure) -> str:
    """What a figure measures, in words: "people injured", "missiles hit"."""
    return " ".join(w for w in (unit_words(figure), figure.action or "") if w)


def shown(figure: Figure) -> str:
    """The figure with its noun as written ("at least 26 others", "two cruise missiles",
    "539 drones and 11 missiles", "seven-hour"), or with its unit where the sentence leaves the
    noun out ("23" in "23 were wounded" is "23 people")."""
    if figure.parts or figure.phrase != figure.text or "-" in figure.text:
        return figure.phrase
    return f"{figure.text} {unit_words(figure)}".strip()


def answer_figure(group: FigureGroup, citations: Citations) -> AnswerFigure:
    """An answer figure for a group, citing the sentence of each supporting figure."""
    cited = [citations.cite_sentence(f.sentence, f.claimant) for f in group.figures]
    claimants = list(dict.fromkeys(f.claimant for f in group.figures if f.claimant))
    lead = group.lead
    return AnswerFigure(
        value=lead.value,
        text=lead.text,
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
        elif a.lead.thing == b.lead.thing and all(
            compatible(x, y) for x in a.figures for y in b.figures
        ):
            notes.append(f"{shown(a.lead)} and {shown(b.lead)} can both be true.")
    return list(dict.fromkeys(notes))


def conflict_notes(figures: Sequence[Figure], citations: Citations) -> list[str]:
    """ "23 [6] and at least 26 [1] cannot both be true." for each incompatible pair of
    wordings, so a reader sees exactly where the sources part."""
    pairs: dict[tuple[str, str], tuple[set[int], set[int]]] = {}
    for a, b in itertools.combinations(figures, 2):
        if a.thing != b.thing or a.value == b.value or compatible(a, b):
            continue
        first, second = sorted((a, b), key=lambda f: f.value)
        marks = pairs.setdefault((first.text, second.text), (set(), set()))
        marks[0].add(citations.cite_sentence(first.sentence, first.claimant).n)
        marks[1].add(citations.cite_sentence(second.sentence, second.claimant).n)
    return [
        f"{low} {_marks(low_marks)} and {high} {_marks(high_marks)} cannot both be true."
        for (low, high), (low_marks, high_marks) in pairs.items()
    ]


def _marks(numbers: set[int]) -> str:
    return "".join(f"[{n}]" for n in sorted(numbers))


def _pairs(groups: Sequence[FigureGroup]) -> list[tuple[FigureGroup, FigureGroup]]:
    return [(a, b) for i, a in enumerate(groups) for b in groups[i + 1 :]]


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value

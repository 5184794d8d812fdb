"""The structure of a figure answer, built from the figures that answer: each distinct value
with its reports, the groups of values that can all be true, the conflicts between groups and
the reasons values within a group only look different, and the order values were reported in.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.answer import (
    AnswerFigure,
    AnswerGroup,
    Citations,
    Relation,
    RelationKind,
    Report,
    TimelineEntry,
)
from retrieval.figures import Figure
from retrieval.reconcile import (
    FigureGroup,
    Rule,
    agreeing_sets,
    clash,
    conversion_note,
    format_value,
    group_figures,
    rule,
)

# Letters an inflected verb adds to its stem at most ("injur" + "ing", "pull" + "ed").
INFLECTION = 4
WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class FigureStructure:
    """The values that answer, their groups, relations and timeline."""

    figures: tuple[AnswerFigure, ...]
    groups: tuple[AnswerGroup, ...]
    relations: tuple[Relation, ...]
    timeline: tuple[TimelineEntry, ...]


def figure_structure(answers: Sequence[Figure], citations: Citations) -> FigureStructure:
    """The structure of the figures that answer one question (citing their sentences in the
    order shown: group by group, value by value)."""
    sets = agreeing_sets(group_figures(answers))
    figures: list[AnswerFigure] = []
    groups: list[AnswerGroup] = []
    by_value: dict[int, AnswerFigure] = {}
    for number, members in enumerate(sets, start=1):
        group_id = f"g{number}"
        shown = []
        for value in members:
            figure = answer_figure(value, citations, f"f{len(figures) + 1}", group_id)
            by_value[id(value)] = figure
            figures.append(figure)
            shown.append(figure)
        groups.append(
            AnswerGroup(
                id=group_id,
                figures=tuple(f.id for f in shown),
                texts=tuple(f.text for f in shown),
                outlets=tuple(dict.fromkeys(o for f in shown for o in f.outlets)),
                claimants=tuple(
                    dict.fromkeys(r.claimant for f in shown for r in f.reports if r.claimant)
                ),
                citations=_markers(shown),
                dates=tuple(sorted({d for f in shown for d in f.dates})),
                doc_ids=tuple(dict.fromkeys(d for f in shown for d in f.doc_ids)),
            )
        )
    relations = _conflicts(sets, by_value) + _reconciled(sets, by_value, citations)
    return FigureStructure(
        figures=tuple(figures),
        groups=tuple(groups),
        relations=tuple(relations),
        timeline=_timeline(sets, by_value, citations),
    )


def answer_figure(
    value: FigureGroup, citations: Citations, figure_id: str = "", group_id: str | None = None
) -> AnswerFigure:
    """An answer figure for the reports of one value, citing the sentence of each."""
    cited = [citations.cite_sentence(f.sentence, f.claimant) for f in value.figures]
    claimants = list(dict.fromkeys(f.claimant for f in value.figures if f.claimant))
    lead = value.lead
    reports = tuple(
        dict.fromkeys(
            Report(c.n, citations.name(f.doc_id), f.text, f.claimant)
            for f, c in zip(value.figures, cited, strict=True)
        )
    )
    dates = {citations.date(f.doc_id) for f in value.figures}
    return AnswerFigure(
        value=lead.value,
        text=lead.text,
        vague=lead.vague,
        qualifier=lead.qualifier.value,
        unit=unit_words(lead) or None,
        measure=measure_words(lead),
        claimant="; ".join(claimants) or None,
        citations=tuple(dict.fromkeys(cited)),
        doc_ids=value.doc_ids,
        id=figure_id,
        group=group_id,
        low=lead.low,
        high=lead.high,
        phrase=shown(lead),
        action=action_as_written(lead),
        texts=_wordings(value),
        reports=reports,
        dates=tuple(sorted(d for d in dates if d)),
    )


def related_figures(
    values: Sequence[FigureGroup], citations: Citations
) -> tuple[AnswerFigure, ...]:
    """Answer figures for related values ("r1", "r2", ...)."""
    return tuple(
        answer_figure(value, citations, f"r{number}")
        for number, value in enumerate(values, start=1)
    )


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


def inline(text: str) -> str:
    """A value as written at a sentence's start, for the middle of one: "At least 14" reads
    "at least 14", "Five" reads "five"; "UN" and "$5" stay."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def action_as_written(figure: Figure) -> str | None:
    """The figure's nearest action as its sentence writes it ("injuring", "were pulled" reads
    "pulled"), found as the word nearest the figure that extends the verb's stem by a regular
    ending; the lemma when the sentence inflects it otherwise ("shot down")."""
    if figure.action is None:
        return None
    verb, *rest = figure.action.split()
    stem = verb[:-1] if verb.endswith("e") and len(verb) > 3 else verb
    text = figure.sentence.text
    at = figure.start - figure.sentence.start
    forms = [
        m
        for m in WORD.finditer(text)
        if m.group().casefold().startswith(stem.casefold())
        and len(m.group()) <= len(verb) + INFLECTION
    ]
    if not forms:
        return figure.action
    nearest = min(forms, key=lambda m: abs(m.start() - at))
    return " ".join([nearest.group().casefold(), *rest])


def _wordings(value: FigureGroup) -> tuple[str, ...]:
    """Each way the articles write the value, once whatever its case; a sum of parts is
    not a wording of its total."""
    seen: dict[str, str] = {}
    for figure in value.figures:
        if not figure.parts:
            seen.setdefault(figure.text.casefold(), figure.text)
    return tuple(seen.values()) or (value.lead.text,)


def _markers(figures: Sequence[AnswerFigure]) -> tuple[int, ...]:
    return tuple(sorted({c.n for f in figures for c in f.citations}))


def _conflicts(
    sets: Sequence[Sequence[FigureGroup]], by_value: dict[int, AnswerFigure]
) -> list[Relation]:
    """Each pair of groups holding values that cannot both be true, with those values."""
    relations = []
    for i, first in enumerate(sets):
        for second in sets[i + 1 :]:
            pairs = [(a, b) for a in first for b in second if clash(a, b)]
            if not pairs:
                continue
            involved = [by_value[id(v)] for v in dict.fromkeys(v for p in pairs for v in p)]
            relations.append(
                Relation(
                    kind=RelationKind.CONFLICT,
                    groups=(_group_of(first, by_value), _group_of(second, by_value)),
                    figures=tuple(f.id for f in involved),
                    citations=_markers(involved),
                    pairs=tuple((by_value[id(a)].id, by_value[id(b)].id) for a, b in pairs),
                )
            )
    return relations


def _reconciled(
    sets: Sequence[Sequence[FigureGroup]],
    by_value: dict[int, AnswerFigure],
    citations: Citations,
) -> list[Relation]:
    """Why values within a group only look different: a total of parts, and each value
    against the group's best supported one (a conversion, a bound, a range)."""
    relations = []
    for members in sets:
        lead = members[0]
        for value in members:
            answer = by_value[id(value)]
            for figure in value.figures:
                if figure.parts:
                    cited = citations.cite_sentence(figure.sentence, figure.claimant)
                    relations.append(
                        Relation(
                            kind=RelationKind.RECONCILED,
                            rule=Rule.SUM_OF_PARTS,
                            groups=(answer.group or "",),
                            figures=(answer.id,),
                            citations=(cited.n,),
                            text=f"{inline(figure.text)} add up to {format_value(figure.value)}",
                        )
                    )
            if value is lead:
                continue
            why = rule(lead.lead, value.lead)
            if why is Rule.UNIT_CONVERSION:
                text = conversion_note(lead.lead, value.lead) or ""
            else:
                text = f"{inline(lead.lead.text)} and {inline(value.lead.text)} can both be true"
            pair = (by_value[id(lead)], answer)
            relations.append(
                Relation(
                    kind=RelationKind.RECONCILED,
                    rule=why,
                    groups=(answer.group or "",),
                    figures=tuple(f.id for f in pair),
                    citations=_markers(pair),
                    text=text,
                )
            )
    return relations


def _timeline(
    sets: Sequence[Sequence[FigureGroup]],
    by_value: dict[int, AnswerFigure],
    citations: Citations,
) -> tuple[TimelineEntry, ...]:
    """Each value's first dated report, oldest first."""
    entries = []
    for members in sets:
        for value in members:
            dated = [(citations.date(f.doc_id), f) for f in value.figures]
            known = [(d, f) for d, f in dated if d]
            if not known:
                continue
            date, first = min(known, key=lambda item: item[0])
            answer = by_value[id(value)]
            cited = citations.cite_sentence(first.sentence, first.claimant)
            entries.append(TimelineEntry(date, answer.id, answer.group, first.text, (cited.n,)))
    entries.sort(key=lambda e: e.date)
    return tuple(entries)


def _group_of(members: Sequence[FigureGroup], by_value: dict[int, AnswerFigure]) -> str:
    return by_value[id(members[0])].group or ""

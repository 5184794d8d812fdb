"""The words of an answer, written from its structure: a headline, a line per value with the
articles behind it, then notes that say what conflicts, how the values moved over time, and (in
one line) what only looks different. Every surface that shows words shows these; the web page,
Slack and the CLI lay them out from the structure, never by taking these words apart.

The wording lives here and only here: ``HEADLINES`` holds every headline's pattern.
"""

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from retrieval.answer import (
    Answer,
    AnswerFigure,
    AnswerKind,
    Citation,
    Note,
    NoteKind,
    RelationKind,
)
from retrieval.structure import inline

# Conflict notes an answer gives at most: the headline already says the sources disagree.
MAX_CONFLICT_NOTES = 3
# Reasons folded into the one line of values that only look different.
MAX_RECONCILED = 4

HEADLINES = {
    "conflict": "The sources disagree on {about}: {values}.",
    "agree": "The sources agree on {about}: {values}.",
    "single": "One article gives {about}: {values}.",
    "apart": "The sources give figures for {about} that agree: {values}.",
    "no_figure": "The articles do not give a figure for {about}.",
    "names": "The articles name {names}:",
    "quotes": "From the articles:",
    "none": "The articles do not answer this.",
}


def compose(answer: Answer) -> Answer:
    """``answer`` with its headline, notes and whole text written from its structure."""
    headline = _headline(answer)
    notes = _notes(answer)
    lines = [headline]
    if answer.kind is AnswerKind.FIGURES:
        lines.extend(f"- {_support(f)}" for f in answer.figures)
    elif answer.kind in (AnswerKind.NAMES, AnswerKind.QUOTES):
        by_n = {c.n: c for c in answer.citations}
        lines.extend(f"- {by_n[n].name} [{n}]: {by_n[n].quote}" for n in answer.quotes)
    lines.extend(n.text for n in notes if n.kind is not NoteKind.CLOSEST)
    if answer.related:
        lines.append("Related figures: " + "; ".join(_related(f) for f in answer.related) + ".")
    lines.extend(n.text for n in notes if n.kind is NoteKind.CLOSEST)
    return replace(answer, headline=headline, notes=tuple(notes), answer="\n".join(lines))


def _headline(answer: Answer) -> str:
    if answer.kind is AnswerKind.NAMES:
        return HEADLINES["names"].format(names=", ".join(answer.entities))
    if answer.kind is AnswerKind.QUOTES:
        return HEADLINES["quotes"]
    if not answer.figures:
        # Only a question asking for a figure says what it asked about.
        if answer.about:
            return HEADLINES["no_figure"].format(about=answer.about)
        return HEADLINES["none"]
    by_id = {f.id: f for f in answer.figures}
    within = " / " if answer.conflict else " and "
    values = (" vs " if answer.conflict else " and ").join(
        within.join(
            " / ".join(map(inline, by_id[f].texts or (by_id[f].text,))) for f in group.figures
        )
        for group in answer.groups
    )
    docs = {d for f in answer.figures for d in f.doc_ids}
    if answer.conflict:
        pattern = "conflict"
    elif len(answer.groups) > 1:
        pattern = "apart"
    else:
        pattern = "single" if len(docs) == 1 else "agree"
    return HEADLINES[pattern].format(about=answer.about, values=values)


def _notes(answer: Answer) -> list[Note]:
    by_id = {f.id: f for f in answer.figures}
    notes = []
    conflicts = [r for r in answer.relations if r.kind is RelationKind.CONFLICT]
    for relation in conflicts[:MAX_CONFLICT_NOTES]:
        low, high = sorted((by_id[i] for i in relation.pairs[0]), key=lambda f: f.value)
        notes.append(
            Note(
                NoteKind.CONFLICT,
                f"{inline(low.text)} {_marks(low.citations)} and {inline(high.text)} "
                f"{_marks(high.citations)} "
                "cannot both be true.",
                _numbers(low.citations, high.citations),
            )
        )
    if answer.conflict:
        timeline = _timeline_note(answer)
        if timeline is not None:
            notes.append(timeline)
    reconciled = [r for r in answer.relations if r.kind is RelationKind.RECONCILED]
    if reconciled:
        reasons = [f"{r.text} {''.join(f'[{n}]' for n in r.citations)}" for r in reconciled][
            :MAX_RECONCILED
        ]
        more = len(reconciled) - len(reasons)
        text = "These only look different: " + "; ".join(reasons)
        text += f"; and {more} more." if more else "."
        notes.append(
            Note(
                NoteKind.RECONCILED,
                text,
                tuple(sorted({n for r in reconciled[:MAX_RECONCILED] for n in r.citations})),
            )
        )
    for story in answer.other_stories:
        figures = story["figures"]
        values = "; ".join(f"{f['text']} {_marks_json(f['citations'])}" for f in figures)
        notes.append(
            Note(
                NoteKind.OTHER_STORY,
                f"In another story ({story['title']}): {values}.",
                tuple(sorted({int(c["n"]) for f in figures for c in f["citations"]})),
            )
        )
    if answer.kind is AnswerKind.NONE and answer.quotes:
        markers = "".join(f"[{n}]" for n in answer.quotes)
        notes.append(Note(NoteKind.CLOSEST, f"The closest passages are {markers}.", answer.quotes))
    return notes


def _timeline_note(answer: Answer) -> Note | None:
    """ "Over time: 50 (2018-10-02) [1], then 59 (2018-10-03) [2]; the latest is 59." when
    each value was first reported on a different day: later reports often update earlier
    ones. Every value is still listed with its sources."""
    entries = answer.timeline
    if len(entries) < 2 or len({e.date for e in entries}) < len(entries):
        return None
    steps = ", then ".join(
        f"{inline(e.text)} ({e.date}) {''.join(f'[{n}]' for n in e.citations)}" for e in entries
    )
    return Note(
        NoteKind.TIMELINE,
        f"Over time: {steps}; the latest is {inline(entries[-1].text)}.",
        tuple(sorted({n for e in entries for n in e.citations})),
    )


def _support(figure: AnswerFigure) -> str:
    """ "at least 26 people: Associated Press [1]; Agence France-Presse, citing emergency
    services [2]" — every article behind a value, whom it cites, and the markers."""
    parts = []
    for report in figure.reports:
        wording = f' ("{report.text}")' if report.text != figure.text else ""
        claim = f", citing {report.claimant}" if report.claimant else ""
        parts.append(f"{report.name}{wording}{claim} [{report.n}]")
    return f"{figure.phrase or figure.text}: " + "; ".join(dict.fromkeys(parts))


def _related(figure: AnswerFigure) -> str:
    words = " ".join(w for w in (figure.phrase or figure.text, figure.action or "") if w)
    return f"{words} {_marks(figure.citations)}"


def _marks(citations: Sequence[Citation]) -> str:
    return "".join(f"[{n}]" for n in sorted({c.n for c in citations}))


def _marks_json(citations: Sequence[Mapping[str, Any]]) -> str:
    return "".join(f"[{n}]" for n in sorted({int(c["n"]) for c in citations}))


def _numbers(*citations: Sequence[Citation]) -> tuple[int, ...]:
    return tuple(sorted({c.n for group in citations for c in group}))

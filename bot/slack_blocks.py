"""An answer as Slack Block Kit, laid out from its structure: the headline, a section per group
of values (each value with the articles behind it), the notes, the related figures, numbered
citations as context blocks, and a plain-text fallback, within Slack's limits. The composed
text is never taken apart."""

from typing import Any

from retrieval import Answer, AnswerFigure, Citation, RelationKind

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_CONTEXT = 2000


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so Slack shows text as written: a quote holding
    ``<!channel>`` or ``<https://x|y>`` is shown, never acted on."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def answer_blocks(
    answer: Answer, articles: dict[str, tuple[str | None, str | None]]
) -> list[dict[str, Any]]:
    """Blocks for an answer; ``articles`` gives each cited article's (title, url), either None."""
    headline = f"*{escape(answer.headline)}*"
    blocks = [_section(f":warning: {headline}" if answer.conflict else headline)]
    blocks.extend(_section(text) for text in _group_texts(answer))
    if answer.notes:
        blocks.append(_section("\n".join(escape(note.text) for note in answer.notes)))
    if answer.related:
        related = "; ".join(_related_text(f) for f in answer.related)
        blocks.append(_context(f"*Related figures:* {related}"))
    blocks.append({"type": "divider"})
    citation_blocks = [
        _citation(c, *articles.get(c.doc_id, (None, None))) for c in answer.citations
    ]
    room = MAX_BLOCKS - len(blocks) - 1
    blocks.extend(citation_blocks[:room])
    if len(citation_blocks) > room:
        more = len(citation_blocks) - room
        blocks.append(_context(f"… and {more} more sources, in the full answer."))
    return blocks[:MAX_BLOCKS]


def fallback_text(answer: Answer) -> str:
    """The plain text of an answer, for notifications and clients without blocks."""
    return escape(answer.answer)[:MAX_SECTION]


def _group_texts(answer: Answer) -> list[str]:
    """A text per group of values that can all be true, a line per value; "vs" opens a group
    that conflicts with one before it."""
    by_id = {f.id: f for f in answer.figures}
    clashes = {frozenset(r.groups) for r in answer.relations if r.kind is RelationKind.CONFLICT}
    texts = []
    for index, group in enumerate(answer.groups):
        lines = [_figure_text(by_id[i]) for i in group.figures if i in by_id]
        if any(frozenset((g.id, group.id)) in clashes for g in answer.groups[:index]):
            lines.insert(0, "_vs_")
        texts.append("\n".join(lines))
    return texts


def _figure_text(figure: AnswerFigure) -> str:
    """ "*at least 26* people wounded: Associated Press [1]; ICIR ("at least 23"), citing
    Ukraine's Air Force [2]" """
    reports = []
    for report in figure.reports:
        wording = f" (“{escape(report.text)}”)" if report.text != figure.text else ""
        claim = f", citing {escape(report.claimant)}" if report.claimant else ""
        reports.append(f"{escape(report.name)}{wording}{claim} [{report.n}]")
    words = " ".join(w for w in (_unit(figure), figure.action) if w)
    return f"*{escape(figure.text)}*{' ' + escape(words) if words else ''}: " + "; ".join(
        dict.fromkeys(reports)
    )


def _related_text(figure: AnswerFigure) -> str:
    words = " ".join(w for w in (figure.phrase or figure.text, figure.action) if w)
    marks = "".join(f"[{n}]" for n in sorted({c.n for c in figure.citations}))
    return f"{escape(words)} {marks}"


def _unit(figure: AnswerFigure) -> str:
    """The unit to show after the value, unless its text already names it ("539 drones and 11
    missiles" names "drones and missiles": its last word, singular or plural)."""
    if not figure.unit:
        return ""
    last = figure.unit.split()[-1].casefold().removesuffix("s")
    return "" if last in figure.text.casefold() else figure.unit


def _citation(citation: Citation, title: str | None, url: str | None) -> dict[str, Any]:
    outlet = escape(citation.name)
    if url and url.startswith(("http://", "https://")) and "|" not in url and ">" not in url:
        outlet = f"<{url}|{outlet}>"
    parts = (outlet, f"_{escape(title)}_" if title else "", escape(citation.date or ""))
    where = " · ".join(p for p in parts if p)
    return _context(f"[{citation.n}] {where}: “{escape(citation.quote)}”")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, MAX_SECTION)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(text, MAX_CONTEXT)}]}


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # Never leave half an escape ("&am") at the end.
    amp = cut.rfind("&")
    if amp >= 0 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"

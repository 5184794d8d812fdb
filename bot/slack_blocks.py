"""An answer as Slack Block Kit: the answer, a section per figure with its outlets, numbered
citations as context blocks, and a plain-text fallback, within Slack's limits."""

from typing import Any

from retrieval import Answer, AnswerFigure, Citation

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
    headline, *rest = answer.answer.split("\n")
    blocks: list[dict[str, Any]] = []
    if answer.conflict:
        blocks.append(_section(":warning: *The sources disagree.* " + escape(headline)))
    else:
        blocks.append(_section(escape(headline)))
    for figure in answer.figures:
        blocks.append(_section(_figure_text(figure)))
    notes = [line for line in rest if not line.startswith("- ")]
    if notes:
        blocks.append(_section("\n".join(escape(line) for line in notes)))
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


def _figure_text(figure: AnswerFigure) -> str:
    outlets = "; ".join(
        dict.fromkeys(f"{escape(c.source or c.doc_id)} [{c.n}]" for c in figure.citations)
    )
    unit = f" {escape(figure.unit)}" if figure.unit and figure.unit not in figure.text else ""
    return f"*{escape(figure.text)}*{unit}: {outlets}"


def _citation(citation: Citation, title: str | None, url: str | None) -> dict[str, Any]:
    outlet = escape(citation.source or citation.doc_id)
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

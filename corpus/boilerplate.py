"""Find the parts of an article that are page furniture, not reporting.

Boilerplate stays in ``Article.text`` so that every offset keeps pointing at the original file;
it is only marked, and sentences and chunks skip it.
"""

import re
from collections.abc import Iterator

from corpus.spans import Boilerplate, BoilerplateKind

# A leading "date 2025-07-04" header, as some scrapers write it, possibly on the same line as the
# first sentence.
DATE_HEADER = re.compile(r"\A\s*(date[ \t]+(\d{4}-\d{2}-\d{2}))\b[ \t]*", re.IGNORECASE)

_RATING_WIDGET = re.compile(r"How would you rate the content you just read\?[^\n]*", re.IGNORECASE)
_COMMENTS_LINE = re.compile(
    r"(?:comments?|post a comment|leave a (?:comment|reply)|add a comment|"
    r"share(?: this(?: article| story)?)?|advertisement)",
    re.IGNORECASE,
)
# A repeated line shorter than this is more likely a real short line said twice ("Kyiv") than a
# photo caption printed twice.
_MIN_REPEATED_LINE = 40
# A line of one character ("Δ", "*") or two symbols ("--") is a widget remnant, not reporting.
_MAX_STRAY_SYMBOL = 2


def find_boilerplate(text: str) -> tuple[Boilerplate, ...]:
    """Return the boilerplate spans of ``text``, sorted by start and not overlapping.

    Marked: a leading ``date YYYY-MM-DD`` header, lines repeated verbatim (photo captions printed
    twice; the first copy stays), "How would you rate the content you just read?" widgets,
    "Comments" / "Post a Comment" lines, and lines of one or two stray symbols.
    """
    found: list[Boilerplate] = []
    header = DATE_HEADER.match(text)
    if header:
        found.append(Boilerplate(header.start(1), header.end(), BoilerplateKind.DATE_HEADER))
    for match in _RATING_WIDGET.finditer(text):
        found.append(Boilerplate(match.start(), match.end(), BoilerplateKind.RATING_WIDGET))
    seen: set[str] = set()
    for start, end in _lines(text):
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        span = (start + lead, start + lead + len(stripped))
        if _COMMENTS_LINE.fullmatch(stripped):
            found.append(Boilerplate(*span, BoilerplateKind.COMMENTS_WIDGET))
        elif len(stripped) == 1 or (
            len(stripped) <= _MAX_STRAY_SYMBOL and not any(c.isalnum() for c in stripped)
        ):
            found.append(Boilerplate(*span, BoilerplateKind.STRAY_SYMBOL))
        elif len(stripped) >= _MIN_REPEATED_LINE:
            if stripped in seen:
                found.append(Boilerplate(*span, BoilerplateKind.REPEATED_LINE))
            seen.add(stripped)
    return _merge(found)


def _lines(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in re.finditer(r"\n", text):
        yield start, match.start()
        start = match.end()
    yield start, len(text)


def _merge(spans: list[Boilerplate]) -> tuple[Boilerplate, ...]:
    """Sort spans and fold overlapping ones into the earlier span's kind."""
    merged: list[Boilerplate] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Boilerplate(last.start, max(last.end, span.end), last.kind)
        else:
            merged.append(span)
    return tuple(merged)

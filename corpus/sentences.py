"""Split an article into sentences that keep their character offsets.

A rule-based splitter: a line break always ends a sentence (news pages put headlines, captions
and one-sentence paragraphs on lines of their own), and inside a line a sentence ends at ``.``,
``!`` or ``?`` (with any closing quotes or brackets) before white space and a capital, a digit or
an opening quote, unless the word before the stop is an abbreviation ("U.S.", "Dr.", "Gen.").
"""

import re
from collections.abc import Iterator, Sequence

from corpus.spans import Boilerplate, Span

_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st gen col lt sgt capt cmdr adm maj rep sen gov pres jr sr rev hon "
    "inc ltd co corp dept univ est approx vs etc no jan feb mar apr jun jul aug sep sept oct "
    "nov dec mt ft".split()
)
_PHOTO_CREDIT = re.compile(r"\s+[A-Z]{2,}(?:[ -][A-Z]{2,})*/")
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")
_WORD_STOP = re.compile(r"(\w+)\.$")
_NEXT_WORD = re.compile(r"\s*(\S+)")
# The word before a stop is looked for this far back: every abbreviation is shorter, and a
# longer word (cut short by the window) is none either.
_LONGEST_WORD = 32
# After "U.S." these words start a new sentence rather than continue a name ("the U.S. Army").
_SENTENCE_STARTERS = frozenset(
    "The This That These Those It He She They We I But And Yet So Meanwhile However In On At "
    "A An".split()
)


def split_sentences(text: str, boilerplate: Sequence[Boilerplate] = ()) -> list[Span]:
    """Return the sentence spans of ``text``, in order, skipping ``boilerplate``.

    Each span is trimmed of surrounding white space and is never empty; no span overlaps a
    boilerplate span.
    """
    spans: list[Span] = []
    for region_start, region_end in _content_regions(len(text), boilerplate):
        for line_start, line_end in _lines(text, region_start, region_end):
            spans.extend(_split_line(text, line_start, line_end))
    return spans


def _content_regions(length: int, boilerplate: Sequence[Boilerplate]) -> Iterator[Span]:
    position = 0
    for span in sorted(boilerplate):
        if span.start > position:
            yield Span(position, span.start)
        position = max(position, span.end)
    if position < length:
        yield Span(position, length)


def _lines(text: str, start: int, end: int) -> Iterator[Span]:
    position = start
    while position < end:
        newline = text.find("\n", position, end)
        line_end = end if newline < 0 else newline
        yield Span(position, line_end)
        position = line_end + 1


def _split_line(text: str, start: int, end: int) -> Iterator[Span]:
    line = text[start:end]
    piece_start = 0
    for match in _BOUNDARY.finditer(line):
        if _is_abbreviation(line, match.start(), match.end()):
            continue
        yield from _trimmed(start + piece_start, start + match.end(), text)
        piece_start = match.end()
    yield from _trimmed(start + piece_start, end, text)


def _is_abbreviation(line: str, stop: int, boundary: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation, or is followed by a photo
    credit ("... 2018. REUTERS/Marcos Brindicci"), rather than ending a sentence."""
    if _PHOTO_CREDIT.match(line, boundary):
        return True
    if line[stop] != "." or boundary != stop + 1:
        return False
    # Searched within a window ending at the stop, not in a copy of the line before it: a line
    # is one paragraph, and a search from its start at every stop took quadratic time. (``\b``
    # still sees the character before the window: searches keep the whole string.)
    word = _WORD_STOP.search(line, max(0, stop - _LONGEST_WORD), stop + 1)
    following = _NEXT_WORD.match(line, boundary)
    next_word = following.group(1) if following else ""
    if word and word.group(1).lower() in _ABBREVIATIONS:
        # "No. 5" is an abbreviation, "No." at the end of an answer is not.
        return word.group(1).lower() != "no" or next_word[:1].isdigit()
    if _INITIALS.search(line, max(0, stop - 1), stop + 1):
        return next_word not in _SENTENCE_STARTERS
    return False


def _trimmed(start: int, end: int, text: str) -> Iterator[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield Span(start, end)

"""Read an article's outlet, date and title from what its text says, where it says it.

Nothing here guesses: a field the text does not state stays ``None``. A photo credit such as
"/REUTERS/Gleb Garanich" names the photographer's agency, not the outlet, and an outlet the
article quotes ("Reuters reported that ...") is not its publisher.
"""

import datetime as dt
import re

from corpus.boilerplate import DATE_HEADER

_WORD = r"[A-Z][\w&'’-]*(?:\.[A-Z][\w&'’-]*)*"
_NAME = rf"{_WORD}(?:[ -](?:of |and |for )?{_WORD})*"
# "Arhirova writes for the Associated Press."
_WRITES_FOR = re.compile(rf"\b(?:writes|reports) for (?:the )?({_NAME})")
# A sign-off line at the end: "- Agence France-Presse".
_SIGN_OFF = re.compile(rf"^[ \t]*[-–—][ \t]*({_NAME})[ \t.]*\r?$", re.MULTILINE)
_DASH_LINE = re.compile(r"^[ \t]*[-–—]", re.MULTILINE)
# The outlet speaking of itself in the present tense: "The ICIR reports that ...".
_SELF_REPORT = re.compile(rf"\bThe ({_NAME}) reports\b")
_SIGN_OFF_WINDOW = 3  # a sign-off counts only among the last few non-empty lines
_MAX_TITLE = 150
_MIN_TITLE_WORDS = 3


def infer_source(text: str) -> str | None:
    """The outlet the text names as its own, or ``None`` when it names none.

    Looks, in order, for "<byline> writes for <outlet>", a sign-off line "- <outlet>" among the
    last lines, and "The <outlet> reports".
    """
    match = _WRITES_FOR.search(text)
    if match:
        return _clean_name(match.group(1))
    tail_start = _tail_start(text, _SIGN_OFF_WINDOW)
    sign_offs = list(_SIGN_OFF.finditer(text, tail_start))
    # "- Kyiv\n- Sumy\n- Kharkiv" ends a bullet list; a sign-off stands alone.
    if sign_offs and len(_DASH_LINE.findall(text, tail_start)) == 1:
        return _clean_name(sign_offs[-1].group(1))
    match = _SELF_REPORT.search(text)
    if match:
        return _clean_name(match.group(1))
    return None


def infer_date(text: str) -> str | None:
    """The ISO date of a leading ``date YYYY-MM-DD`` header, or ``None``."""
    match = DATE_HEADER.match(text)
    if not match:
        return None
    try:
        return dt.date.fromisoformat(match.group(2)).isoformat()
    except ValueError:  # "2025-13-45": a header, but not a date
        return None


def infer_title(text: str) -> str | None:
    """A headline on the first line: short, several words, not ending like a sentence."""
    if DATE_HEADER.match(text) or "\n" not in text.strip():
        return None
    first = text.strip().split("\n", 1)[0].strip()
    if (
        len(first) <= _MAX_TITLE
        and len(first.split()) >= _MIN_TITLE_WORDS
        and not first.endswith((".", "!", "?", ":", ";", ",", '"', "”", "’"))
    ):
        return first
    return None


def _clean_name(name: str) -> str:
    name = name.strip().rstrip(".")
    return re.sub(r"^the\s+", "", name, flags=re.IGNORECASE)


def _tail_start(text: str, lines: int) -> int:
    """Offset where the last ``lines`` non-empty lines of ``text`` begin."""
    starts = [m.start() for m in re.finditer(r"^[ \t]*\S", text, re.MULTILINE)]
    return starts[-lines] if len(starts) >= lines else 0

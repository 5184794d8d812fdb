"""Who a sentence attributes its statement to: "the air force said", "according to Mayor
Vitali Klitschko", "Ukraine's Air Force reported that ..."."""

import re

_VERBS = r"(?:said|says|reported|reports|told\s+\w+|added|announced|confirmed|claimed|stated|noted)"
_NAME_WORD = r"[\w’'.-]+"
# "..., the country’s air force said." / "..., officials said, and ..." / "..., the
# military added on Friday."
_TRAILING = re.compile(
    rf",\s+((?:{_NAME_WORD}\s+){{0,7}}?{_NAME_WORD})\s+{_VERBS}"
    r"(?:(?:\s+[\w’'-]+){0,4}[.!?”\"]*$|\s*,)"
)
# "according to Mayor Vitali Klitschko" (up to the next comma or the end).
_ACCORDING = re.compile(r"\baccording to\s+([^,.;:“\"]+?)(?:[,.;:]|\s+published\b|$)")
# "Ukraine’s Air Force said Russia launched ..." / "Kyiv Mayor Vitali Klitschko confirmed that"
_LEADING = re.compile(rf"^((?:{_NAME_WORD}\s+){{0,6}}?{_NAME_WORD})\s+{_VERBS}\b(?!\s+to\b)")
_PRONOUNS = frozenset("he she they it we i you this that there who which".split())
_NOT_A_CLAIMANT = re.compile(r"\d|\b(?:and|but|as|while|when|after|before|which|that)\b", re.I)
_MAX_WORDS = 8


def claimant(sentence: str) -> str | None:
    """The source a sentence attributes itself to, as written, or None."""
    for pattern in (_ACCORDING, _TRAILING, _LEADING):
        match = pattern.search(sentence.strip())
        if match:
            name = _clean(match.group(1))
            if name is not None:
                return name
    return None


def _clean(name: str) -> str | None:
    name = " ".join(name.split()).strip(" “”\"'")
    name = re.sub(r"^(?:In|On|At)\s+\w+\s*,\s*", "", name)
    name = re.sub(r"(?:\s+(?:further|also|later|then|previously|earlier))+$", "", name)
    words = name.split()
    if (
        not words
        or len(words) > _MAX_WORDS
        or words[0].lower() in _PRONOUNS
        or _NOT_A_CLAIMANT.search(name)
    ):
        return None
    return name

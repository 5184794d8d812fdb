"""Whom a sentence credits with what it states: "the air force said", "according to Mayor
Vitali Klitschko", "Ukraine's Air Force reported that ...".

An attribution that closes the sentence (", officials said.") or "according to X" covers the
whole sentence. "X said ..." covers what follows it, not a clause before it: in "Hours after the
barrage that killed one person ..., Zelensky said he had a call", Zelensky is not the source of
the death toll.
"""

import re
from dataclasses import dataclass

_VERBS = r"(?:said|says|reported|reports|told\s+\w+|added|announced|confirmed|claimed|stated|noted)"
_NAME_WORD = r"[\w’'.-]+"
# "..., the country’s air force said." / "..., officials said, and ..." / "...,” Zelensky said."
_TRAILING = re.compile(
    rf",[”\"’]?\s+((?:{_NAME_WORD}\s+){{0,7}}?{_NAME_WORD})\s+{_VERBS}"
    r"(?:(?:\s+[\w’'-]+){0,4}[.!?”\"]*$|\s*,)"
)
# "according to Mayor Vitali Klitschko" (up to the next comma or the end).
_ACCORDING = re.compile(r"\b[Aa]ccording to\s+([^,.;:“\"]+?)(?:[,.;:]|\s+published\b|$)")
# "Ukraine’s Air Force said Russia launched ...", "..., Foreign Minister Andrii Sybiha said June
# saw ...": the claim covers what follows the verb.
_SAYS = re.compile(rf"(?:^|,\s+)((?:{_NAME_WORD}\s+){{0,6}}?{_NAME_WORD})\s+{_VERBS}\b(?!\s+to\b)")
_PRONOUNS = frozenset("he she they it we i you this that there who which".split())
_NOT_A_CLAIMANT = re.compile(r"\d|\b(?:and|but|as|while|when|after|before|which|that)\b", re.I)
_NOT_LAST = frozenset("a an the of amid in on at to for with by from".split())
_ADVERBS = re.compile(
    r"(?:\s+(?:further|also|later|then|previously|earlier|meanwhile|separately|now|"
    r"had|has|have|was|were|is))+$"
)
_MAX_WORDS = 8


@dataclass(frozen=True)
class Claims:
    """The attributions of one sentence."""

    whole: str | None
    from_position: tuple[tuple[int, str], ...]

    def at(self, position: int) -> str | None:
        """Whom the sentence credits with what it states at ``position``."""
        if self.whole is not None:
            return self.whole
        found = None
        for start, name in self.from_position:
            if start <= position:
                found = name
        return found


def claims(sentence: str) -> Claims:
    """The attributions of ``sentence``."""
    text = sentence.strip()
    whole = None
    for pattern in (_ACCORDING, _TRAILING):
        for match in pattern.finditer(text):
            whole = whole or _clean(match.group(1))
    scoped = tuple(
        (match.end(), name)
        for match in _SAYS.finditer(text)
        if (name := _clean(match.group(1))) is not None
    )
    return Claims(whole, scoped)


def claimant(sentence: str) -> str | None:
    """The source a sentence as a whole is credited to, or the first one it names."""
    found = claims(sentence)
    return found.whole or (found.from_position[0][1] if found.from_position else None)


def _clean(name: str) -> str | None:
    name = " ".join(name.split()).strip(" “”\"'")
    name = re.sub(r"^(?:In|On|At)\s+\w+\s*,\s*", "", name)
    name = _ADVERBS.sub("", name)
    words = name.split()
    if (
        not words
        or len(words) > _MAX_WORDS
        or words[0].lower() in _PRONOUNS
        or words[-1].lower() in _NOT_LAST
        or _NOT_A_CLAIMANT.search(name)
    ):
        return None
    return name

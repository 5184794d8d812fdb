"""The one tokenizer shared by indexed chunks and queries.

Lower-cases, splits on anything that is not a letter or digit, drops English stop words and
single letters, folds thousands separators out of numbers ("1,000" -> "1000") and stems words
with the Snowball English stemmer (Porter2), so "missile"/"missiles" and "injured"/"injuring"
meet. Bump ``TOKENIZER_VERSION`` whenever the output for some text changes: the index manifest
records it, and an index built with another version is refused.
"""

import re
from functools import lru_cache

import snowballstemmer

TOKENIZER_VERSION = "snowball-english-1"

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_STEMMER = snowballstemmer.stemmer("english")

STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    many much also said says""".split()
)


def tokenize(text: str) -> list[str]:
    """Return the index terms of ``text``, in order."""
    terms = []
    for match in _TOKEN.finditer(text.lower()):
        token = match.group()
        if token[0].isdigit():
            terms.append(_THOUSANDS.sub("", token))
        elif len(token) > 1 and token not in STOP_WORDS:
            terms.append(_stem(token))
    return terms


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    stem: str = _STEMMER.stemWord(word)
    return stem

"""Find the numbers in a sentence: their value, their qualifier and the range they allow.

Digits ("550", "1,000", "5,438", "3.5", "3 million"), number words ("one", "five", "three
million", "twenty-one", parsed with text2num), hyphenated measures ("seven-hour", "620-mile"), and
vague amounts ("dozens", "hundreds of", "several thousand"), percentages ("86%"), and "a
child" / "a woman" as one. A qualifier before the number ("at least", "more than", "over",
"around", "nearly", "up to") is kept and turned into the range of values the figure allows. Ages
("a 23-year-old") come back with the unit "year-old", so they answer "how old", never "how many".
Not returned at all: years, dates, clock times, fractions ("one-third") and names with digits
("155mm", "G20", "F-16").
"""

import math
import re
from dataclasses import dataclass
from enum import Enum

from text_to_num import text2num

from retrieval.measures import unit_of

# Month names, for telling dates ("July 4") from counts.
MONTH_PATTERN = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?"
)


class Qualifier(Enum):
    """How a figure relates to the true value."""

    EXACT = "exact"
    AT_LEAST = "at least"
    MORE_THAN = "more than"
    ABOUT = "about"
    NEARLY = "nearly"
    UP_TO = "up to"
    LESS_THAN = "less than"
    VAGUE = "vague"


# Phrase before the number -> qualifier. Longest phrases first.
_QUALIFIER_WORDS = {
    "at least": Qualifier.AT_LEAST,
    "no fewer than": Qualifier.AT_LEAST,
    "no less than": Qualifier.AT_LEAST,
    "a minimum of": Qualifier.AT_LEAST,
    "more than": Qualifier.MORE_THAN,
    "over": Qualifier.MORE_THAN,
    "just over": Qualifier.MORE_THAN,
    "above": Qualifier.MORE_THAN,
    "upwards of": Qualifier.MORE_THAN,
    "in excess of": Qualifier.MORE_THAN,
    "around": Qualifier.ABOUT,
    "about": Qualifier.ABOUT,
    "roughly": Qualifier.ABOUT,
    "approximately": Qualifier.ABOUT,
    "some": Qualifier.ABOUT,
    "an estimated": Qualifier.ABOUT,
    "nearly": Qualifier.NEARLY,
    "almost": Qualifier.NEARLY,
    "close to": Qualifier.NEARLY,
    "just under": Qualifier.NEARLY,
    "up to": Qualifier.UP_TO,
    "as many as": Qualifier.UP_TO,
    "at most": Qualifier.UP_TO,
    "fewer than": Qualifier.LESS_THAN,
    "less than": Qualifier.LESS_THAN,
    "under": Qualifier.LESS_THAN,
}
_QUALIFIER = re.compile(
    r"(?:^|(?<=\W))("
    + "|".join(sorted(map(re.escape, _QUALIFIER_WORDS), key=len, reverse=True))
    + r")\s+(?:a\s+total\s+of\s+)?$",
    re.IGNORECASE,
)
# "about" and "some" are approximate only this close to the value: "about 40" but not
# "talked about 5 schools" (handled by requiring the phrase to end right before the number).
_APPROXIMATE_SPREAD = 0.1
_NEARLY_SPREAD = 0.15

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALE_WORDS = {
    "thousand": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
# One-letter scales glued to a sum of money: "$5m", "£2.5b", "$300k" (not "5m", five metres).
_GLUED_MONEY_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "b": 1e9}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_WORD = "|".join(sorted([*_UNITS, *_SCALES], key=len, reverse=True))
_WORD_NUMBER = rf"(?:{_WORD})(?:(?:[ -]|\s+and\s+)(?:{_WORD}))*"
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_AFTER = (
    r"(?:\s*(?P<scale>million|billion|trillion|thousand|mln|bn|tn)|(?P<glued>[mkb]|mn)(?![\w]))?"
    # A unit glued to the digits, in lower case: "425kg", "15ft", "180mph", "155mm" (not "4G").
    r"(?P<gunit>(?-i:[a-z]{1,3})(?:/h)?)?"
)

_NUMBER = re.compile(
    rf"(?<![\w.,/$€£¥:-])(?P<currency>US\$|\$|€|£|¥)?"
    rf"(?:(?P<digits>{_DIGITS}){_SCALE_AFTER}|(?P<words>{_WORD_NUMBER}))"
    r"(?:(?P<hyphen>-(?P<unit>[a-z]+)(?:-(?P<unit2>[a-z]+))?)|(?P<percent>\s?%))?(?!\w|[.,]\d)",
    re.IGNORECASE,
)
# Ages: "a 23-year-old", "a five-year-old boy", "47 years old", "aged 47", "the age of 18".
_AGE = re.compile(
    rf"(?<![\w.,-])(\d{{1,3}}|{_WORD_NUMBER})-years?-old\b|"
    r"(?<![\w.,-])(\d{1,3})\s+years?\s+old\b|\baged\s+(\d{1,3})\b|\bage\s+of\s+(\d{1,3})\b",
    re.IGNORECASE,
)

# Vague amounts: lower and upper bound of what they can mean.
_VAGUE = {
    "a dozen": (12, 12),
    "dozens": (24, 99),
    "scores": (40, 199),
    "hundreds": (200, 999),
    "several hundred": (300, 999),
    "thousands": (2_000, 99_999),
    "several thousand": (3_000, 9_999),
    "tens of thousands": (20_000, 99_999),
    "millions": (2_000_000, 999_999_999),
}
_VAGUE_PATTERN = re.compile(
    r"(?<!\w)("
    + "|".join(sorted(map(re.escape, _VAGUE), key=len, reverse=True))
    + r")(?!\w)(?!\s+of\s+(?:them|those)\b)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_AGE_UNITS = {"year", "years"}
_FRACTIONS = {"third", "thirds", "half", "halves", "quarter", "quarters", "fifth", "fifths"}


@dataclass(frozen=True)
class Number:
    """A number in a text, offsets relative to that text.

    ``text`` is the number as written including its qualifier ("at least 26", "620-mile");
    ``low`` and ``high`` bound the values it allows (``math.inf`` when open); ``unit`` is the word
    a hyphenated form attaches ("mile" in "620-mile"), else None.
    """

    start: int
    end: int
    text: str
    value: float
    qualifier: Qualifier
    low: float
    high: float
    unit: str | None = None
    number_start: int = 0


_ONE_PERSON = re.compile(
    r"(?<!\w)(?:a|an)\s+(?=(?:child|woman|man|person|civilian|soldier|girl|boy|baby|teenager)\b)",
    re.IGNORECASE,
)
# Ages: "a 23-year-old", "47 years old", "aged 47".


def find_numbers(text: str) -> list[Number]:
    """Every quantity in ``text`` that may be a count or measure, in order."""
    found: list[Number] = []
    for match in _ONE_PERSON.finditer(text):
        found.append(_qualified(text, match.start(), match.end() - 1, 1.0, None))
    for match in _AGE.finditer(text):
        years = next(group for group in match.groups() if group is not None)
        age = _age_value(years)
        if age is not None:
            found.append(_qualified(text, match.start(), match.end(), age, "year-old"))
    for match in _NUMBER.finditer(text):
        value = _value(match)
        if value is None or _not_a_count(text, match, value):
            continue
        unit = (
            "%"
            if match.group("percent")
            else match.group("currency") or (match.group("unit") or "").lower() or None
        )
        glued = _glued_unit(match)
        if unit is not None and match.group("unit2"):
            # "23-year-old" is an age, filtered above; "130-foot-deep" is 130 feet; other
            # double hyphens: no unit.
            unit = unit if unit_of(unit) is not None else None
        if glued is not None and (unit is None or unit_of(unit) is None):
            unit = glued  # "80m-deep": the glued unit, whatever follows
        found.append(_qualified(text, match.start(), match.end(), value, unit))
    for match in _VAGUE_PATTERN.finditer(text):
        if any(n.number_start <= match.start() < n.end for n in found):
            continue
        low, high = _VAGUE[match.group(1).lower()]
        found.append(
            Number(
                start=match.start(),
                end=match.end(),
                text=match.group(0),
                value=float(low),
                qualifier=Qualifier.VAGUE,
                low=float(low),
                high=float(high),
                number_start=match.start(),
            )
        )
    return sorted(found, key=lambda n: n.start)


def _value(match: re.Match[str]) -> float | None:
    if match.group("digits"):
        number = float(match.group("digits").replace(",", ""))
        if match.group("scale"):
            return number * _SCALE_WORDS[match.group("scale").lower()]
        if match.group("glued") and match.group("currency"):
            return number * _GLUED_MONEY_SCALES[match.group("glued").lower()]
        if (match.group("glued") or match.group("gunit")) and _glued_unit(match) is None:
            return None  # "16th", "5k": letters that are no unit
        return number
    words = match.group("words").lower()
    if words.strip() in ("hundred", "thousand", "million", "billion"):
        return None  # "thousands of" is vague, "hundred" alone is not a number here
    try:
        return float(text2num(words.replace(" and ", " "), "en"))
    except ValueError:
        return None


def _age_value(years: str) -> float | None:
    """ "23" or "five" as a number of years."""
    if years.isdigit():
        return float(years)
    try:
        return float(text2num(years.lower().replace(" and ", " "), "en"))
    except ValueError:
        return None


def _glued_unit(match: re.Match[str]) -> str | None:
    """The unit glued to the digits ("kg" in "425kg", "m" in "80m" without a currency sign),
    if those letters write one."""
    if match.group("currency") or not match.group("digits"):
        return None
    letters = (match.group("glued") or "") + (match.group("gunit") or "")
    return letters.lower() if letters and unit_of(letters) is not None else None


def _not_a_count(text: str, match: re.Match[str], value: float) -> bool:
    before = text[: match.start()]
    after = text[match.end() :]
    digits = match.group("digits")
    unit = (match.group("unit") or "").lower()
    # Ages: "a 23-year-old", "47 years old", "aged 47".
    if unit in _AGE_UNITS and (match.group("unit2") or "").lower() == "old":
        return True  # found as an age by _AGE
    if unit in _FRACTIONS:
        return True  # "one-third" is a share, not one of anything
    if re.match(r"\s+years?\s+old\b", after) or re.search(r"\b(?:aged|age\s+of)\s+$", before):
        return True
    # A four-digit number from 1900 to 2099 is a year unless a counted noun follows it.
    if (
        digits
        and _YEAR.fullmatch(digits)
        and (not re.match(r"\s+[a-z]", after) or re.match(r"\s+(?:and|to|when|as|the)\b", after))
    ):
        return True
    # Dates: "July 4", "4 July", "November 30, 2018".
    if re.search(MONTH_PATTERN.pattern + r"\s+$", before) and digits:
        return True
    if digits and MONTH_PATTERN.match(after.lstrip()) and len(after) - len(after.lstrip()) == 1:
        return True
    # Clock times and scores: "10:30", "3 a.m."
    if re.match(r"(?::\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|GMT|UTC))", after):
        return True
    # Names with digits: "G20", "F-16", "155mm" are excluded by the pattern's lookarounds;
    # "No. 5" and "Article 5" are labels.
    if re.search(r"\b(?:No\.|Article|Section|Flight|Route|Highway|Resolution)\s*$", before):
        return True
    # "one of the worst" and "no one": not a count of anything.
    word = (match.group("words") or "").lower()
    if word == "one" and (
        re.match(r"\s+(?:of|another|day)\b", after) or before.lower().endswith("no ")
    ):
        return True
    return word == "one" and bool(
        re.search(r"\b(?:this|that|the|which|every|any|another)\s+$", before)
    )


def _qualified(text: str, start: int, end: int, value: float, unit: str | None) -> Number:
    qualifier = Qualifier.EXACT
    qualified_start = start
    found = _QUALIFIER.search(text[max(0, start - 30) : start])
    if found:
        phrase = found.group(1).lower()
        qualifier = _QUALIFIER_WORDS[" ".join(phrase.split())]
        qualified_start = max(0, start - 30) + found.start(1)
    low, high = bounds(value, qualifier)
    return Number(
        start=qualified_start,
        end=end,
        text=text[qualified_start:end],
        value=value,
        qualifier=qualifier,
        low=low,
        high=high,
        unit=unit,
        number_start=start,
    )


def bounds(value: float, qualifier: Qualifier) -> tuple[float, float]:
    """The range of true values a figure allows: "at least 26" allows [26, inf)."""
    if qualifier is Qualifier.AT_LEAST:
        return value, math.inf
    if qualifier is Qualifier.MORE_THAN:
        return math.nextafter(value, math.inf), math.inf
    if qualifier is Qualifier.ABOUT:
        return value * (1 - _APPROXIMATE_SPREAD), value * (1 + _APPROXIMATE_SPREAD)
    if qualifier is Qualifier.NEARLY:
        return value * (1 - _NEARLY_SPREAD), value
    if qualifier is Qualifier.UP_TO:
        return 0.0, value
    if qualifier is Qualifier.LESS_THAN:
        return 0.0, math.nextafter(value, -math.inf)
    return value, value

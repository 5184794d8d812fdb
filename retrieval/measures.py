"""The registry of measures: every dimension a figure can have, with its units and question cues.

Each dimension declares the words its units are written with, how each unit converts to the
dimension's base unit (``base = value * scale + offset``), how a unit is shown, and the question
cues that ask for it ("how far" asks for a length; "how much ... cost" for money). No other
module holds unit or dimension words: figures, questions and reconciliation all ask here.

Money keeps its currency as its unit: dollars and euros are both money, but no exchange rate is
assumed, so only sums in one currency are compared.
"""

import re
from dataclasses import dataclass
from enum import Enum


class Dimension(Enum):
    """What kind of quantity a figure is."""

    COUNT = "count"
    MONEY = "money"
    LENGTH = "length"
    MASS = "mass"
    DURATION = "duration"
    SPEED = "speed"
    AREA = "area"
    PERCENTAGE = "percentage"
    AGE = "age"
    TEMPERATURE = "temperature"
    DATA = "data"
    VOLUME = "volume"
    ORDINAL = "ordinal"


@dataclass(frozen=True)
class Unit:
    """A unit of a dimension: ``words`` are its written forms (lower case; symbols included),
    ``scale`` and ``offset`` convert a value to the base unit, ``singular``/``plural`` show it."""

    name: str
    dimension: Dimension
    words: tuple[str, ...]
    scale: float = 1.0
    offset: float = 0.0
    singular: str = ""
    plural: str = ""
    symbol_before: bool = False

    def to_base(self, value: float) -> float:
        """``value`` of this unit in the dimension's base unit."""
        return value * self.scale + self.offset

    def shown(self, value: float) -> str:
        """The unit's word for ``value`` ("1 mile", "3 miles")."""
        return self.singular if value == 1 else self.plural


def _unit(
    name: str,
    dimension: Dimension,
    words: str,
    scale: float = 1.0,
    offset: float = 0.0,
    plural: str | None = None,
    *,
    symbol_before: bool = False,
) -> Unit:
    forms = tuple(words.split("|"))
    return Unit(
        name,
        dimension,
        forms,
        scale,
        offset,
        singular=name,
        plural=plural if plural is not None else name + "s",
        symbol_before=symbol_before,
    )


_M, _S, _KG = Dimension.LENGTH, Dimension.DURATION, Dimension.MASS
UNITS: tuple[Unit, ...] = (
    # Money: one unit per currency (no exchange rates); the base is the currency itself.
    _unit("dollar", Dimension.MONEY, "$|us$|usd|dollar|dollars|dlrs", symbol_before=True),
    _unit("euro", Dimension.MONEY, "€|eur|euro|euros", symbol_before=True),
    _unit("pound sterling", Dimension.MONEY,
          "£|gbp|stg|sterling|pound sterling|pounds sterling", plural="pounds sterling",
          symbol_before=True),
    _unit("yen", Dimension.MONEY, "¥|jpy|yen", plural="yen", symbol_before=True),
    _unit("yuan", Dimension.MONEY, "yuan|rmb|cny|renminbi", plural="yuan"),
    _unit("rouble", Dimension.MONEY, "rouble|roubles|ruble|rubles|rub"),
    _unit("rupee", Dimension.MONEY, "rupee|rupees|inr"),
    _unit("shekel", Dimension.MONEY, "shekel|shekels|nis|ils"),
    _unit("won", Dimension.MONEY, "won|krw", plural="won"),
    _unit("bitcoin", Dimension.MONEY, "bitcoin|bitcoins|btc", plural="bitcoin"),
    # Length, base metre.
    _unit("kilometre", _M, "km|kms|kilometre|kilometres|kilometer|kilometers", 1000.0),
    _unit("metre", _M, "m|metre|metres|meter|meters", 1.0),
    _unit("centimetre", _M, "cm|centimetre|centimetres|centimeter|centimeters", 0.01),
    _unit("millimetre", _M, "mm|millimetre|millimetres|millimeter|millimeters", 0.001),
    _unit("mile", _M, "mile|miles|mi", 1609.344),
    _unit("nautical mile", _M, "nautical mile|nautical miles|nm", 1852.0),
    _unit("foot", _M, "ft|foot|feet", 0.3048, plural="feet"),
    _unit("inch", _M, "inch|inches", 0.0254, plural="inches"),
    _unit("yard", _M, "yd|yard|yards", 0.9144),
    _unit("light year", _M, "light year|light years|light-year|light-years", 9.4607e15),
    # Mass, base kilogram. "pound" alone is mass; the currency is written £ or "pounds sterling".
    _unit("tonne", _KG, "tonne|tonnes|ton|tons|metric ton|metric tons", 1000.0),
    _unit("kilogram", _KG, "kg|kgs|kilogram|kilograms|kilo|kilos", 1.0),
    _unit("gram", _KG, "gram|grams|gramme|grammes", 0.001),
    _unit("pound", _KG, "lb|lbs|pound|pounds", 0.45359237),
    _unit("ounce", _KG, "oz|ounce|ounces", 0.028349523125),
    # Duration, base second.
    _unit("second", _S, "second|seconds|sec|secs", 1.0),
    _unit("minute", _S, "minute|minutes|min|mins", 60.0),
    _unit("hour", _S, "hour|hours|hr|hrs", 3600.0),
    _unit("day", _S, "day|days", 86400.0),
    _unit("week", _S, "week|weeks", 604800.0),
    _unit("month", _S, "month|months", 2629746.0),
    _unit("year", _S, "year|years|yr|yrs", 31556952.0),
    _unit("decade", _S, "decade|decades", 315569520.0),
    # Speed, base metre per second.
    _unit("km/h", Dimension.SPEED, "km/h|kph|kmh|kilometres per hour|kilometers per hour",
          1 / 3.6, plural="km/h"),
    _unit("mph", Dimension.SPEED, "mph|miles per hour|miles an hour", 0.44704, plural="mph"),
    _unit("knot", Dimension.SPEED, "knot|knots|kt|kts", 0.514444),
    _unit("m/s", Dimension.SPEED, "m/s|metres per second|meters per second", 1.0, plural="m/s"),
    # Area, base square metre.
    _unit("square kilometre", Dimension.AREA,
          "sq km|km2|km²|square kilometre|square kilometres|square kilometer|square kilometers",
          1e6),
    _unit("square mile", Dimension.AREA, "sq mi|square mile|square miles", 2589988.110336),
    _unit("square metre", Dimension.AREA,
          "m2|m²|sq m|square metre|square metres|square meter|square meters", 1.0),
    _unit("square foot", Dimension.AREA, "sq ft|square foot|square feet", 0.09290304,
          plural="square feet"),
    _unit("hectare", Dimension.AREA, "ha|hectare|hectares", 1e4),
    _unit("acre", Dimension.AREA, "acre|acres", 4046.8564224),
    # Percentages; percentage points are their own unit (a change, not a share).
    _unit("percent", Dimension.PERCENTAGE, "%|percent|per cent|per-cent|pct", plural="percent"),
    _unit("percentage point", Dimension.PERCENTAGE, "percentage point|percentage points",
          plural="percentage points"),
    # Ages, in years.
    _unit("years old", Dimension.AGE, "year-old|years old|year old|aged", plural="years old"),
    # Temperature, base degree Celsius.
    _unit("°C", Dimension.TEMPERATURE, "°c|celsius|degrees celsius|centigrade", plural="°C"),
    _unit("°F", Dimension.TEMPERATURE, "°f|fahrenheit|degrees fahrenheit", 5 / 9,
          -32 * 5 / 9, plural="°F"),
    # Volume, base litre.
    _unit("litre", Dimension.VOLUME, "l|litre|litres|liter|liters", 1.0),
    _unit("millilitre", Dimension.VOLUME, "ml|millilitre|millilitres|milliliter|milliliters",
          0.001),
    _unit("gallon", Dimension.VOLUME, "gallon|gallons|gal", 3.785411784),
    _unit("barrel", Dimension.VOLUME, "barrel|barrels|bbl", 158.987294928),
    _unit("cubic metre", Dimension.VOLUME,
          "cubic metre|cubic metres|cubic meter|cubic meters|m3|m³", 1000.0),
    # Data, base byte.
    _unit("terabyte", Dimension.DATA, "tb|terabyte|terabytes", 1e12),
    _unit("gigabyte", Dimension.DATA, "gb|gigabyte|gigabytes", 1e9),
    _unit("megabyte", Dimension.DATA, "mb|megabyte|megabytes", 1e6),
    _unit("kilobyte", Dimension.DATA, "kb|kilobyte|kilobytes", 1e3),
)  # fmt: skip

# Things numbered in order rather than counted: "on lap 48", "the 14th floor", "Game 7".
# "On which lap ...?" asks for such a number.
ORDINAL_NOUNS = frozenset(
    "lap laps round rounds floor floors inning innings game games stage stages level levels "
    "page pages row rows seat seats grade grades rank place position hole holes minute".split()
)

# Written forms that are also ordinary words: a unit only right after a number ("5 m", "3 in"),
# never as a question's or a noun's word.
# ("in", "s", "h", "t" and "g" are never units here: "killed 12 in the capital".)
_SHORT_FORMS = frozenset("m l ml gal mi nm min sec hr yr ft yd kt ha lb mb kb gb tb".split())

_BY_WORD: dict[str, Unit] = {}
for _u in UNITS:
    for _w in _u.words:
        _BY_WORD.setdefault(_w, _u)


def unit_of(words: str, *, after_number: bool = True) -> Unit | None:
    """The unit written as ``words`` ("km", "miles", "$", "per cent"), or None.

    ``after_number``: the words follow a number; one- and two-letter forms ("m", "in") count
    only there.
    """
    key = words.lower().strip(".")
    unit = _BY_WORD.get(key)
    if unit is None or (not after_number and key in _SHORT_FORMS):
        return None
    return unit


def unit_named(name: str) -> Unit:
    """The unit of canonical ``name``.

    Raises:
        KeyError: no unit has that name.
    """
    for unit in UNITS:
        if unit.name == name:
            return unit
    raise KeyError(name)


# The longest written form first, so that "square miles" wins over "miles".
UNIT_PHRASE = re.compile(
    r"(?:"
    + "|".join(
        re.escape(w).replace(r"\ ", r"\s+")
        for w in sorted(_BY_WORD, key=len, reverse=True)
        if not re.fullmatch(r"[^\w]+", w)
    )
    + r")(?![\w/²])",
    re.IGNORECASE,
)
CURRENCY_SYMBOL = re.compile(r"(?:US\$|\$|€|£|¥)")

# Scale words multiply a number: "3 million", "$5bn".
SCALES: dict[str, float] = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
# One-letter scales only glued to money ("$5m", "$2.5bn"): "5 m" is five metres.
MONEY_ONLY_SCALES = frozenset({"k", "m", "b"})


@dataclass(frozen=True)
class Cue:
    """A question pattern that asks for a dimension; ``also``: another dimension the same words
    may ask for ("how long" is a length or a duration: the figures say which)."""

    dimension: Dimension
    pattern: re.Pattern[str]
    also: Dimension | None = None


def _cue(dimension: Dimension, pattern: str, also: Dimension | None = None) -> Cue:
    return Cue(dimension, re.compile(pattern, re.IGNORECASE), also)


_MONEY_VERBS = (
    r"cost|costs|pay|paid|pays|spend|spent|spends|offer|offered|offers|bid|bids|raise|raised|"
    r"raises|earn|earned|earns|make|made|makes|lose|lost|loses|charge|charged|fine|fined|sell|"
    r"sold|sells|buy|bought|worth|value|valued|price|priced|owe|owed|fund|funded|funding|"
    r"donate|donated|invest|invested|receive|received|get|got|award|awarded|save|saved|"
    r"transfer|transferred|budget|revenue|profit|loss|charge|bill|billed|deal|salary|wage"
)


def _amount(nouns: str) -> str:
    """ "What fourth-quarter profit", "what was the average ticket price": a question that asks
    for one of ``nouns`` (an amount), with up to three words before it."""
    return (
        r"\b(?:what|which)\s+(?:(?:is|was|are|were)\s+(?:the|its|their|his|her)\s+)?"
        rf"(?:[\w'-]+\s+){{0,3}}?(?:{nouns})s?\b"
    )


# Most specific first: the first cue that matches decides.
CUES: tuple[Cue, ...] = (
    _cue(Dimension.AGE, r"\bhow\s+old\b|\bwhat\s+age\b|\bat\s+what\s+age\b|\baged?\s+how\b"),
    _cue(Dimension.SPEED, r"\bhow\s+fast\b|\bwhat\s+speed\b"),
    # "How quickly does it accelerate?": a speed, or the time it takes.
    _cue(Dimension.SPEED, r"\bhow\s+quickly\b", Dimension.DURATION),
    _cue(Dimension.TEMPERATURE, r"\bhow\s+(?:hot|cold|warm)\b|" + _amount("temperature")),
    _cue(Dimension.SPEED, _amount("speed|velocity")),
    _cue(Dimension.MASS, _amount("weight|mass")),
    _cue(Dimension.AGE, _amount("age")),
    _cue(Dimension.VOLUME, r"\bhow\s+many\s+(?:litres|liters|gallons|barrels)\b|"
         r"\bwhat\s+volume\b"),
    _cue(Dimension.PERCENTAGE, r"\bwhat\s+(?:percentage|percent|share|proportion|fraction)\b|"
         r"\bby\s+how\s+(?:much|many\s+percent)\b|\bhow\s+many\s+percent\b"),
    _cue(Dimension.PERCENTAGE, _amount(r"rate|chance|odds|probability|percentage|proportion")),
    _cue(Dimension.MONEY, _amount(r"price|cost|profit|revenue|earnings|income|payment|fee|fine|"
                                  r"salary|wage|budget|valuation|tariff|bill")),
    _cue(Dimension.LENGTH, _amount(r"altitude|elevation|height|depth|distance|length|width")),
    _cue(Dimension.AREA, r"\bhow\s+(?:big|large)\s+an?\s+area\b|\bwhat\s+area\b|"
         r"\bhow\s+much\s+(?:land|area)\b"),
    _cue(Dimension.MASS, r"\bhow\s+heavy\b|\bhow\s+much\s+(?:did|does|do)\b[^?]*\bweigh\b|"
         r"\bwhat\s+(?:weight|mass)\b"),
    _cue(Dimension.DATA, r"\bhow\s+much\s+data\b|\bhow\s+many\s+(?:bytes|gigabytes|terabytes)\b"),
    _cue(Dimension.MONEY, r"\bhow\s+much\s+(?:money|cash|funding|debt|tax|taxes|rent)\b|"
         rf"\bhow\s+much\b[^?]*\b(?:{_MONEY_VERBS})\b|\bhow\s+much\s+(?:is|was|are|were)\b"
         r"[^?]*\b(?:worth|price|cost|fine|bill|deal|salary|value|charge)\b|"
         r"\bwhat\s+(?:price|sum|amount\s+of\s+money|value|fine|salary|cost)\b|"
         r"\bhow\s+many\s+(?:dollars|euros|pounds|yuan)\b|\bhow\s+expensive\b|"
         r"\bwhat\s+(?:is|was|are|were)\b[^?]*\bworth\b"),
    # "How long is the front line?": a length in the present tense, a duration (the delay, the
    # search) in the past; either may answer when the other gives nothing.
    _cue(Dimension.LENGTH, r"\bhow\s+long\s+(?:is|are)\b", Dimension.DURATION),
    _cue(Dimension.LENGTH, r"\bhow\s+(?:far|high|tall|deep|wide|close)\b|\bwhat\s+(?:distance|"
         r"height|altitude|depth|length|range)\b"),
    _cue(Dimension.DURATION, r"\bfor\s+how\s+(?:long|many\s+(?:days|hours|weeks|months|years|"
         r"minutes))\b|\bhow\s+(?:late|early|soon)\b"),
    _cue(Dimension.DURATION, r"\bhow\s+long\b", Dimension.LENGTH),
    _cue(Dimension.ORDINAL, r"\bwhat\s+(?:floor|rank|place|position)\b|\bwhich\s+(?:floor|"
         r"place|position)\b|\bhow\s+(?:high|highly)\s+(?:ranked|placed)\b"),
)  # fmt: skip

# Nouns that name an amount rather than a thing ("what premium", "the average ticket price"):
# a question asking for one asks for a figure of any measure.
_AMOUNT_NOUNS = (
    r"price|cost|rate|premium|profit|revenue|earnings|income|payment|fee|fine|salary|wage|"
    r"budget|sum|amount|value|valuation|chance|odds|probability|percentage|share|proportion|"
    r"margin|altitude|elevation|height|depth|distance|length|width|speed|weight|mass|"
    r"temperature|size|capacity|magnitude|growth|loss|deficit|surplus|debt|tariff|yield|age"
)
AMOUNT_QUESTION = re.compile(
    rf"\b(?:what|which)\s+(?:[\w'-]+\s+){{0,3}}?(?:{_AMOUNT_NOUNS})s?\b|"
    rf"\bwhat\s+(?:is|was|are|were)\s+(?:the|its|their|his|her)\s+(?:[\w'-]+\s+){{0,3}}?"
    rf"(?:{_AMOUNT_NOUNS})s?\b",
    re.IGNORECASE,
)
# Any question that asks for a quantity at all.
NUMERIC_QUESTION = re.compile(
    r"\bhow\s+(?:many|much|long|far|big|large|old|fast|high|tall|deep|wide|heavy|hot|cold|"
    r"often|close|expensive|quickly|soon)\b|"
    r"\bwhat\s+(?:number|percentage|percent|share|proportion|price|"
    r"sum|amount|age|distance|height|speed|temperature|weight|length|size|value|fine|salary|"
    r"cost|toll)\b|\b(?:death\s+)?toll\b|\bnumber\s+of\b|\btotal\s+of\b|"
    r"\bwhat\s+(?:is|was|are|were)\b[^?]*\bworth\b|\bhow\s+(?:low|little|few|short|small|"
    r"heavy|wide|deep|tall|early|late)\b|"
    r"\b(?:on|in|at|during|after|by)\s+(?:which|what)\s+(?:lap|round|floor|inning|game|stage|"
    r"level|page|row|seat|grade|hole|minute)\b|"
    r"\bwhat\s+(?:is|was|were)\s+the\s+(?:temperature|price|cost|distance|height|speed|age|"
    r"population|value|size|weight|length)s?\b",
    re.IGNORECASE,
)


def asked_dimension(question: str) -> Dimension | None:
    """The dimension a question's cue asks for, or None (then a count, or whatever unit the
    question names)."""
    cue = _first_cue(question)
    return cue.dimension if cue is not None else None


def also_asked(question: str) -> Dimension | None:
    """Another dimension the question's cue may ask for ("how long": a length too)."""
    cue = _first_cue(question)
    return cue.also if cue is not None else None


def _first_cue(question: str) -> Cue | None:
    return next((cue for cue in CUES if cue.pattern.search(question)), None)


def base_value(value: float, unit: Unit | None) -> float:
    """``value`` in its dimension's base unit (a count is its own base)."""
    return value if unit is None else unit.to_base(value)

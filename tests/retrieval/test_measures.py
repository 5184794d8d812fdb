"""The registry of measures: the words units are written with, conversions to base units worked
by hand, and the question cues that ask for a dimension."""

import pytest

from retrieval.measures import Dimension, asked_dimension, base_value, unit_named, unit_of


@pytest.mark.parametrize(
    ("words", "name", "dimension"),
    [
        ("km", "kilometre", Dimension.LENGTH),
        ("kilometers", "kilometre", Dimension.LENGTH),
        ("miles", "mile", Dimension.LENGTH),
        ("feet", "foot", Dimension.LENGTH),
        ("$", "dollar", Dimension.MONEY),
        ("dollars", "dollar", Dimension.MONEY),
        ("€", "euro", Dimension.MONEY),
        ("£", "pound sterling", Dimension.MONEY),
        ("yen", "yen", Dimension.MONEY),
        ("Tons", "tonne", Dimension.MASS),
        ("lbs", "pound", Dimension.MASS),
        ("hours", "hour", Dimension.DURATION),
        ("mph", "mph", Dimension.SPEED),
        ("km/h", "km/h", Dimension.SPEED),
        ("sq km", "square kilometre", Dimension.AREA),
        ("hectares", "hectare", Dimension.AREA),
        ("%", "percent", Dimension.PERCENTAGE),
        ("per cent", "percent", Dimension.PERCENTAGE),
        # A change of a share is its own unit, not a share.
        ("percentage points", "percentage point", Dimension.PERCENTAGE),
        ("year-old", "years old", Dimension.AGE),
        ("aged", "years old", Dimension.AGE),
        ("fahrenheit", "°F", Dimension.TEMPERATURE),
        ("°C", "°C", Dimension.TEMPERATURE),
        ("GB", "gigabyte", Dimension.DATA),
        ("pounds sterling", "pound sterling", Dimension.MONEY),
        ("litres", "litre", Dimension.VOLUME),
        ("gallons", "gallon", Dimension.VOLUME),
        ("barrels", "barrel", Dimension.VOLUME),
        ("bbl", "barrel", Dimension.VOLUME),
        ("cubic metres", "cubic metre", Dimension.VOLUME),
        ("m3", "cubic metre", Dimension.VOLUME),
    ],
)
def test_written_forms_name_their_unit(words: str, name: str, dimension: Dimension) -> None:
    unit = unit_of(words)
    assert unit is not None
    assert (unit.name, unit.dimension) == (name, dimension)


@pytest.mark.parametrize("words", ["people", "drones", "percentage", "old"])
def test_other_words_are_no_unit(words: str) -> None:
    assert unit_of(words) is None


def test_pound_alone_is_mass_and_pounds_sterling_money() -> None:
    pound, sterling = unit_of("pounds"), unit_of("pounds sterling")
    assert pound is not None and sterling is not None
    assert (pound.dimension, sterling.dimension) == (Dimension.MASS, Dimension.MONEY)


@pytest.mark.parametrize(
    ("words", "name"),
    [("m", "metre"), ("mi", "mile"), ("ft", "foot"), ("l", "litre"), ("gal", "gallon")],
)
def test_short_forms_are_units_only_after_a_number(words: str, name: str) -> None:
    # "5 m" is five metres; "m" in a question is no unit.
    unit = unit_of(words)
    assert unit is not None and unit.name == name
    assert unit_of(words, after_number=False) is None


@pytest.mark.parametrize("words", ["in", "s", "h", "t", "g"])
def test_short_forms_that_are_words_are_never_units(words: str) -> None:
    # "killed 12 in the capital" is no length.
    assert (unit_of(words), unit_of(words, after_number=False)) == (None, None)


def test_long_forms_are_units_anywhere() -> None:
    # "How many miles long is the pipeline?" names its unit.
    unit = unit_of("miles", after_number=False)
    assert unit is not None and unit.name == "mile"


def test_an_unknown_unit_name_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="furlong"):
        unit_named("furlong")


@pytest.mark.parametrize(
    ("name", "value", "base"),
    [
        # 620 mi * 1,609.344 m.
        ("mile", 620, 997_793.28),
        ("kilometre", 2_700, 2_700_000),
        # 10 ft * 0.3048 m.
        ("foot", 10, 3.048),
        ("inch", 30, 0.762),
        # 7 h * 3,600 s.
        ("hour", 7, 25_200),
        ("day", 2, 172_800),
        ("tonne", 300, 300_000),
        ("pound", 100, 45.359237),
        # 60 mph * 0.44704 m/s; 36 km/h / 3.6.
        ("mph", 60, 26.8224),
        ("km/h", 36, 10),
        ("hectare", 5_000, 50_000_000),
        ("square mile", 1, 2_589_988.110336),
        ("terabyte", 2, 2e12),
        # Volumes in litres: 2 bbl * 158.987294928 l; 10 gal * 3.785411784 l; 3 m³ * 1,000 l.
        ("barrel", 2, 317.974589856),
        ("gallon", 10, 37.85411784),
        ("cubic metre", 3, 3_000),
        ("millilitre", 500, 0.5),
        # Shares, ages and money are their own base: no rate between currencies.
        ("percent", 56, 56),
        ("years old", 47, 47),
        ("dollar", 5e9, 5e9),
        ("euro", 3.2e9, 3.2e9),
    ],
)
def test_units_convert_to_their_base(name: str, value: float, base: float) -> None:
    assert unit_named(name).to_base(value) == pytest.approx(base)


@pytest.mark.parametrize(
    ("fahrenheit", "celsius"),
    [
        # (F - 32) * 5/9: the scale alone would give 57.8 for 104 °F.
        (104, 40),
        (32, 0),
        (212, 100),
        (-40, -40),
    ],
)
def test_fahrenheit_converts_to_celsius_with_its_offset(fahrenheit: float, celsius: float) -> None:
    assert unit_named("°F").to_base(fahrenheit) == pytest.approx(celsius)
    assert unit_named("°C").to_base(celsius) == pytest.approx(celsius)


def test_miles_and_kilometres_convert_both_ways() -> None:
    mile, kilometre = unit_named("mile"), unit_named("kilometre")
    # 1,000 km = 1,000,000 m = 621.37 mi; 620 mi = 997.79 km.
    assert kilometre.to_base(1000) / mile.scale == pytest.approx(621.371, abs=1e-3)
    assert mile.to_base(620) / kilometre.scale == pytest.approx(997.793, abs=1e-3)


def test_a_count_is_its_own_base() -> None:
    assert base_value(550, None) == 550
    assert base_value(2, unit_named("kilometre")) == 2000


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("mile", 1, "mile"),
        ("mile", 620, "miles"),
        ("foot", 3, "feet"),
        ("yen", 500, "yen"),
        ("percent", 56, "percent"),
        ("years old", 47, "years old"),
        ("litre", 2, "litres"),
        ("pound sterling", 5, "pounds sterling"),
    ],
)
def test_units_are_shown_singular_or_plural(name: str, value: float, shown: str) -> None:
    assert unit_named(name).shown(value) == shown


@pytest.mark.parametrize(
    ("question", "dimension"),
    [
        ("How much did the tax overhaul cost Goldman Sachs?", Dimension.MONEY),
        ("How much did the house sell for?", Dimension.MONEY),
        ("How much is the deal worth?", Dimension.MONEY),
        ("How far did the missile fly?", Dimension.LENGTH),
        ("How long is the bridge?", Dimension.LENGTH),
        ("How long did the strike last?", Dimension.DURATION),
        ("How old was the driver?", Dimension.AGE),
        ("How fast was the train going?", Dimension.SPEED),
        ("How hot did it get in Phoenix?", Dimension.TEMPERATURE),
        ("What percentage of voters turned out?", Dimension.PERCENTAGE),
        ("How heavy is the satellite?", Dimension.MASS),
        ("How much did the satellite weigh?", Dimension.MASS),
        ("How much data was stolen?", Dimension.DATA),
        ("How big an area did the fire burn?", Dimension.AREA),
        ("How many barrels of oil spilled?", Dimension.VOLUME),
        ("What volume of oil leaked?", Dimension.VOLUME),
        # "How much" of a thing names no dimension: any measure of it may answer.
        ("How much rubble was removed?", None),
        # No cue: a count, or whatever unit the question names.
        ("How many people were evacuated?", None),
    ],
)
def test_question_cues_ask_for_a_dimension(question: str, dimension: Dimension | None) -> None:
    assert asked_dimension(question) is dimension

"""Conflicts and agreement between figures, worked by hand: bounds and values, totals and their
parts, the same length in miles and kilometres, temperatures with an offset, and sums of money in
different currencies, which are never compared."""

from dataclasses import replace

import pytest
from made_up import figure

from retrieval.figures import Figure
from retrieval.numbers import Qualifier, bounds
from retrieval.reconcile import (
    Rule,
    agreeing_sets,
    clash,
    compatible,
    conversion_note,
    group_figures,
    has_conflict,
    rule,
)

INJURED_23 = figure("One man died and 23 were injured, police said.", "23", "a")  # exactly 23
AT_LEAST_23 = figure("At least 23 people were injured.", "At least 23", "b")
AT_LEAST_26 = figure("At least 26 people were injured.", "At least 26", "c")
INTERCEPTED_475 = figure("Air defences intercepted 475 drones.", "475", "a")
INTERCEPTED_478 = figure("Air defences intercepted 478 drones.", "478", "b")
STATED_550 = figure("Russia launched 550 drones overnight.", "550", "a")
SUM_550 = figure("Russia launched 539 drones and 11 missiles.", "539 drones and 11 missiles", "b")
MILES_620 = figure("The roughly 620-mile pipeline will carry gas.", "roughly 620-mile", "a")
KM_1000 = figure("The 1,000-kilometer pipeline will carry gas.", "1,000-kilometer", "b")
SEVEN_HOUR = figure("The seven-hour strike ended on Monday.", "seven-hour", "a")
SEVEN_HOURS = figure("The strike lasted seven hours.", "seven", "b")
F_104 = figure("Temperatures reached 104°F in Phoenix.", "104", "a")
C_40 = figure("Phoenix hit 40 degrees Celsius on Monday.", "40", "b")
DOLLARS_5BN = figure("The fund raised $5 billion.", "$5 billion", "a")
DOLLARS_5BN_GLUED = figure("The fund raised $5bn from investors.", "$5bn", "b")
EUROS_5BN = figure("The fund raised €5 billion.", "€5 billion", "c")


WAR = "Thousands of people were killed in the war, and 12 died in May."


def restated(base: Figure, value: float, qualifier: Qualifier = Qualifier.EXACT) -> Figure:
    """``base`` with another value and qualifier, and the range they allow."""
    low, high = bounds(value, qualifier)
    return replace(base, value=value, qualifier=qualifier, low=low, high=high)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # 23 is below anything "at least 26" allows.
        pytest.param(INJURED_23, AT_LEAST_26, False, id="23 vs at least 26"),
        # [23, inf) and [26, inf) share 26 and up.
        pytest.param(AT_LEAST_23, AT_LEAST_26, True, id="at least 23 vs at least 26"),
        pytest.param(INJURED_23, AT_LEAST_23, True, id="23 vs at least 23"),
        pytest.param(INTERCEPTED_475, INTERCEPTED_478, False, id="475 vs 478"),
        # A stated total and the sum of its parts, 539 + 11.
        pytest.param(STATED_550, SUM_550, True, id="550 vs 539 + 11"),
        # 558 to 682 miles is 898.0 to 1,097.6 km; 1,000 km printed rounded is 975 to 1,025.
        pytest.param(MILES_620, KM_1000, True, id="about 620 miles vs 1,000 km"),
        pytest.param(SEVEN_HOUR, SEVEN_HOURS, True, id="seven-hour vs seven hours"),
        # (104 - 32) * 5/9 = 40: the offset matters, the scale alone gives 57.8.
        pytest.param(F_104, C_40, True, id="104 °F vs 40 °C"),
        pytest.param(F_104, restated(C_40, 58), False, id="104 °F vs 58 °C"),
        pytest.param(DOLLARS_5BN, DOLLARS_5BN_GLUED, True, id="$5 billion vs $5bn"),
        # No exchange rate is assumed: sums in two currencies are never compatible.
        pytest.param(DOLLARS_5BN, EUROS_5BN, False, id="$5 billion vs €5 billion"),
        pytest.param(SEVEN_HOUR, MILES_620, False, id="duration vs length"),
        pytest.param(SEVEN_HOUR, restated(INJURED_23, 7), False, id="7 hours vs 7 people"),
        pytest.param(KM_1000, restated(INJURED_23, 1000), False, id="1,000 km vs 1,000 people"),
    ],
)
def test_compatible_figures(a: Figure, b: Figure, expected: bool) -> None:
    assert compatible(a, b) is expected
    assert compatible(b, a) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # A bound and a value within it.
        ((5, Qualifier.AT_LEAST), (6, Qualifier.EXACT), True),
        ((5, Qualifier.AT_LEAST), (5, Qualifier.EXACT), True),
        ((5, Qualifier.AT_LEAST), (4, Qualifier.EXACT), False),
        # "More than 300" rules out 300 itself.
        ((300, Qualifier.MORE_THAN), (300, Qualifier.EXACT), False),
        ((300, Qualifier.MORE_THAN), (301, Qualifier.EXACT), True),
        # "Around 40" allows 36 to 44.
        ((40, Qualifier.ABOUT), (44, Qualifier.EXACT), True),
        ((40, Qualifier.ABOUT), (45, Qualifier.EXACT), False),
        ((40, Qualifier.ABOUT), (36, Qualifier.EXACT), True),
        ((40, Qualifier.ABOUT), (35, Qualifier.EXACT), False),
        # "Nearly 80" allows 68 to 80.
        ((80, Qualifier.NEARLY), (68, Qualifier.EXACT), True),
        ((80, Qualifier.NEARLY), (81, Qualifier.EXACT), False),
        ((5, Qualifier.UP_TO), (5, Qualifier.EXACT), True),
        ((5, Qualifier.UP_TO), (6, Qualifier.EXACT), False),
        ((10, Qualifier.LESS_THAN), (10, Qualifier.EXACT), False),
        # Two open ranges upwards always meet; "up to 5" and "at least 6" never do.
        ((5, Qualifier.AT_LEAST), (300, Qualifier.MORE_THAN), True),
        ((5, Qualifier.UP_TO), (6, Qualifier.AT_LEAST), False),
    ],
    ids=lambda v: f"{v[1].value} {v[0]}" if isinstance(v, tuple) else None,
)
def test_compatible_ranges(
    a: tuple[float, Qualifier], b: tuple[float, Qualifier], expected: bool
) -> None:
    first, second = restated(INJURED_23, *a), restated(INJURED_23, *b)
    assert compatible(first, second) is expected
    assert compatible(second, first) is expected


@pytest.mark.parametrize(
    ("km", "expected"),
    [
        # An exact measure is taken as rounded by 2.5%: 1,000 km allows 975 to 1,025 km.
        # 1,051 km allows down to 1,051 * 0.975 = 1,024.725 km: they meet.
        (1051, True),
        # 1,052 km allows down to 1,052 * 0.975 = 1,025.7 km: past 1,025.
        (1052, False),
        # 952 km allows up to 952 * 1.025 = 975.8 km: they meet.
        (952, True),
        # 951 km allows up to 951 * 1.025 = 974.775 km: short of 975.
        (951, False),
    ],
)
def test_exact_measures_allow_for_rounding(km: float, expected: bool) -> None:
    assert compatible(KM_1000, restated(KM_1000, km)) is expected


def test_exact_counts_allow_no_rounding() -> None:
    assert not compatible(INJURED_23, restated(INJURED_23, 24))


def test_sums_of_money_in_one_currency_allow_for_rounding() -> None:
    # $5 billion printed rounded allows 4.875 to 5.125 billion; $5.25 billion allows down to
    # 5.25 * 0.975 = 5.119 billion, $5.3 billion only down to 5.168 billion.
    assert compatible(DOLLARS_5BN, restated(DOLLARS_5BN_GLUED, 5.25e9))
    assert not compatible(DOLLARS_5BN, restated(DOLLARS_5BN_GLUED, 5.3e9))


def test_a_temperature_below_zero_celsius_agrees_with_itself() -> None:
    # 14 °F is -10 °C: printed rounded, -10.25 to -9.75 °C. 10 °F is -12.2 °C, well outside.
    a = figure("It was 14°F in Chicago on Monday.", "14", "a")
    b = figure("Chicago recorded 14°F on Monday.", "14", "b")
    assert compatible(a, b)
    assert not compatible(a, restated(b, 10))


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ([INJURED_23, AT_LEAST_26], True),
        ([INJURED_23, AT_LEAST_23, AT_LEAST_26], True),
        ([AT_LEAST_23, AT_LEAST_26], False),
        ([INTERCEPTED_475, INTERCEPTED_478], True),
        ([STATED_550, SUM_550], False),
        ([MILES_620, KM_1000], False),
        ([F_104, C_40], False),
        # Different dimensions never conflict: hours are not people.
        ([SEVEN_HOURS, restated(INJURED_23, 8)], False),
        ([INJURED_23], False),
        ([], False),
    ],
    ids=lambda v: " / ".join(f.text for f in v) or "none" if isinstance(v, list) else None,
)
def test_has_conflict(figures: list[Figure], expected: bool) -> None:
    assert has_conflict(figures) is expected


def test_miles_converted_to_kilometres() -> None:
    # 620 mi * 1,609.344 m / 1,000 m = 997.79 km, printed 998.
    assert conversion_note(MILES_620, KM_1000) == ("620 miles is about 998 kilometres")


def test_kilometres_converted_to_miles() -> None:
    # 1,000 km * 1,000 m / 1,609.344 m = 621.37 mi, printed 621.
    assert conversion_note(KM_1000, MILES_620) == ("1,000 kilometres is about 621 miles")


def test_fahrenheit_converted_to_celsius_with_the_offset() -> None:
    # (104 - 32) * 5/9 = 40; back: 40 * 9/5 + 32 = 104.
    assert conversion_note(F_104, C_40) == "104 °F is about 40 °C"
    assert conversion_note(C_40, F_104) == "40 °C is about 104 °F"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(SEVEN_HOUR, SEVEN_HOURS, id="same unit"),
        pytest.param(AT_LEAST_23, AT_LEAST_26, id="counts"),
        pytest.param(SEVEN_HOUR, MILES_620, id="different dimensions"),
        # No rate between currencies, so nothing to convert.
        pytest.param(DOLLARS_5BN, EUROS_5BN, id="currencies"),
        # 2,000 km allows 1,950 to 2,050 km; 620 miles at most 1,097.6 km.
        pytest.param(MILES_620, restated(KM_1000, 2000), id="disagreeing units"),
    ],
)
def test_no_conversion_note(a: Figure, b: Figure) -> None:
    assert conversion_note(a, b) is None


def test_a_stated_total_leads_the_sum_of_its_parts() -> None:
    [group] = group_figures([SUM_550, STATED_550])
    assert group.value == 550
    assert group.lead is STATED_550
    assert group.figures == (STATED_550, SUM_550)
    assert group.doc_ids == ("a", "b")


def test_groups_with_more_articles_come_first() -> None:
    five_a = figure("Five people were killed.", "Five", "a")
    five_b = figure("The storm killed five people.", "five", "b")
    one = figure("One person was killed in the storm.", "One", "c")
    thousands = figure(WAR, "Thousands")
    groups = group_figures([one, five_a, thousands, five_b])
    # Five in two articles; one and thousands in one each, the larger value first among equals.
    assert [(g.value, len(g.doc_ids)) for g in groups] == [(5, 2), (2000, 1), (1, 1)]
    assert groups[0].doc_ids == ("a", "b")


def test_a_bound_and_an_exact_value_of_one_number_are_two_groups() -> None:
    exact = figure("Police said 23 people were injured.", "23", "a")
    at_least = [
        figure("At least 23 people were injured.", "At least 23", doc) for doc in ("b", "c")
    ]
    bound, value = group_figures([exact, *at_least])
    assert [f.text for f in bound.figures] == ["At least 23", "At least 23"]
    assert bound.doc_ids == ("b", "c") and bound.lead.qualifier is Qualifier.AT_LEAST
    assert [f.text for f in value.figures] == ["23"]


def test_a_bound_that_fits_both_sides_stands_with_the_value_it_does_not_clash_with() -> None:
    exact_23 = figure("Police said 23 people were injured.", "23", "a")
    at_least_26 = [
        figure("At least 26 people were injured.", "At least 26", doc) for doc in ("b", "c")
    ]
    at_least_23 = figure("At least 23 people were injured.", "At least 23", "d")
    sets = agreeing_sets(group_figures([exact_23, *at_least_26, at_least_23]))
    # Only the exact 23 clashes with at least 26; at least 23 fits either, and joins at least 26.
    assert [[g.lead.text for g in members] for members in sets] == [
        ["At least 26", "At least 23"],
        ["23"],
    ]
    assert clash(sets[0][0], sets[1][0]) and not clash(sets[0][1], sets[1][0])


def test_values_that_all_agree_are_one_set() -> None:
    groups = group_figures([SUM_550, STATED_550, AT_LEAST_23])
    assert len(agreeing_sets([g for g in groups if g.value == 550])) == 1
    assert agreeing_sets([]) == []


def test_why_values_that_look_different_agree() -> None:
    at_least_23 = figure("At least 23 people were injured.", "At least 23", "d")
    twenty_six = figure("26 people were injured.", "26", "e")
    about_40 = figure("About 40 people were hurt.", "About 40", "f")
    forty_two = figure("42 people were hurt.", "42", "g")
    miles = figure("The missile flew 620 miles.", "620", "h")
    km = figure("The missile flew 1,000 km.", "1,000", "i")
    assert rule(at_least_23, twenty_six) is Rule.BOUND
    assert rule(about_40, forty_two) is Rule.RANGE
    assert rule(miles, km) is Rule.UNIT_CONVERSION


def test_the_same_value_of_different_units_is_two_groups() -> None:
    seven_people = restated(AT_LEAST_23, 7)
    groups = group_figures([SEVEN_HOURS, seven_people])
    assert sorted((g.value, g.lead.thing) for g in groups) == [(7, "hour"), (7, "person")]


def test_the_same_sum_in_two_currencies_is_two_groups() -> None:
    groups = group_figures([DOLLARS_5BN, EUROS_5BN, DOLLARS_5BN_GLUED])
    assert sorted((g.lead.thing or "", len(g.figures)) for g in groups) == [
        ("dollar", 2),
        ("euro", 1),
    ]


def test_a_vague_amount_is_grouped_apart_from_the_same_number() -> None:
    thousands = figure(WAR, "Thousands")
    two_thousand = figure("The war killed 2,000 people.", "2,000", "b")
    # "Thousands" is read as its lower bound, 2,000, but it is no count of 2,000.
    assert thousands.value == two_thousand.value == 2000
    groups = group_figures([thousands, two_thousand])
    assert sorted(len(g.figures) for g in groups) == [1, 1]


def test_no_figures_no_groups() -> None:
    assert group_figures([]) == []

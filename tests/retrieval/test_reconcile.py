"""Conflicts and agreement between figures, worked by hand on the seed figures: bounds and
values, totals and their parts, the same length in miles and kilometres."""

from dataclasses import replace

import pytest
from seeds import all_figures, figure

from retrieval.figures import Figure
from retrieval.numbers import Qualifier, bounds
from retrieval.reconcile import compatible, conversion_note, group_figures, has_conflict

# The seed figures the tests reason about.
INJURED_23 = figure("001", "1 person was killed", "23")  # exactly 23
AT_LEAST_23 = figure("002", "at least 23 people have been injured", "at least 23")
AT_LEAST_26 = figure("000", "killed one person and wounded", "at least 26")
INTERCEPTED_475 = figure("001", "550 Russian drones", "475")
INTERCEPTED_478 = figure("003", "478 Russian air weapons", "478")
MISSILES_11 = figure("000", "also launched 11 missiles", "11")
STATED_550 = figure("000", "Russia launched 550 drones", "550")
SUM_550 = figure("002", "The barrage, according to", "539 drones and 11 missiles")
MILES_620 = figure("000", "620-mile front line", "roughly 620-mile")  # about: 558 to 682 miles
KM_1000 = figure("004", "1,000-kilometer front line", "1,000-kilometer")
SEVEN_HOUR = figure("000", "The seven-hour bombardment", "seven-hour")
SEVEN_HOURS = figure("004", "which lasted seven hours", "seven")


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
        pytest.param(SEVEN_HOUR, MILES_620, False, id="duration vs length"),
        pytest.param(SEVEN_HOUR, restated(INJURED_23, 7), False, id="7 hours vs 7 people"),
        pytest.param(KM_1000, restated(INJURED_23, 1000), False, id="1,000 km vs 1,000 people"),
    ],
)
def test_compatible_seed_figures(a: Figure, b: Figure, expected: bool) -> None:
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


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        ([INJURED_23, AT_LEAST_26], True),
        ([INJURED_23, AT_LEAST_23, AT_LEAST_26], True),
        ([AT_LEAST_23, AT_LEAST_26], False),
        ([INTERCEPTED_475, INTERCEPTED_478], True),
        ([STATED_550, SUM_550], False),
        ([MILES_620, KM_1000], False),
        # Different things never conflict: 11 missiles are not 475 air weapons.
        ([INTERCEPTED_475, MISSILES_11], False),
        ([INJURED_23], False),
        ([], False),
    ],
    ids=lambda v: " / ".join(f.text for f in v) or "none" if isinstance(v, list) else None,
)
def test_has_conflict(figures: list[Figure], expected: bool) -> None:
    assert has_conflict(figures) is expected


def test_miles_converted_to_kilometres() -> None:
    # 620 mi * 1,609.344 m / 1,000 m = 997.79 km, printed 998.
    assert conversion_note(MILES_620, KM_1000) == (
        "620 miles is about 998 km, so roughly 620-mile and 1,000-kilometer agree"
    )


def test_kilometres_converted_to_miles() -> None:
    # 1,000 km * 1,000 m / 1,609.344 m = 621.37 mi, printed 621.
    assert conversion_note(KM_1000, MILES_620) == (
        "1,000 km is about 621 miles, so 1,000-kilometer and roughly 620-mile agree"
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(SEVEN_HOUR, SEVEN_HOURS, id="same unit"),
        pytest.param(AT_LEAST_23, AT_LEAST_26, id="counts"),
        pytest.param(SEVEN_HOUR, MILES_620, id="different dimensions"),
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
    assert group.doc_ids == (STATED_550.doc_id, SUM_550.doc_id)


def seed_figures(thing: str, action: str) -> list[Figure]:
    return [f for f in all_figures() if (f.thing, f.action) == (thing, action)]


def test_groups_with_more_articles_come_first() -> None:
    # One person killed is in four articles (000, 001, 004, and "a woman" in 002); five near
    # Pokrovsk and thousands in the war in one each: the larger value first among equals.
    groups = group_figures(seed_figures("person", "killed"))
    assert [(g.value, len(g.doc_ids)) for g in groups] == [(1, 4), (2000, 1), (5, 1)]
    assert [g.doc_ids[0][:3] for g in groups] == ["000", "003", "003"]


def test_equal_support_puts_the_larger_value_first() -> None:
    # At least 26 injured (000, 002, 004) and 23 injured (001, 002, 003): three articles each.
    groups = group_figures(seed_figures("person", "injured"))
    assert [(g.value, len(g.doc_ids)) for g in groups] == [(26, 3), (23, 3), (2, 1)]


def test_a_group_leads_with_its_most_common_wording() -> None:
    # 23 injured: exactly 23 in 001, "at least 23" in 002 and 003.
    groups = {g.value: g for g in group_figures(seed_figures("person", "injured"))}
    group = groups[23]
    assert [f.text for f in group.figures] == ["at least 23", "at least 23", "23"]
    assert [d[:3] for d in group.doc_ids] == ["002", "003", "001"]
    assert group.lead.qualifier is Qualifier.AT_LEAST


def test_the_same_value_of_different_things_is_two_groups() -> None:
    seven_people = restated(INJURED_23, 7)
    groups = group_figures([SEVEN_HOURS, seven_people])
    assert sorted((g.value, g.lead.thing) for g in groups) == [(7, "hour"), (7, "person")]


def test_no_figures_no_groups() -> None:
    assert group_figures([]) == []

"""Group the figures that answer a question by value, and tell conflicts from figures that
only look different.

Each figure allows a range of true values (``Figure.low``..``Figure.high``: "at least 26" allows
26 and up, "around 40" allows 36 to 44). Two figures for the same measure are compatible when
their ranges, in the same base unit, overlap: a bound and a value within it, 620 miles (about
998 km) and "1,000-kilometer", or a total and the sum of its parts (a total's range is the sum
of its parts' ranges). They conflict when the ranges cannot both hold: 23 against at least 26.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from retrieval.figures import Figure
from retrieval.measures import Dimension
from retrieval.numbers import Qualifier

# Unit conversions are exact, but reporters round: "620-mile" is 998 km, printed as "1,000".
ROUNDING = 0.025


class Rule(Enum):
    """Why two values that look different can both be true."""

    SUM_OF_PARTS = "sum_of_parts"  # "539 drones and 11 missiles" is 550
    UNIT_CONVERSION = "unit_conversion"  # 620 miles is about 1,000 km
    BOUND = "bound"  # "at least 23" allows 26
    RANGE = "range"  # "about 40" allows 42; a measure is printed rounded


BOUNDS = frozenset({Qualifier.AT_LEAST, Qualifier.MORE_THAN, Qualifier.UP_TO, Qualifier.LESS_THAN})


@dataclass(frozen=True)
class FigureGroup:
    """Figures of one value, qualifier and unit, best supported first."""

    figures: tuple[Figure, ...]

    @property
    def value(self) -> float:
        """The value the figures state."""
        return self.figures[0].value

    @property
    def lead(self) -> Figure:
        """The figure the group is shown by: the most common wording of the value."""
        return self.figures[0]

    @property
    def doc_ids(self) -> tuple[str, ...]:
        """The articles behind the value, in order of first appearance."""
        return tuple(dict.fromkeys(f.doc_id for f in self.figures))


def group_figures(figures: Sequence[Figure]) -> list[FigureGroup]:
    """One group per distinct (value, qualifier, unit), most articles first, then larger values.

    "23" and "at least 23" are two groups: one may conflict with a third value ("at least 26")
    where the other does not. A figure and a total of parts with the same value go into one
    group, the stated total first.
    """
    groups: dict[tuple[float, Qualifier, str | None], list[Figure]] = {}
    for figure in figures:
        unit = figure.unit.name if figure.unit is not None else None
        groups.setdefault((figure.value, figure.qualifier, unit), []).append(figure)
    result = []
    for members in groups.values():
        members.sort(key=lambda f: bool(f.parts))
        result.append(FigureGroup(tuple(members)))
    result.sort(key=lambda g: (-len(g.doc_ids), -g.value))
    return result


def agreeing_sets(groups: Sequence[FigureGroup]) -> list[list[FigureGroup]]:
    """The values split into sets that can all be true together, best supported set first.

    Values that clash with others seed the sets (the most clashes first, then the best
    supported); a value compatible with several sets joins the first, so "at least 23" stands
    with "at least 26" against "23" rather than with "23" against "at least 26". Every value is
    in exactly one set; two values in one set are always compatible.
    """
    clashes = {
        id(g): sum(not compatible(g.lead, other.lead) for other in groups if other is not g)
        for g in groups
    }
    order = sorted(groups, key=lambda g: (-clashes[id(g)], -len(g.doc_ids), -g.value))
    sets: list[list[FigureGroup]] = []
    for group in order:
        for members in sets:
            if all(compatible(group.lead, m.lead) for m in members):
                members.append(group)
                break
        else:
            sets.append([group])
    for members in sets:
        members.sort(key=lambda g: (-len(g.doc_ids), -g.value))
    sets.sort(key=lambda ms: (-len({d for g in ms for d in g.doc_ids}), -ms[0].value))
    return sets


def clash(a: FigureGroup, b: FigureGroup) -> bool:
    """Whether two values of one measure cannot both be true."""
    return a.lead.dimension is b.lead.dimension and not compatible(a.lead, b.lead)


def rule(a: Figure, b: Figure) -> Rule:
    """Why two compatible values that look different can both be true."""
    if a.unit != b.unit and a.unit is not None and b.unit is not None:
        return Rule.UNIT_CONVERSION
    if a.qualifier in BOUNDS or b.qualifier in BOUNDS:
        return Rule.BOUND
    return Rule.RANGE


def compatible(a: Figure, b: Figure) -> bool:
    """Whether both figures can be true of one measure."""
    if a.dimension is not b.dimension:
        return False
    if a.dimension is Dimension.MONEY and a.unit != b.unit:
        return False  # no exchange rate is assumed
    low_a, high_a = _base_range(a)
    low_b, high_b = _base_range(b)
    return low_a <= high_b and low_b <= high_a


def has_conflict(figures: Sequence[Figure]) -> bool:
    """Whether any two of the figures (all answering one measure) are incompatible."""
    return any(
        a.dimension is b.dimension and not compatible(a, b)
        for a, b in itertools.combinations(figures, 2)
    )


def _base_range(figure: Figure) -> tuple[float, float]:
    low, high = figure.in_base_units(figure.low), figure.in_base_units(figure.high)
    if figure.dimension is not Dimension.COUNT and figure.qualifier is Qualifier.EXACT:
        # A measured length or duration is printed rounded: allow for that.
        # Widen by the share of each bound's size, so that a negative value (-10 °C) widens
        # too instead of turning its range inside out.
        low, high = low - abs(low) * ROUNDING, high + abs(high) * ROUNDING
    return low, high


def conversion_note(a: Figure, b: Figure) -> str | None:
    """ "620 miles is about 998 km" when two measures in different units agree, else None."""
    if a.unit == b.unit or a.unit is None or b.unit is None or a.dimension is not b.dimension:
        return None
    if not compatible(a, b):
        return None
    converted = (a.in_base_units(a.value) - b.unit.offset) / b.unit.scale
    given = f"{format_value(a.value)} {a.unit.shown(a.value)}"
    return f"{given} is about {format_value(round(converted))} {b.unit.shown(converted)}"


def format_value(value: float) -> str:
    """A value as a reader writes it: "1,000", "2.5"."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,g}"

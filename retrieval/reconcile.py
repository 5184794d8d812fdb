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

from retrieval.figures import Figure
from retrieval.measures import Dimension
from retrieval.numbers import Qualifier

# Unit conversions are exact, but reporters round: "620-mile" is 998 km, printed as "1,000".
ROUNDING = 0.025


@dataclass(frozen=True)
class FigureGroup:
    """Figures of one value and unit, best supported first."""

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
    """One group per distinct (value, unit), most articles first, then larger values.

    A figure and a total of parts with the same value and unit go into one group.
    """
    groups: dict[tuple[float, str | None, bool], list[Figure]] = {}
    for figure in figures:
        unit = figure.unit.name if figure.unit is not None else None
        groups.setdefault((figure.value, unit, figure.vague), []).append(figure)
    result = []
    for members in groups.values():
        # Stated totals before totals of parts, then the most common qualifier.
        common = max((m.qualifier for m in members), key=[m.qualifier for m in members].count)
        members.sort(key=lambda f: (bool(f.parts), f.qualifier != common))
        result.append(FigureGroup(tuple(members)))
    result.sort(key=lambda g: (-len(g.doc_ids), -g.value))
    return result


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
    return (
        f"{_format(a.value)} {a.unit.shown(a.value)} is about {_format(round(converted))} "
        f"{b.unit.shown(converted)}, so {a.text} and {b.text} agree"
    )


def _format(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,g}"

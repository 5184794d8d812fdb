"""Character spans into an article's text."""

from enum import Enum
from typing import NamedTuple


class Span(NamedTuple):
    """A half-open character range ``text[start:end]``."""

    start: int
    end: int

    def overlaps(self, other: "Span") -> bool:
        """Whether the two ranges share at least one character."""
        return self.start < other.end and other.start < self.end


class BoilerplateKind(Enum):
    """Why a span of an article is not indexed."""

    DATE_HEADER = "date_header"
    REPEATED_LINE = "repeated_line"
    RATING_WIDGET = "rating_widget"
    COMMENTS_WIDGET = "comments_widget"
    STRAY_SYMBOL = "stray_symbol"


class Boilerplate(NamedTuple):
    """A span of an article that is kept in the text (offsets stay valid) but not indexed."""

    start: int
    end: int
    kind: BoilerplateKind

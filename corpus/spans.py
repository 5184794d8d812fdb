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
    # Web clutter: a photo's caption (with or without its credit) or a media placeholder.
    CAPTION = "caption"
    # A photo credit standing alone: "Getty Images", "Jae C. Hong/AP".
    PHOTO_CREDIT = "photo_credit"
    # A picture gallery's counters and widgets: "Hide Caption 3 of 12", "1/16 ...".
    GALLERY = "gallery"
    # Who wrote it and when: "By Jane Doe, CNN", "Updated 1234 GMT", "(Reporting by ...)".
    BYLINE = "byline"
    # Links to other stories: "Read more: ...", "Related: ...", "[Linked headline]".
    READ_MORE = "read_more"
    # Calls to share, follow, subscribe or scroll, advertisement markers, copyright footers.
    PROMO = "promo"
    # A short line with no verb, a heading or a label: "Complete disregard".
    VERBLESS_LINE = "verbless_line"
    # A line the outlet prints on the pages of several unrelated stories.
    OUTLET_TEMPLATE = "outlet_template"


class Boilerplate(NamedTuple):
    """A span of an article that is kept in the text (offsets stay valid) but not indexed."""

    start: int
    end: int
    kind: BoilerplateKind

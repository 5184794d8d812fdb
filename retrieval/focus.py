"""What the articles are mainly about, so that a figure from a side story is not taken for an
answer: five killed around Pokrovsk is not the death toll of the Kyiv attack, and 5,438 drones
in June are not the drones of one night."""

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from corpus import Article
from retrieval.lexicon import MONTH_PATTERN, MONTHS

# A place or month counts as the story's own when at least this share of articles name it.
FOCUS_SHARE = 0.5
# A place named by this share of the articles is where the story happens.
MAIN_SHARE = 0.8
_SIDE_WEAPON = re.compile(
    r"\b(Russian|Ukrainian)\s+(?:[\w-]+\s+)?(?:drones?|missiles?|UAVs?|air\s+weapons)\b"
)


@lru_cache(maxsize=8192)
def _named(text: str) -> tuple[frozenset[str], Counter[str]]:
    """The months an article names (as "jul") and how often it names each side's weapons;
    cached by text, as every question's focus reads the same articles again."""
    months = frozenset(m.group().rstrip(".")[:3].lower() for m in MONTH_PATTERN.finditer(text))
    return months, Counter(m.group(1) for m in _SIDE_WEAPON.finditer(text))


@dataclass
class Focus:
    """Places, months and the attacking side a set of articles is about; place look-ups are
    cached.

    The story's months are those of the articles' dates and the month the articles name most
    (if at least half name it); its places are those at least half of the articles name.
    """

    texts: tuple[str, ...]
    months: frozenset[str]
    side: str | None
    _places: dict[str, bool] = field(default_factory=dict)
    _main_places: dict[str, bool] = field(default_factory=dict)

    @classmethod
    def of(cls, articles: Iterable[Article]) -> "Focus":
        """The focus of a corpus."""
        articles = list(articles)
        texts = tuple(a.text for a in articles)
        needed = max(1, math.ceil(FOCUS_SHARE * len(texts)))
        month_counts: Counter[str] = Counter()
        sides: Counter[str] = Counter()
        for article in articles:
            months_named, sides_named = _named(article.text)
            month_counts.update(months_named)
            sides.update(sides_named)
        dated = {MONTHS[int(a.date[5:7]) - 1][:3] for a in articles if a.date}
        top = month_counts.most_common(1)
        months = frozenset(dated | ({top[0][0]} if top and top[0][1] >= needed else set()))
        ranked = sides.most_common(2)
        side = (
            ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
        )
        return cls(texts=texts, months=months, side=side)

    def is_focus_place(self, place: str) -> bool:
        """Whether at least half of the articles name ``place``."""
        if place not in self._places:
            needed = max(1, math.ceil(FOCUS_SHARE * len(self.texts)))
            self._places[place] = sum(place in text for text in self.texts) >= needed
        return self._places[place]

    def is_main_place(self, place: str) -> bool:
        """Whether nearly every article names ``place`` (Kyiv, in the Kyiv corpus): a question
        asking about it asks about the story itself, not a side story within it."""
        if place not in self._main_places:
            needed = max(1, math.ceil(MAIN_SHARE * len(self.texts)))
            self._main_places[place] = sum(place in text for text in self.texts) >= needed
        return self._main_places[place]

    def is_focus_month(self, month: str) -> bool:
        """Whether ``month`` ("June", "Jul") is the story's own month."""
        return month[:3].lower() in self.months

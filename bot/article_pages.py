"""One page of the article listing, by doc id, from whatever mapping the index serves its
articles from."""

import heapq
from collections.abc import Mapping
from typing import NamedTuple, Protocol, runtime_checkable

from corpus import Article


@runtime_checkable
class PagedArticles(Protocol):
    """Articles that can list a page themselves (an SQLite-backed store, say) instead of being
    read whole to find one."""

    def page(self, after: str | None, limit: int) -> list[Article]:
        """Up to ``limit`` articles by doc id, each after ``after`` (``None``: from the first)."""
        ...


class ArticlePage(NamedTuple):
    """A page of articles by doc id; ``next`` is the last doc id listed when more follow (the
    ``after`` of the next page), else ``None``."""

    articles: list[Article]
    next: str | None


def article_page(articles: Mapping[str, Article], after: str | None, limit: int) -> ArticlePage:
    """Up to ``limit`` of ``articles`` by doc id, each strictly after ``after`` (``None``: from
    the first), read with ``articles.page`` when the mapping has it.

    Raises:
        ValueError: ``limit`` is less than 1.
    """
    if limit < 1:
        raise ValueError(f"limit {limit}: a page holds at least one article")
    # One more than asked for says whether another page follows.
    if isinstance(articles, PagedArticles):
        found = articles.page(after, limit + 1)
    else:
        # nsmallest rather than sorted: a page need not sort every doc id.
        doc_ids = heapq.nsmallest(limit + 1, (d for d in articles if after is None or d > after))
        found = [articles[doc_id] for doc_id in doc_ids]
    if len(found) > limit:
        return ArticlePage(found[:limit], found[limit - 1].doc_id)
    return ArticlePage(found, None)

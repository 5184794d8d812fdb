"""A page of articles by doc id, from a plain dict and from a store that pages itself."""

from collections.abc import Callable, Iterator, Mapping

import pytest

from bot.article_pages import ArticlePage, article_page
from corpus import Article, make_article

ARTICLES = {
    doc_id: make_article(doc_id, f"Officials said {n} drones were launched.")
    for n, doc_id in enumerate(["c-3", "a-1", "d-4", "b-2", "e-5"])
}


class PagingStore(Mapping[str, Article]):
    """Articles that list a page themselves, as an SQLite-backed store does; reading them whole
    (iterating) fails, so a page must come from ``page``."""

    def __init__(self, articles: Mapping[str, Article]) -> None:
        self.articles = dict(articles)
        self.pages: list[tuple[str | None, int]] = []

    def __getitem__(self, doc_id: str) -> Article:
        return self.articles[doc_id]

    def __len__(self) -> int:
        return len(self.articles)

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("a paging store is never read whole")

    def page(self, after: str | None, limit: int) -> list[Article]:
        self.pages.append((after, limit))
        doc_ids = sorted(d for d in self.articles if after is None or d > after)
        return [self.articles[d] for d in doc_ids[:limit]]


def ids(page: ArticlePage) -> tuple[list[str], str | None]:
    return [a.doc_id for a in page.articles], page.next


@pytest.mark.parametrize("store", [dict, PagingStore], ids=["dict", "paging-store"])
def test_pages_follow_doc_ids_and_end_with_no_next(
    store: Callable[[Mapping[str, Article]], Mapping[str, Article]],
) -> None:
    articles = store(ARTICLES)
    assert ids(article_page(articles, None, 2)) == (["a-1", "b-2"], "b-2")
    assert ids(article_page(articles, "b-2", 2)) == (["c-3", "d-4"], "d-4")
    assert ids(article_page(articles, "d-4", 2)) == (["e-5"], None)
    assert ids(article_page(articles, None, 5)) == (["a-1", "b-2", "c-3", "d-4", "e-5"], None)
    assert ids(article_page(articles, "b", 1)) == (["b-2"], "b-2")  # after need not be a doc id
    assert ids(article_page(articles, "z", 3)) == ([], None)


def test_a_store_that_pages_is_asked_for_one_more_than_the_page() -> None:
    store = PagingStore(ARTICLES)
    article_page(store, "a-1", 2)
    assert store.pages == [("a-1", 3)]


def test_a_page_holds_at_least_one_article() -> None:
    with pytest.raises(ValueError, match="limit 0: a page holds at least one article"):
        article_page(ARTICLES, None, 0)

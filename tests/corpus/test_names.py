"""How an article is shown to people: its outlet, else its URL's domain, its title, or its doc id
without a hash; never a hex id."""

import re

import pytest

from corpus import Article


@pytest.mark.parametrize(
    ("article", "name"),
    [
        (Article("000_c9b33be09081a972", "t", source="Associated Press",
                 url="https://apnews.com/x", title="Kyiv"), "Associated Press"),
        (Article("a", "t", url="https://www.reuters.com/world/x", title="Kyiv"), "reuters.com"),
        (Article("a", "t", title="Russia launches its biggest attack"),
         "Russia launches its biggest attack"),
        # A long title is cut at a word.
        (Article("a", "t", title="Russia launches biggest missile and drone attack on Kyiv since "
                 "the start of the Ukraine war"), "Russia launches biggest missile and drone…"),
        (Article("004_72ab227803a444ef", "t"), "Article 004"),
        (Article("post-9f2c41d0a7be13e2", "t"), "post"),
        (Article("9f2c41d0a7be13e2", "t"), "Untitled article"),
        # No hash in it: the doc id is a name someone chose.
        (Article("kyiv-ap", "t"), "kyiv-ap"),
        (Article("report-2025", "t"), "report-2025"),
    ],
)  # fmt: skip
def test_an_article_is_shown_by_a_name_people_can_read(article: Article, name: str) -> None:
    assert article.name == name
    assert len(article.name) <= 48
    assert not re.search(r"[0-9a-f]{8,}", article.name)

"""Hybrid search over the bundled articles with the stand-in embedder."""

import pytest

from corpus import Article
from index import ChunkIndex, HashEmbedder
from retrieval import HybridSearcher, Retriever, SearchError, reciprocal_rank_fusion


@pytest.fixture
def searcher(hash_index: ChunkIndex, hash_embedder: HashEmbedder) -> HybridSearcher:
    return HybridSearcher(hash_index, hash_embedder)


@pytest.mark.parametrize("retriever", list(Retriever), ids=lambda r: r.value)
def test_passages_quote_their_articles_exactly(
    searcher: HybridSearcher, bundled_articles: tuple[Article, ...], retriever: Retriever
) -> None:
    texts = {a.doc_id: a.text for a in bundled_articles}
    sources = {a.doc_id: a.source for a in bundled_articles}
    passages = searcher.search("how many missiles were launched", 10, retriever)
    assert len(passages) == 10
    for p in passages:
        assert texts[p.doc_id][p.start : p.end] == p.text
        assert p.source == sources[p.doc_id]
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)


def test_hybrid_is_the_fusion_of_both_rankings(searcher: HybridSearcher) -> None:
    query = "ambulances damaged rubble"
    bm25 = searcher.search(query, 50, Retriever.BM25)
    dense = searcher.search(query, 50, Retriever.DENSE)
    key = lambda p: (p.doc_id, p.start)  # noqa: E731
    expected = reciprocal_rank_fusion([[key(p) for p in bm25], [key(p) for p in dense]])[:5]
    hybrid = searcher.search(query, 5)
    assert [(key(p), pytest.approx(p.score)) for p in hybrid] == [
        (k, pytest.approx(s)) for k, s in expected
    ]
    bm25_ranks = {key(p): n for n, p in enumerate(bm25, 1)}
    dense_ranks = {key(p): n for n, p in enumerate(dense, 1)}
    for p in hybrid:
        assert p.bm25_rank == bm25_ranks.get(key(p))
        assert p.dense_rank == dense_ranks.get(key(p))


def test_single_retrievers_report_only_their_own_rank(searcher: HybridSearcher) -> None:
    bm25 = searcher.search("ambulances", 3, Retriever.BM25)
    dense = searcher.search("ambulances", 3, Retriever.DENSE)
    assert [(p.bm25_rank, p.dense_rank) for p in bm25] == [(1, None), (2, None)]
    assert [(p.bm25_rank, p.dense_rank) for p in dense] == [(None, 1), (None, 2), (None, 3)]


def test_bm25_leaves_out_chunks_without_a_query_term(searcher: HybridSearcher) -> None:
    passages = searcher.search("ambulances", 10, Retriever.BM25)
    assert passages and all("ambulances" in p.text.lower() for p in passages)


@pytest.mark.parametrize(
    ("query", "k", "message"),
    [("", 5, "the query is empty"), ("   \n", 5, "the query is empty"), ("drones", 0, "k must be")],
)
def test_bad_requests_are_refused(
    searcher: HybridSearcher, query: str, k: int, message: str
) -> None:
    with pytest.raises(SearchError, match=message):
        searcher.search(query, k)

"""Hybrid passage search: BM25 and dense retrieval fused by reciprocal rank fusion."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from retrieval.fusion import RRF_K, reciprocal_rank_fusion

if TYPE_CHECKING:
    from index import Embedder, SearchIndex


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: ``article.text[start:end] == text``.

    ``score`` is the fused score (or the single retriever's score); ``bm25_rank`` and
    ``dense_rank`` are the chunk's 1-based ranks in each retriever's candidate list, ``None``
    where it was not among them.
    """

    doc_id: str
    source: str | None
    start: int
    end: int
    text: str
    score: float
    bm25_rank: int | None
    dense_rank: int | None


class Retriever(Enum):
    """Which ranking a search returns."""

    BM25 = "bm25"
    DENSE = "dense"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class SearchConfig:
    """``candidates`` chunks are taken from each retriever before fusing with constant ``rrf_k``."""

    candidates: int = 50
    rrf_k: int = RRF_K


class SearchError(ValueError):
    """A search request is invalid (empty query, bad ``k``)."""


def check_search(query: str, k: int) -> None:
    """Check a search request before any work is done for it.

    Raises:
        SearchError: the query is empty or ``k`` is not positive.
    """
    if not query.strip():
        raise SearchError("the query is empty")
    if k < 1:
        raise SearchError(f"k must be at least 1, got {k}")


class HybridSearcher:
    """Searches one loaded index."""

    def __init__(
        self, index: "SearchIndex", embedder: "Embedder", config: SearchConfig = SearchConfig()
    ) -> None:
        self._index = index
        self._embedder = embedder
        self._config = config

    def search(
        self, query: str, k: int = 10, retriever: Retriever = Retriever.HYBRID
    ) -> list[Passage]:
        """The ``k`` best passages for ``query``, best first.

        Raises:
            SearchError: the query is empty or ``k`` is not positive.
        """
        check_search(query, k)
        return _RANKERS[retriever](self, query, k)

    def _bm25(self, query: str, k: int) -> list[Passage]:
        ranked = self._index.bm25_top(query, max(k, self._config.candidates))
        return [self._passage(p, s, rank, None) for rank, (p, s) in enumerate(ranked, 1)][:k]

    def _dense(self, query: str, k: int) -> list[Passage]:
        ranked = self._dense_ranked(query, max(k, self._config.candidates))
        return [self._passage(p, s, None, rank) for rank, (p, s) in enumerate(ranked, 1)][:k]

    def _hybrid(self, query: str, k: int) -> list[Passage]:
        n = max(k, self._config.candidates)
        # A backend that fuses the two rankings itself (Milvus's hybrid search) is asked once.
        fused_by_backend = getattr(self._index, "hybrid_top", None)
        if fused_by_backend is not None:
            vector = self._embedder.embed([query])[0]
            fused_hits = fused_by_backend(query, vector, n, self._config.rrf_k)[:k]
            return [self._passage(p, s, None, None) for p, s in fused_hits]
        bm25 = [position for position, _ in self._index.bm25_top(query, n)]
        dense = [position for position, _ in self._dense_ranked(query, n)]
        bm25_rank = {position: rank for rank, position in enumerate(bm25, 1)}
        dense_rank = {position: rank for rank, position in enumerate(dense, 1)}
        fused = reciprocal_rank_fusion([bm25, dense], self._config.rrf_k)[:k]
        return [self._passage(p, s, bm25_rank.get(p), dense_rank.get(p)) for p, s in fused]

    def _dense_ranked(self, query: str, n: int) -> list[tuple[int, float]]:
        return self._index.dense_top(self._embedder.embed([query])[0], n)

    def _passage(
        self, position: int, score: float, bm25_rank: int | None, dense_rank: int | None
    ) -> Passage:
        chunk = self._index.chunks[position]
        return Passage(
            doc_id=chunk.doc_id,
            source=self._index.articles[chunk.doc_id].source,
            start=chunk.start,
            end=chunk.end,
            text=chunk.text,
            score=score,
            bm25_rank=bm25_rank,
            dense_rank=dense_rank,
        )


# Unbound, so that a searcher holds no reference to itself and is freed as soon as it is dropped.
_RANKERS: dict[Retriever, Callable[[HybridSearcher, str, int], list[Passage]]] = {
    Retriever.BM25: HybridSearcher._bm25,
    Retriever.DENSE: HybridSearcher._dense,
    Retriever.HYBRID: HybridSearcher._hybrid,
}

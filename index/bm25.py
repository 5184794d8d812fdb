"""BM25 scoring of chunks, with rank-bm25's ``BM25Okapi`` as the scorer.

BM25 (Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond", 2009)
with rank-bm25's defaults k1 = 1.5, b = 0.75, and its floor for negative IDF (epsilon = 0.25 of
the mean IDF), which matters on small corpora where common terms would otherwise score below 0.
"""

from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi


class Bm25Scorer:
    """Scores every chunk against a tokenized query."""

    def __init__(self, chunk_terms: Sequence[Sequence[str]]) -> None:
        if not chunk_terms:
            raise ValueError("BM25 needs at least one chunk")
        self._model = BM25Okapi([list(terms) for terms in chunk_terms])
        self._size = len(chunk_terms)

    def idf(self, term: str) -> float | None:
        """The term's inverse document frequency as BM25 uses it, or None if no chunk has it."""
        value = self._model.idf.get(term)
        return None if value is None else float(value)

    def top(self, query_terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        """The ``n`` best chunks as ``(chunk position, score)``, best first.

        Chunks sharing no term with the query are left out, so the list may be shorter than ``n``.
        """
        terms = list(dict.fromkeys(query_terms))
        if not terms or n <= 0:
            return []
        scores = np.asarray(self._model.get_scores(terms), dtype=np.float64)
        matched = np.zeros(self._size, dtype=bool)
        for term in terms:
            matched |= np.fromiter(
                (term in freqs for freqs in self._model.doc_freqs), dtype=bool, count=self._size
            )
        candidates = np.flatnonzero(matched)
        order = candidates[np.lexsort((candidates, -scores[candidates]))][:n]
        return [(int(i), float(scores[i])) for i in order]

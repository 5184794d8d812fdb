"""A loaded index: the articles, their chunks, BM25 and vector search over the chunks, the
stories the articles make, and what an annotator stored for each article."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import Article, Chunk
from index.annotations import Annotations
from index.embedders import Vectors
from index.manifest import Manifest
from index.sparse import SparseBm25
from index.stories import StoryMap
from index.tokenizer import tokenize
from index.vectors import VectorIndex


@dataclass(frozen=True)
class ChunkIndex:
    """An index generation loaded into memory; read-only, safe to share between threads.

    Chunks are addressed by their position in ``chunks``; ``stories`` groups the articles by
    the event they report; ``annotations`` holds what the annotator named in
    ``manifest.annotator`` computed for each article when it was indexed (None: no annotator).
    """

    manifest: Manifest
    generation: Path
    articles: Mapping[str, Article]
    chunks: Sequence[Chunk]
    bm25: SparseBm25
    vectors: VectorIndex
    stories: StoryMap = field(default_factory=StoryMap)
    annotations: Annotations | None = None

    def annotation(self, doc_id: str) -> dict[str, Any] | None:
        """What the index's annotator (``manifest.annotator``) stored for article ``doc_id``,
        read from disk now; None when the index has no annotation for it.

        Raises:
            IndexDamagedError: the stored annotation is malformed.
        """
        return None if self.annotations is None else self.annotations.get(doc_id)

    def bm25_top(self, query: str, n: int) -> list[tuple[int, float]]:
        """The ``n`` best chunks for ``query`` by BM25, as ``(position, score)``, best first."""
        return self.bm25.top(tokenize(query), n)

    def term_weight(self, term: str) -> float:
        """How informative an index term is: its BM25 IDF, or the largest IDF possible when no
        chunk contains it (a word the articles never use says the most about a question)."""
        weight = self.bm25.idf(term)
        if weight is None:
            n = len(self.chunks)
            return math.log((n + 0.5) / 0.5)
        return weight

    def dense_top(self, query_vector: Vectors, n: int) -> list[tuple[int, float]]:
        """The ``n`` chunks nearest to a query vector, as ``(position, cosine)``, best first."""
        return self.vectors.top(query_vector, n)

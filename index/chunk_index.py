"""A loaded index: a base generation and the segments written since, searched as one (the
articles, their chunks, BM25 and vector search over the chunks, the stories the articles make,
and what an annotator stored for each article)."""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from index.article_store import ArticleStore, StoreVersion
from index.chunk_table import ChunkTable
from index.embedders import Vectors
from index.layers import LayeredBm25, LayeredStories, LayeredVectors
from index.manifest import AnnotatorStamp, Manifest
from index.segments import Segment
from index.sparse import SparseBm25
from index.store import LiveState
from index.stories import StoryMap
from index.tokenizer import tokenize
from index.vectors import VectorIndex


@dataclass(frozen=True)
class Base:
    """A loaded base generation: its manifest, chunk table rows, BM25 postings and vectors
    (memory-mapped), its article store and the stories it holds."""

    path: Path
    manifest: Manifest
    store: ArticleStore
    rows: NDArray[np.int32]
    bm25: SparseBm25
    vectors: VectorIndex
    stories: StoryMap


@dataclass(frozen=True)
class ChunkIndex:
    """One published version of the index; read-only, safe to share between threads.

    Chunks are addressed by their position in ``chunks``: the base's, then the segments' (the
    positions of removed articles' chunks are never returned by a search). ``articles`` reads
    the article store as this version sees it; ``stories`` groups the articles by the event they
    report; ``annotation`` gives what the annotator named in ``manifest.annotator`` computed for
    an article when it was indexed.
    """

    state: LiveState
    base: Base
    segments: tuple[Segment, ...]
    articles: StoreVersion
    chunks: ChunkTable
    bm25: LayeredBm25
    vectors: LayeredVectors
    stories: LayeredStories

    @property
    def manifest(self) -> Manifest:
        """The base generation's manifest."""
        return self.base.manifest

    @property
    def annotator(self) -> AnnotatorStamp | None:
        """The annotator whose stored annotations this index uses."""
        return self.base.manifest.annotator

    @property
    def generation(self) -> Path:
        """The base generation's folder."""
        return self.base.path

    @property
    def version(self) -> str:
        """The name of the newest generation or segment this version holds."""
        return self.state.version

    @property
    def upto(self) -> int:
        """The last sequence number this version holds."""
        return self.articles.upto

    @property
    def chunk_count(self) -> int:
        """Number of live chunks."""
        return self.bm25.size

    def annotation(self, doc_id: str) -> dict[str, Any] | None:
        """What the index's annotator (``manifest.annotator``) stored for article ``doc_id``,
        read from the store now; None when it stored nothing for it.

        Raises:
            IndexDamagedError: the stored annotation is malformed.
        """
        stamp = self.manifest.annotator
        return None if stamp is None else self.articles.annotation(doc_id, stamp)

    def bm25_top(self, query: str, n: int) -> list[tuple[int, float]]:
        """The ``n`` best chunks for ``query`` by BM25, as ``(position, score)``, best first."""
        return self.bm25.top(tokenize(query), n)

    def term_weight(self, term: str) -> float:
        """How informative an index term is: its BM25 IDF, or the largest IDF possible when no
        chunk contains it (a word the articles never use says the most about a question)."""
        weight = self.bm25.idf(term)
        if weight is None:
            return math.log((self.chunk_count + 0.5) / 0.5)
        return weight

    def dense_top(self, query_vector: Vectors, n: int) -> list[tuple[int, float]]:
        """The ``n`` chunks nearest to a query vector, as ``(position, cosine)``, best first."""
        return self.vectors.top(query_vector, n)

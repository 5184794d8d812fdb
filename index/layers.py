"""Search over a base generation and the segments written since, as if they were one index.

A segment adds chunks and removes articles (``index.segments``). The layered view hides the
removed articles' chunks, appends the segments' live chunks after the base's, and scores BM25
with the statistics of the whole: the number of live chunks, their average length and each
term's document frequency are the base's, minus what the removed chunks held, plus what the
segments add. Scores are therefore those of a full build over the same articles in the same
order (``tests/index/test_segments.py`` checks them against rank-bm25 over the union).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from index.bm25_top import Bm25Kernel, CompiledTop
from index.embedders import Vectors
from index.sparse import EPSILON, K1, SparseBm25, length_norm, top_of
from index.stories import Story, StoryMap
from index.vectors import VectorIndex


@dataclass(frozen=True)
class Removed:
    """What the base has lost to removals: how many chunks, their total length in index terms,
    and how many of them hold each term."""

    chunks: int = 0
    length: int = 0
    frequencies: Mapping[str, int] = field(default_factory=dict)


class LayeredBm25:
    """BM25 (``BM25Okapi``'s formula, as ``index.sparse``) over the base's live chunks, then the
    segments' live chunks (``added``, one list of index terms each, positions after the base's).
    """

    def __init__(
        self,
        base: SparseBm25,
        added: Sequence[Sequence[str]] = (),
        removed: Removed = Removed(),
        hidden: NDArray[np.int64] | None = None,
    ) -> None:
        self._base = base
        self._delta = SparseBm25.from_terms(added) if added else None
        self._removed = removed
        self._hidden = np.zeros(0, dtype=np.int64) if hidden is None else hidden
        self._split = base.size
        added_length = int(self._delta.lengths.sum(dtype=np.int64)) if self._delta else 0
        self._size = base.size - removed.chunks + len(added)
        self._positions = base.size + len(added)
        total = int(base.lengths.sum(dtype=np.int64)) - removed.length + added_length
        # BM25Okapi: avgdl = total length / documents (1.0 only avoids dividing by zero).
        self._avgdl = (total / self._size if self._size else 0.0) or 1.0
        self._layered = self._delta is not None or removed.chunks > 0
        self._base_norm: NDArray[np.float64] | None = None
        self._delta_norm: NDArray[np.float64] | None = None
        self._mean: float | None = None
        self._compiled: CompiledTop | None = None

    @property
    def size(self) -> int:
        """Number of live chunks."""
        return self._size

    @property
    def hidden(self) -> NDArray[np.int64]:
        """The positions of removed articles' chunks."""
        return self._hidden

    @property
    def positions(self) -> int:
        """Number of chunk positions, the hidden ones included."""
        return self._positions

    def document_frequency(self, term: str) -> int:
        """How many live chunks hold ``term``."""
        frequency = self._base.document_frequency(term) - self._removed.frequencies.get(term, 0)
        if self._delta is not None:
            frequency += self._delta.document_frequency(term)
        return frequency

    def idf(self, term: str) -> float | None:
        """The term's inverse document frequency as BM25 uses it, or None if no chunk has it."""
        if not self._layered:
            return self._base.idf(term)
        frequency = self.document_frequency(term)
        if frequency <= 0:
            return None
        value = _raw_idf(frequency, self._size)
        return value if value >= 0 else EPSILON * self._mean_idf()

    def scores(self, query_terms: Sequence[str]) -> NDArray[np.float64]:
        """Every position's score (hidden ones 0), as ``BM25Okapi.get_scores`` would give it."""
        ids, values = self._contributions(list(dict.fromkeys(query_terms)))
        scores = np.bincount(ids, weights=values, minlength=self._positions).astype(np.float64)
        scores[self._hidden] = 0.0
        return scores

    def top(
        self, query_terms: Sequence[str], n: int, kernel: Bm25Kernel | None = None
    ) -> list[tuple[int, float]]:
        """The ``n`` best live chunks as ``(position, score)``, best first, ties by position.

        Chunks sharing no term with the query are left out, so the list may be shorter than ``n``.
        ``kernel`` picks how they are found (the same list either way); by default, by the
        number of positions (``Bm25Kernel.for_positions``).
        """
        terms = list(dict.fromkeys(query_terms))
        if not terms or n <= 0:
            return []
        if (kernel or Bm25Kernel.for_positions(self._positions)) is Bm25Kernel.NUMPY:
            ids, values = self._contributions(terms)
            return top_of(ids, values, self._positions, self._hidden, n)
        weighted = [(term, idf) for term in terms if (idf := self.idf(term)) is not None]
        known = [term for term, _ in weighted]
        if self._compiled is None:
            hidden = np.zeros(self._positions, dtype=np.bool_)
            hidden[self._hidden] = True
            longest = max(int(np.max(index.lengths)) for _, index, _ in self._layers())
            norms = length_norm(np.arange(longest + 1), self._avgdl)
            self._compiled = CompiledTop(norms, hidden, K1 + 1)
        layers = [index.layer_postings(known, shift) for shift, index, _ in self._layers()]
        return self._compiled.top(layers, [idf for _, idf in weighted], n)

    def _contributions(self, terms: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        id_parts: list[NDArray[np.int64]] = []
        value_parts: list[NDArray[np.float64]] = []
        for term in terms:
            idf = self.idf(term)
            if idf is None:
                continue
            for offset, index, norm in self._layers():
                found = index.posting_list(term)
                if found is None:
                    continue
                chunks = np.asarray(found[0], dtype=np.int64)
                freqs = np.asarray(found[1], dtype=np.float64)
                value_parts.append(idf * (freqs * (K1 + 1) / (freqs + norm[chunks])))
                id_parts.append(chunks + offset)
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(id_parts), np.concatenate(value_parts)

    def _layers(self) -> list[tuple[int, SparseBm25, NDArray[np.float64]]]:
        if self._base_norm is None:
            self._base_norm = self._norm(self._base.lengths)
        layers = [(0, self._base, self._base_norm)]
        if self._delta is not None:
            if self._delta_norm is None:
                self._delta_norm = self._norm(self._delta.lengths)
            layers.append((self._split, self._delta, self._delta_norm))
        return layers

    def _norm(self, lengths: NDArray[np.int32]) -> NDArray[np.float64]:
        return length_norm(lengths, self._avgdl)

    def _mean_idf(self) -> float:
        """The mean raw IDF over the live vocabulary, summed in first-seen order as
        ``BM25Okapi._calc_idf`` does (only asked for when a term's IDF is negative)."""
        if self._mean is None:
            total, count = 0.0, 0
            removed = self._removed.frequencies
            delta = self._delta
            frequencies = self._base.document_frequencies().tolist()
            for term, frequency in zip(self._base.terms, frequencies, strict=True):
                live = frequency - removed.get(term, 0)
                if delta is not None:
                    live += delta.document_frequency(term)
                if live > 0:
                    total += _raw_idf(live, self._size)
                    count += 1
            if delta is not None:
                for term in delta.terms:
                    if self._base.document_frequency(term) == 0:
                        total += _raw_idf(delta.document_frequency(term), self._size)
                        count += 1
            self._mean = total / count if count else 0.0
        return self._mean


class LayeredVectors:
    """Nearest chunks by cosine over the base's live vectors and the segments' (exact)."""

    def __init__(
        self,
        base: VectorIndex,
        added: Vectors | None = None,
        hidden: NDArray[np.int64] | None = None,
    ) -> None:
        self._base = base
        self._added = added
        self._hidden = None if hidden is None or not len(hidden) else hidden

    @property
    def base(self) -> VectorIndex:
        """The base generation's vector index."""
        return self._base

    def top(self, query: Vectors, n: int) -> list[tuple[int, float]]:
        """The ``n`` nearest live chunks to one query vector as ``(position, cosine)``."""
        found = self._base.top(query, n, exclude=self._hidden)
        if self._added is None or not len(self._added):
            return found
        scores = self._added @ np.asarray(query, dtype=np.float32).reshape(-1)
        best = np.argsort(-scores, kind="stable")[:n]
        split = self._base.size
        found += [(split + int(i), float(scores[i])) for i in best]
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        return found[:n]

    def reconstruct(self, positions: Sequence[int]) -> Vectors:
        """The stored vectors at ``positions``, in that order."""
        wanted = np.asarray(positions, dtype=np.int64)
        vectors = np.zeros((len(wanted), self._base.dimension), dtype=np.float32)
        inside = wanted < self._base.size
        if inside.any():
            vectors[inside] = self._base.reconstruct(wanted[inside].tolist())
        if self._added is not None and not inside.all():
            vectors[~inside] = self._added[wanted[~inside] - self._base.size]
        return vectors


class LayeredStories:
    """The base's stories with the segments' changes over them: stories rewritten or new since
    the base (``changed``) and the ids of the base's stories retired since (``retired``)."""

    def __init__(
        self, base: StoryMap, changed: Sequence[Story] = (), retired: frozenset[str] = frozenset()
    ) -> None:
        self._base = base
        self._changed = {story.id: story for story in changed}
        self._retired = retired
        self._by_doc = {doc_id: story for story in changed for doc_id in story.articles}
        self._all: tuple[Story, ...] | None = None if changed or retired else base.stories

    def story_of(self, doc_id: str) -> Story:
        """The story ``doc_id`` belongs to.

        Raises:
            KeyError: the index holds no such article.
        """
        story = self._by_doc.get(doc_id)
        if story is not None:
            return story
        story = self._base.story_of(doc_id)
        if story.id in self._retired or story.id in self._changed:
            raise KeyError(f"no article {doc_id!r} in any story")
        return story

    @property
    def stories(self) -> tuple[Story, ...]:
        """Every story, ordered by id."""
        if self._all is None:
            kept = [
                s
                for s in self._base.stories
                if s.id not in self._retired and s.id not in self._changed
            ]
            self._all = tuple(sorted([*kept, *self._changed.values()], key=lambda s: s.id))
        return self._all

    def __len__(self) -> int:
        return len(self.stories)


def _raw_idf(frequency: int, documents: int) -> float:
    """``BM25Okapi._calc_idf`` for one term, before its floor for negative values."""
    return math.log(documents - frequency + 0.5) - math.log(frequency + 0.5)

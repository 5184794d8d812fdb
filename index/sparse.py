"""BM25 over an inverted index: rank-bm25's ``BM25Okapi`` scores, without its per-query loop
over every document.

``BM25Okapi.get_scores`` walks all documents in Python for each query term (seconds a query at a
million chunks). This scorer keeps, for each term, the chunks that contain it and how often
(postings), and touches only those. It reproduces ``BM25Okapi`` exactly, including its floor for
negative IDF (``epsilon`` times the mean IDF): the IDF is computed by the same formula in the same
order, and each posting's score by the same float64 operations, summed in query-term order. A
test checks equal scores and equal top-k against ``index.bm25.Bm25Scorer`` (rank-bm25).

``top`` runs a compiled kernel (``index.bm25_pruned``, numba) on large indexes: the same sums
for the chunks that can reach the top k, the others dropped by exact upper bounds. Smaller ones
score with numpy, so a command that opens a small index and asks once never imports numba
(``index.bm25_top``).

The arrays are saved as ``.npy`` files and memory-mapped on load, so opening a large index costs
no parsing and reads no posting (``verify`` reads them all): 6 bytes per posting (int32 chunk,
uint16 term frequency) and 12 per chunk.
"""

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from index.bm25_top import Bm25Kernel, CompiledTop, LayerPostings, read_only
from index.errors import IndexDamagedError

K1 = 1.5
B = 0.75
EPSILON = 0.25

# An index's offsets, postings (chunks, term frequencies) and chunk lengths, as the kernel reads
# them.
KernelArrays = tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.uint16], NDArray[np.int32]]

SPARSE_FILES = (
    "bm25_terms.json",
    "bm25_idf.npy",
    "bm25_offsets.npy",
    "bm25_chunks.npy",
    "bm25_tfs.npy",
    "bm25_lengths.npy",
)


class SparseBm25:
    """Scores chunks against a tokenized query from postings lists; read-only once built."""

    def __init__(
        self,
        terms: Sequence[str],
        idf: NDArray[np.float64],
        offsets: NDArray[np.int64],
        chunks: NDArray[np.int32],
        tfs: NDArray[np.uint16],
        lengths: NDArray[np.int32],
    ) -> None:
        self._vocabulary = {term: i for i, term in enumerate(terms)}
        self._terms = list(terms)
        self._idf = idf
        self._offsets = offsets
        self._chunks = chunks
        self._tfs = tfs
        self._lengths = lengths
        self._size = len(lengths)
        # BM25Okapi: avgdl = total length / documents; the per-document length norm below is
        # the same expression, evaluated the same way, as in ``BM25Okapi.get_scores``.
        # (All-empty chunks have no postings to score; 1.0 only avoids dividing by zero.)
        avgdl = int(lengths.sum(dtype=np.int64)) / self._size if self._size else 0.0
        self._avgdl = avgdl or 1.0
        self._norm = length_norm(lengths, self._avgdl)
        self._compiled: CompiledTop | None = None
        self._kernel_arrays: KernelArrays | None = None

    @classmethod
    def from_terms(cls, chunk_terms: Sequence[Sequence[str]]) -> "SparseBm25":
        """Index the tokenized chunks (one list of index terms per chunk, in chunk order).

        Raises:
            ValueError: there are no chunks.
        """
        if not chunk_terms:
            raise ValueError("BM25 needs at least one chunk")
        lengths = np.fromiter((len(terms) for terms in chunk_terms), dtype=np.int64)
        # Term ids in first-seen order, the order BM25Okapi's IDF sum takes its terms in.
        vocabulary: dict[str, int] = {}
        term_ids = np.fromiter(
            (vocabulary.setdefault(t, len(vocabulary)) for terms in chunk_terms for t in terms),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        positions = np.repeat(np.arange(len(chunk_terms), dtype=np.int64), lengths)
        # One key per (term, chunk) occurrence; sorted, equal keys are one posting and its
        # count, term by term, chunks ascending.
        keys, tf_counts = np.unique(term_ids * len(chunk_terms) + positions, return_counts=True)
        posting_terms = keys // len(chunk_terms)
        chunks = (keys - posting_terms * len(chunk_terms)).astype(np.int32)
        tfs = np.minimum(tf_counts, 65535).astype(np.uint16)
        counts = np.bincount(posting_terms, minlength=len(vocabulary)).astype(np.int64)
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        idf = okapi_idf(counts, len(chunk_terms))
        return cls(list(vocabulary), idf, offsets, chunks, tfs, lengths.astype(np.int32))

    @property
    def size(self) -> int:
        """Number of chunks."""
        return self._size

    @property
    def postings(self) -> int:
        """Number of (term, chunk) pairs stored."""
        return len(self._chunks)

    @property
    def terms(self) -> Sequence[str]:
        """The index terms, in the order they were first seen."""
        return self._terms

    @property
    def lengths(self) -> NDArray[np.int32]:
        """Each chunk's number of index terms."""
        return self._lengths

    def posting_list(self, term: str) -> tuple[NDArray[np.int32], NDArray[np.uint16]] | None:
        """The chunks that hold ``term`` (ascending) and how often; None if none does."""
        term_id = self._vocabulary.get(term)
        if term_id is None:
            return None
        start, end = int(self._offsets[term_id]), int(self._offsets[term_id + 1])
        return self._chunks[start:end], self._tfs[start:end]

    def document_frequency(self, term: str) -> int:
        """How many chunks hold ``term``."""
        term_id = self._vocabulary.get(term)
        if term_id is None:
            return 0
        return int(self._offsets[term_id + 1]) - int(self._offsets[term_id])

    def document_frequencies(self) -> NDArray[np.int64]:
        """Every term's document frequency, in the order of ``terms``."""
        offsets = np.asarray(self._offsets, dtype=np.int64)
        return offsets[1:] - offsets[:-1]

    def idf(self, term: str) -> float | None:
        """The term's inverse document frequency as BM25 uses it, or None if no chunk has it."""
        term_id = self._vocabulary.get(term)
        return None if term_id is None else float(self._idf[term_id])

    def scores(self, query_terms: Sequence[str]) -> NDArray[np.float64]:
        """Every chunk's score, as ``BM25Okapi.get_scores`` would give it."""
        ids, values = self._contributions(list(dict.fromkeys(query_terms)))
        return np.bincount(ids, weights=values, minlength=self._size).astype(np.float64)

    def top(
        self, query_terms: Sequence[str], n: int, kernel: Bm25Kernel | None = None
    ) -> list[tuple[int, float]]:
        """The ``n`` best chunks as ``(chunk position, score)``, best first, ties by position.

        Chunks sharing no term with the query are left out, so the list may be shorter than ``n``.
        ``kernel`` picks how they are found (the same list either way); by default, by the
        index's size (``Bm25Kernel.for_positions``).
        """
        terms = list(dict.fromkeys(query_terms))
        if not terms or n <= 0:
            return []
        if (kernel or Bm25Kernel.for_positions(self._size)) is Bm25Kernel.NUMPY:
            ids, values = self._contributions(terms)
            return top_of(ids, values, self._size, np.zeros(0, dtype=np.int64), n)
        known = [term for term in terms if term in self._vocabulary]
        idfs = [float(self._idf[self._vocabulary[term]]) for term in known]
        if self._compiled is None:
            norms = length_norm(np.arange(int(np.max(self._lengths)) + 1), self._avgdl)
            self._compiled = CompiledTop(norms, np.zeros(self._size, dtype=np.bool_), K1 + 1)
        return self._compiled.top([self.layer_postings(known, 0)], idfs, n)

    def layer_postings(self, terms: Sequence[str], shift: int) -> LayerPostings:
        """The postings of ``terms`` (in that order; none for a term not indexed), with the
        chunks' lengths and their first position ``shift``, for ``CompiledTop``."""
        vocabulary = self._vocabulary
        ids = np.fromiter((vocabulary.get(term, -1) for term in terms), np.int64, len(terms))
        if self._kernel_arrays is None:
            # Plain read-only views, made once: numba then sees the same array types for a
            # memory-mapped index as for a built one, and no query pays for the views.
            self._kernel_arrays = (
                read_only(self._offsets),
                read_only(self._chunks),
                read_only(self._tfs),
                read_only(self._lengths),
            )
        return LayerPostings(ids, *self._kernel_arrays, shift, len(self._terms))

    def _contributions(self, terms: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        id_parts: list[NDArray[np.int32]] = []
        value_parts: list[NDArray[np.float64]] = []
        for term in terms:
            term_id = self._vocabulary.get(term)
            if term_id is None:
                continue
            start, end = int(self._offsets[term_id]), int(self._offsets[term_id + 1])
            chunks = np.asarray(self._chunks[start:end])
            freqs = np.asarray(self._tfs[start:end], dtype=np.float64)
            idf = float(self._idf[term_id])
            value_parts.append(idf * (freqs * (K1 + 1) / (freqs + self._norm[chunks])))
            id_parts.append(chunks)
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(id_parts).astype(np.int64), np.concatenate(value_parts)

    def save(self, folder: Path) -> list[str]:
        """Write the index into ``folder``; returns the file names written."""
        terms, idf, offsets, chunks, tfs, lengths = SPARSE_FILES
        with open(folder / terms, "w", encoding="utf-8") as handle:
            json.dump(self._terms, handle, ensure_ascii=False)
        np.save(folder / idf, self._idf)
        np.save(folder / offsets, self._offsets)
        np.save(folder / chunks, np.asarray(self._chunks))
        np.save(folder / tfs, np.asarray(self._tfs))
        np.save(folder / lengths, np.asarray(self._lengths))
        return list(SPARSE_FILES)

    @classmethod
    def load(cls, folder: Path, count: int) -> "SparseBm25":
        """Read an index saved by ``save``, checking it covers ``count`` chunks.

        Raises:
            IndexDamagedError: a file is missing, unreadable or inconsistent.
        """
        try:
            with open(folder / SPARSE_FILES[0], encoding="utf-8") as handle:
                terms = json.load(handle)
            arrays = [np.load(folder / name, mmap_mode="r") for name in SPARSE_FILES[1:]]
        except (OSError, ValueError) as error:
            raise IndexDamagedError(f"the BM25 index in {folder} is unreadable ({error})") from None
        idf_a, offsets_a, chunks_a, tfs_a, lengths_a = arrays
        consistent = (
            isinstance(terms, list)
            and len(idf_a) == len(terms)
            and len(offsets_a) == len(terms) + 1
            and len(lengths_a) == count
            and len(chunks_a) == len(tfs_a) == (int(offsets_a[-1]) if len(offsets_a) else 0)
        )
        if not consistent:
            raise IndexDamagedError(f"the BM25 index in {folder} does not match its chunks")
        return cls(terms, idf_a, offsets_a, chunks_a, tfs_a, lengths_a)

    def verify(self) -> None:
        """Check every posting (reads them all, which ``load`` does not): offsets that never
        go back, chunk positions inside the index.

        Raises:
            IndexDamagedError: a posting is out of place.
        """
        if np.any(np.diff(self._offsets) < 0) or (
            len(self._chunks)
            and not 0 <= int(np.min(self._chunks)) <= int(np.max(self._chunks)) < self._size
        ):
            raise IndexDamagedError("the BM25 postings point outside the chunks")


def length_norm(lengths: NDArray[np.integer], avgdl: float) -> NDArray[np.float64]:
    """BM25Okapi's length norm k1 * (1 - b + b * length / avgdl) of each length: the same
    expression, evaluated the same way, as in ``BM25Okapi.get_scores``."""
    return np.asarray(K1 * (1 - B + B * np.asarray(lengths) / avgdl), dtype=np.float64)


def top_of(
    ids: NDArray[np.int64],
    values: NDArray[np.float64],
    positions: int,
    hidden: NDArray[np.int64],
    n: int,
) -> list[tuple[int, float]]:
    """The ``n`` best positions, best first, ties by position, of the scores that adding each
    ``values[i]`` at ``ids[i]`` (in that order) gives; positions never in ``ids`` or in
    ``hidden`` are left out."""
    if not len(ids):
        return []
    # bincount adds in input order, which is query-term order: the same sums as rank-bm25.
    scores = np.bincount(ids, weights=values, minlength=positions)
    matched = np.zeros(positions, dtype=bool)
    matched[ids] = True
    matched[hidden] = False
    candidates = np.flatnonzero(matched)
    candidate_scores = scores[candidates]
    if len(candidates) > n:
        # Keep everything tied with the n-th best, then order exactly.
        threshold = np.partition(candidate_scores, len(candidates) - n)[len(candidates) - n]
        keep = candidate_scores >= threshold
        candidates, candidate_scores = candidates[keep], candidate_scores[keep]
    order = np.lexsort((candidates, -candidate_scores))[:n]
    return [(int(candidates[i]), float(candidate_scores[i])) for i in order]


def okapi_idf(document_frequency: NDArray[np.int64], documents: int) -> NDArray[np.float64]:
    """``BM25Okapi._calc_idf``: log((N - n + 0.5) / (n + 0.5)) as two ``math.log`` calls, terms
    in first-seen order, negative values replaced by ``EPSILON`` times the mean."""
    idf = np.zeros(len(document_frequency), dtype=np.float64)
    total = 0.0
    negative = []
    for i, freq in enumerate(document_frequency.tolist()):
        value = math.log(documents - freq + 0.5) - math.log(freq + 0.5)
        idf[i] = value
        total += value
        if value < 0:
            negative.append(i)
    if len(idf):
        idf[negative] = EPSILON * (total / len(idf))
    return idf

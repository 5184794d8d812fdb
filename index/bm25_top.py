"""Choosing how BM25's ``top`` runs, and running the compiled kernel (``index.bm25_pruned``,
or ``index.bm25_kernel`` when an IDF is negative) over one or more layers of postings with
reusable accumulators.

Importing this module does not import numba: ``CompiledTop.top`` imports the kernel on first
use.
"""

import os
from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

# From this many chunk positions ``top`` runs the compiled kernel unless told otherwise: numpy
# takes about a millisecond a query below it, while importing numba and loading the compiled
# kernel takes about a second, which a command asking one question of a small index would pay.
COMPILED_FROM = 100_000
# Set by ``asking_once``: numpy at every size, in a process that asks one question.
_asking_once = False


class Bm25Kernel(Enum):
    """How ``top`` scores and ranks chunks; both give the same list."""

    # numpy: every matched posting's score in one array, summed with bincount over all positions.
    NUMPY = "numpy"
    # numba: postings summed into an accumulator, top-k chosen among the chunks touched; the
    # postings of common terms looked up only for chunks still in reach (``index.bm25_pruned``).
    COMPILED = "compiled"

    @classmethod
    def for_positions(cls, positions: int) -> "Bm25Kernel":
        """The kernel ``top`` runs by default over an index of ``positions`` chunk positions."""
        if _asking_once:
            return cls.NUMPY
        return cls.COMPILED if positions >= COMPILED_FROM else cls.NUMPY


def asking_once() -> None:
    """Tell ``top`` that this process asks one question and exits (a command-line ``ask`` or
    ``search``): by default it then scores with numpy at any size. Loading the compiled kernel
    takes about a second; numpy takes about 10 ms a query at a million chunks."""
    global _asking_once
    _asking_once = True


class LayerPostings(NamedTuple):
    """One index's postings for a query, as the kernel reads them: each query term's id in the
    index (-1 if the index lacks it), where each term's postings start (term ``i``'s are
    ``offsets[i]:offsets[i + 1]``), the postings' chunks and term frequencies, each chunk's
    length, the position of the index's first chunk, and the number of terms the index holds.
    Only ``ids`` changes from query to query. The arrays are plain, read-only ndarrays
    (``read_only``), so every call finds the kernel's one compiled signature."""

    ids: NDArray[np.int64]
    offsets: NDArray[np.int64]
    chunks: NDArray[np.int32]
    tfs: NDArray[np.uint16]
    lengths: NDArray[np.int32]
    shift: int
    terms: int


Item = TypeVar("Item", bound=np.generic)

# Chunk lengths as the kernel reads them: 16 bits where every length fits.
Lengths = NDArray[np.int32] | NDArray[np.uint16]

# An accumulator set: each position's score (NaN until a query touches it) and the positions
# touched, in the order first touched.
Buffers = tuple[NDArray[np.float64], NDArray[np.int32]]


# Free accumulator sets kept for reuse, at most: a burst of more queries at once than this
# makes sets that are dropped when it ends (12 MB each at a million chunks), not kept for good.
KEPT_ACCUMULATORS = max(4, 2 * (os.cpu_count() or 1))


class Accumulators:
    """Score buffers over ``positions`` chunk positions for the compiled kernel, reused across
    queries: one set for each query running at the same time (the server answers from threads),
    up to ``kept`` sets kept free between queries. Each query leaves its set as it found it,
    resetting only the positions it touched."""

    def __init__(self, positions: int, kept: int = KEPT_ACCUMULATORS) -> None:
        self._positions = positions
        self._kept = kept
        self._free: list[Buffers] = []

    def take(self) -> Buffers:
        """A free set (scores, touched), made if none is free."""
        # list.pop and list.append are atomic under the GIL: no two threads get the same set.
        try:
            return self._free.pop()
        except IndexError:
            size = self._positions
            return np.full(size, np.nan), np.empty(size, dtype=np.int32)

    def give(self, buffers: Buffers) -> None:
        """Return a set taken with ``take``, reset by the query that used it; dropped if
        ``kept`` sets are free already."""
        # Two threads may both see room for one more: the pool then holds one more than kept.
        if len(self._free) < self._kept:
            self._free.append(buffers)

    @property
    def free(self) -> int:
        """How many sets are free, kept for the next queries."""
        return len(self._free)


class CompiledTop:
    """The compiled kernel's top-k over an index's positions: the chunks' length norms
    (``norms[length]``, k1 * (1 - b + b * length / avgdl)), the positions never to return
    (``hidden``), and BM25's k1 + 1; made once per index, used from any thread."""

    def __init__(
        self, norms: NDArray[np.float64], hidden: NDArray[np.bool_], k1_plus_1: float
    ) -> None:
        self._norms = read_only(norms)
        self._hidden = read_only(hidden)
        self._k1_plus_1 = k1_plus_1
        self._accumulators = Accumulators(len(hidden))
        self._static: _Static | None = None

    def top(
        self, layers: Sequence[LayerPostings], idfs: Sequence[float], n: int
    ) -> list[tuple[int, float]]:
        """The ``n`` best positions not hidden as ``(position, score)``, best first, ties by
        position, scoring each layer's postings with the query terms' ``idfs``."""
        from index import bm25_kernel, bm25_pruned  # imports numba: only when first needed

        weights = np.array(idfs, dtype=np.float64)
        static = self._static_arguments(layers)
        buffers = self._accumulators.take()
        scores, touched = buffers
        if layers and (not idfs or min(idfs) >= 0):
            if len(layers) == 1:
                ids = layers[0].ids.reshape(1, -1)
            else:
                ids = np.stack([layer.ids for layer in layers])
            positions, values = bm25_pruned.pruned_top(
                scores,
                touched,
                ids,
                weights,
                static.bounds,
                static.offsets,
                static.chunks,
                static.tfs,
                static.lengths,
                static.shifts,
                self._norms,
                self._k1_plus_1,
                self._hidden,
                n,
            )
        else:
            # A negative IDF (rank-bm25's floor on a tiny corpus) breaks the bounds pruning
            # relies on: every posting is added.
            count = 0
            for i, layer in enumerate(layers):
                count = bm25_kernel.accumulate(
                    scores,
                    touched,
                    count,
                    layer.ids,
                    layer.offsets,
                    weights,
                    layer.chunks,
                    layer.tfs,
                    static.lengths[i],
                    self._norms,
                    self._k1_plus_1,
                    layer.shift,
                )
            positions, values = bm25_kernel.select(scores, touched, count, self._hidden, n)
        # Only a query that ran to the end has reset what it touched; a failed one drops its set.
        self._accumulators.give(buffers)
        return list(zip(positions.tolist(), values.tolist(), strict=True))

    def _static_arguments(self, layers: Sequence[LayerPostings]) -> "_Static":
        """The kernel's per-layer arguments that are the same for every query of an index (its
        layers do not change), made at the first query: each layer's offsets, postings, lengths
        and first position, and its bounds cache (by term id, the largest tf part among the
        term's postings, NaN until the kernel first needs it).

        The chunk lengths are copied to 16 bits when every one fits (chunks are a few hundred
        terms): the kernel reads one at random a posting, and half the bytes stay in cache
        twice as well (at 200,000 chunks, 0.11 ms a query against 0.17 with 32 bits, warm)."""
        static = self._static
        if static is None:
            lengths: tuple[Lengths, ...] = tuple(layer.lengths for layer in layers)
            if all(len(a) == 0 or int(a.max()) <= np.iinfo(np.uint16).max for a in lengths):
                lengths = tuple(read_only(a.astype(np.uint16)) for a in lengths)
            static = _Static(
                tuple(np.full(layer.terms, np.nan) for layer in layers),
                tuple(layer.offsets for layer in layers),
                tuple(layer.chunks for layer in layers),
                tuple(layer.tfs for layer in layers),
                lengths,
                np.array([layer.shift for layer in layers], dtype=np.int64),
            )
            self._static = static
        return static


class _Static(NamedTuple):
    bounds: tuple[NDArray[np.float64], ...]
    offsets: tuple[NDArray[np.int64], ...]
    chunks: tuple[NDArray[np.int32], ...]
    tfs: tuple[NDArray[np.uint16], ...]
    lengths: tuple[Lengths, ...]
    shifts: NDArray[np.int64]


def read_only(array: NDArray[Item]) -> NDArray[Item]:
    """A plain, read-only view: memory-mapped and built arrays then share one compiled
    signature (numba compiles one for each array type and writability)."""
    view = np.asarray(array).view()
    view.flags.writeable = False
    return view

"""Choosing how BM25's ``top`` runs, and running the compiled kernel (``index.bm25_pruned``,
or ``index.bm25_kernel`` when an IDF is negative) over one or more layers of postings with
reusable accumulators.

Importing this module does not import numba: ``CompiledTop.top`` imports the kernel on first
use.
"""

from collections.abc import Sequence
from enum import Enum
from typing import NamedTuple, TypeVar

import numpy as np
from numpy.typing import NDArray

# From this many chunk positions ``top`` runs the compiled kernel unless told otherwise: numpy
# takes about a millisecond a query below it, while importing numba and loading the compiled
# kernel takes about a second, which a command asking one question of a small index would pay.
COMPILED_FROM = 100_000


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
        return cls.COMPILED if positions >= COMPILED_FROM else cls.NUMPY


class LayerPostings(NamedTuple):
    """One index's postings for a query, as the kernel reads them: each query term's id in the
    index (-1 if the index lacks it) and the span of its postings (empty if it lacks it), the
    postings' chunks and term frequencies, each chunk's length, the position of the index's
    first chunk, and the number of terms the index holds."""

    ids: NDArray[np.int64]
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    chunks: NDArray[np.int32]
    tfs: NDArray[np.uint16]
    lengths: NDArray[np.int32]
    shift: int
    terms: int


Item = TypeVar("Item", bound=np.generic)

# An accumulator set: each position's score (NaN until a query touches it) and the positions
# touched, in the order first touched.
Buffers = tuple[NDArray[np.float64], NDArray[np.int32]]


class Accumulators:
    """Score buffers over ``positions`` chunk positions for the compiled kernel, reused across
    queries: one set for each query running at the same time (the server answers from threads).
    Each query leaves its set as it found it, resetting only the positions it touched."""

    def __init__(self, positions: int) -> None:
        self._positions = positions
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
        """Return a set taken with ``take``, reset by the query that used it."""
        self._free.append(buffers)


class CompiledTop:
    """The compiled kernel's top-k over an index's positions: the chunks' length norms
    (``norms[length]``, k1 * (1 - b + b * length / avgdl)), the positions never to return
    (``hidden``), and BM25's k1 + 1; made once per index, used from any thread."""

    def __init__(
        self, norms: NDArray[np.float64], hidden: NDArray[np.bool_], k1_plus_1: float
    ) -> None:
        self._norms = _read_only(norms)
        self._hidden = _read_only(hidden)
        self._k1_plus_1 = k1_plus_1
        self._accumulators = Accumulators(len(hidden))
        self._largest: list[NDArray[np.float64]] = []

    def top(
        self, layers: Sequence[LayerPostings], idfs: Sequence[float], n: int
    ) -> list[tuple[int, float]]:
        """The ``n`` best positions not hidden as ``(position, score)``, best first, ties by
        position, scoring each layer's postings with the query terms' ``idfs``."""
        from index import bm25_kernel, bm25_pruned  # imports numba: only when first needed

        weights = np.asarray(idfs, dtype=np.float64)
        buffers = self._accumulators.take()
        scores, touched = buffers
        if len(layers) and not np.any(weights < 0):
            positions, values = bm25_pruned.pruned_top(
                scores,
                touched,
                np.array([layer.ids for layer in layers], dtype=np.int64),
                np.array([layer.starts for layer in layers], dtype=np.int64),
                np.array([layer.ends for layer in layers], dtype=np.int64),
                weights,
                tuple(self._bounds(i, layer.terms) for i, layer in enumerate(layers)),
                tuple(_read_only(layer.chunks) for layer in layers),
                tuple(_read_only(layer.tfs) for layer in layers),
                tuple(_read_only(layer.lengths) for layer in layers),
                np.array([layer.shift for layer in layers], dtype=np.int64),
                self._norms,
                self._k1_plus_1,
                self._hidden,
                n,
            )
        else:
            # A negative IDF (rank-bm25's floor on a tiny corpus) breaks the bounds pruning
            # relies on: every posting is added.
            count = 0
            for layer in layers:
                count = bm25_kernel.accumulate(
                    scores,
                    touched,
                    count,
                    layer.starts,
                    layer.ends,
                    weights,
                    _read_only(layer.chunks),
                    _read_only(layer.tfs),
                    _read_only(layer.lengths),
                    self._norms,
                    self._k1_plus_1,
                    layer.shift,
                )
            positions, values = bm25_kernel.select(scores, touched, count, self._hidden, n)
        # Only a query that ran to the end has reset what it touched; a failed one drops its set.
        self._accumulators.give(buffers)
        return list(zip(positions.tolist(), values.tolist(), strict=True))

    def _bounds(self, layer: int, terms: int) -> NDArray[np.float64]:
        """Layer ``layer``'s largest tf part of each of its ``terms`` terms, NaN until the
        kernel first needs it (the layers are the same for every query of an index)."""
        while len(self._largest) <= layer:
            self._largest.append(np.full(0, np.nan))
        if len(self._largest[layer]) != terms:
            self._largest[layer] = np.full(terms, np.nan)
        return self._largest[layer]


def _read_only(array: NDArray[Item]) -> NDArray[Item]:
    """A plain, read-only view: memory-mapped and built arrays then share one compiled
    signature (numba compiles one for each array type and writability)."""
    view = np.asarray(array).view()
    view.flags.writeable = False
    return view

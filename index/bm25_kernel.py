"""The compiled BM25 scorer: sums postings' scores into an accumulator and picks the best
chunks, touching only the chunks the query's terms hold.

Each posting adds ``idf * (tf * (k1 + 1) / (tf + norm))``, the expression ``index.sparse``
evaluates with numpy, in the same float64 operations in the same order (compiled without
fastmath, so nothing is reordered or fused), and terms are added in query-term order: the sums
are rank-bm25's ``BM25Okapi.get_scores``, bit for bit. The chunk's length norm is read from a
table by its length (the same expression over each length): a query then reads, at random, one
array of lengths and one of scores, instead of a norm per chunk as well. (The memory reads, not
the division, take the time: a table of tf parts by tf and length measured 1.2x slower.)

Importing this module imports numba (about 0.2 s); the first call of each function in a process
loads its machine code from numba's cache (about a second here, numba starting LLVM) or, the
first time on a machine or after this file changes, compiles it (about 5 s). So ``index.sparse``
imports it only for indexes large enough to need it, and the server's warm-up question pays it.
The cache is beside this file (``__pycache__``) or, where that is not writable, in numba's
user-wide folder (``NUMBA_CACHE_DIR``, else ``~/.cache/numba``).
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from numpy.typing import NDArray

Function = TypeVar("Function", bound=Callable[..., Any])


def _compiled(function: Function) -> Function:
    """``function`` compiled by numba (no fastmath) and releasing the GIL, its machine code
    cached on disk where numba finds a writable folder; compiled anew in each process, rather
    than failing, where it finds none (numba raises when asked to cache there)."""
    try:
        return cast(Function, numba.njit(cache=True, nogil=True)(function))
    except RuntimeError:
        return cast(Function, numba.njit(nogil=True)(function))


@_compiled
def accumulate(
    scores: NDArray[np.float64],
    touched: NDArray[np.int32],
    count: int,
    ids: NDArray[np.int64],
    offsets: NDArray[np.int64],
    idfs: NDArray[np.float64],
    chunks: NDArray[np.int32],
    tfs: NDArray[np.uint16],
    lengths: NDArray[np.int32] | NDArray[np.uint16],
    norms: NDArray[np.float64],
    k1_plus_1: float,
    shift: int,
) -> int:
    """Add the postings ``offsets[id]:offsets[id + 1]`` of each term id ``ids[t]`` in turn
    (none where it is -1), weighted by ``idfs[t]``, to ``scores`` at chunk + ``shift``; a chunk
    of length ``l`` has the length norm ``norms[l]``. ``scores`` is NaN where no posting has
    been added yet: such positions start from 0 and are appended to ``touched`` after the first
    ``count``. Returns the new count."""
    for t in range(len(ids)):
        term = ids[t]
        if term >= 0:
            count, _ = add_postings(
                scores,
                touched,
                count,
                offsets[term],
                offsets[term + 1],
                idfs[t],
                chunks,
                tfs,
                lengths,
                norms,
                k1_plus_1,
                shift,
            )
    return count


@_compiled
def add_postings(
    scores: NDArray[np.float64],
    touched: NDArray[np.int32],
    count: int,
    start: int,
    end: int,
    idf: float,
    chunks: NDArray[np.int32],
    tfs: NDArray[np.uint16],
    lengths: NDArray[np.int32] | NDArray[np.uint16],
    norms: NDArray[np.float64],
    k1_plus_1: float,
    shift: int,
) -> tuple[int, float]:
    """Add postings ``start:end`` of one term, weighted by ``idf``, as ``accumulate`` adds
    each; returns the new count of touched positions and the best sum among those the term
    added to (-inf if none)."""
    best = -np.inf
    for p in range(start, end):
        chunk = chunks[p]
        tf = np.float64(tfs[p])
        value = idf * (tf * k1_plus_1 / (tf + norms[lengths[chunk]]))
        position = chunk + shift
        score = scores[position]
        if score != score:
            touched[count] = position
            count += 1
            score = 0.0
        score += value
        scores[position] = score
        if score > best:
            best = score
    return count, best


@_compiled
def select(
    scores: NDArray[np.float64],
    touched: NDArray[np.int32],
    count: int,
    hidden: NDArray[np.bool_],
    n: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The ``n`` best of the first ``count`` touched positions that are not ``hidden``, as
    positions and scores, best first, ties by position; sets ``scores`` back to NaN at every
    touched position, so the buffers are ready for the next query."""
    # A heap with the worst kept position at its root: lower score, or equal and later.
    heap_positions = np.empty(max(0, min(n, count)), dtype=np.int64)
    heap_scores = np.empty(len(heap_positions), dtype=np.float64)
    size = 0
    for i in range(count):
        position = touched[i]
        score = scores[position]
        scores[position] = np.nan
        if hidden[position] or len(heap_positions) == 0:
            continue
        if size < len(heap_positions):
            # Sift up from the end.
            j = size
            size += 1
            while j > 0:
                parent = (j - 1) // 2
                ps, pp = heap_scores[parent], heap_positions[parent]
                if score < ps or (score == ps and position > pp):
                    heap_scores[j], heap_positions[j] = ps, pp
                    j = parent
                else:
                    break
            heap_scores[j], heap_positions[j] = score, position
        else:
            rs, rp = heap_scores[0], heap_positions[0]
            if score < rs or (score == rs and position > rp):
                continue
            _sift_down(heap_scores, heap_positions, size, score, position)
    # Pop the worst to the back until the heap is empty: best first.
    out_positions = np.empty(size, dtype=np.int64)
    out_scores = np.empty(size, dtype=np.float64)
    while size > 0:
        out_scores[size - 1], out_positions[size - 1] = heap_scores[0], heap_positions[0]
        size -= 1
        if size > 0:
            _sift_down(heap_scores, heap_positions, size, heap_scores[size], heap_positions[size])
    return out_positions, out_scores


@_compiled
def _sift_down(
    heap_scores: NDArray[np.float64],
    heap_positions: NDArray[np.int64],
    size: int,
    score: float,
    position: int,
) -> None:
    """Put (score, position) at the root of the heap's first ``size`` entries and sift it down."""
    j = 0
    while True:
        child = 2 * j + 1
        if child >= size:
            break
        right = child + 1
        if right < size:
            cs, cp = heap_scores[child], heap_positions[child]
            rs, rp = heap_scores[right], heap_positions[right]
            if rs < cs or (rs == cs and rp > cp):
                child = right
        cs, cp = heap_scores[child], heap_positions[child]
        if cs < score or (cs == score and cp > position):
            heap_scores[j], heap_positions[j] = cs, cp
            j = child
        else:
            break
    heap_scores[j], heap_positions[j] = score, position

"""The compiled BM25 top-k with exact pruning: the ``n`` best chunks, scored bit for bit as
``index.bm25_kernel`` scores them, without adding every posting of a query's common terms.

Term-at-a-time MaxScore (Turtle and Flood, "Query evaluation: strategies and optimizations",
1995), made exact. Every posting adds ``idf * tf_part`` with ``idf >= 0``, so a chunk's sum over
some terms is a lower bound on its score, and each term has an upper bound: its IDF times the
largest tf part among its postings. Terms are added best bound first; once the ``n``-th best
sum so far exceeds the sum of the bounds of the terms left, a chunk no term has touched yet
cannot reach the top ``n``, so the terms left are looked up only for the chunks touched
(binary search in their postings, or a scan when those are few). Chunks whose sum plus the
bounds left falls below the ``n``-th best are dropped as the terms are added. The few left at
the end are scored again, term by term in query order with the same float64 expression as
``bm25_kernel.accumulate``: the sums, and so the list, are rank-bm25's.

Sums taken in another order may differ from the query-order sum in the last bits: every
comparison that drops a chunk leaves a relative margin (``MARGIN``) far wider than that.
"""

import numpy as np
from numpy.typing import NDArray

from index.bm25_kernel import _compiled, add_postings, select

# Relative slack on every pruning comparison: float64 sums of a query's few dozen positive
# terms, taken in different orders, differ by far less (about 1e-15 a term).
MARGIN = 1e-9


@_compiled
def pruned_top(
    scores: NDArray[np.float64],
    touched: NDArray[np.int32],
    ids: NDArray[np.int64],
    idfs: NDArray[np.float64],
    bounds: tuple[NDArray[np.float64], ...],
    offsets: tuple[NDArray[np.int64], ...],
    chunks: tuple[NDArray[np.int32], ...],
    tfs: tuple[NDArray[np.uint16], ...],
    lengths: tuple[NDArray[np.int32] | NDArray[np.uint16], ...],
    shifts: NDArray[np.int64],
    norms: NDArray[np.float64],
    k1_plus_1: float,
    hidden: NDArray[np.bool_],
    n: int,
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The ``n`` best positions that are not ``hidden``, as positions and scores, best first,
    ties by position: ``bm25_kernel.select`` after ``accumulate`` over every layer, for IDFs
    that are all ``>= 0``.

    Layer ``l`` holds query term ``t`` as term ``ids[l, t]`` (-1 if it lacks it), with
    postings ``offsets[l][id]:offsets[l][id + 1]`` of ``chunks[l]`` and ``tfs[l]``, chunk
    lengths ``lengths[l]``, and its first position ``shifts[l]``. ``bounds[l]`` caches, by term
    id, the largest tf part among that term's postings (NaN until a query first needs it;
    filled in here). ``scores`` is NaN everywhere and ``touched`` is scratch space; both are
    left as found."""
    layers, terms = ids.shape
    starts, ends = _spans(ids, offsets)
    # Each term's upper bound, and the terms by bound, best first.
    upper = np.zeros(terms, dtype=np.float64)
    for t in range(terms):
        for layer in range(layers):
            term = ids[layer, t]
            if term < 0:
                continue
            bound = bounds[layer][term]
            if bound != bound:
                bound = _largest_tf_part(
                    starts[layer, t],
                    ends[layer, t],
                    chunks[layer],
                    tfs[layer],
                    lengths[layer],
                    norms,
                    k1_plus_1,
                )
                bounds[layer][term] = bound
            upper[t] = max(upper[t], idfs[t] * bound)
    order = np.argsort(-upper, kind="mergesort")
    # rest[i]: the bounds of the terms after the i-th summed; left[i]: their postings.
    rest = np.zeros(terms, dtype=np.float64)
    left = np.zeros(terms, dtype=np.int64)
    for i in range(terms - 2, -1, -1):
        t = order[i + 1]
        rest[i] = rest[i + 1] + upper[t]
        left[i] = left[i + 1]
        for layer in range(layers):
            left[i] += ends[layer, t] - starts[layer, t]

    # Phase 1: add whole terms, best bound first, until untouched chunks are out of reach.
    count = 0
    best = -np.inf
    done = terms
    nth = -np.inf  # the n-th best sum so far, less the margin, when last found
    for i in range(terms):
        t = order[i]
        idf = idfs[t]
        for layer in range(layers):
            count, added = add_postings(
                scores,
                touched,
                count,
                starts[layer, t],
                ends[layer, t],
                idf,
                chunks[layer],
                tfs[layer],
                lengths[layer],
                norms,
                k1_plus_1,
                shifts[layer],
            )
            best = max(best, added)
        # Worth finding the n-th best only when it may pass the rest's bounds, and costs less
        # than the postings it may save.
        if i + 1 < terms and rest[i] < best and left[i] > count:
            nth = _nth_best(scores, touched, count, hidden, n) * (1 - MARGIN)
            if rest[i] < nth:
                done = i + 1
                break
    if done == terms:
        nth = _nth_best(scores, touched, count, hidden, n) * (1 - MARGIN)

    # The chunks still in reach: not hidden, with a sum that the bounds of the terms left can
    # lift to the n-th best. (Unsorted: each is looked up on its own below.)
    reach = rest[done - 1] if done > 0 else 0.0
    candidates = np.empty(count, dtype=np.int64)
    size = 0
    for i in range(count):
        position = touched[i]
        if hidden[position] or scores[position] + reach < nth:
            scores[position] = np.nan
        else:
            candidates[size] = position
            size += 1

    # Phase 2: the terms left, for the candidates only.
    for i in range(done, terms):
        t = order[i]
        idf = idfs[t]
        for layer in range(layers):
            start, end = starts[layer, t], ends[layer, t]
            if start == end:
                continue
            shift = shifts[layer]
            layer_chunks, layer_tfs, layer_lengths = chunks[layer], tfs[layer], lengths[layer]
            if size * (np.log2(end - start) + 2) < end - start:
                # Few candidates: a binary search in the postings for each.
                for c in range(size):
                    chunk = candidates[c] - shift
                    if chunk < 0 or chunk >= len(layer_lengths):
                        continue
                    p = _lower_bound(layer_chunks, start, end, chunk)
                    if p < end and layer_chunks[p] == chunk:
                        tf = np.float64(layer_tfs[p])
                        value = idf * (tf * k1_plus_1 / (tf + norms[layer_lengths[chunk]]))
                        scores[chunk + shift] += value
            else:
                for p in range(start, end):
                    position = layer_chunks[p] + shift
                    score = scores[position]
                    if score == score:
                        chunk = layer_chunks[p]
                        tf = np.float64(layer_tfs[p])
                        value = idf * (tf * k1_plus_1 / (tf + norms[layer_lengths[chunk]]))
                        scores[position] = score + value
        size = _keep_in_reach(scores, candidates, size, rest[i], hidden, n)

    # The survivors' sums again, in query-term order: bm25_kernel.accumulate's sums.
    for c in range(size):
        position = candidates[c]
        layer = 0
        while position >= shifts[layer] + len(lengths[layer]):
            layer += 1
        chunk = position - shifts[layer]
        layer_chunks, layer_tfs = chunks[layer], tfs[layer]
        norm = norms[lengths[layer][chunk]]
        score = 0.0
        for t in range(terms):
            end = ends[layer, t]
            p = _lower_bound(layer_chunks, starts[layer, t], end, chunk)
            if p < end and layer_chunks[p] == chunk:
                tf = np.float64(layer_tfs[p])
                score = score + idfs[t] * (tf * k1_plus_1 / (tf + norm))
        scores[position] = score
    found = select(scores, candidates.astype(np.int32), size, hidden, n)
    for i in range(count):
        scores[touched[i]] = np.nan
    return found


@_compiled
def _spans(
    ids: NDArray[np.int64], offsets: tuple[NDArray[np.int64], ...]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Where each layer's postings of each query term start and end (both 0 where the layer
    lacks the term)."""
    starts = np.zeros(ids.shape, dtype=np.int64)
    ends = np.zeros(ids.shape, dtype=np.int64)
    for layer in range(ids.shape[0]):
        for t in range(ids.shape[1]):
            term = ids[layer, t]
            if term >= 0:
                starts[layer, t] = offsets[layer][term]
                ends[layer, t] = offsets[layer][term + 1]
    return starts, ends


@_compiled
def _largest_tf_part(
    start: int,
    end: int,
    chunks: NDArray[np.int32],
    tfs: NDArray[np.uint16],
    lengths: NDArray[np.int32] | NDArray[np.uint16],
    norms: NDArray[np.float64],
    k1_plus_1: float,
) -> float:
    """The largest ``tf * (k1 + 1) / (tf + norm)`` among postings ``start:end``, computed as
    ``accumulate`` computes each."""
    largest = 0.0
    for p in range(start, end):
        tf = np.float64(tfs[p])
        part = tf * k1_plus_1 / (tf + norms[lengths[chunks[p]]])
        if part > largest:
            largest = part
    return largest


@_compiled
def _lower_bound(chunks: NDArray[np.int32], low: int, high: int, chunk: int) -> int:
    """The first index in ``low:high`` whose chunk is not below ``chunk`` (``high`` if none);
    the chunks there ascend."""
    while low < high:
        middle = (low + high) // 2
        if chunks[middle] < chunk:
            low = middle + 1
        else:
            high = middle
    return low


@_compiled
def _nth_best(
    scores: NDArray[np.float64],
    positions: NDArray[np.int32] | NDArray[np.int64],
    count: int,
    hidden: NDArray[np.bool_],
    n: int,
) -> float:
    """The ``n``-th best score among the first ``count`` ``positions`` not hidden; -inf if
    fewer."""
    heap = np.empty(n, dtype=np.float64)  # the best n so far, the worst at the root
    size = 0
    for i in range(count):
        position = positions[i]
        if hidden[position]:
            continue
        score = scores[position]
        if size < n:
            j = size
            size += 1
            while j > 0:
                parent = (j - 1) // 2
                if score < heap[parent]:
                    heap[j] = heap[parent]
                    j = parent
                else:
                    break
            heap[j] = score
        elif score > heap[0]:
            j = 0
            while True:
                child = 2 * j + 1
                if child >= n:
                    break
                if child + 1 < n and heap[child + 1] < heap[child]:
                    child += 1
                if heap[child] < score:
                    heap[j] = heap[child]
                    j = child
                else:
                    break
            heap[j] = score
    return heap[0] if size == n else -np.inf


@_compiled
def _keep_in_reach(
    scores: NDArray[np.float64],
    candidates: NDArray[np.int64],
    size: int,
    rest: float,
    hidden: NDArray[np.bool_],
    n: int,
) -> int:
    """Drop, in place, the first ``size`` candidates whose score plus ``rest`` falls short of
    the ``n``-th best score (their scores set to NaN); returns how many are kept, in order."""
    nth = _nth_best(scores, candidates, size, hidden, n) * (1 - MARGIN)
    kept = 0
    for c in range(size):
        position = candidates[c]
        if scores[position] + rest < nth:
            scores[position] = np.nan
        else:
            candidates[kept] = position
            kept += 1
    return kept

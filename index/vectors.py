"""Inner-product search over unit vectors with faiss (so scores are cosines).

Below ``APPROXIMATE_FROM`` vectors the search is exact (``IndexFlatIP``, 1.5 KB a vector).
From there a graph index takes over: HNSW (Malkov and Yashunin, "Efficient and robust
approximate nearest neighbor search using Hierarchical Navigable Small World graphs", 2016)
with ``GRAPH_LINKS`` links a vector, over vectors quantized to 8 bits a dimension
(``HNSW32,SQ8``): about 660 bytes a vector with 384 dimensions (384 of codes, about 260 of
links). A search walks the graph keeping the ``SEARCH_BREADTH`` best candidates seen
(efSearch). Its recall@10 against exact search and its speed beside HNSW over float vectors
and IVF are measured in ``bench/dense.py``; the tests hold the recall above a floor.

Indexes written before HNSW (``IVF{lists},SQ8``, searched with a tenth of their lists) are
still read and searched; a merge or a rebuild writes them again as HNSW.

A search of one query runs on one faiss (OpenMP) thread: a second thread does not make one
query faster and fights the embedder's threads for the cores. libgomp keeps the thread count
per calling thread, so setting it around a search changes nothing for builds or for searches
in other threads.
"""

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import faiss
import numpy as np
from numpy.typing import NDArray

from index.embedders import Vectors
from index.errors import IndexDamagedError

# Flat search costs a vector's dot product per chunk: about 1.5 ms on one thread at 20,000
# chunks, 4 ms at 53,447, where HNSW takes 0.4 ms (bench/dense.py).
APPROXIMATE_FROM = 20_000
GRAPH_LINKS = 32  # HNSW's M: links a vector has on each layer above the first (twice that on it)
BUILD_BREADTH = 40  # efConstruction, faiss's default
# efSearch: recall@10 0.972 at 1M chunks, 0.984 at 53,447 (real MiniLM vectors and bench/query.py's
# copies, bench/dense.py); 256 gives 0.979 at 1M but 1.7 times HNSW32-flat's time, 192 1.4.
SEARCH_BREADTH = 192
# Indexes written before HNSW: lists scanned per query, a tenth of them.
PROBE_SHARE = 0.1


class VectorIndex:
    """A faiss index over one vector per chunk, in chunk order: exact below
    ``APPROXIMATE_FROM`` vectors, HNSW over 8-bit codes from there."""

    def __init__(self, index: "faiss.Index", breadth: int | None = None) -> None:
        """Search ``index``; ``breadth`` is efSearch for HNSW, nprobe for an older IVF index
        (default: ``SEARCH_BREADTH``, a tenth of the lists)."""
        self._index = index
        self._breadth = 0
        if isinstance(self._index, faiss.IndexHNSW):
            self._breadth = breadth or SEARCH_BREADTH
            self._index.hnsw.efSearch = self._breadth
        ivf = _ivf(self._index)
        if ivf is not None:
            self._breadth = breadth or max(1, math.ceil(PROBE_SHARE * ivf.nlist))
            ivf.nprobe = self._breadth

    @property
    def kind(self) -> str:
        """What searches this index, for people: "exact", "HNSW32-SQ8, efSearch 192", ..."""
        if isinstance(self._index, faiss.IndexHNSW):
            links = int(self._index.hnsw.nb_neighbors(1))  # type: ignore[attr-defined]
            return f"HNSW{links}-SQ8, efSearch {self._breadth}"
        if _ivf(self._index) is not None:
            return f"IVF-SQ8, nprobe {self._breadth}"
        return "exact"

    @classmethod
    def from_vectors(
        cls, vectors: Vectors, approximate_from: int = APPROXIMATE_FROM, breadth: int | None = None
    ) -> "VectorIndex":
        """Index ``vectors`` (shape ``(chunks, dimension)``, unit-length rows), on all cores."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count, dimension = vectors.shape
        index: faiss.Index
        if count < approximate_from:
            index = faiss.IndexFlatIP(dimension)
        else:
            index = faiss.index_factory(
                dimension, f"HNSW{GRAPH_LINKS},SQ8", faiss.METRIC_INNER_PRODUCT
            )
            graph: Any = index  # faiss's stubs leave out HNSW's fields
            graph.hnsw.efConstruction = BUILD_BREADTH
            # Each dimension's range, over every vector: none is clipped.
            index.train(vectors)
        index.add(vectors)
        return cls(index, breadth)

    @property
    def approximate(self) -> bool:
        """Whether searches are approximate (not a flat index)."""
        return not isinstance(self._index, faiss.IndexFlat)

    @property
    def memory_bytes(self) -> int:
        """Bytes the stored vectors take: codes, and HNSW's links or IVF's ids and centroids."""
        if isinstance(self._index, faiss.IndexHNSW):
            graph: Any = self._index.hnsw  # faiss's stubs leave out HNSW's arrays
            codes: int = faiss.downcast_index(self._index.storage).code_size  # type: ignore[attr-defined]
            links = graph.neighbors.size() * 4 + graph.offsets.size() * 8 + graph.levels.size() * 4
            return int(self.size * codes + links)
        ivf = _ivf(self._index)
        if ivf is not None:
            return self.size * (int(ivf.code_size) + 8) + int(ivf.nlist) * self._index.d * 4
        return self.size * self._index.d * 4

    @classmethod
    def load(cls, path: Path, dimension: int, count: int) -> "VectorIndex":
        """Map a saved index (read-only: nothing can be added to it), checking it holds
        ``count`` vectors of ``dimension``.

        Raises:
            IndexDamagedError: the file cannot be read or does not match.
        """
        try:
            # Memory-mapped (codes and HNSW links): read from the page cache as searches need.
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
        except RuntimeError as error:
            raise IndexDamagedError(f"{path} is not a readable faiss index ({error})") from None
        if index.d != dimension or index.ntotal != count:
            raise IndexDamagedError(
                f"{path} holds {index.ntotal} vectors of dimension {index.d}, "
                f"expected {count} of dimension {dimension}"
            )
        return cls(index)

    def save(self, path: Path) -> None:
        """Write the index to ``path``."""
        faiss.write_index(self._index, str(path))

    @property
    def dimension(self) -> int:
        """Dimensions of a vector."""
        return int(self._index.d)

    @property
    def size(self) -> int:
        """Number of vectors."""
        return int(self._index.ntotal)

    def reconstruct(self, positions: Sequence[int]) -> Vectors:
        """The stored vectors at ``positions``, in that order: as given to ``from_vectors``
        when exact, decoded from their 8-bit codes when approximate (a cosine of about
        0.9999 to the vectors given)."""
        ivf = _ivf(self._index)
        if ivf is not None:
            ivf.make_direct_map()  # once: then each vector is found by its id
        wanted = np.asarray(positions, dtype=np.int64)
        if not len(wanted):
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.ascontiguousarray(self._index.reconstruct_batch(wanted), dtype=np.float32)

    def top(
        self, query: Vectors, n: int, exclude: NDArray[np.int64] | None = None
    ) -> list[tuple[int, float]]:
        """The ``n`` nearest chunks to one query vector as ``(chunk position, cosine)``,
        leaving out the positions ``exclude``. The list is shorter than ``n`` only when
        fewer chunks are left."""
        n = min(n, self.size)
        if n <= 0:
            return []
        vector = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        with _one_thread():
            if exclude is None or not len(exclude):
                scores, ids = self._index.search(vector, n)
            else:
                scores, ids = self._search_excluding(vector, n, exclude)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def _search_excluding(
        self, vector: NDArray[np.float32], n: int, exclude: NDArray[np.int64]
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        # The selector must outlive the search: faiss keeps only a pointer to it.
        excluded = np.unique(exclude.astype(np.int64))
        selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(excluded))
        if not isinstance(self._index, faiss.IndexHNSW):
            ivf = _ivf(self._index)
            params: faiss.SearchParameters
            if ivf is None:
                params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            else:
                params = faiss.SearchParametersIVF(  # type: ignore[call-arg]
                    sel=selector, nprobe=ivf.nprobe
                )
            return self._index.search(vector, n, params=params)
        # HNSW walks through excluded vectors but keeps only the others among the efSearch
        # best it sees: when many are excluded it can find fewer than n, so search wider.
        wanted = min(n, self.size - int(np.count_nonzero(excluded < self.size)))
        breadth = max(self._breadth, n)
        while True:
            params = faiss.SearchParametersHNSW(  # type: ignore[attr-defined]
                sel=selector, efSearch=breadth
            )
            scores, ids = self._index.search(vector, n, params=params)
            if np.count_nonzero(ids[0] >= 0) >= wanted or breadth >= self.size:
                return scores, ids
            breadth = min(self.size, breadth * 4)


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run faiss on one OpenMP thread in this thread, then as before."""
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _ivf(index: "faiss.Index") -> "faiss.IndexIVF | None":
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None

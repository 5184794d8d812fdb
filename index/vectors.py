"""Inner-product search over unit vectors with faiss (so scores are cosines).

Up to ``APPROXIMATE_FROM`` vectors the search is exact (``IndexFlatIP``, 1.5 KB a vector).
From there an inverted-file index with 8-bit scalar quantization (``IVF{lists},SQ8``) takes
over: 392 bytes a vector (a quarter of float32), and each query scans only the ``nprobe``
nearest of about 4 sqrt(n) lists. Its recall@10 against exact search is measured in
``bench/query.py`` and held above a floor in the tests.
"""

import math
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np
from numpy.typing import NDArray

from index.embedders import Vectors
from index.errors import IndexDamagedError

APPROXIMATE_FROM = 100_000
# Lists scanned per query: a tenth of them (recall@10 about 0.96 at 120,000 chunks, measured).
PROBE_SHARE = 0.1
TRAINING_PER_LIST = 40


class VectorIndex:
    """A faiss index over one vector per chunk, in chunk order: exact below
    ``APPROXIMATE_FROM`` vectors, IVF with scalar quantization from there."""

    def __init__(self, index: "faiss.Index", nprobe: int | None = None) -> None:
        self._index = index
        ivf = _ivf(index)
        if ivf is not None:
            ivf.nprobe = nprobe or max(1, math.ceil(PROBE_SHARE * ivf.nlist))

    @classmethod
    def from_vectors(
        cls, vectors: Vectors, approximate_from: int = APPROXIMATE_FROM, nprobe: int | None = None
    ) -> "VectorIndex":
        """Index ``vectors`` (shape ``(chunks, dimension)``, unit-length rows)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        count, dimension = vectors.shape
        index: faiss.Index
        if count < approximate_from:
            index = faiss.IndexFlatIP(dimension)
        else:
            lists = max(1, int(4 * math.sqrt(count)))
            index = faiss.index_factory(dimension, f"IVF{lists},SQ8", faiss.METRIC_INNER_PRODUCT)
            sample = min(count, lists * TRAINING_PER_LIST)
            rows = np.random.default_rng(0).choice(count, size=sample, replace=False)
            index.train(vectors[np.sort(rows)])
        index.add(vectors)
        return cls(index, nprobe)

    @property
    def approximate(self) -> bool:
        """Whether searches are approximate (an IVF index)."""
        return _ivf(self._index) is not None

    @property
    def memory_bytes(self) -> int:
        """Bytes the stored vectors take (codes and ids; not the small coarse quantizer)."""
        ivf = _ivf(self._index)
        if ivf is None:
            return self.size * self._index.d * 4
        return self.size * (int(ivf.code_size) + 8) + int(ivf.nlist) * self._index.d * 4

    @classmethod
    def load(cls, path: Path, dimension: int, count: int) -> "VectorIndex":
        """Map a saved index (read-only: nothing can be added to it), checking it holds
        ``count`` vectors of ``dimension``.

        Raises:
            IndexDamagedError: the file cannot be read or does not match.
        """
        try:
            # Memory-mapped: the vectors are read from the page cache as searches need them.
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
        """The stored vectors at ``positions``, in that order."""
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
        leaving out the positions ``exclude``."""
        n = min(n, self.size)
        if n <= 0:
            return []
        vector = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if exclude is None or not len(exclude):
            scores, ids = self._index.search(vector, n)
        else:
            # The selector must outlive the search: faiss keeps only a pointer to it.
            selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(exclude.astype(np.int64)))
            ivf = _ivf(self._index)
            params: faiss.SearchParameters
            if ivf is None:
                params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            else:
                params = faiss.SearchParametersIVF(  # type: ignore[call-arg]
                    sel=selector, nprobe=ivf.nprobe
                )
            scores, ids = self._index.search(vector, n, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


def _ivf(index: "faiss.Index") -> "faiss.IndexIVF | None":
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None

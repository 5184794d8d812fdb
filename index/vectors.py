"""Exact inner-product search over unit vectors with faiss (so scores are cosines)."""

from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

from index.embedders import Vectors
from index.errors import IndexDamagedError


class VectorIndex:
    """A faiss ``IndexFlatIP`` over one vector per chunk, in chunk order."""

    def __init__(self, index: "faiss.Index") -> None:
        self._index = index

    @classmethod
    def from_vectors(cls, vectors: Vectors) -> "VectorIndex":
        """Index ``vectors`` (shape ``(chunks, dimension)``, unit-length rows)."""
        index = faiss.IndexFlatIP(vectors.shape[1])
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, path: Path, dimension: int, count: int) -> "VectorIndex":
        """Read a saved index, checking it holds ``count`` vectors of ``dimension``.

        Raises:
            IndexDamagedError: the file cannot be read or does not match.
        """
        try:
            index = faiss.read_index(str(path))
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
    def size(self) -> int:
        """Number of vectors."""
        return int(self._index.ntotal)

    def reconstruct(self, positions: Sequence[int]) -> Vectors:
        """The stored vectors at ``positions``, in that order."""
        everything = self._index.reconstruct_n(0, self.size)
        return np.ascontiguousarray(everything[np.asarray(positions, dtype=np.int64)])

    def top(self, query: Vectors, n: int) -> list[tuple[int, float]]:
        """The ``n`` nearest chunks to one query vector as ``(chunk position, cosine)``."""
        n = min(n, self.size)
        if n <= 0:
            return []
        scores, ids = self._index.search(np.ascontiguousarray(query.reshape(1, -1)), n)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

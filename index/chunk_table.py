"""The chunks of an index as a compact table: 16 bytes a chunk (article key, ordinal, start,
end), with each chunk's text sliced from its article when asked for, not stored a second time.

A loaded index's table is its base generation's rows (``chunks.npy`` as read) followed by the
rows of its segments; an article key is its row in the article store (``index.article_store``).
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import overload

import numpy as np
from numpy.typing import NDArray

from corpus import Article, Chunk


class ChunkTable(Sequence[Chunk]):
    """An immutable sequence of ``Chunk``, in index order: ``rows`` then ``more``."""

    def __init__(
        self,
        rows: NDArray[np.int32],
        article_of: Callable[[int], Article],
        more: NDArray[np.int32] | None = None,
    ) -> None:
        self._rows = rows
        self._more = np.zeros((0, 4), dtype=np.int32) if more is None else more
        self._split = len(rows)
        self._article_of = article_of

    def __len__(self) -> int:
        return self._split + len(self._more)

    @overload
    def __getitem__(self, position: int) -> Chunk: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Chunk]: ...

    def __getitem__(self, position: int | slice) -> Chunk | Sequence[Chunk]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(f"chunk {position} is outside the {len(self)} chunks")
        row = self._rows[position] if position < self._split else self._more[position - self._split]
        key, ordinal, start, end = (int(x) for x in row)
        article = self._article_of(key)
        return Chunk(
            doc_id=article.doc_id,
            ordinal=ordinal,
            start=start,
            end=end,
            text=article.text[start:end],
        )

    def __iter__(self) -> Iterator[Chunk]:
        for position in range(len(self)):
            yield self[position]

    def key(self, position: int) -> int:
        """The article key of the chunk at ``position``."""
        if position < self._split:
            return int(self._rows[position, 0])
        return int(self._more[position - self._split, 0])

    def all_rows(self) -> NDArray[np.int32]:
        """Every row, in index order (a copy)."""
        return np.concatenate([np.asarray(self._rows), self._more])

    @property
    def nbytes(self) -> int:
        """Bytes the table itself takes (not the articles' text)."""
        return int(self._rows.nbytes) + int(self._more.nbytes)


def chunk_rows(chunks: Sequence[Chunk], keys: Mapping[str, int]) -> NDArray[np.int32]:
    """The table rows of ``chunks``, their articles keyed by ``keys`` (doc id -> key)."""
    rows = [(keys[c.doc_id], c.ordinal, c.start, c.end) for c in chunks]
    return np.asarray(rows, dtype=np.int32).reshape(-1, 4)

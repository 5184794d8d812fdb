"""The chunks of an index as a compact table: 16 bytes a chunk (article, ordinal, start, end),
with each chunk's text sliced from its article when asked for, not stored a second time. A loaded
index's table is the array of its chunks file as read (``index.persist.read_chunks``)."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import overload

import numpy as np
from numpy.typing import NDArray

from corpus import Article, Chunk


class ChunkTable(Sequence[Chunk]):
    """An immutable sequence of ``Chunk``, in index order."""

    def __init__(self, chunks: Iterable[Chunk], articles: Mapping[str, Article]) -> None:
        self._articles = articles
        self._doc_ids: list[str] = []
        number: dict[str, int] = {}
        rows: list[tuple[int, int, int, int]] = []
        for chunk in chunks:
            doc = number.get(chunk.doc_id)
            if doc is None:
                doc = number[chunk.doc_id] = len(self._doc_ids)
                self._doc_ids.append(chunk.doc_id)
            rows.append((doc, chunk.ordinal, chunk.start, chunk.end))
        self._rows: NDArray[np.int32] = np.asarray(rows, dtype=np.int32).reshape(-1, 4)

    @classmethod
    def from_rows(
        cls, rows: NDArray[np.int32], doc_ids: list[str], articles: Mapping[str, Article]
    ) -> "ChunkTable":
        """A table over ``rows`` as they are (not copied): one ``(article,
        ordinal, start, end)`` row a chunk, ``article`` a position in ``doc_ids``."""
        table = cls((), articles)
        table._doc_ids = doc_ids
        table._rows = rows
        return table

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, position: int) -> Chunk: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Chunk]: ...

    def __getitem__(self, position: int | slice) -> Chunk | Sequence[Chunk]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        doc, ordinal, start, end = (int(x) for x in self._rows[position])
        doc_id = self._doc_ids[doc]
        text = self._articles[doc_id].text[start:end]
        return Chunk(doc_id=doc_id, ordinal=ordinal, start=start, end=end, text=text)

    def __iter__(self) -> Iterator[Chunk]:
        for position in range(len(self)):
            yield self[position]

    @property
    def nbytes(self) -> int:
        """Bytes the table itself takes (not the articles' text)."""
        return int(self._rows.nbytes) + sum(len(d) + 49 for d in self._doc_ids)

"""Where the archive lives, behind one small seam: ``embedded`` (the index directory, the
default) or ``milvus`` (a Milvus server, cluster or Milvus Lite, which many crosscheck servers
share).

``SearchIndex`` is what the answer engine reads: articles, chunks, stories, annotations and the
three searches. ``Backend`` is what a service does with an archive: build it, open it, follow
its version, write to it. ``make_backend`` picks one; nothing above this package knows which.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from corpus import Article, Chunk
from index.backend_kind import BackendKind
from index.embedders import Embedder, Vectors
from index.manifest import AnnotatorStamp
from index.stories import Story

if TYPE_CHECKING:
    from index.annotations import Annotator


class Chunks(Protocol):
    """Chunks by the key a search returned."""

    def __getitem__(self, key: int) -> Chunk: ...


class Stories(Protocol):
    """The stories of an archive, by article."""

    def story_of(self, doc_id: str) -> Story: ...

    def __len__(self) -> int: ...


class SearchIndex(Protocol):
    """One version of an archive, as the answer engine reads it."""

    @property
    def version(self) -> str: ...

    @property
    def articles(self) -> Mapping[str, Article]: ...

    @property
    def chunks(self) -> Chunks: ...

    @property
    def stories(self) -> Stories: ...

    @property
    def annotator(self) -> AnnotatorStamp | None: ...

    @property
    def chunk_count(self) -> int: ...

    def annotation(self, doc_id: str) -> dict[str, Any] | None: ...

    def bm25_top(self, query: str, n: int) -> list[tuple[int, float]]: ...

    def dense_top(self, query_vector: Vectors, n: int) -> list[tuple[int, float]]: ...

    def term_weight(self, term: str) -> float: ...


class Backend(Protocol):
    """An archive a service builds, opens, follows and writes to."""

    def exists(self) -> bool:
        """Whether an archive has been built."""
        ...

    def build(
        self, articles: Sequence[Article], embedder: Embedder, annotator: "Annotator | None"
    ) -> None:
        """Replace the archive with ``articles``."""
        ...

    def open(self, embedder: Embedder, previous: Any = None) -> Any:
        """The archive as it is now (a ``SearchIndex``), reusing what ``previous`` loaded."""
        ...

    def live_version(self) -> str:
        """The version of the archive now: cheap, asked on every request."""
        ...

    def update(
        self,
        embedder: Embedder,
        live: Any,
        *,
        add: Sequence[Article] = (),
        remove: Sequence[str] = (),
        annotator: "Annotator | None" = None,
    ) -> Any:
        """Add (or replace) and delete articles; the archive as it now is."""
        ...

    def merge_due(self, index: Any, segments: int) -> bool:
        """Whether the archive would gain from a merge now (past ``segments`` segments)."""
        ...

    def merge(self, embedder: Embedder, live: Any) -> bool:
        """Merge what piled up; whether anything was merged."""
        ...


class EmbeddedBackend:
    """The index directory (``index.store``): one server's, or shared through its file lock."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir

    def exists(self) -> bool:
        from index.store import IndexDirectory

        return IndexDirectory(self.index_dir).exists()

    def build(
        self, articles: Sequence[Article], embedder: Embedder, annotator: "Annotator | None"
    ) -> None:
        from index.build import build_index

        build_index(articles, self.index_dir, embedder, annotator=annotator)

    def open(self, embedder: Embedder, previous: Any = None) -> Any:
        from index.loading import open_index

        return open_index(self.index_dir, embedder, previous)

    def live_version(self) -> str:
        from index.store import IndexDirectory

        return IndexDirectory(self.index_dir).live_version()

    def update(
        self,
        embedder: Embedder,
        live: Any,
        *,
        add: Sequence[Article] = (),
        remove: Sequence[str] = (),
        annotator: "Annotator | None" = None,
    ) -> Any:
        from index.update import update_index

        report = update_index(
            self.index_dir, embedder, add=add, remove=remove, annotator=annotator, live=live
        )
        return report.index

    def merge_due(self, index: Any, segments: int) -> bool:
        from index.merge import should_merge

        return bool(segments) and should_merge(index, segments)

    def merge(self, embedder: Embedder, live: Any) -> bool:
        from index.merge import merge_segments

        return merge_segments(self.index_dir, embedder, live) is not None


def make_backend(kind: BackendKind, index_dir: Path, milvus_uri: str | None = None) -> Backend:
    """The backend of ``kind``: the index directory ``index_dir``, or Milvus at
    ``milvus_uri`` (a local path runs Milvus Lite in-process; else ``http://host:port``).

    Raises:
        ValueError: Milvus without a URI.
    """
    if kind is BackendKind.EMBEDDED:
        return EmbeddedBackend(index_dir)
    if not milvus_uri:
        raise ValueError("the milvus backend needs a URI (CROSSCHECK_MILVUS_URI)")
    from index.milvus import MilvusBackend

    return MilvusBackend(milvus_uri)

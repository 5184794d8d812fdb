"""The running service: one index and answer engine, loaded once and replaced whole on change.

Readers take the current ``Snapshot`` (one attribute read, atomic in Python) and use it for the
whole request, so a query never sees a half-updated index; its ``version`` (the name of the
newest generation or segment) says which published index answered. Writers (ingest, delete) are
serialised by a lock here and by the index directory's file lock against other processes
(``crosscheck index``); when another process publishes a new version the next request loads it
(only what changed: a new segment, or a new base). Each write is a segment; when they pile up a
background thread merges them into a new base (``index.merge``) while requests go on.
"""

import hashlib
import logging
import threading
from dataclasses import dataclass

from corpus import Article, bundled_articles_dir, load_articles, make_article
from index import (
    Backend,
    BackendUnavailableError,
    CachedEmbedder,
    Embedder,
    IndexStoreError,
    SearchIndex,
)
from retrieval import AnswerEngine, FigureAnnotator

_log = logging.getLogger(__name__)


class NotReadyError(RuntimeError):
    """The index is still loading."""


class UnavailableError(RuntimeError):
    """The index could not be loaded at start-up; the message says why and how to rebuild.
    ``kind``: ``index_unavailable``, or ``backend_unavailable`` when Milvus cannot be reached."""

    def __init__(self, message: str | None, kind: str = "index_unavailable") -> None:
        super().__init__(message)
        self.kind = kind


class UnknownDocumentError(KeyError):
    """No article has that doc id."""


@dataclass(frozen=True)
class Snapshot:
    """One published version of the index, with its answer engine: everything a request reads.

    ``version`` names the newest generation or segment (e.g. ``seg-000012``); answers and
    writes report it.
    """

    index: SearchIndex
    engine: AnswerEngine

    @property
    def version(self) -> str:
        """The newest generation's or segment's name."""
        return self.index.version


@dataclass(frozen=True)
class Ingested:
    """What ``ingest`` did: the article, whether it replaced one, the version now serving."""

    article: Article
    replaced: bool
    version: str


class CrossCheck:
    """The articles and answers behind every route; cheap to construct, ``start()`` loads."""

    def __init__(self, backend: Backend, embedder: Embedder, *, merge_segments: int = 100) -> None:
        """``backend``: where the archive lives (``index.make_backend``). ``merge_segments``:
        merge in the background past this many segments (0: never)."""
        self._backend = backend
        self._merge_segments = merge_segments
        self._merging: threading.Thread | None = None
        # One cache of vectors by text for every index version this service loads.
        self._embedder = CachedEmbedder(embedder)
        # Figures and entities are read when an article is indexed, not when a question asks.
        self._annotator = FigureAnnotator()
        self._loaded: Snapshot | None = None
        self._write_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._failed: str | None = None  # the version that could not be loaded
        self.error: str | None = None
        self._kind = "index_unavailable"

    def start(self) -> None:
        """Build the index from the bundled articles if there is none, then load it."""
        try:
            self._load_or_build()
        except Exception as error:  # reported by /health; the process stays up to say so
            self._fail(error)
            raise

    def _load_or_build(self) -> Snapshot:
        if not self._backend.exists():
            articles = load_articles([bundled_articles_dir()]).articles
            self._backend.build(articles, self._embedder, self._annotator)
        return self._set(self._backend.open(self._embedder))

    def snapshot(self) -> Snapshot:
        """The index now serving; use it for a whole request.

        Raises:
            NotReadyError: the index is still loading.
            UnavailableError: it could not be loaded.
            IndexStoreError: another process published an index that cannot be read.
        """
        return self._current()

    def ingest(
        self,
        text: str,
        *,
        doc_id: str | None = None,
        title: str | None = None,
        source: str | None = None,
        date: str | None = None,
        url: str | None = None,
    ) -> Ingested:
        """Add or replace an article. On return the new index is on disk (fsynced) and
        serving.

        Raises:
            ArticleFileError: the article is empty, binary, or has a bad doc id or date.
            IndexWriteError: the index could not be written; nothing changed.
        """
        article = make_article(
            doc_id or _derived_id(text), text, title=title, source=source, date=date, url=url
        )
        with self._write_lock:
            live = self._current().index
            replaced = article.doc_id in live.articles
            updated = self._backend.update(
                self._embedder, live, add=[article], annotator=self._annotator
            )
            published = self._publish(updated)
        self._merge_if_due(published.index)
        return Ingested(article, replaced, published.version)

    def delete(self, doc_id: str) -> str:
        """Remove an article (durably, as ``ingest``); returns the version now serving.

        Raises:
            UnknownDocumentError: no article has that doc id.
            ValueError: it is the last article.
        """
        with self._write_lock:
            live = self._current().index
            if doc_id not in live.articles:
                raise UnknownDocumentError(doc_id)
            updated = self._backend.update(
                self._embedder, live, remove=[doc_id], annotator=self._annotator
            )
            published = self._publish(updated)
        self._merge_if_due(published.index)
        return published.version

    def merge_now(self) -> None:
        """Fold the live segments into a new base and serve it (what the background merge
        does); for callers that want it done before going on.

        Raises:
            IndexStoreError: the merge failed; the live index is intact.
        """
        live = self._current().index
        if self._backend.merge(self._embedder, live):
            with self._load_lock:
                current = self._loaded.index if self._loaded is not None else live
                self._set(self._backend.open(self._embedder, current))

    def _merge_if_due(self, index: SearchIndex) -> None:
        """Start a background merge when the segments pile up (one at a time)."""
        if not self._backend.merge_due(index, self._merge_segments):
            return
        with self._load_lock:
            if self._merging is not None and self._merging.is_alive():
                return
            self._merging = threading.Thread(
                target=self._background_merge, name="crosscheck-merge", daemon=True
            )
            self._merging.start()

    def _background_merge(self) -> None:
        try:
            self.merge_now()
        except Exception:  # the segments stay live; the next write tries again
            _log.exception("merging the index failed")

    def _current(self) -> Snapshot:
        loaded = self._loaded
        if loaded is None:
            if self.error is not None:
                return self._recover()
            raise NotReadyError("the index is still loading")
        try:
            live = self._backend.live_version()
        except BackendUnavailableError:
            raise  # an archive in Milvus is read from Milvus: nothing to serve without it
        except Exception:
            return loaded  # keep serving what we have; the next write will say what is wrong
        if live == loaded.version:
            return loaded
        # Another process (or our own writer, between publishing and ``_publish``) made a new
        # version live. One thread loads it; the others wait for it rather than load it too.
        with self._load_lock:
            current = self._loaded or loaded
            if current.version == self._backend.live_version():
                return current
            return self._set(self._backend.open(self._embedder, current.index))

    def _recover(self) -> Snapshot:
        """Load the index after a failed start, once a new generation has been published (say
        by ``crosscheck index --rebuild``); until then, say what is wrong.

        Raises:
            UnavailableError: no new generation, or it cannot be loaded either.
        """
        with self._load_lock:
            if self._loaded is not None:
                return self._loaded
            if self._kind == "backend_unavailable":
                # Milvus was down at start: start again now, once it answers.
                try:
                    snapshot = self._load_or_build()
                except IndexStoreError as error:
                    self._fail(error)
                    raise UnavailableError(self.error, self._kind) from None
                self.error = None
                return snapshot
            try:
                live = self._backend.live_version()
            except IndexStoreError:
                raise UnavailableError(self.error, self._kind) from None
            if live == self._failed:
                raise UnavailableError(self.error, self._kind)
            try:
                snapshot = self._set(self._backend.open(self._embedder))
            except IndexStoreError as error:
                self._fail(error)
                raise UnavailableError(self.error, self._kind) from None
            self.error = None
            return snapshot

    def _fail(self, error: Exception) -> None:
        self.error = f"the index could not be loaded: {error}"
        unreachable = isinstance(error, BackendUnavailableError)
        self._kind = "backend_unavailable" if unreachable else "index_unavailable"
        try:
            self._failed = self._backend.live_version()
        except IndexStoreError:
            self._failed = None

    def _publish(self, index: SearchIndex) -> Snapshot:
        """Serve ``index``, just written by this process, unless a reader already loaded it."""
        with self._load_lock:
            current = self._loaded
            if current is not None and current.version == index.version:
                return current
            return self._set(index)

    def _set(self, index: SearchIndex) -> Snapshot:
        self._loaded = Snapshot(index, AnswerEngine(index, self._embedder))
        return self._loaded


def _derived_id(text: str) -> str:
    """A doc id for an article posted without one: stable for the same text."""
    return "post-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

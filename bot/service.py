"""The running service: one index and answer engine, loaded once and replaced whole on change.

Readers take the current ``_Loaded`` snapshot (one attribute read, atomic in Python) and use it
for the whole request, so a query never sees a half-updated index. Writers (ingest, delete) are
serialised by a lock here and by the index directory's file lock against other processes
(``crosscheck index``); when another process publishes a new generation the next request loads
it.
"""

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import Article, bundled_articles_dir, load_articles, make_article
from index import (
    ChunkIndex,
    Embedder,
    IndexDirectory,
    build_index,
    open_index,
    update_index,
)
from retrieval import Answer, AnswerEngine, ArticleFilter


class NotReadyError(RuntimeError):
    """The index is still loading."""


class UnknownDocumentError(KeyError):
    """No article has that doc id."""


@dataclass(frozen=True)
class _Loaded:
    generation: Path
    index: ChunkIndex
    engine: AnswerEngine


class CrossCheck:
    """The articles and answers behind every route; cheap to construct, ``start()`` loads."""

    def __init__(self, index_dir: Path, embedder: Embedder) -> None:
        self._index_dir = index_dir
        self._directory = IndexDirectory(index_dir)
        self._embedder = embedder
        self._loaded: _Loaded | None = None
        self._write_lock = threading.Lock()
        self._load_lock = threading.Lock()
        self.error: str | None = None

    def start(self) -> None:
        """Build the index from the bundled articles if there is none, then load it."""
        try:
            if not self._directory.exists():
                articles = load_articles([bundled_articles_dir()]).articles
                build_index(articles, self._index_dir, self._embedder)
            generation = self._directory.live_generation()
            self._set(generation, open_index(self._index_dir, self._embedder))
            self.ask("how many were injured?")  # warm the model and caches
        except Exception as error:  # reported by /health; the process stays up to say so
            self.error = str(error)
            raise

    @property
    def ready(self) -> bool:
        """Whether the index is loaded."""
        return self._loaded is not None

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        filters: ArticleFilter | None = None,
    ) -> Answer:
        """Answer a question over the current index."""
        return self._current().engine.ask(question, history, filters)

    def articles(self) -> list[Article]:
        """Every article, in doc id order."""
        return sorted(self._current().index.articles.values(), key=lambda a: a.doc_id)

    def article(self, doc_id: str) -> Article:
        """One article.

        Raises:
            UnknownDocumentError: no article has that doc id.
        """
        article = self._current().index.articles.get(doc_id)
        if article is None:
            raise UnknownDocumentError(doc_id)
        return article

    def counts(self) -> tuple[int, int]:
        """(articles, chunks) of the current index."""
        index = self._current().index
        return len(index.articles), len(index.chunks)

    def ingest(
        self,
        text: str,
        *,
        doc_id: str | None = None,
        title: str | None = None,
        source: str | None = None,
        date: str | None = None,
        url: str | None = None,
    ) -> tuple[Article, bool]:
        """Add or replace an article; returns it and whether it replaced one. On return the
        new index is on disk (fsynced) and serving.

        Raises:
            ArticleFileError: the article is empty, binary, or has a bad doc id or date.
            IndexWriteError: the index could not be written; nothing changed.
        """
        article = make_article(
            doc_id or _derived_id(text), text, title=title, source=source, date=date, url=url
        )
        with self._write_lock:
            replaced = article.doc_id in self._current().index.articles
            report = update_index(self._index_dir, self._embedder, add=[article])
            self._set(report.index.generation, report.index)
        return article, replaced

    def delete(self, doc_id: str) -> None:
        """Remove an article (durably, as ``ingest``).

        Raises:
            UnknownDocumentError: no article has that doc id.
            ValueError: it is the last article.
        """
        with self._write_lock:
            if doc_id not in self._current().index.articles:
                raise UnknownDocumentError(doc_id)
            report = update_index(self._index_dir, self._embedder, remove=[doc_id])
            self._set(report.index.generation, report.index)

    def _current(self) -> _Loaded:
        loaded = self._loaded
        if loaded is None:
            raise NotReadyError("the index is still loading")
        try:
            live = self._directory.live_generation()
        except Exception:
            return loaded  # keep serving what we have; the next write will say what is wrong
        if live != loaded.generation:
            with self._load_lock:
                if self._loaded is not None and self._loaded.generation != live:
                    self._set(live, open_index(self._index_dir, self._embedder))
            return self._loaded or loaded
        return loaded

    def _set(self, generation: Path, index: ChunkIndex) -> None:
        self._loaded = _Loaded(generation, index, AnswerEngine(index, self._embedder))


def _derived_id(text: str) -> str:
    """A doc id for an article posted without one: stable for the same text."""
    return "post-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

"""The article store: every article's text and metadata, its story profile, what the annotator
stored for it, and the stories, in one SQLite file (the standard library's ``sqlite3``, WAL
mode: one writer, many readers).

Why SQLite rather than a memory-mapped text file with an offset table (``bench/article_store.py``
measured both at 363,660 articles): it opens in no time and no memory whatever the corpus, reads
one article in about 10 microseconds, pages a listing by doc id from its index, and commits a
change to a few rows atomically and durably. A text file would have to be rewritten, or grown
with an offset table of its own, for every ingest and delete.

Rows are versioned by sequence number, so that one file serves every published version of the
index. A row is added by the generation or segment numbered ``added`` and removed (replaced or
deleted) by the one numbered ``removed``; the version of the index that covers sequence numbers
up to ``S`` sees the rows with ``added <= S`` and ``removed`` unset or above ``S``. A writer
commits its rows before it publishes its segment; rows of a write that was never published
(killed in between) are invisible and are taken out by the next writer (``discard_after``).
"""

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corpus import Article, Boilerplate, BoilerplateKind
from index.errors import IndexDamagedError, IndexWriteError
from index.manifest import AnnotatorStamp
from index.stories import Profiles, Story, StoryMap

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    key INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER,
    source TEXT,
    date TEXT,
    title TEXT,
    url TEXT,
    boilerplate TEXT NOT NULL,
    text TEXT NOT NULL,
    hash TEXT NOT NULL,
    annotator TEXT,
    annotation TEXT,
    entities TEXT NOT NULL,
    profile BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_doc ON articles (doc_id, added);
CREATE INDEX IF NOT EXISTS articles_by_removal ON articles (removed) WHERE removed IS NOT NULL;
CREATE INDEX IF NOT EXISTS articles_by_version ON articles (added, removed);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER,
    title TEXT NOT NULL,
    articles TEXT NOT NULL,
    outlets TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_by_id ON stories (id, added);
CREATE INDEX IF NOT EXISTS stories_by_added ON stories (added);
CREATE INDEX IF NOT EXISTS stories_by_removal ON stories (removed) WHERE removed IS NOT NULL;
"""
_ARTICLE_COLUMNS = "key, doc_id, source, date, title, url, boilerplate, text"
# The rows a version covering sequence numbers up to ``?`` sees (the parameter given twice).
_VISIBLE = "added <= ? AND (removed IS NULL OR removed > ?)"
# Articles parsed and kept per version: the passages of a few answers.
_CACHED_ARTICLES = 4096


@dataclass(frozen=True)
class StoredArticle:
    """An article as the store keeps it: the article, its key (chunk tables point at it) and the
    sequence number that added it."""

    key: int
    added: int
    article: Article


@dataclass(frozen=True)
class NewArticle:
    """An article to store, with its story profile (``Profiles`` row) and its annotation."""

    article: Article
    vector: NDArray[np.float32]
    entities: frozenset[str]
    annotation: str | None = None  # JSON text


class ArticleStore:
    """One SQLite file; cheap to construct, opens one connection when first used, which every
    thread shares (one query at a time: a read takes microseconds). Once open, the store stays
    readable through that connection even after a rebuild deleted the file.

    ``writable`` stores may change rows (the caller holds the index's writer lock and closes the
    store after writing); others only read.
    """

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = path
        self._writable = writable
        self._lock = threading.RLock()
        self._open: sqlite3.Connection | None = None

    @classmethod
    def create(cls, path: Path) -> "ArticleStore":
        """A new, empty store at ``path`` (any file there is replaced).

        Raises:
            IndexWriteError: the file cannot be written.
        """
        for stale in (path, *_companions(path)):
            stale.unlink(missing_ok=True)
        store = cls(path, writable=True)
        try:
            store._connection().executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise IndexWriteError(f"cannot write the article store {path}: {error}") from None
        return store

    def close(self) -> None:
        """Close the connection (a later query opens it again)."""
        with self._lock:
            if self._open is not None:
                self._open.close()
                self._open = None

    def __enter__(self) -> "ArticleStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Reading ---------------------------------------------------------------------------------

    def visible(self, upto: int, count: int | None = None) -> "StoreVersion":
        """The articles and stories a version covering sequence numbers up to ``upto`` sees
        (``count`` of them, when the caller knows it: else counted when first asked)."""
        return StoreVersion(self, upto, count)

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read query.

        Raises:
            IndexDamagedError: the file is unreadable or not a store.
        """
        try:
            with self._lock:
                return self._connection().execute(sql, tuple(parameters)).fetchall()
        except sqlite3.Error as error:
            raise IndexDamagedError(
                f"the article store {self.path} is unreadable ({error})"
            ) from None

    def profiles(self, upto: int, doc_ids: Sequence[str]) -> Profiles:
        """The story profiles of ``doc_ids`` (visible up to ``upto``), in that order.

        Raises:
            KeyError: one of them is not visible.
        """
        found: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            for row in self.query(
                f"SELECT doc_id, date, entities, profile FROM articles WHERE doc_id IN ({marks}) "
                f"AND {_VISIBLE}",
                [*part, upto, upto],
            ):
                found[row[0]] = row
        missing = [doc_id for doc_id in doc_ids if doc_id not in found]
        if missing:
            raise KeyError(missing[0])
        rows = [found[doc_id] for doc_id in doc_ids]
        if len({len(r[3]) for r in rows}) > 1:
            raise IndexDamagedError(f"the article store {self.path} holds profiles of two sizes")
        vectors = np.stack([np.frombuffer(r[3], dtype=np.float32) for r in rows]) if rows else None
        return Profiles(
            tuple(doc_ids),
            vectors if vectors is not None else np.zeros((0, 0), dtype=np.float32),
            tuple(frozenset(json.loads(r[2])) for r in rows),
            tuple(r[1] for r in rows),
        )

    def check_size(self) -> None:
        """Check that the file is as long as its header says (cheap: reads 100 bytes).

        Raises:
            IndexDamagedError: it is missing, not an SQLite file, or cut short.
        """
        try:
            with open(self.path, "rb") as handle:
                header = handle.read(100)
            size = self.path.stat().st_size
        except FileNotFoundError:
            raise IndexDamagedError(f"the article store {self.path} is missing") from None
        except OSError as error:
            raise IndexDamagedError(
                f"the article store {self.path} is unreadable ({error})"
            ) from None
        if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
            raise IndexDamagedError(f"the article store {self.path} is unreadable (not SQLite)")
        page = int.from_bytes(header[16:18], "big")
        pages = int.from_bytes(header[28:32], "big")
        if size < (65536 if page == 1 else page) * pages:
            raise IndexDamagedError(
                f"the article store {self.path} is unreadable (cut short: {size} bytes)"
            )

    def check(self) -> None:
        """Check the whole file (SQLite's ``quick_check``: every page and index).

        Raises:
            IndexDamagedError: it is damaged.
        """
        result = self.query("PRAGMA quick_check")
        if result != [("ok",)]:
            raise IndexDamagedError(f"the article store {self.path} is damaged: {result[:3]}")

    def last_sequence(self) -> int:
        """The highest sequence number any row was added or removed by (0: none)."""
        rows = self.query(
            "SELECT max(coalesce(max(added), 0), coalesce(max(removed), 0)) FROM articles"
        )
        stories = self.query(
            "SELECT max(coalesce(max(added), 0), coalesce(max(removed), 0)) FROM stories"
        )
        return max(int(rows[0][0] or 0), int(stories[0][0] or 0))

    # Writing (hold the index's writer lock) ---------------------------------------------------

    def write(
        self,
        sequence: int,
        *,
        add: Sequence[NewArticle] = (),
        remove: Iterable[int] = (),
        stories: Sequence[Story] = (),
        retire_stories: Iterable[str] = (),
        annotator: AnnotatorStamp | None = None,
    ) -> list[int]:
        """In one transaction, as the generation or segment numbered ``sequence``: add ``add``,
        remove the rows keyed ``remove``, replace the stories named ``retire_stories`` by
        ``stories``. Returns the new rows' keys, in order.

        Raises:
            IndexWriteError: the transaction failed (disk full, no permission); nothing changed.
        """
        stamp = None if annotator is None else f"{annotator.name}/{annotator.version}"
        try:
            with self._lock, self._connection() as connection:
                connection.executemany(
                    "UPDATE articles SET removed = ? WHERE key = ?",
                    [(sequence, key) for key in remove],
                )
                keys = []
                for new in add:
                    a = new.article
                    cursor = connection.execute(
                        "INSERT INTO articles (doc_id, added, source, date, title, url, "
                        "boilerplate, text, hash, annotator, annotation, entities, profile) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            a.doc_id,
                            sequence,
                            a.source,
                            a.date,
                            a.title,
                            a.url,
                            json.dumps([[b.start, b.end, b.kind.value] for b in a.boilerplate]),
                            a.text,
                            a.content_hash(),
                            stamp if new.annotation is not None else None,
                            new.annotation,
                            json.dumps(sorted(new.entities), ensure_ascii=False),
                            np.ascontiguousarray(new.vector, dtype=np.float32).tobytes(),
                        ),
                    )
                    keys.append(int(cursor.lastrowid or 0))
                retired = list(retire_stories)
                connection.executemany(
                    f"UPDATE stories SET removed = ? WHERE id = ? AND {_VISIBLE}",
                    [(sequence, story_id, sequence, sequence) for story_id in retired],
                )
                connection.executemany(
                    "INSERT INTO stories (id, added, title, articles, outlets) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            s.id,
                            sequence,
                            s.title,
                            json.dumps(list(s.articles), ensure_ascii=False),
                            json.dumps(list(s.outlets), ensure_ascii=False),
                        )
                        for s in stories
                    ],
                )
        except sqlite3.Error as error:
            raise IndexWriteError(
                f"writing the article store {self.path} failed ({error}); nothing was changed"
            ) from None
        return keys

    def discard_after(self, sequence: int) -> None:
        """Take out what writes numbered above ``sequence`` did: they were never published.

        Raises:
            IndexWriteError: the transaction failed.
        """
        try:
            with self._lock, self._connection() as connection:
                for table in ("articles", "stories"):
                    connection.execute(f"DELETE FROM {table} WHERE added > ?", (sequence,))
                    connection.execute(
                        f"UPDATE {table} SET removed = NULL WHERE removed > ?", (sequence,)
                    )
        except sqlite3.Error as error:
            raise IndexWriteError(
                f"writing the article store {self.path} failed ({error})"
            ) from None

    def _connection(self) -> sqlite3.Connection:
        """The connection, opened on first use (hold ``_lock``)."""
        connection = self._open
        if connection is None:
            try:
                if not self._writable and not self.path.is_file():
                    raise IndexDamagedError(f"the article store {self.path} is missing")
                connection = sqlite3.connect(
                    self.path, isolation_level="DEFERRED", check_same_thread=False
                )
                connection.execute("PRAGMA busy_timeout = 10000")
                if self._writable:
                    connection.execute("PRAGMA journal_mode = WAL")
                    # Durable at commit: a 201 means the rows are on disk.
                    connection.execute("PRAGMA synchronous = FULL")
                else:
                    connection.execute("PRAGMA query_only = ON")
            except sqlite3.Error as error:
                raise IndexDamagedError(
                    f"the article store {self.path} is unreadable ({error})"
                ) from None
            self._open = connection
        return connection


class StoreVersion(Mapping[str, Article]):
    """The articles one published version of the index sees, by doc id; read from the store
    when asked for (the last few thousand are kept parsed), never all loaded."""

    def __init__(self, store: ArticleStore, upto: int, count: int | None = None) -> None:
        self.store = store
        self.upto = upto
        self._count = count
        self._by_doc = lru_cache(maxsize=_CACHED_ARTICLES)(self._read_doc)
        self._by_key = lru_cache(maxsize=_CACHED_ARTICLES)(self._read_key)

    def __getitem__(self, doc_id: str) -> Article:
        found = self._by_doc(doc_id)
        if found is None:
            raise KeyError(doc_id)
        return found.article

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._by_doc(doc_id) is not None

    def __len__(self) -> int:
        if self._count is None:
            rows = self.store.query(
                f"SELECT count(*) FROM articles WHERE {_VISIBLE}", [self.upto, self.upto]
            )
            self._count = int(rows[0][0])
        return self._count

    def __iter__(self) -> Iterator[str]:
        """Doc ids in key order (the order the articles were added)."""
        for (doc_id,) in self.store.query(
            f"SELECT doc_id FROM articles WHERE {_VISIBLE} ORDER BY key", [self.upto, self.upto]
        ):
            yield doc_id

    def stored(self, doc_id: str) -> StoredArticle | None:
        """The article ``doc_id`` with its key and sequence number, or None."""
        return self._by_doc(doc_id)

    def by_key(self, key: int) -> Article:
        """The article whose row is ``key`` (visible to this version or replaced after it).

        Raises:
            IndexDamagedError: no row has that key.
        """
        found = self._by_key(key)
        if found is None:
            raise IndexDamagedError(f"the article store {self.store.path} has no article {key}")
        return found

    def stored_articles(self) -> Iterator[StoredArticle]:
        """Every article this version sees, in key order, read in pages."""
        after = -1
        while True:
            rows = self.store.query(
                f"SELECT {_ARTICLE_COLUMNS}, added FROM articles WHERE key > ? AND {_VISIBLE} "
                "ORDER BY key LIMIT 2000",
                [after, self.upto, self.upto],
            )
            if not rows:
                return
            for row in rows:
                yield StoredArticle(int(row[0]), int(row[8]), _article(row))
            after = int(rows[-1][0])

    def page(self, after: str | None, limit: int) -> list[Article]:
        """Up to ``limit`` articles by doc id, strictly after ``after`` (None: from the first)."""
        rows = self.store.query(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE doc_id > ? AND {_VISIBLE} "
            "ORDER BY doc_id LIMIT ?",
            ["" if after is None else after, self.upto, self.upto, limit],
        )
        return [_article(row) for row in rows]

    def doc_ids_of(self, keys: Sequence[int]) -> dict[int, str]:
        """The doc ids of the articles keyed ``keys`` (any version's rows)."""
        found: dict[int, str] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(
                self.store.query(f"SELECT key, doc_id FROM articles WHERE key IN ({marks})", part)
            )
        return {key: found[key] for key in keys if key in found}

    def summaries(
        self, doc_ids: Sequence[str]
    ) -> dict[str, tuple[str | None, str | None, str | None]]:
        """``(date, source, title)`` of each of ``doc_ids`` this version sees (no text read)."""
        found: dict[str, tuple[str | None, str | None, str | None]] = {}
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            for doc_id, date, source, title in self.store.query(
                f"SELECT doc_id, date, source, title FROM articles WHERE doc_id IN ({marks}) "
                f"AND {_VISIBLE}",
                [*part, self.upto, self.upto],
            ):
                found[doc_id] = (date, source, title)
        return found

    def content_hashes(self) -> dict[str, str]:
        """Every visible article's content hash, by doc id."""
        return dict(
            self.store.query(
                f"SELECT doc_id, hash FROM articles WHERE {_VISIBLE}", [self.upto, self.upto]
            )
        )

    def check_hashes(self) -> None:
        """Check every article this version sees against its stored content hash (reads them
        all).

        Raises:
            IndexDamagedError: an article's text or metadata was changed in place.
        """
        for stored in self.stored_articles():
            rows = self.store.query("SELECT hash FROM articles WHERE key = ?", [stored.key])
            if rows[0][0] != stored.article.content_hash():
                raise IndexDamagedError(
                    f"the article store {self.store.path}: article {stored.article.doc_id!r} "
                    "does not match its content hash (altered or damaged)"
                )

    def annotation(self, doc_id: str, stamp: AnnotatorStamp) -> dict[str, Any] | None:
        """What the annotator ``stamp`` names stored for ``doc_id``; None if it stored nothing
        (or another annotator or version did).

        Raises:
            IndexDamagedError: the stored annotation is not a JSON object.
        """
        line = self.annotation_text(doc_id, stamp)
        if line is None:
            return None
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise IndexDamagedError(f"the annotation of {doc_id!r} is not JSON ({error})") from None
        if not isinstance(data, dict):
            raise IndexDamagedError(f"the annotation of {doc_id!r} is malformed")
        return data

    def annotation_text(self, doc_id: str, stamp: AnnotatorStamp) -> str | None:
        """The stored annotation of ``doc_id`` as JSON text, if ``stamp``'s annotator made it."""
        rows = self.store.query(
            f"SELECT annotator, annotation FROM articles WHERE doc_id = ? AND {_VISIBLE}",
            [doc_id, self.upto, self.upto],
        )
        if not rows or rows[0][0] != f"{stamp.name}/{stamp.version}":
            return None
        return str(rows[0][1])

    def reusable_annotation(self, article: Article, stamp: AnnotatorStamp) -> str | None:
        """The stored annotation of ``article`` if it was made by ``stamp``'s annotator for
        the article as it is now (same content), else None."""
        rows = self.store.query(
            f"SELECT annotator, annotation, hash FROM articles WHERE doc_id = ? AND {_VISIBLE}",
            [article.doc_id, self.upto, self.upto],
        )
        if not rows or rows[0][0] != f"{stamp.name}/{stamp.version}":
            return None
        return str(rows[0][1]) if rows[0][2] == article.content_hash() else None

    def annotated(self, stamp: AnnotatorStamp) -> int:
        """How many visible articles ``stamp``'s annotator annotated."""
        rows = self.store.query(
            f"SELECT count(*) FROM articles WHERE annotator = ? AND {_VISIBLE}",
            [f"{stamp.name}/{stamp.version}", self.upto, self.upto],
        )
        return int(rows[0][0])

    def stories(self) -> StoryMap:
        """Every story this version sees, read in full (once per base; see ``LayeredStories``).

        Raises:
            IndexDamagedError: two stories share an id or an article, or the stories do not
                place as many articles as this version sees.
        """
        try:
            stories = StoryMap(tuple(self.story_records(0)))
        except ValueError as error:
            raise IndexDamagedError(f"the article store {self.store.path}: {error}") from None
        placed = sum(len(story.articles) for story in stories.stories)
        if placed != len(self):
            raise IndexDamagedError(
                f"the article store {self.store.path} places {placed} of {len(self)} articles "
                "in stories"
            )
        return stories

    def story_records(self, after: int) -> list[Story]:
        """The visible stories added after sequence number ``after``."""
        rows = self.store.query(
            f"SELECT id, title, articles, outlets FROM stories WHERE added > ? AND {_VISIBLE}",
            [after, self.upto, self.upto],
        )
        return [self._story(row) for row in rows]

    def retired_stories(self, after: int) -> set[str]:
        """The ids of stories visible at ``after`` that this version no longer sees as they were
        (removed or rewritten since)."""
        rows = self.store.query(
            "SELECT id FROM stories WHERE added <= ? AND removed > ? AND removed <= ?",
            [after, after, self.upto],
        )
        return {row[0] for row in rows}

    def removed_since(self, after: int) -> list[tuple[int, int]]:
        """``(key, added)`` of the articles visible at ``after`` and removed since."""
        rows = self.store.query(
            "SELECT key, added FROM articles WHERE removed > ? AND removed <= ? AND added <= ?",
            [after, self.upto, after],
        )
        return [(int(k), int(a)) for k, a in rows]

    def _story(self, row: tuple[Any, ...]) -> Story:
        story_id, title, members, outlets = row
        try:
            return Story(
                id=story_id,
                title=title,
                articles=tuple(str(doc_id) for doc_id in json.loads(members)),
                outlets=tuple(str(outlet) for outlet in json.loads(outlets)),
            )
        except (TypeError, ValueError) as error:
            raise IndexDamagedError(
                f"the stored story {story_id!r} is malformed ({error!r})"
            ) from None

    def _read_doc(self, doc_id: str) -> StoredArticle | None:
        rows = self.store.query(
            f"SELECT {_ARTICLE_COLUMNS}, added FROM articles WHERE doc_id = ? AND {_VISIBLE}",
            [doc_id, self.upto, self.upto],
        )
        if not rows:
            return None
        return StoredArticle(int(rows[0][0]), int(rows[0][8]), _article(rows[0]))

    def _read_key(self, key: int) -> Article | None:
        rows = self.store.query(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE key = ?", [key])
        return _article(rows[0]) if rows else None


def _article(row: tuple[Any, ...]) -> Article:
    _, doc_id, source, date, title, url, boilerplate, text = row[:8]
    try:
        return Article(
            doc_id=doc_id,
            text=text,
            source=source,
            date=date,
            title=title,
            url=url,
            boilerplate=tuple(
                Boilerplate(start, end, BoilerplateKind(kind))
                for start, end, kind in json.loads(boilerplate)
            ),
        )
    except (TypeError, ValueError) as error:
        raise IndexDamagedError(f"the stored article {doc_id!r} is malformed ({error!r})") from None


def _companions(path: Path) -> tuple[Path, Path]:
    """SQLite's write-ahead log and shared-memory files beside a database."""
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def store_files(path: Path) -> tuple[Path, ...]:
    """A store's file and the files SQLite keeps beside it."""
    return (path, *_companions(path))

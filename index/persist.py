"""Reading and writing one index generation's data files (JSONL, faiss, .npy; no pickle), and
checking them against the manifest: their sizes on every load, their digests on verifying."""

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus import Article, Boilerplate, BoilerplateKind, Chunk
from index.chunk_table import ChunkTable
from index.errors import IndexDamagedError
from index.manifest import MANIFEST_FILE, FileDigest, Manifest
from index.stories import Grouping, Profiles, Story, StoryMap

ARTICLES_FILE = "articles.jsonl"
# One int32 row a chunk: its article's line number in ARTICLES_FILE (from 0), ordinal, start, end.
CHUNKS_FILE = "chunks.npy"
VECTORS_FILE = "vectors.faiss"
# Stories: each story's id, title and articles; each article's profile (date and entities, one
# line per row of the profile vectors).
STORIES_FILE = "stories.jsonl"
PROFILES_FILE = "story_profiles.jsonl"
PROFILE_VECTORS_FILE = "story_vectors.npy"
STORY_FILES = (STORIES_FILE, PROFILES_FILE, PROFILE_VECTORS_FILE)


def write_articles(path: Path, articles: Iterable[Article]) -> None:
    """Write articles, one JSON object per line, boilerplate spans included."""
    _write_jsonl(
        path,
        (
            {
                "doc_id": a.doc_id,
                "source": a.source,
                "date": a.date,
                "title": a.title,
                "url": a.url,
                "boilerplate": [[b.start, b.end, b.kind.value] for b in a.boilerplate],
                "text": a.text,
            }
            for a in articles
        ),
    )


def write_chunks(path: Path, chunks: Sequence[Chunk], doc_ids: Sequence[str]) -> None:
    """Write where each chunk lies, in index order, as one row of ``CHUNKS_FILE`` each (the
    text is the article's, so it is not written twice); ``doc_ids`` are the articles in the
    order of ``ARTICLES_FILE``."""
    line = {doc_id: number for number, doc_id in enumerate(doc_ids)}
    rows = np.array(
        [(line[c.doc_id], c.ordinal, c.start, c.end) for c in chunks], dtype=np.int32
    ).reshape(-1, 4)
    np.save(path, rows, allow_pickle=False)


def digest(path: Path) -> FileDigest:
    """Size and SHA-256 of a file."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
    return FileDigest(bytes=path.stat().st_size, sha256=sha.hexdigest())


def check_files(generation: Path, manifest: Manifest) -> None:
    """Check that every data file the manifest lists is there with its size (cheap: no file is
    read; ``verify_files`` reads them).

    Raises:
        IndexDamagedError: a file is missing, or its size differs.
    """
    for name, expected in manifest.files.items():
        path = generation / name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise IndexDamagedError(f"{path} is missing") from None
        except OSError as error:
            raise IndexDamagedError(f"{path} is unreadable ({error})") from None
        if size != expected.bytes:
            raise IndexDamagedError(
                f"{path} has {size} bytes, the manifest says {expected.bytes} "
                "(truncated or overwritten)"
            )


def verify_files(generation: Path, manifest: Manifest) -> int:
    """Check every data file against its size and SHA-256 digest in the manifest (reads every
    byte). Returns the bytes checked.

    Raises:
        IndexDamagedError: a file is missing, or its size or hash differs.
    """
    check_files(generation, manifest)
    for name, expected in manifest.files.items():
        path = generation / name
        try:
            actual = digest(path)
        except OSError as error:
            raise IndexDamagedError(f"{path} is unreadable ({error})") from None
        if actual.sha256 != expected.sha256:
            raise IndexDamagedError(f"{path} does not match its checksum in {MANIFEST_FILE}")
    return sum(expected.bytes for expected in manifest.files.values())


def read_articles(path: Path) -> dict[str, Article]:
    """Read the articles file into a dict by doc id."""
    articles = {}
    for where, record in _read_jsonl(path):
        try:
            article = Article(
                doc_id=record["doc_id"],
                text=record["text"],
                source=record["source"],
                date=record["date"],
                title=record["title"],
                url=record["url"],
                boilerplate=tuple(
                    Boilerplate(start, end, BoilerplateKind(kind))
                    for start, end, kind in record["boilerplate"]
                ),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise IndexDamagedError(f"{where}: malformed article ({error!r})") from None
        articles[article.doc_id] = article
    return articles


def read_chunks(path: Path, articles: Mapping[str, Article], count: int) -> ChunkTable:
    """Read the chunks file (``count`` rows, over ``articles`` in the order they were read).
    Only its shape is checked; ``check_chunks`` checks every row.

    The table is read in one call rather than memory-mapped: it is small (16 bytes a chunk),
    and a server keeps answering from it if the file is damaged in place under it.

    Raises:
        IndexDamagedError: the file is unreadable or not ``count`` rows of four int32.
    """
    try:
        rows = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise IndexDamagedError(f"{path} is unreadable ({error})") from None
    if rows.dtype != np.int32 or rows.shape != (count, 4):
        raise IndexDamagedError(
            f"{path} holds {rows.dtype} rows of shape {rows.shape}, not ({count}, 4) int32"
        )
    return ChunkTable.from_rows(rows, list(articles), articles)


def check_chunks(path: Path, articles: Mapping[str, Article]) -> None:
    """Check that every chunk of the chunks file lies inside an article of ``articles`` (in
    the order they were read).

    Raises:
        IndexDamagedError: a row names no article, or offsets outside its article.
    """
    rows = np.load(path, mmap_mode="r", allow_pickle=False)
    lengths = np.fromiter((len(a.text) for a in articles.values()), np.int64, len(articles))
    doc, start, end = (np.asarray(rows[:, column], dtype=np.int64) for column in (0, 2, 3))
    known = (doc >= 0) & (doc < len(lengths))
    inside = known & (start >= 0) & (start < end) & (end <= lengths[np.where(known, doc, 0)])
    if not inside.all():
        row = int(np.argmin(inside))
        raise IndexDamagedError(f"{path}, row {row}: chunk outside the articles of the index")


def write_stories(folder: Path, stories: StoryMap, grouping: Grouping) -> None:
    """Write the stories and the profiles they were grouped from (``STORY_FILES``)."""
    _write_jsonl(
        folder / STORIES_FILE,
        ({"id": s.id, "title": s.title, "articles": list(s.articles)} for s in stories.stories),
    )
    profiles = grouping.profiles
    _write_jsonl(
        folder / PROFILES_FILE,
        (
            {"doc_id": doc_id, "date": date, "entities": sorted(entities)}
            for doc_id, date, entities in zip(
                profiles.doc_ids, profiles.dates, profiles.entities, strict=True
            )
        ),
    )
    np.save(folder / PROFILE_VECTORS_FILE, profiles.vectors, allow_pickle=False)


def read_stories(path: Path, articles: Mapping[str, Article]) -> StoryMap:
    """Read the stories file; each story's outlets come from its articles' sources.

    Raises:
        IndexDamagedError: a record is malformed, or the stories do not hold every article
            exactly once.
    """
    stories = []
    for where, record in _read_jsonl(path):
        try:
            story_id, title = record["id"], record["title"]
            doc_ids = tuple(str(doc_id) for doc_id in record["articles"])
            sources = (articles[doc_id].source for doc_id in doc_ids)
            outlets = tuple(dict.fromkeys(s for s in sources if s is not None))
        except (KeyError, TypeError) as error:
            raise IndexDamagedError(f"{where}: malformed story ({error!r})") from None
        if not isinstance(story_id, str) or not isinstance(title, str) or not doc_ids:
            raise IndexDamagedError(f"{where}: a story needs a string id and title and articles")
        stories.append(Story(id=story_id, title=title, articles=doc_ids, outlets=outlets))
    try:
        story_map = StoryMap(tuple(stories))
    except ValueError as error:
        raise IndexDamagedError(f"{path}: {error}") from None
    placed = sum(len(story.articles) for story in story_map.stories)
    if placed != len(articles):
        raise IndexDamagedError(f"{path} places {placed} of the {len(articles)} articles")
    return story_map


def read_grouping(folder: Path, stories: StoryMap, dimension: int) -> Grouping:
    """Read the article profiles of a generation, with each article's story from ``stories``.

    Raises:
        IndexDamagedError: a file is malformed, or the profiles and stories disagree.
    """
    doc_ids, dates, entities = [], [], []
    for where, record in _read_jsonl(folder / PROFILES_FILE):
        try:
            doc_ids.append(str(record["doc_id"]))
            dates.append(None if record["date"] is None else str(record["date"]))
            entities.append(frozenset(str(e) for e in record["entities"]))
        except (KeyError, TypeError) as error:
            raise IndexDamagedError(f"{where}: malformed profile ({error!r})") from None
    path = folder / PROFILE_VECTORS_FILE
    try:
        vectors = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as error:
        raise IndexDamagedError(f"{path} is unreadable ({error})") from None
    if vectors.dtype != np.float32 or vectors.shape != (len(doc_ids), dimension):
        raise IndexDamagedError(
            f"{path} holds {vectors.dtype} vectors of shape {vectors.shape}, not "
            f"({len(doc_ids)}, {dimension}) float32"
        )
    try:
        story_ids = tuple(stories.story_of(doc_id).id for doc_id in doc_ids)
    except KeyError as error:
        raise IndexDamagedError(f"{folder / PROFILES_FILE}: {error.args[0]}") from None
    if len(set(doc_ids)) != len(doc_ids) or len(doc_ids) != sum(
        len(s.articles) for s in stories.stories
    ):
        raise IndexDamagedError(f"{folder / PROFILES_FILE} does not profile every article once")
    return Grouping(Profiles(tuple(doc_ids), vectors, tuple(entities), tuple(dates)), story_ids)


def _write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")


def _read_jsonl(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                where = f"{path}, line {number}"
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise IndexDamagedError(f"{where} is not valid JSON ({error})") from None
                if not isinstance(record, dict):
                    raise IndexDamagedError(f"{where} is not a JSON object")
                yield where, record
    except (OSError, UnicodeDecodeError) as error:
        raise IndexDamagedError(f"{path} is unreadable ({error})") from None

"""Reading and writing one index generation's data files (JSONL, faiss, manifest; no pickle)."""

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from corpus import Article, Boilerplate, BoilerplateKind, Chunk
from index.chunk_table import ChunkTable
from index.errors import IndexDamagedError
from index.manifest import MANIFEST_FILE, FileDigest, Manifest

ARTICLES_FILE = "articles.jsonl"
CHUNKS_FILE = "chunks.jsonl"
VECTORS_FILE = "vectors.faiss"


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


def write_chunks(path: Path, chunks: Sequence[Chunk]) -> None:
    """Write where each chunk lies, one JSON object per line, in index order (the text is
    the article's, so it is not written twice)."""
    _write_jsonl(
        path,
        (
            {"doc_id": c.doc_id, "ordinal": c.ordinal, "start": c.start, "end": c.end}
            for c in chunks
        ),
    )


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write the manifest (last: a generation without one is incomplete)."""
    path.write_text(json.dumps(manifest.to_json(), indent=2) + "\n", encoding="utf-8")


def digest(path: Path) -> FileDigest:
    """Size and SHA-256 of a file."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            sha.update(block)
    return FileDigest(bytes=path.stat().st_size, sha256=sha.hexdigest())


def check_files(generation: Path, manifest: Manifest) -> None:
    """Check every data file against the manifest's digests.

    Raises:
        IndexDamagedError: a file is missing, or its size or hash differs.
    """
    for name, expected in manifest.files.items():
        path = generation / name
        if not path.is_file():
            raise IndexDamagedError(f"{path} is missing")
        actual = digest(path)
        if actual.bytes != expected.bytes:
            raise IndexDamagedError(
                f"{path} has {actual.bytes} bytes, the manifest says {expected.bytes} "
                "(truncated or overwritten)"
            )
        if actual.sha256 != expected.sha256:
            raise IndexDamagedError(f"{path} does not match its checksum in {MANIFEST_FILE}")


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


def read_chunks(path: Path, articles: Mapping[str, Article]) -> ChunkTable:
    """Read the chunks file, checking every chunk lies inside a known article.

    Raises:
        IndexDamagedError: a record is malformed or points outside the articles.
    """

    def chunks() -> Iterator[Chunk]:
        for where, record in _read_jsonl(path):
            try:
                doc_id, start, end = record["doc_id"], int(record["start"]), int(record["end"])
                ordinal = int(record["ordinal"])
                article = articles[doc_id]
            except (KeyError, TypeError, ValueError) as error:
                raise IndexDamagedError(f"{where}: malformed chunk ({error!r})") from None
            if not 0 <= start < end <= len(article.text):
                raise IndexDamagedError(f"{where}: chunk offsets outside article {doc_id!r}")
            yield Chunk(doc_id=doc_id, ordinal=ordinal, start=start, end=end, text="")

    return ChunkTable(chunks(), articles)


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

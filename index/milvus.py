"""The Milvus backend: the archive in a Milvus server or cluster (or Milvus Lite), so that many
crosscheck servers share one archive.

``MilvusArchive(uri)`` connects: a local path runs Milvus Lite in-process (one process per
folder), ``http://host:19530`` is a Milvus server or cluster. Collections, all prefixed
``crosscheck_``:

- ``chunks``: each chunk's index terms (our tokenizer's stems, so BM25 sees the terms the
  embedded backend sees; Milvus's ``standard`` analyser only splits them again) feeding a BM25
  function, its MiniLM vector, its article's doc id, ordinal and offsets;
- ``articles``: each article's metadata, content hash, story, and story profile (entities and
  the lead's vector, which is also the collection's vector field);
- ``texts``: articles' texts, in parts (a VARCHAR holds 65,535 bytes);
- ``figures``: what the annotator stored for each article, with its name and version;
- ``stories``: each story's title;
- ``meta``: the model, dimension, tokenizer, chunking and annotator of the archive, and its
  version: a new token at every write, which a server compares on each request to know that
  another server changed the archive.

Searches go to Milvus: BM25 and dense, fused with RRF (k = 60) by ``hybrid_search``. Ingest and
delete go straight to Milvus, the searchable chunks last, so a write cut off half-way leaves no
chunk pointing at a missing article; writing the same article again repairs it. Collections are
created with strong consistency: a write one server acknowledges is seen by the next search of
any other.

Differences from the embedded backend, by design of Milvus: BM25 statistics are per segment in
Milvus Lite (global in Milvus proper), so scores, and sometimes ranks, differ a little.
"""

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus import Article, Boilerplate, BoilerplateKind, Chunk, ChunkingConfig
from index.embedders import Vectors
from index.errors import (
    BackendUnavailableError,
    IndexMismatchError,
    IndexNotFoundError,
    IndexStoreError,
)
from index.manifest import AnnotatorStamp
from index.sparse import K1, B
from index.stories import Story
from index.tokenizer import TOKENIZER_VERSION, tokenize

if TYPE_CHECKING:
    from index.annotations import Annotator
    from index.chunk_index import ChunkIndex
    from index.embedders import Embedder

PREFIX = "crosscheck_"
CHUNKS, ARTICLES, TEXTS, FIGURES, STORIES, META = (
    PREFIX + name for name in ("chunks", "articles", "texts", "figures", "stories", "meta")
)
# Characters of article text a part: at most 4 bytes each in UTF-8, under VARCHAR's 65,535.
_TEXT_PART = 16_000
_VARCHAR = 65_535
_ID = 512
# Rows a query fetches at most (Milvus's own cap is 16,384).
_BATCH = 16_000
RRF_K = 60
# A chunk's fields a search returns with it, so that reading the chunk needs no other query.
CHUNK_FIELDS = ["doc_id", "ordinal", "start", "end"]
_CACHED_ARTICLES = 4096


def milvus_terms(text: str) -> str:
    """``text``'s index terms as Milvus's analyser is given them: our tokenizer's stems,
    space-separated, with a number's ``.`` and ``,`` made letters so that it stays one term."""
    return " ".join(term.replace(".", "x").replace(",", "y") for term in tokenize(text))


def chunk_id(doc_id: str, ordinal: int) -> int:
    """A chunk's primary key: stable for the same article and ordinal."""
    digest = hashlib.sha256(f"{doc_id}\0{ordinal}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)


@dataclass(frozen=True)
class ArchiveMeta:
    """What an archive was built with, and its version."""

    model: str
    dimension: int
    tokenizer: str
    chunking: ChunkingConfig
    annotator: AnnotatorStamp | None
    version: str


@dataclass(frozen=True)
class PreparedArticle:
    """An article with everything stored for it: chunks and their vectors, story profile,
    story id, annotation text."""

    article: Article
    chunks: Sequence[Chunk]
    vectors: Vectors
    profile: Vectors
    entities: frozenset[str]
    story: str
    annotation: str | None


class MilvusArchive:
    """One Milvus archive; connects on construction.

    Raises:
        BackendUnavailableError: Milvus cannot be reached.
    """

    def __init__(self, uri: str) -> None:
        from pymilvus import MilvusClient  # here: only the Milvus backend loads it

        self.uri = uri
        try:
            self.client = MilvusClient(uri=uri, timeout=10)
        except Exception as error:
            raise BackendUnavailableError(f"cannot reach Milvus at {uri}: {error}") from None

    def call(self, what: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """``client.method(*args, **kwargs)``, a failure raised as BackendUnavailableError. A
        Milvus that restarted has released its collections: they are loaded again, once."""
        for attempt in range(2):
            try:
                return getattr(self.client, method)(*args, **kwargs)
            except Exception as error:
                if attempt == 0 and "released" in str(error) and self._load_all():
                    continue
                if attempt == 0 and self._reconnect():
                    continue
                raise BackendUnavailableError(
                    f"Milvus at {self.uri} failed to {what}: {error}"
                ) from None
        raise AssertionError("unreachable")

    def _reconnect(self) -> bool:
        """Connect again (a Milvus that restarted is not found again by the old channel);
        whether that worked."""
        from pymilvus import MilvusClient

        try:
            self.client = MilvusClient(uri=self.uri, timeout=10)
        except Exception:
            return False
        return True

    def _load_all(self) -> bool:
        """Load every collection of the archive into memory; whether that worked."""
        try:
            for name in (CHUNKS, ARTICLES, TEXTS, FIGURES, STORIES, META):
                if self.client.has_collection(name):
                    self.client.load_collection(name)
        except Exception:
            return False
        return True

    # The archive's shape --------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether an archive has been created here."""
        return bool(self.call("list collections", "has_collection", META)) and bool(
            self.call("read the archive", "query", META, filter="id == 0", output_fields=["id"])
        )

    def meta(self) -> ArchiveMeta:
        """What the archive was built with, and its version.

        Raises:
            IndexNotFoundError: no archive has been created here.
        """
        if not self.call("list collections", "has_collection", META):
            raise IndexNotFoundError(f"no archive has been loaded into Milvus at {self.uri}")
        rows = self.call("read the archive", "query", META, filter="id == 0", output_fields=["*"])
        if not rows:
            raise IndexNotFoundError(f"no archive has been loaded into Milvus at {self.uri}")
        record = json.loads(rows[0]["record"])
        stamp = record.get("annotator")
        return ArchiveMeta(
            model=record["model"],
            dimension=int(record["dimension"]),
            tokenizer=record["tokenizer"],
            chunking=ChunkingConfig(**record["chunking"]),
            annotator=None if stamp is None else AnnotatorStamp(**stamp),
            version=rows[0]["version"],
        )

    def create(
        self, model: str, dimension: int, chunking: ChunkingConfig, annotator: AnnotatorStamp | None
    ) -> None:
        """Drop any archive here and create empty collections for one of this shape."""
        from pymilvus import DataType, Function, FunctionType

        for name in (CHUNKS, ARTICLES, TEXTS, FIGURES, STORIES, META):
            if self.call("list collections", "has_collection", name):
                self.call("drop a collection", "drop_collection", name)
        client = self.client

        def collection(
            name: str, fields: list[tuple[str, Any, dict[str, Any]]], **more: Any
        ) -> None:
            schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
            for field, kind, options in fields:
                schema.add_field(field, kind, **options)
            for function in more.get("functions", ()):
                schema.add_function(function)
            index = client.prepare_index_params()
            for field, kind, metric in more["indexes"]:
                params = more.get("params", {}).get(field, {})
                index.add_index(field, index_type=kind, metric_type=metric, params=params)
            self.call(
                "create a collection",
                "create_collection",
                name,
                schema=schema,
                index_params=index,
                consistency_level="Strong",
            )

        key = {"is_primary": True, "max_length": _ID}
        small = ("vector", DataType.FLOAT_VECTOR, {"dim": 2})
        flat = [("vector", "FLAT", "L2")]
        collection(
            CHUNKS,
            [
                ("id", DataType.INT64, {"is_primary": True}),
                (
                    "terms",
                    DataType.VARCHAR,
                    {
                        "max_length": _VARCHAR,
                        "enable_analyzer": True,
                        "analyzer_params": {"type": "standard"},
                        "enable_match": True,
                    },
                ),
                ("sparse", DataType.SPARSE_FLOAT_VECTOR, {}),
                ("dense", DataType.FLOAT_VECTOR, {"dim": dimension}),
                ("doc_id", DataType.VARCHAR, {"max_length": _ID}),
                ("ordinal", DataType.INT32, {}),
                ("start", DataType.INT32, {}),
                ("end", DataType.INT32, {}),
            ],
            functions=[
                Function(
                    name="bm25",
                    function_type=FunctionType.BM25,
                    input_field_names=["terms"],
                    output_field_names=["sparse"],
                )
            ],
            indexes=[("sparse", "SPARSE_INVERTED_INDEX", "BM25"), ("dense", "FLAT", "IP")],
            params={"sparse": {"bm25_k1": K1, "bm25_b": B}},
        )
        collection(
            ARTICLES,
            [
                ("doc_id", DataType.VARCHAR, key),
                ("profile", DataType.FLOAT_VECTOR, {"dim": dimension}),
                ("record", DataType.VARCHAR, {"max_length": _VARCHAR}),
                ("story", DataType.VARCHAR, {"max_length": _ID}),
                ("parts", DataType.INT32, {}),
            ],
            indexes=[("profile", "FLAT", "IP")],
        )
        collection(
            TEXTS,
            [
                ("id", DataType.VARCHAR, key),
                ("doc_id", DataType.VARCHAR, {"max_length": _ID}),
                ("part", DataType.INT32, {}),
                ("text", DataType.VARCHAR, {"max_length": _VARCHAR}),
                small,
            ],
            indexes=flat,
        )
        collection(
            FIGURES,
            [
                ("doc_id", DataType.VARCHAR, key),
                ("annotator", DataType.VARCHAR, {"max_length": _ID}),
                ("data", DataType.VARCHAR, {"max_length": _VARCHAR}),
                small,
            ],
            indexes=flat,
        )
        collection(
            STORIES,
            [
                ("id", DataType.VARCHAR, key),
                ("title", DataType.VARCHAR, {"max_length": _VARCHAR}),
                small,
            ],
            indexes=flat,
        )
        collection(
            META,
            [
                ("id", DataType.INT64, {"is_primary": True}),
                ("version", DataType.VARCHAR, {"max_length": _ID}),
                ("record", DataType.VARCHAR, {"max_length": _VARCHAR}),
                small,
            ],
            indexes=flat,
        )
        record = {
            "model": model,
            "dimension": dimension,
            "tokenizer": TOKENIZER_VERSION,
            "chunking": {"max_chars": chunking.max_chars, "min_chars": chunking.min_chars},
            "annotator": None
            if annotator is None
            else {"name": annotator.name, "version": annotator.version},
        }
        self._meta_record = json.dumps(record)
        self.bump()

    # Writing ---------------------------------------------------------------------------------

    def flush(self) -> None:
        """Seal what every collection holds in memory into segments: after a load, so that
        searches do not rebuild the memtable's sparse index each time (over a second a query at
        20,000 chunks in Milvus Lite, against 50 ms sealed)."""
        for name in (CHUNKS, ARTICLES, TEXTS, FIGURES, STORIES, META):
            self.call(f"flush {name}", "flush", name)

    def bump(self) -> str:
        """Give the archive a new version (after a write); returns it."""
        version = f"milvus-{uuid.uuid4().hex[:12]}"
        record = getattr(self, "_meta_record", None)
        if record is None:
            rows = self.call(
                "read the archive", "query", META, filter="id == 0", output_fields=["record"]
            )
            record = rows[0]["record"]
        self.call(
            "write the archive's version",
            "upsert",
            META,
            [{"id": 0, "version": version, "record": record, "vector": [0.0, 0.0]}],
        )
        return version

    def put(
        self, prepared: Sequence[PreparedArticle], stamp: AnnotatorStamp | None, fresh: bool = False
    ) -> None:
        """Store ``prepared`` articles (replacing any of the same doc id, unless ``fresh``: the
        archive was just created and holds none of them), their chunks last."""
        if not prepared:
            return
        held = {} if fresh else self._held([p.article.doc_id for p in prepared])
        self._delete_keys(CHUNKS, [k for chunks, _ in held.values() for k in chunks])
        articles: list[dict[str, Any]] = []
        texts: list[dict[str, Any]] = []
        figures: list[dict[str, Any]] = []
        for p in prepared:
            a = p.article
            parts = [a.text[i : i + _TEXT_PART] for i in range(0, len(a.text), _TEXT_PART)] or [""]
            record = {
                "source": a.source,
                "date": a.date,
                "title": a.title,
                "url": a.url,
                "boilerplate": [[b.start, b.end, b.kind.value] for b in a.boilerplate],
                "hash": a.content_hash(),
                "entities": sorted(p.entities),
                # Chunk keys are chunk_id(doc_id, ordinal) for ordinals below this: a
                # replacement or delete finds them by primary key, not by scanning doc ids.
                "chunks": max((c.ordinal for c in p.chunks), default=-1) + 1,
            }
            articles.append(
                {
                    "doc_id": a.doc_id,
                    "profile": np.asarray(p.profile, dtype=np.float32).tolist(),
                    "record": json.dumps(record, ensure_ascii=False),
                    "story": p.story,
                    "parts": len(parts),
                }
            )
            texts.extend(
                {
                    "id": f"{a.doc_id}\0{n}",
                    "doc_id": a.doc_id,
                    "part": n,
                    "text": t,
                    "vector": [0.0, 0.0],
                }
                for n, t in enumerate(parts)
            )
            if (
                p.annotation is not None
                and stamp is not None
                and len(p.annotation.encode()) < _VARCHAR
            ):
                figures.append(
                    {
                        "doc_id": a.doc_id,
                        "annotator": f"{stamp.name}/{stamp.version}",
                        "data": p.annotation,
                        "vector": [0.0, 0.0],
                    }
                )
        if not fresh:
            self._delete_keys(TEXTS, [k for _, parts in held.values() for k in parts])
            self._delete_in(FIGURES, "doc_id", [p.article.doc_id for p in prepared])
        self.call("store texts", "insert", TEXTS, texts)
        if figures:
            self.call("store figures", "insert", FIGURES, figures)
        # An upsert looks for the rows it replaces: a fresh archive has none to look for.
        self.call("store articles", "insert" if fresh else "upsert", ARTICLES, articles)
        chunks = [
            {
                "id": chunk_id(c.doc_id, c.ordinal),
                "terms": milvus_terms(c.text),
                "dense": np.asarray(v, dtype=np.float32).tolist(),
                "doc_id": c.doc_id,
                "ordinal": c.ordinal,
                "start": c.start,
                "end": c.end,
            }
            for p in prepared
            for c, v in zip(p.chunks, p.vectors, strict=True)
        ]
        for start in range(0, len(chunks), 1000):
            self.call("store chunks", "insert", CHUNKS, chunks[start : start + 1000])

    def put_stories(self, stories: Sequence[Story]) -> None:
        """Store the titles of ``stories``."""
        rows = [{"id": s.id, "title": s.title[:16_000], "vector": [0.0, 0.0]} for s in stories]
        for start in range(0, len(rows), 1000):
            self.call("store stories", "upsert", STORIES, rows[start : start + 1000])

    def remove(self, doc_ids: Sequence[str]) -> None:
        """Delete articles: their chunks first (nothing searchable points at a removed
        article), then their texts, figures and rows."""
        held = self._held(doc_ids)
        self._delete_keys(CHUNKS, [k for chunks, _ in held.values() for k in chunks])
        self._delete_keys(TEXTS, [k for _, parts in held.values() for k in parts])
        for collection in (FIGURES, ARTICLES):
            self._delete_in(collection, "doc_id", doc_ids)

    def _held(self, doc_ids: Sequence[str]) -> dict[str, tuple[list[int], list[str]]]:
        """The primary keys of the chunks and text parts each of ``doc_ids`` has, from its
        article row. A row is written before its chunks and parts and deleted after them, so
        a write cut off half-way leaves none the row does not name."""
        held: dict[str, tuple[list[int], list[str]]] = {}
        for start in range(0, len(doc_ids), 500):
            listed = json.dumps(list(doc_ids[start : start + 500]), ensure_ascii=False)
            for row in self.query(ARTICLES, f"doc_id in {listed}", ["doc_id", "record", "parts"]):
                doc_id, chunks = row["doc_id"], json.loads(row["record"]).get("chunks")
                if chunks is None:  # written before rows named their chunks: scan for them
                    self._delete_in(CHUNKS, "doc_id", [doc_id])
                    self._delete_in(TEXTS, "doc_id", [doc_id])
                    chunks = 0
                held[doc_id] = (
                    [chunk_id(doc_id, ordinal) for ordinal in range(chunks)],
                    [f"{doc_id}\0{n}" for n in range(int(row["parts"]))],
                )
        return held

    def _delete_keys(self, collection: str, keys: Sequence[int] | Sequence[str]) -> None:
        for start in range(0, len(keys), 1000):
            self.call(
                f"delete from {collection}",
                "delete",
                collection,
                ids=list(keys[start : start + 1000]),
            )

    def drop_stories(self, story_ids: Sequence[str]) -> None:
        """Delete the titles of stories left empty."""
        self._delete_in(STORIES, "id", story_ids)

    def _delete_in(self, collection: str, field: str, values: Sequence[str]) -> None:
        for start in range(0, len(values), 500):
            part = list(values[start : start + 500])
            self.call(
                f"delete from {collection}",
                "delete",
                collection,
                filter=f"{field} in {json.dumps(part, ensure_ascii=False)}",
            )

    # Reading ---------------------------------------------------------------------------------

    def query(
        self, collection: str, filter: str, fields: Sequence[str], limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Rows of ``collection`` matching ``filter``."""
        kwargs: dict[str, Any] = {"filter": filter, "output_fields": list(fields)}
        if limit is not None:
            kwargs["limit"] = limit
        return list(self.call(f"read {collection}", "query", collection, **kwargs))

    def count(self, collection: str, filter: str = "") -> int:
        """Rows of ``collection`` (matching ``filter``)."""
        rows = self.call(
            f"count {collection}", "query", collection, filter=filter, output_fields=["count(*)"]
        )
        return int(rows[0]["count(*)"])

    def every(
        self, collection: str, fields: Sequence[str], filter: str = ""
    ) -> Iterator[dict[str, Any]]:
        """Every row of ``collection`` (matching ``filter``), in batches."""
        import logging

        # The iterator warns on every call that Milvus Lite has no MVCC timestamp to give it.
        logging.getLogger("pymilvus").setLevel(logging.ERROR)
        try:
            iterator = self.client.query_iterator(
                collection, batch_size=1000, filter=filter, output_fields=list(fields)
            )
            while batch := iterator.next():
                yield from batch
            iterator.close()
        except IndexStoreError:
            raise
        except Exception as error:
            raise BackendUnavailableError(
                f"Milvus at {self.uri} failed to read {collection}: {error}"
            ) from None

    def open(self, model: str, dimension: int) -> "MilvusIndex":
        """The archive as it is now, for searching with ``model``.

        Raises:
            IndexNotFoundError: nothing has been loaded.
            IndexMismatchError: it was built with another model, dimension or tokenizer.
            BackendUnavailableError: Milvus cannot be reached.
        """
        meta = self.meta()
        if meta.model != model or meta.dimension != dimension:
            raise IndexMismatchError(
                f"the archive in Milvus was built with model {meta.model} ({meta.dimension} "
                f"dimensions) but this run embeds queries with {model} ({dimension}); load it "
                "again with: crosscheck index --backend milvus"
            )
        if meta.tokenizer != TOKENIZER_VERSION:
            raise IndexMismatchError(
                f"the archive in Milvus was built with tokenizer {meta.tokenizer}, this "
                f"crosscheck uses {TOKENIZER_VERSION}; load it again with: crosscheck index "
                "--backend milvus"
            )
        return MilvusIndex(self, meta)


def _article(doc_id: str, record: dict[str, Any], text: str) -> Article:
    return Article(
        doc_id=doc_id,
        text=text,
        source=record["source"],
        date=record["date"],
        title=record["title"],
        url=record["url"],
        boilerplate=tuple(
            Boilerplate(start, end, BoilerplateKind(kind))
            for start, end, kind in record["boilerplate"]
        ),
    )


class MilvusArticles(Mapping[str, Article]):
    """The archive's articles by doc id, read from Milvus when asked for."""

    def __init__(self, archive: MilvusArchive) -> None:
        self._archive = archive
        self._cache: dict[str, Article | None] = {}
        self._count: int | None = None

    def __getitem__(self, doc_id: str) -> Article:
        found = self._read(doc_id)
        if found is None:
            raise KeyError(doc_id)
        return found

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self._read(doc_id) is not None

    def _read(self, doc_id: str) -> Article | None:
        if doc_id not in self._cache:
            self.prefetch([doc_id])
        return self._cache.get(doc_id)

    def prefetch(self, doc_ids: Sequence[str]) -> None:
        """Read the articles of ``doc_ids`` not read yet, with two queries for all of them."""
        wanted = [d for d in dict.fromkeys(doc_ids) if d not in self._cache]
        if not wanted:
            return
        if len(self._cache) > _CACHED_ARTICLES:
            self._cache.clear()
        listed = json.dumps(wanted, ensure_ascii=False)
        rows = {
            row["doc_id"]: row
            for row in self._archive.query(
                ARTICLES, f"doc_id in {listed}", ["doc_id", "record", "parts"]
            )
        }
        # By primary key (the row says how many parts): a filter on doc id scans the collection.
        keys = [f"{d}\0{n}" for d, row in rows.items() for n in range(int(row["parts"]))]
        parts: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(keys), 1000):
            for part in self._archive.call(
                f"read {TEXTS}",
                "query",
                TEXTS,
                ids=keys[start : start + 1000],
                output_fields=["doc_id", "part", "text"],
            ):
                parts.setdefault(part["doc_id"], []).append(part)
        for doc_id in wanted:
            found = rows.get(doc_id)
            own = parts.get(doc_id, [])
            if found is None or len(own) != found["parts"]:
                self._cache[doc_id] = None  # absent, or written half-way: as if absent
                continue
            text = "".join(p["text"] for p in sorted(own, key=lambda p: p["part"]))
            self._cache[doc_id] = _article(doc_id, json.loads(found["record"]), text)

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._archive.count(ARTICLES)
        return self._count

    def __iter__(self) -> Iterator[str]:
        for row in self._archive.every(ARTICLES, ["doc_id"]):
            yield row["doc_id"]

    def page(self, after: str | None, limit: int) -> list[Article]:
        """Up to ``limit`` articles by doc id, strictly after ``after``."""
        filter = "" if after is None else f"doc_id > {json.dumps(after, ensure_ascii=False)}"
        doc_ids = sorted(row["doc_id"] for row in self._archive.every(ARTICLES, ["doc_id"], filter))
        return [self[doc_id] for doc_id in doc_ids[:limit]]

    def summaries(self, doc_ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """``(date, source)`` of each of ``doc_ids``, with no text read."""
        found: dict[str, tuple[str | None, str | None]] = {}
        for start in range(0, len(doc_ids), 500):
            part = list(doc_ids[start : start + 500])
            for row in self._archive.query(
                ARTICLES, f"doc_id in {json.dumps(part, ensure_ascii=False)}", ["doc_id", "record"]
            ):
                record = json.loads(row["record"])
                found[row["doc_id"]] = (record["date"], record["source"])
        return found


class MilvusChunks:
    """Chunks by primary key, their text sliced from their article."""

    def __init__(self, archive: MilvusArchive, articles: MilvusArticles) -> None:
        self._archive = archive
        self._articles = articles
        self._rows: dict[int, dict[str, Any]] = {}

    def __getitem__(self, key: int) -> Chunk:
        row = self._rows.get(int(key))
        if row is None:
            rows = self._archive.query(CHUNKS, f"id == {int(key)}", CHUNK_FIELDS)
            if not rows:
                raise IndexStoreError(f"no chunk {key} in Milvus at {self._archive.uri}")
            row = self._rows[int(key)] = rows[0]
        article = self._articles[row["doc_id"]]
        start, end = int(row["start"]), int(row["end"])
        return Chunk(
            doc_id=str(row["doc_id"]),
            ordinal=int(row["ordinal"]),
            start=start,
            end=end,
            text=article.text[start:end],
        )

    def remember(self, hits: Sequence[dict[str, Any]]) -> None:
        """Keep the rows a search returned (with ``CHUNK_FIELDS``), and read their articles in
        one go: reading the chunks then asks Milvus nothing more."""
        if len(self._rows) > 65536:
            self._rows.clear()
        for hit in hits:
            self._rows[int(hit["id"])] = hit["entity"]
        self._articles.prefetch([hit["entity"]["doc_id"] for hit in hits])


class MilvusStories:
    """Stories by article, read from Milvus when asked for."""

    def __init__(self, archive: MilvusArchive, articles: MilvusArticles) -> None:
        self._archive = archive
        self._articles = articles
        self._story = lru_cache(maxsize=4096)(self._fetch)
        self._story_id = lru_cache(maxsize=65536)(self._fetch_id)

    def story_of(self, doc_id: str) -> Story:
        """The story ``doc_id`` belongs to.

        Raises:
            KeyError: no such article.
        """
        story_id = self._story_id(doc_id)
        if story_id is None:
            raise KeyError(f"no article {doc_id!r} in any story")
        return self._story(story_id)

    def stories_of(self, doc_ids: Sequence[str]) -> dict[str, Story]:
        """The story of each of ``doc_ids`` that is in the archive, read with a few queries for
        all of them (``story_of`` asks Milvus twice or more for each)."""
        wanted = list(dict.fromkeys(doc_ids))
        owner: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            listed = json.dumps(wanted[start : start + 500], ensure_ascii=False)
            for row in self._archive.query(ARTICLES, f"doc_id in {listed}", ["doc_id", "story"]):
                owner[row["doc_id"]] = str(row["story"])
        story_ids = sorted(set(owner.values()))
        found: dict[str, Story] = {}
        for start in range(0, len(story_ids), 500):
            listed = json.dumps(story_ids[start : start + 500], ensure_ascii=False)
            titles = {
                row["id"]: row["title"]
                for row in self._archive.query(STORIES, f"id in {listed}", ["id", "title"])
            }
            members: dict[str, list[tuple[str | None, str, str | None]]] = {}
            for row in self._archive.every(
                ARTICLES, ["doc_id", "story", "record"], f"story in {listed}"
            ):
                record = json.loads(row["record"])
                members.setdefault(row["story"], []).append(
                    (record["date"], row["doc_id"], record["source"])
                )
            for story_id, own in members.items():
                if story_id not in titles:
                    continue
                own.sort(key=lambda m: (m[0] or "9999-99-99", m[1]))
                outlets = dict.fromkeys(m[2] for m in own if m[2])
                found[story_id] = Story(
                    story_id, titles[story_id], tuple(m[1] for m in own), tuple(outlets)
                )
        return {d: found[s] for d, s in owner.items() if s in found}

    def _fetch_id(self, doc_id: str) -> str | None:
        key = json.dumps(doc_id, ensure_ascii=False)
        rows = self._archive.query(ARTICLES, f"doc_id == {key}", ["story"])
        return str(rows[0]["story"]) if rows else None

    def story(self, story_id: str) -> Story | None:
        """The story ``story_id``, or None."""
        try:
            return self._story(story_id)
        except KeyError:
            return None

    def __len__(self) -> int:
        return self._archive.count(STORIES)

    @property
    def stories(self) -> tuple[Story, ...]:
        """Every story, ordered by id."""
        ids = sorted(row["id"] for row in self._archive.every(STORIES, ["id"]))
        return tuple(self._story(story_id) for story_id in ids)

    def _fetch(self, story_id: str) -> Story:
        key = json.dumps(story_id, ensure_ascii=False)
        titles = self._archive.query(STORIES, f"id == {key}", ["title"])
        members = [
            row["doc_id"] for row in self._archive.every(ARTICLES, ["doc_id"], f"story == {key}")
        ]
        if not titles or not members:
            raise KeyError(f"no story {story_id!r}")
        known = self._articles.summaries(members)
        ordered = sorted(members, key=lambda d: (known[d][0] or "9999-99-99", d))
        outlets = dict.fromkeys(known[d][1] for d in ordered if known[d][1] is not None)
        return Story(story_id, titles[0]["title"], tuple(ordered), tuple(o for o in outlets if o))


class MilvusIndex:
    """The archive in Milvus as one version of the index: what the answer engine searches."""

    def __init__(self, archive: MilvusArchive, meta: ArchiveMeta) -> None:
        self.archive = archive
        self.meta = meta
        self.articles = MilvusArticles(archive)
        self.chunks = MilvusChunks(archive, self.articles)
        self.stories = MilvusStories(archive, self.articles)
        self._count: int | None = None
        self._weights = lru_cache(maxsize=65536)(self._term_weight)
        self._annotations = lru_cache(maxsize=4096)(self._annotation)

    @property
    def version(self) -> str:
        """The archive's version when this was opened."""
        return self.meta.version

    @property
    def annotator(self) -> AnnotatorStamp | None:
        """The annotator whose annotations are used."""
        return self.meta.annotator

    @property
    def chunk_count(self) -> int:
        """Number of chunks."""
        if self._count is None:
            self._count = self.archive.count(CHUNKS)
        return self._count

    def annotation(self, doc_id: str) -> dict[str, Any] | None:
        """What the annotator stored for ``doc_id``, if it is the annotator this archive uses."""
        return self._annotations(doc_id)

    def _annotation(self, doc_id: str) -> dict[str, Any] | None:
        stamp = self.meta.annotator
        if stamp is None:
            return None
        key = json.dumps(doc_id, ensure_ascii=False)
        rows = self.archive.query(FIGURES, f"doc_id == {key}", ["annotator", "data"])
        if not rows or rows[0]["annotator"] != f"{stamp.name}/{stamp.version}":
            return None
        data = json.loads(rows[0]["data"])
        return data if isinstance(data, dict) else None

    def bm25_top(self, query: str, n: int) -> list[tuple[int, float]]:
        """The ``n`` best chunks by Milvus's BM25, as ``(key, score)``, best first."""
        terms = milvus_terms(query)
        if not terms or n <= 0:
            return []
        hits = self.archive.call(
            "search",
            "search",
            CHUNKS,
            data=[terms],
            anns_field="sparse",
            limit=n,
            search_params={"metric_type": "BM25"},
            output_fields=CHUNK_FIELDS,
        )
        self.chunks.remember(hits[0])
        # Milvus Lite gives BM25 scores negated; their order is right.
        return [(int(h["id"]), abs(float(h["distance"]))) for h in hits[0]]

    def dense_top(self, query_vector: Vectors, n: int) -> list[tuple[int, float]]:
        """The ``n`` chunks nearest to a query vector, as ``(key, cosine)``, best first."""
        hits = self.archive.call(
            "search",
            "search",
            CHUNKS,
            data=[np.asarray(query_vector, dtype=np.float32).reshape(-1).tolist()],
            anns_field="dense",
            limit=n,
            search_params={"metric_type": "IP"},
            output_fields=CHUNK_FIELDS,
        )
        self.chunks.remember(hits[0])
        return [(int(h["id"]), float(h["distance"])) for h in hits[0]]

    def hybrid_top(
        self, query: str, query_vector: Vectors, n: int, k: int = RRF_K
    ) -> list[tuple[int, float]]:
        """The ``n`` best chunks by reciprocal rank fusion (``k``) of BM25 and dense search,
        each over ``n`` candidates, fused by Milvus (``hybrid_search``)."""
        from pymilvus import AnnSearchRequest, RRFRanker

        terms = milvus_terms(query)
        vector = np.asarray(query_vector, dtype=np.float32).reshape(-1).tolist()
        requests = [AnnSearchRequest([vector], "dense", {"metric_type": "IP"}, n)]
        if terms:
            requests.insert(0, AnnSearchRequest([terms], "sparse", {"metric_type": "BM25"}, n))
        hits = self.archive.call(
            "search",
            "hybrid_search",
            CHUNKS,
            requests,
            RRFRanker(k),
            limit=n,
            output_fields=CHUNK_FIELDS,
        )
        self.chunks.remember(hits[0])
        return [(int(h["id"]), float(h["distance"])) for h in hits[0]]

    def term_weight(self, term: str) -> float:
        """A term's BM25 IDF over the archive (the largest possible for a term no chunk has)."""
        return self._weights(term)

    def _term_weight(self, term: str) -> float:
        import math

        n = self.chunk_count
        encoded = term.replace(".", "x").replace(",", "y")
        frequency = (
            self.archive.count(CHUNKS, f"TEXT_MATCH(terms, {json.dumps(encoded)})")
            if encoded.isalnum()
            else 0
        )
        if frequency == 0:
            return math.log((n + 0.5) / 0.5)
        return max(math.log(n - frequency + 0.5) - math.log(frequency + 0.5), 0.0)


# Loading, updating, migrating ---------------------------------------------------------------


def _annotations(
    articles: Sequence[Article], annotator: "Annotator | None", progress: bool = False
) -> dict[str, str | None]:
    from index.annotations import annotate

    if annotator is None:
        return dict.fromkeys((a.doc_id for a in articles), None)
    return {a.doc_id: text for a, text in annotate(articles, annotator, progress=progress)}


def load_archive(
    archive: MilvusArchive,
    articles: Sequence[Article],
    embedder: "Embedder",
    *,
    chunking: ChunkingConfig = ChunkingConfig(),
    annotator: "Annotator | None" = None,
    progress: bool = False,
) -> int:
    """Replace the archive with ``articles``: embedded, grouped into stories and annotated as
    ``build_index`` does, then stored. Returns the number of chunks.

    Raises:
        BackendUnavailableError: Milvus failed; load again.
        ValueError: ``articles`` is empty.
    """
    from tqdm import tqdm

    from index.annotations import stamp_of
    from index.stories import group_articles, story_map

    if not articles:
        raise ValueError("cannot load an archive of no articles")
    grouping = group_articles(articles, embedder)
    row = {doc_id: i for i, doc_id in enumerate(grouping.profiles.doc_ids)}
    stories = story_map(grouping, {a.doc_id: a for a in articles}).stories
    stamp = None if annotator is None else stamp_of(annotator)
    annotations = _annotations(articles, annotator, progress)
    archive.create(embedder.name, embedder.dimension, chunking, stamp)
    archive.put_stories(stories)
    total = 0
    with tqdm(
        total=len(articles),
        unit="article",
        desc="loading into Milvus",
        disable=not progress,
        leave=False,
    ) as bar:
        for start in range(0, len(articles), 64):
            batch = articles[start : start + 64]
            chunks = [a.chunks(chunking) for a in batch]
            texts = [c.text for own in chunks for c in own]
            vectors = (
                embedder.embed(texts) if texts else np.zeros((0, embedder.dimension), np.float32)
            )
            prepared, offset = [], 0
            for article, own in zip(batch, chunks, strict=True):
                i = row[article.doc_id]
                prepared.append(
                    PreparedArticle(
                        article,
                        own,
                        vectors[offset : offset + len(own)],
                        grouping.profiles.vectors[i],
                        grouping.profiles.entities[i],
                        grouping.story_ids[i],
                        annotations[article.doc_id],
                    )
                )
                offset += len(own)
            archive.put(prepared, stamp, fresh=True)
            total += offset
            bar.update(len(batch))
    archive.bump()
    archive.flush()
    return total


def migrate(index: "ChunkIndex", archive: MilvusArchive, *, progress: bool = False) -> int:
    """Copy an embedded index into ``archive`` without embedding anything again: its articles,
    chunks and vectors, story profiles, stories and annotations. Returns the chunks copied.

    Raises:
        BackendUnavailableError: Milvus failed; migrate again.
    """
    from tqdm import tqdm

    manifest = index.manifest
    archive.create(manifest.model, manifest.dimension, manifest.chunking, manifest.annotator)
    archive.put_stories(index.stories.stories)
    hidden = set(index.bm25.hidden.tolist())
    positions: dict[str, list[int]] = {}
    for position in range(len(index.chunks)):
        if position not in hidden:
            positions.setdefault(index.chunks[position].doc_id, []).append(position)
    stored = list(index.articles.stored_articles())
    total = 0
    with tqdm(
        total=len(stored),
        unit="article",
        desc="copying into Milvus",
        disable=not progress,
        leave=False,
    ) as bar:
        for start in range(0, len(stored), 64):
            batch = [s.article for s in stored[start : start + 64]]
            doc_ids = [a.doc_id for a in batch]
            profiles = index.articles.store.profiles(index.upto, doc_ids)
            prepared = []
            for i, article in enumerate(batch):
                own = positions.get(article.doc_id, [])
                stamp = manifest.annotator
                prepared.append(
                    PreparedArticle(
                        article,
                        [index.chunks[p] for p in own],
                        index.vectors.reconstruct(own),
                        profiles.vectors[i],
                        profiles.entities[i],
                        index.stories.story_of(article.doc_id).id,
                        None
                        if stamp is None
                        else index.articles.annotation_text(article.doc_id, stamp),
                    )
                )
                total += len(own)
            archive.put(prepared, manifest.annotator, fresh=True)
            bar.update(len(batch))
    archive.bump()
    archive.flush()
    return total


def update_archive(
    archive: MilvusArchive,
    index: MilvusIndex,
    embedder: "Embedder",
    *,
    add: Sequence[Article] = (),
    remove: Sequence[str] = (),
    annotator: "Annotator | None" = None,
) -> MilvusIndex:
    """Add (or replace) ``add`` and delete ``remove``, straight in Milvus; each added article
    joins the story it is most like (among those of its nearest chunks) or starts one, and a
    story left empty goes. Returns the archive as it now is.

    Raises:
        KeyError: a doc id in ``remove`` is not in the archive.
        BackendUnavailableError: Milvus failed; what was written is repaired by writing again.
    """
    from index.annotations import stamp_of
    from index.stories import Grouping, Profiles, extend_grouping, lead, profile_articles

    for doc_id in remove:
        if doc_id not in index.articles:
            raise KeyError(doc_id)
    chunking = index.meta.chunking
    profiles = profile_articles(add, embedder)
    gone = [d for d in dict.fromkeys([*remove, *(a.doc_id for a in add)]) if d in index.articles]
    neighbours = [
        index.chunks[key].doc_id
        for vector in profiles.vectors
        for key, _ in index.dense_top(vector, 64)
    ]
    before = {s.id: s for s in index.stories.stories_of([*gone, *neighbours]).values()}
    members = [d for s in before.values() for d in s.articles]
    owner = {d: s.id for s in before.values() for d in s.articles}
    rows = {
        row["doc_id"]: row
        for start in range(0, len(members), 500)
        for row in archive.query(
            ARTICLES,
            f"doc_id in {json.dumps(members[start : start + 500], ensure_ascii=False)}",
            ["doc_id", "profile", "record"],
        )
    }
    members = [d for d in members if d in rows]
    existing = Profiles(
        tuple(members),
        np.asarray([rows[d]["profile"] for d in members], dtype=np.float32).reshape(
            len(members), embedder.dimension
        ),
        tuple(frozenset(json.loads(rows[d]["record"])["entities"]) for d in members),
        tuple(json.loads(rows[d]["record"])["date"] for d in members),
    )
    grouping = extend_grouping(
        Grouping(existing, tuple(owner[d] for d in members)), profiles, remove=gone
    )
    story_of = dict(zip(grouping.profiles.doc_ids, grouping.story_ids, strict=True))
    fresh_stories = {story_of[a.doc_id] for a in add} - set(before)
    titles = []
    for story_id in fresh_stories:
        first = min(
            (a for a in add if story_of[a.doc_id] == story_id),
            key=lambda a: (a.date or "9999", a.doc_id),
        )
        titles.append(
            Story(
                story_id,
                (first.title or "").strip() or lead(first).split("\n", 1)[0],
                (first.doc_id,),
                (),
            )
        )
    emptied = [s for s in before if s not in set(story_of.values())]
    stamp = None if annotator is None else stamp_of(annotator)
    annotations = _annotations(add, annotator)
    gone_only = [d for d in gone if d not in {a.doc_id for a in add}]
    if gone_only:
        archive.remove(gone_only)
    chunks = [a.chunks(chunking) for a in add]
    texts = [c.text for own in chunks for c in own]
    vectors = embedder.embed(texts) if texts else np.zeros((0, embedder.dimension), np.float32)
    prepared, offset = [], 0
    row_of = {d: i for i, d in enumerate(profiles.doc_ids)}
    for article, own in zip(add, chunks, strict=True):
        i = row_of[article.doc_id]
        prepared.append(
            PreparedArticle(
                article,
                own,
                vectors[offset : offset + len(own)],
                profiles.vectors[i],
                profiles.entities[i],
                story_of[article.doc_id],
                annotations[article.doc_id],
            )
        )
        offset += len(own)
    archive.put_stories(titles)
    archive.put(prepared, stamp)
    archive.drop_stories(emptied)
    archive.bump()
    return archive.open(index.meta.model, index.meta.dimension)


class MilvusBackend:
    """The ``Backend`` of an archive in Milvus (see ``index.backends``); connects on first use,
    so that a server starts, and says what is wrong, while Milvus is down."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._archive: MilvusArchive | None = None

    @property
    def archive(self) -> MilvusArchive:
        """The connection (made now if not yet).

        Raises:
            BackendUnavailableError: Milvus cannot be reached.
        """
        if self._archive is None:
            self._archive = MilvusArchive(self.uri)
        return self._archive

    def exists(self) -> bool:
        return self.archive.exists()

    def build(
        self, articles: Sequence[Article], embedder: "Embedder", annotator: "Annotator | None"
    ) -> None:
        load_archive(self.archive, articles, embedder, annotator=annotator)

    def open(self, embedder: "Embedder", previous: Any = None) -> MilvusIndex:
        return self.archive.open(embedder.name, embedder.dimension)

    def live_version(self) -> str:
        return self.archive.meta().version

    def update(
        self,
        embedder: "Embedder",
        live: Any,
        *,
        add: Sequence[Article] = (),
        remove: Sequence[str] = (),
        annotator: "Annotator | None" = None,
    ) -> MilvusIndex:
        index = live if isinstance(live, MilvusIndex) else self.open(embedder)
        try:
            return update_archive(
                self.archive, index, embedder, add=add, remove=remove, annotator=annotator
            )
        except KeyError as error:
            from index.update import UnknownArticleError

            raise UnknownArticleError(error.args[0]) from None

    def merge_due(self, index: Any, segments: int) -> bool:
        return False  # Milvus compacts its own segments

    def merge(self, embedder: "Embedder", live: Any) -> bool:
        return False

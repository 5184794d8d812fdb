"""Where an index keeps its articles' texts and metadata: the JSONL file read whole at open (the
store of index format 4, written and read here as that format wrote it) against SQLite and a
memory-mapped text file with an offset table, which read one article when asked. For issue 14's
choice ("choose, measure, and say why"; format 5 chose SQLite, ``index.article_store``).

    python -m bench.article_store --data ../shared/data --copies 4,19 [--gets 2000]

The Reuters and BBC articles (about 19,000) are copied ``--copies`` times under new doc ids: 19
copies are about a million chunks. For each store and size it prints the time to write it, its
size on disk, and, in a fresh process: the time to open it, the memory opening adds (RSS), the
time to read one article by doc id (p50 and p95 of ``--gets`` random ids, each read once: what a
citation costs), and the time to list one page of 100 articles after a random doc id
(``GET /articles?limit=100&after=``).
"""

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.query import cpu_flags, cpu_model, percentile, read_archive
from corpus import Article, Boilerplate, BoilerplateKind

STORES = ("jsonl", "sqlite", "mmap")
PAGE = 100


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--copies", default="4,19", help="comma-separated copy counts")
    parser.add_argument("--gets", type=int, default=2000)
    parser.add_argument("--folder", type=Path, default=None, help="where to write the stores")
    args = parser.parse_args(argv)
    print(f"# CPU: {cpu_model()}; {cpu_flags()}; SQLite {sqlite3.sqlite_version}")
    print(f"# {' '.join(sys.argv)}")
    started = time.perf_counter()
    originals = read_archive(args.data)
    print(f"# read {len(originals)} articles in {time.perf_counter() - started:.1f} s")
    print(
        f"{'store':7} {'articles':>9} {'write s':>8} {'MB disk':>8} {'open s':>7} "
        f"{'RSS MB':>7} {'get p50 us':>10} {'get p95 us':>10} {'page ms':>8}"
    )
    with tempfile.TemporaryDirectory(dir=args.folder) as scratch:
        for copies in (int(c) for c in args.copies.split(",")):
            articles = list(_copied(originals, copies))
            for store in STORES:
                folder = Path(scratch) / f"{store}-{copies}"
                folder.mkdir()
                started = time.perf_counter()
                WRITERS[store](folder, articles)
                written = time.perf_counter() - started
                size = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
                probe = _probe(store, folder, [a.doc_id for a in articles], args.gets)
                print(
                    f"{store:7} {len(articles):>9,} {written:>8.1f} {size:>8.0f} "
                    f"{probe['open']:>7.2f} {probe['rss']:>7.0f} {probe['p50']:>10.0f} "
                    f"{probe['p95']:>10.0f} {probe['page']:>8.2f}",
                    flush=True,
                )
                for path in folder.iterdir():
                    path.unlink()
    return 0


def _copied(articles: Sequence[Article], copies: int) -> Iterator[Article]:
    for copy in range(copies):
        for article in articles:
            yield article if copy == 0 else replace(article, doc_id=f"{article.doc_id}-c{copy}")


def _probe(store: str, folder: Path, doc_ids: list[str], gets: int) -> dict[str, float]:
    """Open and read the store in a fresh process: what a serving process would pay."""
    rng = np.random.default_rng(0)
    wanted = [doc_ids[i] for i in rng.integers(0, len(doc_ids), gets)]
    result = subprocess.run(
        [sys.executable, "-m", "bench.article_store", "--probe", store, str(folder)],
        input=json.dumps(wanted),
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(result.stdout))


def probe(store: str, folder: Path, wanted: list[str]) -> dict[str, float]:
    """Open the store, then read each wanted article and one page after a wanted id."""
    before = _rss_mb()
    started = time.perf_counter()
    opened = OPENERS[store](folder)
    opened_at = time.perf_counter()
    rss = _rss_mb() - before
    times = []
    for doc_id in wanted:
        began = time.perf_counter()
        article = opened.get(doc_id)
        times.append(time.perf_counter() - began)
        if article is None or article.doc_id != doc_id:
            raise SystemExit(f"{store}: {doc_id} read wrong")
    began = time.perf_counter()
    page = opened.page(after=wanted[0], limit=PAGE)
    paged = time.perf_counter() - began
    if len(page) != PAGE or page != sorted(page) or page[0] <= wanted[0]:
        raise SystemExit(f"{store}: the page after {wanted[0]} is wrong")
    return {
        "open": opened_at - started,
        "rss": rss,
        "p50": percentile(times, 0.5) * 1e6,
        "p95": percentile(times, 0.95) * 1e6,
        "page": paged * 1e3,
    }


# --- format 4's store: the whole file read into a dict ----------------------------------------


class JsonlStore:
    def __init__(self, folder: Path) -> None:
        self._articles = read_articles(folder / "articles.jsonl")
        self._ids = sorted(self._articles)

    def get(self, doc_id: str) -> Article | None:
        return self._articles.get(doc_id)

    def page(self, after: str, limit: int) -> list[str]:
        start = bisect_right(self._ids, after)
        return self._ids[start : start + limit]


def write_jsonl(folder: Path, articles: Sequence[Article]) -> None:
    write_articles(folder / "articles.jsonl", articles)


def write_articles(path: Path, articles: Iterable[Article]) -> None:
    """Write articles as format 4's ``articles.jsonl``: one JSON object a line, boilerplate
    spans included."""
    with open(path, "w", encoding="utf-8") as handle:
        for a in articles:
            record = {
                "doc_id": a.doc_id,
                "source": a.source,
                "date": a.date,
                "title": a.title,
                "url": a.url,
                "boilerplate": [[b.start, b.end, b.kind.value] for b in a.boilerplate],
                "text": a.text,
            }
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")


def read_articles(path: Path) -> dict[str, Article]:
    """Read a file ``write_articles`` wrote into a dict by doc id, as format 4 opened it."""
    articles = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
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
            articles[article.doc_id] = article
    return articles


# --- SQLite: one table, the doc id its key (a rowid table: WITHOUT ROWID stores long texts in
# the key's b-tree, 1.8x the size); opened read-only and immutable --------------------------


class SqliteStore:
    def __init__(self, folder: Path) -> None:
        uri = f"file:{folder / 'articles.sqlite'}?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)

    def get(self, doc_id: str) -> Article | None:
        row = self._db.execute(
            "SELECT doc_id, text, source, date, title, url, boilerplate FROM articles "
            "WHERE doc_id = ?",
            (doc_id,),
        ).fetchone()
        return None if row is None else _article(*row)

    def page(self, after: str, limit: int) -> list[str]:
        rows = self._db.execute(
            "SELECT doc_id FROM articles WHERE doc_id > ? ORDER BY doc_id LIMIT ?", (after, limit)
        )
        return [doc_id for (doc_id,) in rows]


def write_sqlite(folder: Path, articles: Sequence[Article]) -> None:
    db = sqlite3.connect(folder / "articles.sqlite")
    db.execute("PRAGMA journal_mode = OFF")  # written once, whole, then only read
    db.execute(
        "CREATE TABLE articles (doc_id TEXT PRIMARY KEY, text TEXT NOT NULL, source TEXT, "
        "date TEXT, title TEXT, url TEXT, boilerplate TEXT NOT NULL)"
    )
    db.executemany(
        "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((a.doc_id, a.text, a.source, a.date, a.title, a.url, _spans(a)) for a in articles),
    )
    db.commit()
    db.close()


# --- a memory-mapped text file, an offset table, and the doc ids sorted ----------------------


class MmapStore:
    def __init__(self, folder: Path) -> None:
        self._blob = np.load(folder / "records.npy", mmap_mode="r")
        self._offsets = np.load(folder / "offsets.npy", mmap_mode="r")
        self._id_blob = np.load(folder / "ids.npy", mmap_mode="r")
        self._id_offsets = np.load(folder / "id_offsets.npy", mmap_mode="r")
        self._rows = np.load(folder / "rows.npy", mmap_mode="r")  # row of each sorted id
        self._ids = _Ids(self._id_blob, self._id_offsets)

    def get(self, doc_id: str) -> Article | None:
        at = bisect_right(self._ids, doc_id) - 1
        if at < 0 or self._ids[at] != doc_id:
            return None
        row = int(self._rows[at])
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        record = json.loads(bytes(self._blob[start:end]))
        return _article(*record)

    def page(self, after: str, limit: int) -> list[str]:
        start = bisect_right(self._ids, after)
        return [self._ids[i] for i in range(start, min(start + limit, len(self._ids)))]


class _Ids(Sequence[str]):
    """The sorted doc ids, decoded one at a time (for binary search)."""

    def __init__(self, blob: Any, offsets: Any) -> None:
        self._blob, self._offsets = blob, offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: Any) -> Any:
        return bytes(self._blob[int(self._offsets[i]) : int(self._offsets[i + 1])]).decode()


def write_mmap(folder: Path, articles: Sequence[Article]) -> None:
    records = [
        json.dumps([a.doc_id, a.text, a.source, a.date, a.title, a.url, _spans(a)]).encode()
        for a in articles
    ]
    offsets = np.zeros(len(records) + 1, np.int64)
    np.cumsum([len(r) for r in records], out=offsets[1:])
    np.save(folder / "records.npy", np.frombuffer(b"".join(records), np.uint8))
    np.save(folder / "offsets.npy", offsets)
    order = sorted(range(len(articles)), key=lambda i: articles[i].doc_id)
    ids = [articles[i].doc_id.encode() for i in order]
    id_offsets = np.zeros(len(ids) + 1, np.int64)
    np.cumsum([len(i) for i in ids], out=id_offsets[1:])
    np.save(folder / "ids.npy", np.frombuffer(b"".join(ids), np.uint8))
    np.save(folder / "id_offsets.npy", id_offsets)
    np.save(folder / "rows.npy", np.array(order, np.int64))


def _spans(article: Article) -> str:
    return json.dumps([[b.start, b.end, b.kind.value] for b in article.boilerplate])


def _article(
    doc_id: str,
    text: str,
    source: str | None,
    date: str | None,
    title: str | None,
    url: str | None,
    spans: str,
) -> Article:
    return Article(
        doc_id=doc_id,
        text=text,
        source=source,
        date=date,
        title=title,
        url=url,
        boilerplate=tuple(Boilerplate(s, e, BoilerplateKind(k)) for s, e, k in json.loads(spans)),
    )


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


WRITERS = {"jsonl": write_jsonl, "sqlite": write_sqlite, "mmap": write_mmap}
OPENERS: dict[str, Any] = {"jsonl": JsonlStore, "sqlite": SqliteStore, "mmap": MmapStore}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--probe":
        wanted = json.loads(sys.stdin.read())
        print(json.dumps(probe(sys.argv[2], Path(sys.argv[3]), wanted)))
        sys.exit(0)
    sys.exit(main())

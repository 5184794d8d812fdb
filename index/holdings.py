"""The articles an index holds, read from whatever is left of it: for rebuilding an index that
cannot be opened (damaged, or written by an older crosscheck) without losing the articles that
were posted to it rather than loaded from files.

Reads the article store of a current index (every article the newest version sees), or the
``articles.jsonl`` of a generation written before the store existed (index formats 1 to 4).
Nothing is checked beyond each article being readable: this is salvage, and the rebuild checks
what it builds.
"""

import json
import sqlite3
from pathlib import Path

from corpus import Article, Boilerplate, BoilerplateKind
from index.article_store import ArticleStore
from index.errors import IndexStoreError

# The articles file of index formats 1 to 4, in each generation folder.
_OLD_ARTICLES = "articles.jsonl"


def held_articles(index_dir: Path) -> list[Article]:
    """The articles the live index of ``index_dir`` holds, in the order it holds them; empty
    when there is no index or nothing readable in it."""
    try:
        names = (index_dir / "CURRENT").read_text(encoding="utf-8").split()
    except OSError:
        return []
    if not names:
        return []
    base = index_dir / names[0]
    old = base / _OLD_ARTICLES
    if old.is_file():
        return _read_old(old)
    return _read_store(index_dir, base, names)


def _read_store(index_dir: Path, base: Path, names: list[str]) -> list[Article]:
    try:
        manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
        store = ArticleStore(index_dir / str(manifest["store"]))
        newest = max(int(name[4:10]) for name in names)
        return [stored.article for stored in store.visible(newest).stored_articles()]
    except (OSError, ValueError, KeyError, TypeError, IndexStoreError, sqlite3.Error):
        return []


def _read_old(path: Path) -> list[Article]:
    articles = []
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                    articles.append(
                        Article(
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
                    )
                except (ValueError, KeyError, TypeError):
                    continue  # a damaged line: the rest is still worth keeping
    except (OSError, UnicodeDecodeError):
        return articles
    return articles

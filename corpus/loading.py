"""Read articles from files and folders.

Formats:

- ``.txt``: the article is the file's content exactly (UTF-8; a byte-order mark is dropped).
- ``.md``: likewise; a leading ``# heading`` is the title.
- ``.json``: one object, or a list of objects, each with ``text`` and optional ``title``,
  ``source``, ``date``, ``url`` and ``doc_id``.
- ``.jsonl``: one such object per line.
- ``.jsonl.gz``: a gzip-compressed ``.jsonl`` file, read in place.

Other fields of a JSON record (such as a data set's ``event`` label) are ignored.

A ``.txt`` or ``.md`` file may have a sidecar ``NAME.meta.json`` beside it with ``title``,
``source``, ``date`` and ``url``; what the sidecar gives wins over what the text says. The doc id
is the file stem (``000_c9b33be09081a972.txt`` is ``000_c9b33be09081a972``), or for records in a
JSON file their ``doc_id``, else ``STEM-N`` for the N-th record (from 1); the stem of
``feed.jsonl.gz`` is ``feed``.
"""

import gzip
import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from corpus.article import Article, make_article
from corpus.boilerplate import mark_outlet_templates
from corpus.errors import ArticleFileError, CorpusNotFoundError, DuplicateDocIdError

ARTICLE_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".jsonl.gz")
_JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
SIDECAR_SUFFIX = ".meta.json"
_METADATA_FIELDS = ("title", "source", "date", "url")
_MD_TITLE = re.compile(r"\A\s*#{1,6}[ \t]+(.+?)[ \t#]*\r?$", re.MULTILINE)


@dataclass(frozen=True)
class SkippedFile:
    """A file left out of a corpus, and why."""

    path: Path
    reason: str


@dataclass(frozen=True)
class LoadedCorpus:
    """The articles read from some paths, and the files skipped (only with ``skip_bad``)."""

    articles: tuple[Article, ...]
    skipped: tuple[SkippedFile, ...]


def bundled_articles_dir() -> Path:
    """The folder of articles shipped with crosscheck, the default corpus."""
    return Path(str(resources.files("corpus") / "articles"))


def load_articles(paths: Sequence[Path], *, skip_bad: bool = False) -> LoadedCorpus:
    """Read every article under ``paths`` (files, or folders searched recursively).

    Args:
        paths: files and folders; a folder contributes its ``.txt``, ``.md``, ``.json``,
            ``.jsonl`` and ``.jsonl.gz`` files, sidecars excepted, in sorted order.
        skip_bad: leave out a file that cannot be read, recording why, instead of raising.

    Raises:
        CorpusNotFoundError: a path does not exist, or no article was found at all.
        ArticleFileError: a file is binary, not UTF-8, not valid gzip (``.jsonl.gz``),
            malformed or empty (unless ``skip_bad``).
        DuplicateDocIdError: two articles have the same doc id (whatever ``skip_bad`` says:
            which one was meant cannot be known).
    """
    if not paths:
        raise CorpusNotFoundError("no article paths given")
    articles: list[Article] = []
    skipped: list[SkippedFile] = []
    origin: dict[str, Path] = {}
    for path in _article_files(paths):
        try:
            found = read_article_file(path)
        except ArticleFileError as error:
            if not skip_bad:
                raise
            skipped.append(SkippedFile(path, str(error)))
            continue
        for article in found:
            if article.doc_id in origin:
                raise DuplicateDocIdError(
                    f"doc id {article.doc_id!r} is used twice: in {origin[article.doc_id]} "
                    f"and in {path}"
                )
            origin[article.doc_id] = path
            articles.append(article)
    if not articles:
        listed = ", ".join(str(p) for p in paths)
        why = "; ".join(f"skipped {s.reason}" for s in skipped)
        raise CorpusNotFoundError(
            f"no readable articles in {listed} "
            + (f"({why})" if why else f"(looked for {', '.join(ARTICLE_SUFFIXES)} files)")
        )
    # Template lines show only across one outlet's articles, so they are marked once all are read.
    return LoadedCorpus(mark_outlet_templates(articles), tuple(skipped))


def read_article_file(path: Path) -> list[Article]:
    """Read the articles of one file.

    Raises:
        ArticleFileError: the file cannot be read, is not valid gzip (``.jsonl.gz``), is
            binary, is not UTF-8, is malformed, or holds an empty article; the message names the
            file.
    """
    suffix = _article_suffix(path)
    text = _read_text(path, gzipped=suffix == ".jsonl.gz")
    try:
        if suffix in _JSONL_SUFFIXES:
            return _jsonl_articles(path.name.removesuffix(suffix), text)
        if path.suffix == ".json":
            return _json_articles(path, text)
        metadata = _sidecar(path)
        if path.suffix == ".md" and "title" not in metadata:
            heading = _MD_TITLE.match(text)
            if heading:
                metadata["title"] = heading.group(1)
        return [make_article(path.stem, text, **metadata)]
    except ArticleFileError as error:
        raise ArticleFileError(f"{path}: {error}") from None


def _article_files(paths: Iterable[Path]) -> Iterable[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and _article_suffix(p) in ARTICLE_SUFFIXES
                and not p.name.endswith(SIDECAR_SUFFIX)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            if _article_suffix(path) not in ARTICLE_SUFFIXES:
                raise ArticleFileError(
                    f"{path}: unsupported file type {path.suffix!r} "
                    f"(use one of {', '.join(ARTICLE_SUFFIXES)})"
                )
            yield path
        else:
            raise CorpusNotFoundError(f"{path}: no such file or folder")


def _article_suffix(path: Path) -> str:
    """The suffix that names the file's format: ``.jsonl.gz`` counts as one."""
    return ".jsonl.gz" if path.suffixes[-2:] == [".jsonl", ".gz"] else path.suffix


def _read_text(path: Path, *, gzipped: bool = False) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ArticleFileError(f"{path}: cannot read: {error.strerror}") from None
    if gzipped:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            # BadGzipFile (an OSError): not gzip, or a bad checksum; EOFError: truncated.
            raise ArticleFileError(f"{path}: not a readable gzip file ({error})") from None
    if b"\x00" in data:
        raise ArticleFileError(f"{path}: looks binary (holds NUL bytes), not a text article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArticleFileError(
            f"{path}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    return text.removeprefix("\ufeff")


def _sidecar(path: Path) -> dict[str, str]:
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        record = json.loads(_read_text(sidecar))
    except json.JSONDecodeError as error:
        raise ArticleFileError(f"metadata sidecar {sidecar} is not valid JSON: {error}") from None
    if not isinstance(record, dict):
        raise ArticleFileError(f"metadata sidecar {sidecar} must hold a JSON object")
    return _metadata(record, f"metadata sidecar {sidecar}")


def _json_articles(path: Path, text: str) -> list[Article]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArticleFileError(f"not valid JSON: {error}") from None
    records = value if isinstance(value, list) else [value]
    if not records:
        raise ArticleFileError("holds an empty list, no articles")
    default_id = path.stem if isinstance(value, dict) else None
    return [
        _record_article(record, default_id or f"{path.stem}-{n}", f"record {n}")
        for n, record in enumerate(records, start=1)
    ]


def _jsonl_articles(stem: str, text: str) -> list[Article]:
    articles = []
    # Only "\n" ends a JSON Lines record; str.splitlines would also split at U+2028 or U+0085,
    # which JSON allows inside strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ArticleFileError(f"line {number} is not valid JSON: {error}") from None
        articles.append(_record_article(record, f"{stem}-{number}", f"line {number}"))
    if not articles:
        raise ArticleFileError("holds no articles")
    return articles


def _record_article(record: Any, default_id: str, where: str) -> Article:
    if not isinstance(record, dict):
        raise ArticleFileError(f"{where} must be a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise ArticleFileError(f"{where} needs a string field 'text'")
    doc_id = record.get("doc_id", default_id)
    if not isinstance(doc_id, str):
        raise ArticleFileError(f"{where}: 'doc_id' must be a string, got {doc_id!r}")
    try:
        return make_article(doc_id, text, **_metadata(record, where))
    except ArticleFileError as error:
        raise ArticleFileError(f"{where}: {error}") from None


def _metadata(record: dict[str, Any], where: str) -> dict[str, str]:
    metadata = {}
    for name in _METADATA_FIELDS:
        value = record.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ArticleFileError(f"{where}: {name!r} must be a string, got {value!r}")
        metadata[name] = value
    return metadata

"""The article record and the sentence and chunk records cut from it."""

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from corpus.boilerplate import find_boilerplate
from corpus.chunking import ChunkingConfig, pack_chunks
from corpus.errors import ArticleFileError
from corpus.metadata import infer_date, infer_source, infer_title
from corpus.sentences import split_sentences
from corpus.spans import Boilerplate

# Doc ids travel in URLs and file names: keep them to a safe alphabet.
DOC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# An article named by its title shows at most this many characters of it.
NAME_CHARS = 48
# A content hash in a doc id or file name: eight or more hex digits, at least one a digit.
HASH = re.compile(r"(?=[a-f]*[0-9])[0-9a-f]{8,}", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: ``article.text[start:end] == text``."""

    doc_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one article, the unit the index retrieves.

    ``article.text[start:end] == text``; ``ordinal`` numbers the article's chunks from 0.
    """

    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Article:
    """One news article.

    ``text`` is the article exactly as given; every offset in the system points into it.
    ``source`` (the outlet), ``date`` (ISO ``YYYY-MM-DD``), ``title`` and ``url`` are ``None``
    when neither metadata nor the text states them. ``boilerplate`` marks spans kept in the text
    but not indexed.
    """

    doc_id: str
    text: str
    source: str | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    boilerplate: tuple[Boilerplate, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        """How people are shown the article: its outlet when known, else its URL's domain, its
        title (cut to ``NAME_CHARS``), or its doc id without a hash ("004_72ab227803a444ef" is
        "Article 004"). A hex id is never the name."""
        if self.source:
            return self.source
        if self.url:
            domain = urlsplit(self.url).hostname or ""
            if domain:
                return domain.removeprefix("www.")
        if self.title:
            return _shortened(self.title)
        return readable_id(self.doc_id)

    def sentences(self) -> list[Sentence]:
        """The article's sentences outside boilerplate, in order."""
        return [
            Sentence(self.doc_id, s.start, s.end, self.text[s.start : s.end])
            for s in split_sentences(self.text, self.boilerplate)
        ]

    def chunks(self, config: ChunkingConfig) -> list[Chunk]:
        """The article's chunks under ``config``, in order."""
        spans = split_sentences(self.text, self.boilerplate)
        return [
            Chunk(self.doc_id, ordinal, s.start, s.end, self.text[s.start : s.end])
            for ordinal, s in enumerate(pack_chunks(self.text, spans, self.boilerplate, config))
        ]

    def content_hash(self) -> str:
        """SHA-256 of the text and metadata: equal hashes mean nothing to re-index."""
        record = [self.doc_id, self.text, self.source, self.date, self.title, self.url]
        return hashlib.sha256(json.dumps(record).encode("utf-8")).hexdigest()


def _shortened(title: str) -> str:
    """A title cut at a word to at most ``NAME_CHARS``, with an ellipsis when cut."""
    if len(title) <= NAME_CHARS:
        return title
    cut = title[: NAME_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return cut + "…"


def readable_id(doc_id: str) -> str:
    """A doc id without the hashes in it: "004_72ab227803a444ef" is "Article 004",
    "post-9f2c41d0a7be13e2" is "post", "kyiv-ap" stays "kyiv-ap"."""
    parts = [w for w in re.split(r"[_\-.]+", doc_id) if w]
    words = [w for w in parts if not HASH.fullmatch(w)]
    if words == parts:
        return doc_id
    if not words:
        return "Untitled article"
    name = " ".join(words)
    return f"Article {name}" if name.replace(" ", "").isdigit() else name


def make_article(
    doc_id: str,
    text: str,
    *,
    source: str | None = None,
    date: str | None = None,
    title: str | None = None,
    url: str | None = None,
) -> Article:
    """Check an article's fields and fill what metadata left out from what the text says.

    Raises:
        ArticleFileError: the doc id is not of the safe alphabet, the text is empty or
            binary, or the date is not an ISO date.
    """
    if not DOC_ID.fullmatch(doc_id):
        raise ArticleFileError(
            f"doc id {doc_id!r} is not valid: use 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    if "\x00" in text:
        raise ArticleFileError(f"article {doc_id!r} looks binary: its text holds NUL bytes")
    if not text.strip():
        raise ArticleFileError(f"article {doc_id!r} is empty")
    if date is not None:
        date = _iso_date(doc_id, date)
    boilerplate = find_boilerplate(text)
    article = Article(
        doc_id=doc_id,
        text=text,
        source=source if source else infer_source(text),
        date=date if date else infer_date(text),
        title=title if title else infer_title(text),
        url=url or None,
        boilerplate=boilerplate,
    )
    if not split_sentences(text, boilerplate):
        raise ArticleFileError(f"article {doc_id!r} has no text outside boilerplate")
    return article


def _iso_date(doc_id: str, value: str) -> str:
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise ArticleFileError(
            f"article {doc_id!r} has date {value!r}: not an ISO date (YYYY-MM-DD)"
        ) from None

"""Annotations: what a reader of articles from a higher layer (figures, entities) computed for
each article when it was indexed, stored with the generation so that answering does not repeat it.

The index does not know what an annotation means. An ``Annotator`` turns articles into one JSON
object each; a generation built with one stores them in ``annotations.jsonl``, one line per
annotated article (``{"doc_id":...,"data":...}``), and its manifest names the annotator and its
version. A later generation copies the lines of the articles it keeps unchanged, when they were
made by the same annotator version, and annotates the rest (an update, only the articles it adds:
a build fills in the others).

A loaded generation keeps only where each line starts and ends (the file is memory-mapped) and
parses a line when its article is asked for.
"""

import json
import mmap
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from corpus import Article
from index.errors import IndexDamagedError
from index.manifest import AnnotatorStamp

ANNOTATIONS_FILE = "annotations.jsonl"
# Articles annotated per call: a large build holds one batch's annotations in memory, not all.
ANNOTATE_BATCH = 64
# Every line starts with its doc id (written first, below), so lines are found without parsing
# their data.
_LINE_START = re.compile(rb'\{"doc_id":("(?:[^"\\\n]|\\.)*"),"data":')


class Annotator(Protocol):
    """Computes something about articles once, when they are indexed.

    ``name`` and ``version`` identify what it computes: bump ``version`` when the same articles
    would be annotated differently, so that annotations of the old version are not used.
    """

    @property
    def name(self) -> str:
        """What the annotations are ("figures")."""
        ...

    @property
    def version(self) -> str:
        """Which rules made them."""
        ...

    def annotate(self, articles: Sequence[Article]) -> list[dict[str, Any]]:
        """One JSON object per article, in order."""
        ...


def stamp_of(annotator: Annotator) -> AnnotatorStamp:
    """The name and version a manifest records for ``annotator``."""
    return AnnotatorStamp(name=annotator.name, version=annotator.version)


class Annotations:
    """The annotations of one generation, read line by line from a memory map."""

    def __init__(
        self,
        stamp: AnnotatorStamp,
        content_hashes: Mapping[str, str],
        lines: Mapping[str, tuple[int, int]],
        mapped: "mmap.mmap | None",
    ) -> None:
        self.stamp = stamp
        self._hashes = content_hashes
        self._lines = lines
        self._map = mapped

    @classmethod
    def open(
        cls, path: Path, stamp: AnnotatorStamp, content_hashes: Mapping[str, str]
    ) -> "Annotations":
        """Map ``path`` and find each article's line; ``content_hashes`` (the manifest's
        ``articles``) are the articles the annotations were made for.

        Raises:
            IndexDamagedError: the file is unreadable, a line does not start with a doc id, or
                names an article that is not in the index or one already annotated.
        """
        try:
            with open(path, "rb") as handle:
                size = path.stat().st_size
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        except (OSError, ValueError) as error:
            raise IndexDamagedError(f"{path} is unreadable ({error})") from None
        lines: dict[str, tuple[int, int]] = {}
        position = 0
        while mapped is not None and position < size:
            number = len(lines) + 1
            end = mapped.find(b"\n", position)
            start = _LINE_START.match(mapped, position, end) if end >= 0 else None
            if start is None:
                raise IndexDamagedError(
                    f"{path}, line {number} does not start with a doc id or has no end"
                )
            doc_id = json.loads(start.group(1))
            if doc_id not in content_hashes or doc_id in lines:
                raise IndexDamagedError(
                    f"{path}, line {number} annotates {doc_id!r}, which is not an article of the "
                    "index or was annotated before"
                )
            lines[doc_id] = (position, end)
            position = end + 1
        return cls(stamp, content_hashes, lines, mapped)

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._lines

    def get(self, doc_id: str) -> dict[str, Any] | None:
        """The annotation of article ``doc_id``, or None if it has none.

        Raises:
            IndexDamagedError: its line is not a JSON object with the doc id and an object of data.
        """
        line = self._line(doc_id)
        if line is None:
            return None
        try:
            record = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise IndexDamagedError(f"the annotation of {doc_id!r} is not JSON ({error})") from None
        data = record.get("data") if isinstance(record, dict) else None
        if not isinstance(data, dict) or record.get("doc_id") != doc_id:
            raise IndexDamagedError(f"the annotation of {doc_id!r} is malformed")
        return data

    def reusable(self, article: Article, stamp: AnnotatorStamp) -> bytes | None:
        """The stored line of ``article`` if it was annotated as it is now (same content) by
        the annotator ``stamp`` names, else None."""
        if stamp != self.stamp or self._hashes.get(article.doc_id) != article.content_hash():
            return None
        return self._line(article.doc_id)

    def _line(self, doc_id: str) -> bytes | None:
        span = self._lines.get(doc_id)
        if span is None or self._map is None:
            return None
        start, end = span
        return self._map[start:end]


def write_annotations(
    path: Path,
    articles: Sequence[Article],
    annotator: Annotator,
    previous: Annotations | None = None,
    annotate_only: Collection[str] | None = None,
    progress: bool = False,
) -> int:
    """Write an annotation for each of ``articles``: the line ``previous`` holds for it when
    reusable (``Annotations.reusable``), else what ``annotator`` makes of it (in batches of
    ``ANNOTATE_BATCH``). With ``annotate_only``, only the articles of those doc ids are
    annotated now; the others get a line only if ``previous`` has a reusable one. Returns how
    many articles were annotated now.

    Raises:
        ValueError: the annotator returned another number of annotations than it was given
            articles, something that is not a JSON object, or a number JSON cannot hold
            (NaN, infinity).
        TypeError: an annotation holds something else JSON cannot represent.
    """
    from tqdm import tqdm  # here, not at the top: opening an index draws no bar

    stamp = stamp_of(annotator)
    todo: list[Article] = []
    with open(path, "wb") as handle:
        for article in articles:
            line = previous.reusable(article, stamp) if previous is not None else None
            if line is not None:
                handle.write(line + b"\n")
            elif annotate_only is None or article.doc_id in annotate_only:
                todo.append(article)
        with tqdm(
            total=len(todo), unit="article", desc="annotating", disable=not progress, leave=False
        ) as bar:
            for start in range(0, len(todo), ANNOTATE_BATCH):
                batch = todo[start : start + ANNOTATE_BATCH]
                annotations = annotator.annotate(batch)
                if len(annotations) != len(batch):
                    raise ValueError(
                        f"annotator {stamp.name!r} returned {len(annotations)} annotations for "
                        f"{len(batch)} articles"
                    )
                for article, data in zip(batch, annotations, strict=True):
                    if not isinstance(data, dict):
                        raise ValueError(
                            f"annotator {stamp.name!r} annotated {article.doc_id!r} with "
                            f"{type(data).__name__}, not a JSON object"
                        )
                    record = {"doc_id": article.doc_id, "data": data}
                    text = json.dumps(
                        record, ensure_ascii=False, separators=(",", ":"), allow_nan=False
                    )
                    handle.write(text.encode("utf-8") + b"\n")
                bar.update(len(batch))
    return len(todo)

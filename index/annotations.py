"""Annotations: what a reader of articles from a higher layer (figures, entities) computed for
each article when it was indexed, stored with the generation so that answering does not repeat it.

The index does not know what an annotation means. An ``Annotator`` turns articles into one JSON
object each; the article store keeps it as text beside the article, with the annotator's name and
version, and the base generation's manifest names the annotator whose annotations are used. A
build reuses the annotations of the articles it keeps unchanged, when they were made by the same
annotator version, and annotates the rest; an ingest annotates only what it adds. An annotation is
parsed when its article is asked for.
"""

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any, Protocol

from corpus import Article
from index.manifest import AnnotatorStamp

# Articles annotated per call: a large build holds one batch's annotations in memory, not all.
ANNOTATE_BATCH = 64


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


def annotate(
    articles: Sequence[Article],
    annotator: Annotator,
    reuse: Callable[[Article], str | None] | None = None,
    annotate_only: Collection[str] | None = None,
    progress: bool = False,
) -> Iterator[tuple[Article, str | None]]:
    """Each of ``articles`` (in order, lazily) with its annotation as JSON text: what ``reuse``
    returns for it, else what ``annotator`` makes of it (in batches of ``ANNOTATE_BATCH``). With
    ``annotate_only``, only the articles of those doc ids are annotated now; the others get an
    annotation only if ``reuse`` has one (else None).

    Raises:
        ValueError: the annotator returned another number of annotations than it was given
            articles, something that is not a JSON object, or a number JSON cannot hold
            (NaN, infinity).
        TypeError: an annotation holds something else JSON cannot represent.
    """
    from tqdm import tqdm  # here, not at the top: opening an index draws no bar

    stamp = stamp_of(annotator)
    with tqdm(
        total=len(articles), unit="article", desc="annotating", disable=not progress, leave=False
    ) as bar:
        for start in range(0, len(articles), ANNOTATE_BATCH):
            batch = articles[start : start + ANNOTATE_BATCH]
            kept = {a.doc_id: reuse(a) for a in batch} if reuse is not None else {}
            todo = [
                a
                for a in batch
                if kept.get(a.doc_id) is None
                and (annotate_only is None or a.doc_id in annotate_only)
            ]
            made = _annotate_batch(todo, annotator, stamp) if todo else {}
            for article in batch:
                yield article, made.get(article.doc_id) or kept.get(article.doc_id)
            bar.update(len(batch))


def _annotate_batch(
    batch: Sequence[Article], annotator: Annotator, stamp: AnnotatorStamp
) -> dict[str, str]:
    annotations = annotator.annotate(batch)
    if len(annotations) != len(batch):
        raise ValueError(
            f"annotator {stamp.name!r} returned {len(annotations)} annotations for "
            f"{len(batch)} articles"
        )
    made = {}
    for article, data in zip(batch, annotations, strict=True):
        if not isinstance(data, dict):
            raise ValueError(
                f"annotator {stamp.name!r} annotated {article.doc_id!r} with "
                f"{type(data).__name__}, not a JSON object"
            )
        made[article.doc_id] = json.dumps(
            data, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
    return made

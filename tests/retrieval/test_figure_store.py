"""Figures and entities stored with the index: what is rebuilt from an annotation is what reading
the article now gives, and answers are the same with stored annotations as without."""

import dataclasses
import gzip
import itertools
import json
import math
from pathlib import Path
from typing import Any

import pytest

import retrieval.engine
import retrieval.figure_store
from corpus import Article, make_article
from corpus.nlp import parse
from index import AnnotatorStamp, ChunkIndex, HashEmbedder, IndexDamagedError, build_index
from index import open_index as open_built_index
from retrieval import AnswerEngine, Figure, FigureAnnotator
from retrieval.figure_store import (
    FIELDS,
    article_entities,
    entities_from,
    figures_from,
    stored_annotation,
)
from retrieval.figures import parse_form, read_figures

DEV_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "news_cluster_dev.jsonl.gz"
DEV_SET = Path(__file__).resolve().parents[2] / "qa" / "dev.jsonl"
# News articles whose figures and entities are checked: the first of a few events.
NEWS_EVENTS = 8


def news_articles() -> list[Article]:
    """The first article of each of the first ``NEWS_EVENTS`` events of the development corpus
    (read in place), or none when it is not here."""
    if not DEV_CORPUS.is_file():
        return []
    articles: dict[str, Article] = {}
    with gzip.open(DEV_CORPUS, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["event"] not in articles:
                articles[record["event"]] = make_article(
                    record["doc_id"], record["text"], source=record["source"]
                )
            if len(articles) == NEWS_EVENTS:
                break
    return list(articles.values())


def stored(articles: list[Article]) -> list[dict[str, Any]]:
    """The articles' annotations as the index stores them (through JSON)."""
    return [json.loads(json.dumps(a)) for a in FigureAnnotator().annotate(articles)]


def entity_parse(article: Article) -> dict[int, tuple[tuple[str, str], ...]]:
    """The entities of each sentence as answering parses them (one sentence at a time)."""
    found = {}
    for sentence in article.sentences():
        doc = next(parse([parse_form(sentence.text)]))
        if doc.ents:
            found[sentence.start] = tuple(
                (sentence.text[e.start_char : e.end_char], e.label_) for e in doc.ents
            )
    return found


def test_every_field_of_a_figure_is_stored() -> None:
    assert {field.name for field in dataclasses.fields(Figure)} == FIELDS


def test_the_seed_articles_figures_and_entities_come_back_as_read(
    bundled_articles: tuple[Article, ...],
) -> None:
    articles = list(bundled_articles)
    rebuilt, read = [], []
    for article, annotation in zip(articles, stored(articles), strict=True):
        rebuilt.append(figures_from(annotation, article))
        read.append(read_figures(article.sentences()))
        assert entities_from(annotation, article) == entity_parse(article)
    assert rebuilt == read
    figures = list(itertools.chain.from_iterable(read))
    # The seeds hold every kind of figure the store has to carry.
    assert any(f.parts for f in figures) and any(f.unit for f in figures)
    assert any(math.isinf(f.high) for f in figures) and any(f.claimant for f in figures)
    assert any(f.whole for f in figures) and any(f.coordinated for f in figures)


def test_news_articles_figures_and_entities_come_back_as_read() -> None:
    articles = news_articles()
    if not articles:
        pytest.skip(f"{DEV_CORPUS} is not here")
    for article, annotation in zip(articles, stored(articles), strict=True):
        assert figures_from(annotation, article) == read_figures(article.sentences())
        assert entities_from(annotation, article) == entity_parse(article)


def test_the_annotation_is_compact() -> None:
    article = make_article(
        "fire", "A fire in Odesa on Monday injured at least 26 people, police said.\nNo one died."
    )
    (annotation,) = FigureAnnotator().annotate([article])
    (sentence,) = annotation["figures"]
    start, end, _, dates, (figure,) = sentence
    assert (start, end) == (0, article.text.index("\n")) and "Monday" in dates
    # Only what differs from the obvious is written: no low bound (the value), no text (the
    # article's), no dimension (a count), no unit, parts or flags.
    at = article.text.index("at least 26")
    written = {"s": at, "e": at + 11, "v": 26, "q": "at least", "hi": "inf", "ph": 18}
    assert written.items() <= figure.items()
    assert set(figure) <= {"s", "e", "v", "q", "hi", "ph", "n", "m", "sj", "a", "c"}
    monday = article.text.index("Monday")
    assert [0, monday, monday + 6, "DATE"] in annotation["entities"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda a: a.pop("figures"),
        lambda a: a["figures"][0].pop(),
        lambda a: a["figures"][0][4][0].pop("s"),
        lambda a: a["figures"][0][4][0].update(u="furlong"),
        lambda a: a["figures"][0].__setitem__(1, 10_000),
    ],
    ids=["no figures", "short sentence", "no start", "unknown unit", "outside the article"],
)
def test_malformed_figures_are_refused(damage: Any) -> None:
    article = make_article("fire", "A fire injured 26 people in Odesa.")
    (annotation,) = stored([article])
    damage(annotation)
    with pytest.raises(IndexDamagedError, match="stored figures of 'fire' are malformed"):
        figures_from(annotation, article)


def test_malformed_entities_are_refused() -> None:
    article = make_article("fire", "A fire injured 26 people in Odesa.")
    with pytest.raises(IndexDamagedError, match="stored entities of 'fire' are malformed"):
        entities_from({"entities": [[0, 1, 2]]}, article)


@pytest.fixture(scope="module")
def annotated_index(
    tmp_path_factory: pytest.TempPathFactory,
    bundled_articles: tuple[Article, ...],
    hash_embedder: HashEmbedder,
) -> ChunkIndex:
    index_dir = tmp_path_factory.mktemp("annotated-index")
    build_index(bundled_articles, index_dir, hash_embedder, annotator=FigureAnnotator())
    return open_built_index(index_dir, hash_embedder)


def dev_questions() -> list[tuple[str, list[str]]]:
    """The development set's questions, each with its earlier turns."""
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return [(r["question"], r.get("turns", [])) for r in records if "question" in r]


def test_answers_are_the_same_with_stored_figures_and_entities(
    annotated_index: ChunkIndex,
    hash_index: ChunkIndex,
    hash_embedder: HashEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsing = AnswerEngine(hash_index, hash_embedder)
    expected = [parsing.ask(q, turns).to_json() for q, turns in dev_questions()]

    def no_parsing(*args: object) -> None:
        raise AssertionError("an article was parsed while answering")

    # With current annotations, only the question is parsed.
    monkeypatch.setattr(retrieval.figure_store, "read_figures", no_parsing)
    monkeypatch.setattr(retrieval.engine, "_entities", no_parsing)
    storing = AnswerEngine(annotated_index, hash_embedder)
    assert [storing.ask(q, turns).to_json() for q, turns in dev_questions()] == expected
    assert any(answer["entities"] for answer in expected)


def test_annotations_of_another_version_are_not_used(
    annotated_index: ChunkIndex, bundled_articles: tuple[Article, ...]
) -> None:
    doc_id = bundled_articles[0].doc_id
    assert stored_annotation(annotated_index, doc_id) is not None
    assert article_entities(annotated_index, doc_id) == entity_parse(bundled_articles[0])
    older = dataclasses.replace(
        annotated_index.manifest, annotator=AnnotatorStamp("figures", "0-old")
    )
    base = dataclasses.replace(annotated_index.base, manifest=older)
    stale = dataclasses.replace(annotated_index, base=base)
    assert stored_annotation(stale, doc_id) is None
    assert article_entities(stale, doc_id) is None


def test_the_version_follows_the_reading_code() -> None:
    version = FigureAnnotator().version
    assert version.startswith(f"{retrieval.figure_store.READER_VERSION}-")
    assert version == FigureAnnotator().version

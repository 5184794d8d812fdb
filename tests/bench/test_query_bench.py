"""bench/query.py's indexes: the real articles annotated once (cached), the copies written to an
article store with their originals' annotations, and both indexes (without and with stored
figures) assembled over that store as a served generation is, on the bundled articles."""

import dataclasses
import json
from pathlib import Path

from bench.query import (
    STORE_FILE,
    annotation_bytes,
    cached_annotations,
    copies_read_alike,
    figures_of,
    replica_index,
    replicas_of,
    write_answers,
    write_replica_store,
)
from corpus import Article, ChunkingConfig
from index import HashEmbedder, Manifest, build_index, open_index, tokenize
from index.annotations import stamp_of
from index.chunk_table import chunk_rows
from index.sparse import SparseBm25
from index.tokenizer import TOKENIZER_VERSION
from index.vectors import VectorIndex
from retrieval import AnswerEngine
from retrieval.figure_store import FigureAnnotator

QUESTION = "How many people were killed?"


def test_copies_are_stored_with_their_originals_annotations_and_answer_alike(
    tmp_path: Path, bundled_articles: tuple[Article, ...], hash_embedder: HashEmbedder
) -> None:
    annotator = FigureAnnotator()
    stamp = stamp_of(annotator)
    cache = tmp_path / "cache"
    cache.mkdir()
    stored, _, annotated = cached_annotations(cache, bundled_articles, annotator)
    again, _, annotated_again = cached_annotations(cache, bundled_articles, annotator)
    real = [c for a in bundled_articles for c in a.chunks(ChunkingConfig())]
    copies = [dataclasses.replace(c, doc_id=f"{c.doc_id}~1") for c in real]
    chunks = real + copies
    articles = replicas_of({a.doc_id: a for a in bundled_articles}, chunks)

    store, keys = write_replica_store(
        tmp_path / STORE_FILE, articles, stored, stamp, hash_embedder.dimension
    )
    manifest = Manifest(
        model=hash_embedder.name,
        dimension=hash_embedder.dimension,
        tokenizer=TOKENIZER_VERSION,
        chunking=ChunkingConfig(),
        store=STORE_FILE,
        covers=1,
        article_count=len(keys),
        chunk_count=len(chunks),
        files={},
        created="",
    )
    rows = chunk_rows(chunks, keys)
    sparse = SparseBm25.from_terms([tokenize(c.text) for c in chunks])
    vectors = VectorIndex.from_vectors(hash_embedder.embed([c.text for c in chunks]))
    plain = replica_index(tmp_path, manifest, store, rows, sparse, vectors)
    figures = replica_index(
        tmp_path, dataclasses.replace(manifest, annotator=stamp), store, rows, sparse, vectors
    )

    assert (annotated, annotated_again, again) == (len(bundled_articles), 0, stored)
    assert list(keys) == list(articles) and list(keys.values()) == list(range(1, len(keys) + 1))
    assert list(figures.chunks) == chunks
    assert dict(figures.articles.items()) == articles
    for doc_id in articles:
        original = json.loads(stored[doc_id.split("~")[0]][:-1])
        assert figures.annotation(doc_id) == original
        assert plain.annotation(doc_id) is None
    assert copies_read_alike(figures.articles, stamp) == "5/5"
    assert annotation_bytes(store) == 2 * sum(len(data) - 1 for data in stored.values())
    parsed = AnswerEngine(plain, hash_embedder).ask(QUESTION)
    read = AnswerEngine(figures, hash_embedder).ask(QUESTION)
    assert read.answer == parsed.answer
    assert {(f.value, f.qualifier) for f in read.figures} == {
        (f.value, f.qualifier) for f in parsed.figures
    }
    store.close()


def test_the_answers_file_holds_each_questions_answer_and_figures(
    tmp_path: Path, bundled_articles: tuple[Article, ...], hash_embedder: HashEmbedder
) -> None:
    build_index(list(bundled_articles), tmp_path / "index", hash_embedder)
    engine = AnswerEngine(open_index(tmp_path / "index", hash_embedder), hash_embedder)
    questions = [QUESTION, "How many drones were launched?"]
    answers = {question: engine.ask(question) for question in questions}

    write_answers(tmp_path / "answers.json", answers)

    written = json.loads((tmp_path / "answers.json").read_text("utf-8"))
    assert sorted(written) == sorted(questions)
    for question, answer in answers.items():
        assert written[question]["answer"] == answer.answer
        figures = {(v, q, frozenset(d)) for v, q, d in written[question]["figures"]}
        assert figures == figures_of(answer) and figures  # every figure, each with its documents

"""The answer engine's contract on the bundled articles, with the fast stand-in embedder."""

import re

import pytest

from corpus import Article
from index import ChunkIndex, HashEmbedder
from retrieval import Answer, AnswerEngine, SearchError

QUESTIONS = [
    "How many people were injured?",
    "How many drones and missiles were launched?",
    "How many missiles were launched?",
    "How long is the front line?",
    "Which embassy was damaged?",
    "How many tanks does Russia have?",
]


@pytest.fixture(scope="module")
def engine(hash_index: ChunkIndex, hash_embedder: HashEmbedder) -> AnswerEngine:
    return AnswerEngine(hash_index, hash_embedder)


@pytest.fixture(scope="module")
def texts(bundled_articles: tuple[Article, ...]) -> dict[str, str]:
    return {a.doc_id: a.text for a in bundled_articles}


@pytest.fixture(scope="module")
def sentence_spans(bundled_articles: tuple[Article, ...]) -> set[tuple[str, int, int]]:
    return {(s.doc_id, s.start, s.end) for a in bundled_articles for s in a.sentences()}


def values(answer: Answer) -> list[float]:
    return sorted(f.value for f in answer.figures)


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_quote_is_exact_and_every_marker_is_a_citation(
    engine: AnswerEngine,
    texts: dict[str, str],
    sentence_spans: set[tuple[str, int, int]],
    question: str,
) -> None:
    answer = engine.ask(question)
    body = answer.to_json()
    assert set(body) == {"question", "answer", "conflict", "figures", "related", "citations"}
    numbers = [c["n"] for c in body["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    assert {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)} == set(numbers)
    for figure in body["figures"] + body["related"]:
        assert set(figure) == {
            "value", "text", "qualifier", "unit", "measure", "claimant", "citations"
        }  # fmt: skip
        assert figure["citations"], figure
        for citation in figure["citations"]:
            # Each figure cites a whole sentence of its article, listed among all citations.
            assert (citation["doc_id"], citation["start"], citation["end"]) in sentence_spans
            assert citation in body["citations"]
    for citation in body["citations"]:
        assert texts[citation["doc_id"]][citation["start"] : citation["end"]] == citation["quote"]


def test_injured_is_a_conflict_between_23_and_at_least_26(engine: AnswerEngine) -> None:
    answer = engine.ask("How many people were injured?")
    assert answer.conflict
    assert values(answer) == [23, 26]
    by_value = {f.value: f for f in answer.figures}
    assert by_value[26].qualifier == "at least"
    assert set(by_value[23].doc_ids) == {
        "001_9eba8f048c7db6ee", "002_a9fb1a76507f7b7d", "003_5e91e654f1826207"
    }  # fmt: skip
    assert set(by_value[26].doc_ids) == {
        "000_c9b33be09081a972", "002_a9fb1a76507f7b7d", "004_72ab227803a444ef"
    }  # fmt: skip
    assert answer.answer.startswith("The sources disagree on people injured")
    assert "cannot both be true" in answer.answer
    assert "Kyiv's officials" in answer.answer  # who claimed it, where the text says


def test_550_and_539_plus_11_are_reconciled_not_a_conflict(engine: AnswerEngine) -> None:
    answer = engine.ask("How many drones and missiles were launched?")
    assert not answer.conflict
    assert values(answer) == [550]
    assert len(answer.figures[0].doc_ids) == 5
    assert "gives 539 drones and 11 missiles, which add up to 550" in answer.answer


def test_missiles_launched_keep_neighbouring_measures_apart(engine: AnswerEngine) -> None:
    answer = engine.ask("How many missiles were launched?")
    assert values(answer) == [11] and not answer.conflict
    related = {(f.value, f.measure) for f in answer.related}
    assert (9, "missiles hit") in related
    assert (550, "drones and missiles launched") in related


def test_miles_and_kilometres_agree(engine: AnswerEngine) -> None:
    answer = engine.ask("How long is the front line?")
    assert not answer.conflict
    assert values(answer) == [620, 1000]
    assert "is about" in answer.answer and "agree" in answer.answer


def test_a_question_the_articles_cannot_answer_says_so(engine: AnswerEngine) -> None:
    answer = engine.ask("How many tanks does Russia have?")
    assert answer.figures == () and not answer.conflict
    assert answer.answer.startswith("The articles do not give a figure for tanks")
    assert answer.citations, "the closest passages are shown"


def test_follow_up_inherits_the_place_and_changes_the_measure(engine: AnswerEngine) -> None:
    answer = engine.ask("And how many were killed?", ["How many people were injured in Kyiv?"])
    assert values(answer) == [1]
    assert "people killed" in answer.answer


def test_non_numeric_questions_get_cited_sentences(engine: AnswerEngine) -> None:
    answer = engine.ask("Which embassy was damaged?")
    assert answer.figures == ()
    assert any("embassy" in c.quote for c in answer.citations)
    assert answer.answer.startswith("From the articles:")


def test_an_empty_question_is_refused(engine: AnswerEngine) -> None:
    with pytest.raises(SearchError, match="the query is empty"):
        engine.ask("  ")

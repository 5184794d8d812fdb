"""The answer engine's contract with the fast stand-in embedder: on the bundled articles, and on
a small index of made-up reports of one fire (two outlets on two days) and an unrelated race."""

import re
from pathlib import Path
from typing import Any

import pytest

from corpus import Article, make_article
from index import HashEmbedder, build_index, open_index
from retrieval import Answer, AnswerConfig, AnswerEngine, ArticleFilter, SearchError

QUESTIONS = [
    "How many people were wounded?",
    "How many drones and missiles were launched?",
    "How many missiles were launched?",
    "How long is the front line?",
    "Which embassy was damaged?",
    "How many tanks does Russia have?",
]
JSON_KEYS = {
    "question", "kind", "about", "headline", "answer", "notes", "conflict", "figures", "groups",
    "relations", "timeline", "related", "quotes", "citations", "passages", "story",
    "other_stories", "entities",
}  # fmt: skip
FIGURE_KEYS = {
    "id", "group", "value", "low", "high", "text", "texts", "phrase", "qualifier", "unit",
    "measure", "action", "claimant", "outlets", "dates", "reports", "citations",
}  # fmt: skip


@pytest.fixture(scope="module")
def engine(
    tmp_path_factory: pytest.TempPathFactory, bundled_articles: tuple[Article, ...]
) -> AnswerEngine:
    # The engine compares single words (nouns, actions) by their vectors. The shared 64-bucket
    # stand-in hashes "launch" and "intercept" into one bucket (cosine 1.0), which no real
    # model does (MiniLM: 0.17); 256 buckets keep the words of these questions apart.
    embedder = HashEmbedder(dimension=256)
    index_dir: Path = tmp_path_factory.mktemp("wide-hash-index")
    build_index(bundled_articles, index_dir, embedder)
    return AnswerEngine(open_index(index_dir, embedder), embedder)


@pytest.fixture(scope="module")
def texts(bundled_articles: tuple[Article, ...]) -> dict[str, str]:
    return {a.doc_id: a.text for a in bundled_articles}


@pytest.fixture(scope="module")
def sentence_spans(bundled_articles: tuple[Article, ...]) -> set[tuple[str, int, int]]:
    return {(s.doc_id, s.start, s.end) for a in bundled_articles for s in a.sentences()}


def values(answer: Answer) -> list[float]:
    return sorted(f.value for f in answer.figures)


def check_contract(
    body: dict[str, Any], texts: dict[str, str], sentence_spans: set[tuple[str, int, int]]
) -> None:
    """Every quote is exact, every figure cites whole sentences, every citation is marked in the
    text (another story's figures too, under its title), and every figure of the answer comes
    from the story it keeps to."""
    assert set(body) == JSON_KEYS
    numbers = [c["n"] for c in body["citations"]]
    assert numbers == list(range(1, len(numbers) + 1))
    others = body["other_stories"]
    other_figures = [f for story in others for f in story["figures"]]
    marked = {int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])}
    assert marked == set(numbers)
    for story in others:
        assert f"In another story ({story['title']}): " in body["answer"]
    for figure in body["figures"] + body["related"] + other_figures:
        assert set(figure) == FIGURE_KEYS
        assert figure["citations"], figure
        for citation in figure["citations"]:
            assert (citation["doc_id"], citation["start"], citation["end"]) in sentence_spans
            assert citation in body["citations"]
    for citation in body["citations"]:
        assert texts[citation["doc_id"]][citation["start"] : citation["end"]] == citation["quote"]
        assert not re.search(r"[0-9a-f]{12}", citation["name"]), "a hex id is never a name"
    check_structure(body)
    if body["story"] is not None:
        assert set(body["story"]) == {"id", "title", "articles", "outlets"}
        cited = {c["doc_id"] for f in body["figures"] + body["related"] for c in f["citations"]}
        assert cited <= set(body["story"]["articles"])
        for story in others:
            assert set(story) == {"id", "title", "articles", "outlets", "conflict", "figures"}
            assert story["id"] != body["story"]["id"]
            cited = {c["doc_id"] for f in story["figures"] for c in f["citations"]}
            assert cited <= set(story["articles"])
    else:
        assert others == []


def check_structure(body: dict[str, Any]) -> None:
    """The words are the composer's, made from the structure: the headline is the first line,
    every note a line; the groups split the figures; every relation and timeline entry names
    groups and figures of the answer; the answer conflicts exactly when a relation says so."""
    lines = body["answer"].splitlines()
    assert lines[0] == body["headline"]
    assert all(note["text"] in lines for note in body["notes"])
    numbers = {c["n"] for c in body["citations"]}
    figures = {f["id"]: f for f in body["figures"]}
    assert len(figures) == len(body["figures"])
    grouped = [f for g in body["groups"] for f in g["figures"]]
    assert sorted(grouped) == sorted(figures)
    groups = {g["id"] for g in body["groups"]}
    assert all(figures[f]["group"] == g["id"] for g in body["groups"] for f in g["figures"])
    for relation in body["relations"]:
        assert set(relation["groups"]) <= groups and set(relation["figures"]) <= set(figures)
        assert set(relation["citations"]) <= numbers
    conflicts = [r for r in body["relations"] if r["kind"] == "conflict"]
    assert body["conflict"] == bool(conflicts)
    for entry in body["timeline"]:
        assert entry["figure"] in figures and entry["group"] in groups
    assert set(body["quotes"]) <= numbers
    assert body["kind"] in {"figures", "names", "quotes", "none"}
    assert (body["kind"] == "figures") == bool(body["figures"])


# --- the bundled articles -------------------------------------------------------------------


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_quote_is_exact_and_every_marker_is_a_citation(
    engine: AnswerEngine,
    texts: dict[str, str],
    sentence_spans: set[tuple[str, int, int]],
    question: str,
) -> None:
    check_contract(engine.ask(question).to_json(), texts, sentence_spans)


def test_wounded_is_a_conflict_between_23_and_at_least_26(engine: AnswerEngine) -> None:
    answer = engine.ask("How many people were wounded?")
    assert answer.conflict
    assert values(answer) == [23, 26]
    by_value = {f.value: f for f in answer.figures}
    assert by_value[26].qualifier == "at least"
    assert by_value[23].doc_ids == ("001_9eba8f048c7db6ee",)
    assert by_value[26].doc_ids == ("000_c9b33be09081a972",)
    # "wounded at least 26 others" answers: "others" leaves the noun out, as "23 were wounded".
    assert answer.answer.startswith("The sources disagree on people wounded: at least 26 vs 23.")
    assert "23 [2] and at least 26 [1] cannot both be true." in answer.answer
    assert "citing Kyiv's officials" in answer.answer  # who claimed it, where the text says


def test_missiles_launched_keep_neighbouring_measures_apart(engine: AnswerEngine) -> None:
    answer = engine.ask("How many missiles were launched?")
    assert values(answer) == [11] and not answer.conflict
    # "550 drones and missiles" counts both together: a neighbouring measure, not an answer.
    assert (550, "drones and missiles launch") in {(f.value, f.measure) for f in answer.related}


def test_another_storys_figures_are_listed_under_its_title(engine: AnswerEngine) -> None:
    answer = engine.ask("How many missiles were launched?")
    assert answer.other_stories, "the seed articles make more than one story"
    lines = answer.answer.splitlines()
    for story in answer.other_stories:
        listed = "; ".join(
            f["text"] + " " + "".join(f"[{n}]" for n in sorted({c["n"] for c in f["citations"]}))
            for f in story["figures"]
        )
        assert f"In another story ({story['title']}): {listed}." in lines


def test_miles_and_kilometres_agree(engine: AnswerEngine) -> None:
    answer = engine.ask("How long is the front line?")
    assert not answer.conflict
    assert values(answer) == [620, 1000]
    assert "1,000 kilometres is about 621 miles" in answer.answer


def test_two_wordings_of_one_duration_are_one_value(engine: AnswerEngine) -> None:
    answer = engine.ask("How long did the bombardment last?")
    assert not answer.conflict
    [seven] = answer.figures
    assert (seven.value, seven.unit, len(seven.doc_ids)) == (7, "hours", 2)
    assert answer.answer.startswith("The sources agree on the duration: seven-hour / seven.")


def test_a_question_the_articles_cannot_answer_says_so(engine: AnswerEngine) -> None:
    answer = engine.ask("How many tanks does Russia have?")
    assert answer.figures == () and not answer.conflict
    assert answer.answer.startswith("The articles do not give a figure for tank")
    assert answer.citations, "the closest passages are shown"


def test_non_numeric_questions_get_cited_sentences(engine: AnswerEngine) -> None:
    answer = engine.ask("Which embassy was damaged?")
    assert answer.figures == ()
    assert any("embassy" in c.quote for c in answer.citations)
    assert answer.answer.startswith("From the articles:")


def test_an_empty_question_is_refused(engine: AnswerEngine) -> None:
    with pytest.raises(SearchError, match="the query is empty"):
        engine.ask("  ")


# --- made-up reports of a fire ----------------------------------------------------------------

FIRE_REUTERS = make_article(
    "fire-reuters",
    "Chemical plant fire forces evacuation in Millbrook\n\n"
    "A fire at the Harlow Chemicals plant in Millbrook forced the evacuation of nearby streets "
    "on Monday. 41 people were evacuated from the plant and the houses around it, the fire "
    "department said. 12 people were injured, police said. Crews used 20 fire engines and 4 "
    "helicopters to fight the blaze. The smoke plume drifted 30 miles east, the weather service "
    "said. The fire cost the company $2.5 million in lost production, chief executive Dana Reyes "
    "said.\n",
    source="Reuters",
    date="2024-03-11",
)
FIRE_AP = make_article(
    "fire-ap",
    "Blaze at Millbrook chemical plant injures workers\n\n"
    "A blaze tore through the Harlow Chemicals plant in Millbrook on Monday night. Firefighters "
    "said 41 people were evacuated. Dozens of people were evacuated from a care home nearby. At "
    "least 15 people were injured in the fire, according to the county hospital. The plume "
    "drifted roughly 48 km before it thinned out. Dozens of residents were moved to shelters.\n",
    source="Associated Press",
    date="2024-03-12",
)
MARATHON = make_article(
    "marathon",
    "Record field for the Millbrook marathon\n\n"
    "The city marathon drew 30,000 runners on Sunday, organisers said. The winner finished in "
    "two hours and nine minutes.\n",
    source="Millbrook Gazette",
    date="2024-03-10",
)
FIRE = (FIRE_REUTERS, FIRE_AP, MARATHON)


@pytest.fixture(scope="module")
def fire_engine(
    tmp_path_factory: pytest.TempPathFactory, hash_embedder: HashEmbedder
) -> AnswerEngine:
    index_dir: Path = tmp_path_factory.mktemp("fire-index")
    build_index(FIRE, index_dir, hash_embedder)
    return AnswerEngine(open_index(index_dir, hash_embedder), hash_embedder)


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("How many people were evacuated?", []),
        ("How many people were injured?", []),
        ("How far did the plume drift?", []),
        ("And how many were injured?", ["How many people were evacuated?"]),
        ("Who is the chief executive of Harlow Chemicals?", []),
        ("How many tanks does the army have?", []),
    ],
)
def test_the_contract_holds_on_other_articles(
    fire_engine: AnswerEngine, question: str, history: list[str]
) -> None:
    texts = {a.doc_id: a.text for a in FIRE}
    spans = {(s.doc_id, s.start, s.end) for a in FIRE for s in a.sentences()}
    check_contract(fire_engine.ask(question, history).to_json(), texts, spans)


def test_two_outlets_agree_on_the_people_evacuated(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How many people were evacuated?")
    assert not answer.conflict
    [evacuated] = answer.figures
    assert (evacuated.value, evacuated.doc_ids) == (41, ("fire-reuters", "fire-ap"))
    assert evacuated.claimant == "the fire department; Firefighters"
    assert answer.answer.splitlines()[:2] == [
        "The sources agree on people evacuated: 41.",
        "- 41 people: Reuters, citing the fire department [1]; Associated Press, citing "
        "Firefighters [2]",
    ]


def test_a_vague_amount_beside_a_number_is_only_related(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How many people were evacuated?")
    [dozens] = [f for f in answer.related if f.text == "Dozens"]
    assert dozens.to_json()["value"] is None
    assert all(not f.vague for f in answer.figures)


def test_a_vague_amount_alone_answers_without_a_value(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How many residents were moved to shelters?")
    [dozens] = answer.to_json()["figures"]
    assert (dozens["value"], dozens["text"], dozens["qualifier"]) == (None, "Dozens", "vague")


def test_injured_is_a_conflict_reported_as_an_update(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How many people were injured?")
    assert answer.conflict
    assert values(answer) == [12, 15]
    markers = {f.text: f.citations[0].n for f in answer.figures}
    assert (
        f"Over time: 12 (2024-03-11) [{markers['12']}], then at least 15 (2024-03-12) "
        f"[{markers['At least 15']}]; the latest is at least 15."
    ) in answer.answer
    assert (
        f"12 [{markers['12']}] and at least 15 [{markers['At least 15']}] cannot both be true."
    ) in answer.answer


@pytest.mark.parametrize(
    ("filters", "value", "doc_id"),
    [
        (ArticleFilter(sources=frozenset({"reuters"})), 12, "fire-reuters"),
        (ArticleFilter(since="2024-03-12"), 15, "fire-ap"),
        (ArticleFilter(until="2024-03-11"), 12, "fire-reuters"),
    ],
)
def test_filters_keep_only_some_articles(
    fire_engine: AnswerEngine, filters: ArticleFilter, value: float, doc_id: str
) -> None:
    answer = fire_engine.ask("How many people were injured?", filters=filters)
    assert values(answer) == [value] and not answer.conflict
    assert {c.doc_id for c in answer.citations} == {doc_id}


def test_a_follow_up_counts_the_same_people_another_way(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("And how many were injured?", ["How many people were evacuated?"])
    assert values(answer) == [12, 15]
    # The people of the question before, in the follow-up's own words.
    assert answer.answer.startswith(
        "The sources disagree on the number injured: at least 15 vs 12."
    )


def test_a_sum_of_money_with_its_currency_and_source(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How much did the fire cost the company?")
    [cost] = answer.to_json()["figures"]
    assert {k: cost[k] for k in ("value", "text", "unit", "claimant")} == {
        "value": 2_500_000,
        "text": "$2.5 million",
        "unit": "dollars",
        "claimant": "chief executive Dana Reyes",
    }


def test_a_sum_of_money_is_named_as_money(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How much did the fire cost the company?")
    assert answer.answer.startswith("One article gives the money: $2.5 million.")


def test_a_length_in_miles_and_kilometres_agrees(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How far did the plume drift?")
    assert not answer.conflict
    assert [(f.value, f.unit) for f in answer.figures] == [(48, "kilometres"), (30, "miles")]
    [note] = answer.notes
    assert note.text == "These only look different: 48 kilometres is about 30 miles [1][2]."


def test_a_question_for_a_person_names_them(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("Who is the chief executive of Harlow Chemicals?")
    assert answer.figures == ()
    assert answer.entities == ("Dana Reyes",)
    assert answer.answer.startswith("The articles name Dana Reyes:")
    assert any("Dana Reyes" in c.quote for c in answer.citations)


def test_no_figure_for_what_the_articles_do_not_count(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How many tanks does the army have?")
    assert answer.figures == () and not answer.conflict
    assert answer.answer.startswith("The articles do not give a figure for tank")


def test_a_listed_total_answers_without_a_conflict_with_its_parts(
    fire_engine: AnswerEngine,
) -> None:
    answer = fire_engine.ask("How many fire engines and helicopters were used?")
    assert values(answer) == [24] and not answer.conflict
    assert (
        "These only look different: 20 fire engines and 4 helicopters add up to 24 [1]."
        in answer.answer.splitlines()
    )
    # Its parts are the answer's own, not figures beside it.
    assert not {f.text for f in answer.related} & {"20", "4"}


def test_a_thing_counted_one_way_answers_whatever_its_verb(fire_engine: AnswerEngine) -> None:
    # No figure says "deployed"; the articles count helicopters once, "used".
    answer = fire_engine.ask("How many helicopters were deployed?")
    assert values(answer) == [4]


def test_people_counted_many_ways_need_the_asked_verb(fire_engine: AnswerEngine) -> None:
    # 41 evacuated, 12 and at least 15 injured: none says "hospitalised", so none answers.
    answer = fire_engine.ask("How many people were hospitalised?")
    assert answer.figures == ()


def test_how_long_takes_a_length_when_no_duration_answers(fire_engine: AnswerEngine) -> None:
    answer = fire_engine.ask("How long did the plume drift?")
    assert values(answer) == [30, 48] and not answer.conflict


def test_how_old_a_named_person_is_gives_their_age_only(
    tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    split = make_article(
        "split",
        "Comedian ends relationship\n\n"
        "Sarah Silverman, 47, announced that her relationship with Michael Sheen, 49, is over. "
        "The couple had been together for four years.\n",
        source="Daily Mail",
        date="2018-01-02",
    )
    build_index((split, MARATHON), tmp_path, hash_embedder)
    engine = AnswerEngine(open_index(tmp_path, hash_embedder), hash_embedder)
    assert values(engine.ask("How old is Sarah Silverman?")) == [47]
    assert values(engine.ask("How old is Michael Sheen?")) == [49]


def test_every_report_of_an_answer_in_its_story_is_cited(
    tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    # Only the best passage is searched for figures; the other outlet's "41 people were
    # evacuated" is found in the story all the same.
    build_index(FIRE, tmp_path, hash_embedder)
    index = open_index(tmp_path, hash_embedder)
    engine = AnswerEngine(index, hash_embedder, AnswerConfig(passages=1))
    answer = engine.ask("How many people were evacuated?")
    assert answer.story is not None and set(answer.story["articles"]) >= {"fire-reuters", "fire-ap"}
    [evacuated] = [f for f in answer.figures if f.value == 41]
    assert {c.doc_id for c in evacuated.citations} == {"fire-reuters", "fire-ap"}

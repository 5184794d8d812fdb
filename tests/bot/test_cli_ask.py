"""``crosscheck ask``: the answer object as JSON, readable answers with sources, follow-ups."""

import json

from corpus import bundled_articles_dir

HASH = ("--embedder", "hash")


def test_ask_json_is_the_answer_contract(crosscheck, bundled_index):
    result = crosscheck(
        "ask", "How many people were injured?", "--json", "--index-dir", bundled_index, *HASH
    )

    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "answer", "conflict", "figures", "related", "citations"}
    assert answer["question"] == "How many people were injured?"
    assert answer["conflict"] is True
    assert sorted(f["value"] for f in answer["figures"]) == [23, 26]
    citation_keys = {"n", "doc_id", "source", "date", "quote", "start", "end", "claimant"}
    for citation in answer["citations"]:
        assert set(citation) == citation_keys
        text = (bundled_articles_dir() / f"{citation['doc_id']}.txt").read_text(encoding="utf-8")
        assert text[citation["start"] : citation["end"]] == citation["quote"]


def test_ask_prints_the_answer_then_numbered_sources(crosscheck, bundled_index):
    result = crosscheck(
        "ask", "How many missiles were launched?", "--index-dir", bundled_index, *HASH
    )

    assert result.returncode == 0, result.stderr
    answer, _, sources = result.stdout.partition("\nSources:\n")
    assert answer.startswith("The sources agree on missiles launched: 11.")
    markers = {line.split("]")[0] + "]" for line in sources.splitlines() if line.startswith("[")}
    assert "[1]" in markers and all(marker in answer for marker in markers)


def test_ask_follows_up_on_earlier_questions(crosscheck, bundled_index):
    result = crosscheck(
        "ask",
        "And how many were killed?",
        "--after",
        "How many people were injured in Kyiv?",
        "--json",
        "--index-dir",
        bundled_index,
        *HASH,
    )

    assert result.returncode == 0, result.stderr
    assert [f["value"] for f in json.loads(result.stdout)["figures"]] == [1]


def test_an_empty_question_is_refused_before_any_build(crosscheck, tmp_path):
    result = crosscheck("ask", "  ", "--index-dir", tmp_path / "index", *HASH)

    assert result.returncode == 1
    assert result.stderr.splitlines() == ["crosscheck: error: the query is empty"]
    assert not (tmp_path / "index").exists()

"""The ``crosscheck`` command line, run as a real process: indexing and searching."""

import json
import re
from pathlib import Path

import pytest

from corpus import bundled_articles_dir
from index import HashEmbedder, open_index
from retrieval import Retriever

QUESTION = "how many missiles were launched"
PASSAGE_KEYS = {"doc_id", "source", "start", "end", "text", "score", "bm25_rank", "dense_rank"}
HASH = ("--embedder", "hash")


def live_generation(index_dir: Path) -> str:
    """The base generation's folder name that ``INDEX_DIR/CURRENT`` names first."""
    return (index_dir / "CURRENT").read_text(encoding="utf-8").split()[0]


def article_text(folder: Path, doc_id: str) -> str:
    """An article file's text exactly as the loader reads it (UTF-8, no newline translation)."""
    return (folder / f"{doc_id}.txt").read_bytes().decode("utf-8")


def assert_passages_quote(passages: list[dict], folder: Path) -> None:
    """Every passage has exactly the JSON keys and quotes its article file at its offsets."""
    for passage in passages:
        assert set(passage) == PASSAGE_KEYS
        text = article_text(folder, passage["doc_id"])
        assert text[passage["start"] : passage["end"]] == passage["text"]


def test_index_builds_the_bundled_articles(crosscheck, tmp_path):
    index_dir = tmp_path / "index"

    result = crosscheck("index", "--index-dir", index_dir, *HASH)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed 5 articles (")
    assert str(index_dir) in result.stdout
    assert (index_dir / live_generation(index_dir) / "manifest.json").is_file()


def test_index_again_is_up_to_date_and_not_rebuilt(crosscheck, bundled_index):
    generation = live_generation(bundled_index)
    manifest = (bundled_index / generation / "manifest.json").read_bytes()

    result = crosscheck("index", "--index-dir", bundled_index, *HASH)

    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        rf"the index in {re.escape(str(bundled_index))} is up to date \(5 articles, \d+ chunks\)\n",
        result.stdout,
    )
    assert live_generation(bundled_index) == generation
    assert (bundled_index / generation / "manifest.json").read_bytes() == manifest


def test_rebuild_publishes_a_new_generation(crosscheck, bundled_index):
    old = live_generation(bundled_index)

    result = crosscheck("index", "--rebuild", "--index-dir", bundled_index, *HASH)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed 5 articles (")
    new = live_generation(bundled_index)
    assert new != old
    assert (bundled_index / new / "manifest.json").is_file()
    assert not (bundled_index / old).exists()


def test_index_stores_figures_and_entities_unless_told_not_to(crosscheck, tmp_path):
    index_dir = tmp_path / "index"

    def manifest() -> dict:
        return json.loads((index_dir / live_generation(index_dir) / "manifest.json").read_text())

    def annotated() -> int:
        index = open_index(index_dir, HashEmbedder())
        return sum(index.annotation(doc_id) is not None for doc_id in index.articles)

    result = crosscheck("index", "--no-annotations", "--index-dir", index_dir, *HASH)
    assert result.returncode == 0, result.stderr
    assert manifest()["annotator"] is None
    assert annotated() == 0

    # Asked for again, they are added (the chunks keep their vectors).
    result = crosscheck("index", "--index-dir", index_dir, *HASH)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("indexed 5 articles (")
    assert manifest()["annotator"]["name"] == "figures"
    assert annotated() == 5


def test_search_builds_the_bundled_index_on_first_use(crosscheck, tmp_path):
    index_dir = tmp_path / "index"

    result = crosscheck("search", QUESTION, "--json", "--index-dir", index_dir, *HASH)

    assert result.returncode == 0, result.stderr
    assert (
        f"crosscheck: no index in {index_dir} yet; indexing the 5 bundled articles (once)"
        in result.stderr
    )
    assert (index_dir / "CURRENT").is_file()
    body = json.loads(result.stdout)
    assert set(body) == {"query", "passages"}
    assert body["query"] == QUESTION
    assert len(body["passages"]) == 10  # the default k
    assert_passages_quote(body["passages"], bundled_articles_dir())


@pytest.mark.parametrize("retriever", list(Retriever), ids=lambda r: r.value)
def test_search_json_passages(crosscheck, bundled_index, retriever):
    result = crosscheck(
        "search",
        QUESTION,
        "--json",
        "-k",
        "3",
        "--retriever",
        retriever.value,
        "--index-dir",
        bundled_index,
        *HASH,
    )

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["query"] == QUESTION
    passages = body["passages"]
    assert len(passages) == 3
    assert_passages_quote(passages, bundled_articles_dir())
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)
    bm25_ranks = [p["bm25_rank"] for p in passages]
    dense_ranks = [p["dense_rank"] for p in passages]
    if retriever is Retriever.BM25:
        assert (bm25_ranks, dense_ranks) == ([1, 2, 3], [None, None, None])
    elif retriever is Retriever.DENSE:
        assert (bm25_ranks, dense_ranks) == ([None, None, None], [1, 2, 3])
    else:
        ranked = zip(bm25_ranks, dense_ranks, strict=True)
        assert all(bm25 is not None or dense is not None for bm25, dense in ranked)


def test_index_dir_from_the_environment(crosscheck, tmp_path):
    index_dir = tmp_path / "from-env"

    result = crosscheck("index", *HASH, environ={"CROSSCHECK_INDEX_DIR": str(index_dir)})

    assert result.returncode == 0, result.stderr
    assert f"into {index_dir} in " in result.stdout
    assert (index_dir / live_generation(index_dir)).is_dir()


def test_index_dir_option_wins_over_the_environment(crosscheck, tmp_path):
    from_env, from_option = tmp_path / "from-env", tmp_path / "from-option"

    result = crosscheck(
        "index", "--index-dir", from_option, *HASH, environ={"CROSSCHECK_INDEX_DIR": str(from_env)}
    )

    assert result.returncode == 0, result.stderr
    assert (from_option / "CURRENT").is_file()
    assert not from_env.exists()


def test_embedder_from_the_environment(crosscheck, tmp_path):
    index_dir = tmp_path / "index"

    result = crosscheck("index", "--index-dir", index_dir, environ={"CROSSCHECK_EMBEDDER": "hash"})

    assert result.returncode == 0, result.stderr
    manifest_file = index_dir / live_generation(index_dir) / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    assert manifest["model"] == HashEmbedder().name


def test_human_output_numbers_the_passages(crosscheck, bundled_index):
    result = crosscheck("search", QUESTION, "-k", "3", "--index-dir", bundled_index, *HASH)

    assert result.returncode == 0, result.stderr
    headers = re.findall(
        r"^ ?(\d+)\. \[[^\]]+\] chars \d+-\d+, score \d+\.\d{4}(?: \(.+\))?$",
        result.stdout,
        re.MULTILINE,
    )
    assert headers == ["1", "2", "3"]
    body_lines = [line for line in result.stdout.splitlines() if not re.match(r" ?\d+\. ", line)]
    assert body_lines
    assert all(line.startswith("    ") for line in body_lines)


def test_search_a_folder_of_my_own(crosscheck, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "bridge.txt").write_text(
        "The harbour bridge reopened on Tuesday. Engineers replaced 40 corroded cables.\n",
        encoding="utf-8",
    )
    (folder / "saffron.txt").write_text(
        "Farmers in the valley harvested 12 tonnes of saffron. Prices rose sharply.\n",
        encoding="utf-8",
    )
    index_dir = tmp_path / "index"

    indexed = crosscheck("index", folder, "--index-dir", index_dir, *HASH)

    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stdout.startswith("indexed 2 articles (")
    for query, doc_id in [("saffron harvest", "saffron"), ("bridge cables", "bridge")]:
        found = crosscheck("search", query, "--json", "--index-dir", index_dir, *HASH)
        assert found.returncode == 0, found.stderr
        passages = json.loads(found.stdout)["passages"]
        assert passages[0]["doc_id"] == doc_id
        assert {p["doc_id"] for p in passages} <= {"bridge", "saffron"}
        assert_passages_quote(passages, folder)


def test_a_rebuild_keeps_the_articles_posted_to_the_index(crosscheck, tmp_path):
    from corpus import make_article
    from index import update_index

    index_dir = tmp_path / "index"
    assert crosscheck("index", "--index-dir", index_dir, *HASH).returncode == 0
    posted = make_article("posted-1", "Forty drones were shot down over Odesa, officials said.")
    update_index(index_dir, HashEmbedder(), add=[posted])

    result = crosscheck("index", "--rebuild", "--index-dir", index_dir, *HASH)

    assert result.returncode == 0, result.stderr
    assert f"rebuilding from the 6 articles the index in {index_dir} holds" in result.stderr
    index = open_index(index_dir, HashEmbedder())
    assert index.segments == () and index.articles["posted-1"].text == posted.text
    assert len(index.articles) == 6


def test_an_index_of_the_previous_format_is_refused_and_rebuilt_with_its_articles(
    crosscheck, tmp_path
):
    # The layout crosscheck wrote before the article store (format 4): the articles in the
    # generation's articles.jsonl, CURRENT naming that generation alone.
    index_dir = tmp_path / "index"
    generation = index_dir / "gen-000003"
    generation.mkdir(parents=True)
    record = {
        "doc_id": "old-1",
        "source": "Old Wire",
        "date": "2025-07-04",
        "title": "Old report",
        "url": None,
        "boilerplate": [],
        "text": "Twelve missiles were launched at Kharkiv, the governor said.",
    }
    (generation / "articles.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    manifest = {"format": "crosscheck-index", "format_version": 4, "checksum": "sha256:0"}
    (generation / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (index_dir / "CURRENT").write_text("gen-000003\n", encoding="utf-8")

    refused = crosscheck("search", "missiles", "--index-dir", index_dir, *HASH)
    assert refused.returncode != 0
    assert "has index format version 4" in refused.stderr
    assert f"crosscheck index --rebuild --index-dir {index_dir}" in refused.stderr

    result = crosscheck("index", "--rebuild", "--index-dir", index_dir, *HASH)

    assert result.returncode == 0, result.stderr
    index = open_index(index_dir, HashEmbedder())
    assert list(index.articles) == ["old-1"]
    assert index.articles["old-1"].source == "Old Wire"
    assert not generation.exists()

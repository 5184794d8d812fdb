"""The ``crosscheck`` command line given bad input: one line on standard error naming the problem,
a non-zero exit, no traceback, and the index that was there before left exactly as it was."""

import dataclasses
import json
import re
from pathlib import Path

import pytest

from index import FORMAT_VERSION, HashEmbedder, Manifest, open_index

HASH = ("--embedder", "hash")

# name: (files to write under the folder, or None to leave it missing; fragments of the message)
BAD_FOLDERS = {
    "missing-folder": (None, ["{folder}: no such file or folder"]),
    "empty-folder": (
        {},
        ["no readable articles in {folder} (looked for .txt, .md, .json, .jsonl, .jsonl.gz files)"],
    ),
    "binary-file": (
        {"a.txt": b"Ten drones\x00\x01\x02 were launched."},
        ["{folder}/a.txt: looks binary (holds NUL bytes), not a text article"],
    ),
    "not-utf8": (
        {"a.txt": b"Caf\xe9 owners counted ten drones."},
        ["{folder}/a.txt: not UTF-8 text (byte 0xe9 at offset 3)"],
    ),
    "empty-article": ({"a.txt": b""}, ["{folder}/a.txt: article 'a' is empty"]),
    "whitespace-article": ({"a.txt": b" \n\t \r\n"}, ["{folder}/a.txt: article 'a' is empty"]),
    "duplicate-doc-id": (
        {"x/a.txt": b"Ten drones were launched.", "y/a.txt": b"Twelve missiles were fired."},
        ["doc id 'a' is used twice: in {folder}/x/a.txt and in {folder}/y/a.txt"],
    ),
    "invalid-json": ({"a.json": b'{"text": '}, ["{folder}/a.json: not valid JSON: "]),
}

# name: (search arguments, fragments of the message)
BAD_SEARCHES = {
    "empty-query": (["search", ""], ["the query is empty"]),
    "blank-query": (["search", " \t "], ["the query is empty"]),
    "k-zero": (["search", "drones", "-k", "0"], ["k must be at least 1, got 0"]),
    "k-negative": (["search", "drones", "-k", "-2"], ["k must be at least 1, got -2"]),
}

# name: (arguments, the last line argparse prints)
USAGE_ERRORS = {
    "k-not-a-number": (
        ["search", "drones", "-k", "many"],
        "crosscheck search: error: argument -k: invalid int value: 'many'",
    ),
    "unknown-retriever": (
        ["search", "drones", "--retriever", "magic"],
        "crosscheck search: error: argument --retriever: invalid choice: 'magic' "
        "(choose from 'bm25', 'dense', 'hybrid')",
    ),
    "unknown-embedder": (
        ["search", "drones", "--embedder", "bogus"],
        "crosscheck search: error: argument --embedder: invalid choice: 'bogus' "
        "(choose from 'minilm', 'minilm-fp32', 'minilm-torch', 'hash')",
    ),
}


def index_state(index_dir: Path) -> tuple[str, bytes, list[str]]:
    """What must not change: CURRENT, the live manifest's bytes, the directory's entries."""
    current = (index_dir / "CURRENT").read_text(encoding="utf-8")
    manifest = (index_dir / current.split()[0] / "manifest.json").read_bytes()
    return current, manifest, sorted(entry.name for entry in index_dir.iterdir())


def live_manifest(index_dir: Path) -> Path:
    """The manifest file of the live generation."""
    return (
        index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").split()[0] / "manifest.json"
    )


def edit_live_manifest(index_dir: Path, field: str, value: object) -> None:
    """Set one field of the live manifest, leaving the data files and their checksums alone;
    the manifest is written as a writer writes it (``Manifest.write``), its checksum matching."""
    manifest_file = live_manifest(index_dir)
    dataclasses.replace(Manifest.read(manifest_file), **{field: value}).write(manifest_file)


def assert_error(result, *fragments: str) -> None:
    """Exit 1 and a single ``crosscheck: error:`` line holding ``fragments`` in order."""
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    pattern = "crosscheck: error: .*" + ".*".join(re.escape(f) for f in fragments) + ".*"
    assert re.fullmatch(pattern, lines[0]), lines[0]


@pytest.mark.parametrize(("files", "fragments"), BAD_FOLDERS.values(), ids=BAD_FOLDERS.keys())
def test_indexing_a_bad_folder(crosscheck, bundled_index, tmp_path, files, fragments):
    folder = tmp_path / "articles"
    if files is not None:
        folder.mkdir()
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
    before = index_state(bundled_index)

    result = crosscheck("index", folder, "--index-dir", bundled_index, *HASH)

    assert_error(result, *(fragment.format(folder=folder) for fragment in fragments))
    assert index_state(bundled_index) == before


@pytest.mark.parametrize(("args", "fragments"), BAD_SEARCHES.values(), ids=BAD_SEARCHES.keys())
def test_a_bad_search(crosscheck, bundled_index, args, fragments):
    before = index_state(bundled_index)

    result = crosscheck(*args, "--index-dir", bundled_index, *HASH)

    assert_error(result, *fragments)
    assert index_state(bundled_index) == before


@pytest.mark.parametrize(("args", "last_line"), USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_a_usage_error(crosscheck, bundled_index, args, last_line):
    before = index_state(bundled_index)

    result = crosscheck(*args, "--index-dir", bundled_index)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("usage: crosscheck search ")
    assert result.stderr.splitlines()[-1] == last_line
    assert result.stdout == ""
    assert index_state(bundled_index) == before


def test_an_invalid_embedder_variable(crosscheck, bundled_index):
    before = index_state(bundled_index)

    # No --embedder: the variable is what is being tested, and nothing loads a model.
    result = crosscheck(
        "search", "drones", "--index-dir", bundled_index, environ={"CROSSCHECK_EMBEDDER": "bogus"}
    )

    assert_error(
        result,
        "CROSSCHECK_EMBEDDER has value 'bogus': not one of minilm, minilm-fp32, minilm-torch, hash",
    )
    assert index_state(bundled_index) == before


def truncate_chunks(index_dir: Path) -> list[str]:
    """Cut the live chunks file short; returns what the error must say."""
    chunks = live_manifest(index_dir).parent / "chunks.npy"
    chunks.write_bytes(chunks.read_bytes()[:100])
    return ["the index is damaged", f"{chunks} has 100 bytes"]


def bump_format_version(index_dir: Path) -> list[str]:
    """Mark the live index as of a format from the future; returns what the error must say."""
    edit_live_manifest(index_dir, "format_version", 99)
    return [
        "the index is damaged",
        f"has index format version 99; this crosscheck reads version {FORMAT_VERSION}",
    ]


def change_model(index_dir: Path) -> list[str]:
    """Claim the live index was built with another model; returns what the error must say."""
    edit_live_manifest(index_dir, "model", "other-model")
    return ["built with model other-model", f"embeds queries with {HashEmbedder().name}"]


@pytest.mark.parametrize(
    "damage", [truncate_chunks, bump_format_version, change_model], ids=lambda f: f.__name__
)
def test_searching_a_damaged_or_mismatched_index(crosscheck, bundled_index, damage):
    fragments = damage(bundled_index)
    before = index_state(bundled_index)

    result = crosscheck("search", "drones", "--index-dir", bundled_index, *HASH)

    rebuild = f"rebuild it with: crosscheck index --rebuild --index-dir {bundled_index}"
    assert_error(result, *fragments, rebuild)
    assert index_state(bundled_index) == before


def test_verifying_an_intact_index(crosscheck, bundled_index):
    before = index_state(bundled_index)

    result = crosscheck("index", "--verify", "--index-dir", bundled_index)

    assert result.returncode == 0, result.stderr
    generation = live_manifest(bundled_index).parent.name
    assert re.fullmatch(
        rf"the index in {re.escape(str(bundled_index))} is intact: {generation}, 5 articles, "
        r"\d+ chunks; the base's \d files \([\d,]+ bytes\) and 0 segments match their "
        r"digests, the article store its checks\n",
        result.stdout,
    )
    assert index_state(bundled_index) == before


def test_verifying_finds_a_changed_byte_that_opening_does_not_read(crosscheck, bundled_index):
    vectors = live_manifest(bundled_index).parent / "vectors.faiss"
    data = bytearray(vectors.read_bytes())
    data[-5] ^= 0x01  # a vector's last bytes: the file keeps its size and shape
    vectors.write_bytes(bytes(data))
    before = index_state(bundled_index)

    result = crosscheck("index", "--verify", "--index-dir", bundled_index)

    rebuild = f"rebuild it with: crosscheck index --rebuild --index-dir {bundled_index}"
    assert_error(result, "the index is damaged", f"{vectors} does not match its checksum", rebuild)
    assert index_state(bundled_index) == before


def test_verify_takes_no_articles(crosscheck, bundled_index, tmp_path):
    result = crosscheck("index", tmp_path, "--verify", "--index-dir", bundled_index)

    assert_error(result, "--verify checks the live index: give no PATH and no --rebuild")


def test_skip_bad_indexes_the_good_files(crosscheck, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("Ten drones were launched overnight.\n", encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02 binary")
    index_dir = tmp_path / "index"

    result = crosscheck("index", folder, "--skip-bad", "--index-dir", index_dir, *HASH)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("indexed 1 articles (")
    assert (
        f"crosscheck: skipped {folder}/bad.txt: looks binary (holds NUL bytes), not a text article"
        in result.stderr.splitlines()
    )
    assert set(open_index(index_dir, HashEmbedder()).articles) == {"good"}


def test_skip_bad_names_every_skipped_file_when_none_is_left(crosscheck, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02 binary")

    result = crosscheck("index", folder, "--skip-bad", "--index-dir", tmp_path / "index", *HASH)

    assert_error(result, f"{folder}/bad.txt: looks binary (holds NUL bytes)")
    assert not (tmp_path / "index").exists()


def test_a_bad_search_builds_nothing_first(crosscheck, tmp_path):
    index_dir = tmp_path / "index"

    result = crosscheck("search", " ", "--index-dir", index_dir, *HASH)

    assert_error(result, "the query is empty")
    assert not index_dir.exists()


def test_an_ascii_terminal_gets_stand_ins_not_a_traceback(crosscheck, bundled_index):
    # The bundled articles hold curly quotes, and the human output separates fields with a '·'.
    result = crosscheck(
        "search",
        "how many missiles were launched",
        "--index-dir",
        bundled_index,
        *HASH,
        environ={"PYTHONIOENCODING": "ascii"},
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith(" 1. [")
    assert "country?s air force" in result.stdout


def test_an_ascii_pipe_gets_escaped_json_with_exact_quotes(
    crosscheck, bundled_index, bundled_articles
):
    result = crosscheck(
        "search",
        "how many missiles were launched",
        "--json",
        "--index-dir",
        bundled_index,
        *HASH,
        environ={"PYTHONIOENCODING": "ascii"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.isascii()
    texts = {a.doc_id: a.text for a in bundled_articles}
    passages = json.loads(result.stdout)["passages"]
    assert passages and all(
        texts[p["doc_id"]][p["start"] : p["end"]] == p["text"] for p in passages
    )

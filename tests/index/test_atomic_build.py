"""A build that dies half-way, killed or out of disk space, leaves the previous index live."""

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import corpus
import index
import index.build
import retrieval

# The console script's code, runnable without it on PATH (bot/cli.py has no __main__ guard).
CLI = (sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())")
BIG_CORPUS_SIZE = 3000
TEMPORARY = "gen-*.tmp-*"


def crosscheck_index(*args: str | Path) -> list[str]:
    """The command line of ``crosscheck index ARGS`` with the fast hash embedder and no
    annotations (reading the figures of 3000 articles takes minutes; what is tested here is
    how a build is published)."""
    return [*CLI, "index", *(str(arg) for arg in args), "--embedder", "hash", "--no-annotations"]


def child_environment() -> dict[str, str]:
    """This process's environment without ``CROSSCHECK_*`` variables."""
    return {name: value for name, value in os.environ.items() if not name.startswith("CROSSCHECK_")}


def live_state(index_dir: Path) -> tuple[str, bytes]:
    """CURRENT and the bytes of the manifest of the base generation it names."""
    current = (index_dir / "CURRENT").read_text(encoding="utf-8")
    return current, (index_dir / current.split()[0] / "manifest.json").read_bytes()


def stores(index_dir: Path) -> set[str]:
    """The article stores in ``index_dir`` (without the files SQLite keeps beside one)."""
    return {path.name for path in index_dir.glob("store-*.sqlite")}


def live_store(index_dir: Path) -> str:
    """The name of the article store the live base generation names."""
    base = index.IndexDirectory(index_dir).live_generation()
    return index.Manifest.read(base / "manifest.json").store


def bundled_doc_ids() -> set[str]:
    """The doc ids of the bundled articles: their file stems."""
    return {path.stem for path in corpus.bundled_articles_dir().glob("*.txt")}


@pytest.fixture
def big_corpus(tmp_path: Path) -> Path:
    """A folder of 3000 short articles: a couple of seconds of building with the hash embedder."""
    folder = tmp_path / "big"
    folder.mkdir()
    for number in range(BIG_CORPUS_SIZE):
        body = " ".join(
            f"Witness {j} in district {number} said {number * j % 997} drones and {j} missiles "
            "were launched before dawn."
            for j in range(5)
        )
        (folder / f"report-{number:04d}.txt").write_text(
            f"Report {number}.\n\n{body}\n", encoding="utf-8"
        )
    return folder


def wait_for_temporary(index_dir: Path, build: subprocess.Popen[bytes], seconds: float) -> Path:
    """The temporary generation folder ``build`` is writing, once it appears."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = sorted(index_dir.glob(TEMPORARY))
        if found:
            return found[0]
        assert build.poll() is None, "the build ended before writing a temporary generation"
        time.sleep(0.01)
    pytest.fail(f"no {TEMPORARY} folder appeared in {index_dir} within {seconds} s")


def test_a_killed_build_leaves_the_previous_index_live(tmp_path, big_corpus):
    index_dir = tmp_path / "index"
    env = child_environment()
    first = subprocess.run(
        crosscheck_index("--index-dir", index_dir), capture_output=True, env=env, timeout=120
    )
    assert first.returncode == 0, first.stderr
    before = live_state(index_dir)

    with (
        (tmp_path / "build.log").open("wb") as log,
        subprocess.Popen(
            crosscheck_index(big_corpus, "--index-dir", index_dir), stdout=log, stderr=log, env=env
        ) as build,
    ):
        temporary = wait_for_temporary(index_dir, build, seconds=60)
        time.sleep(0.2)
        assert build.poll() is None, "the build finished before it could be killed"
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)

    assert build.returncode == -signal.SIGKILL
    assert temporary.is_dir()  # the kill left it behind
    assert live_state(index_dir) == before
    embedder = index.HashEmbedder()
    loaded = index.open_index(index_dir, embedder)
    assert set(loaded.articles) == bundled_doc_ids()
    passages = retrieval.HybridSearcher(loaded, embedder).search("missiles launched", 3)
    assert len(passages) == 3
    assert {p.doc_id for p in passages} <= bundled_doc_ids()

    again = subprocess.run(
        crosscheck_index(big_corpus, "--index-dir", index_dir),
        capture_output=True,
        env=env,
        timeout=120,
    )

    assert again.returncode == 0, again.stderr
    assert not temporary.exists()
    assert sorted(index_dir.glob(TEMPORARY)) == []
    assert stores(index_dir) == {live_store(index_dir)}, "the killed build's store is removed"
    assert len(index.open_index(index_dir, embedder).articles) == BIG_CORPUS_SIZE


def disk_full(*args: object, **kwargs: object) -> None:
    """What writing a file raises when the disk is full."""
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """An index directory in which a build ran out of disk space, with its live generation
    and article stores from before that build."""
    articles = corpus.load_articles([corpus.bundled_articles_dir()]).articles
    embedder = index.HashEmbedder()
    index_dir = tmp_path / "index"
    index.build_index(articles, index_dir, embedder)
    before = (index.open_index(index_dir, embedder).generation, stores(index_dir))

    monkeypatch.setattr(index.build, "write_chunk_rows", disk_full)
    with pytest.raises(
        index.IndexWriteError, match=r"No space left on device.*previous index is intact"
    ):
        index.build_index(articles, index_dir, embedder, rebuild=True)
    return index_dir, before


def test_a_write_error_leaves_the_previous_index_live(full_disk):
    index_dir, (generation, _) = full_disk
    loaded = index.open_index(index_dir, index.HashEmbedder())
    assert loaded.generation == generation
    assert set(loaded.articles) == bundled_doc_ids()
    assert sorted(index_dir.glob(TEMPORARY)) == []


def test_a_failed_build_leaves_no_article_store_behind(full_disk):
    index_dir, (_, before) = full_disk
    assert stores(index_dir) == before

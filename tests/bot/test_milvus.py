"""The Milvus backend, against a Milvus Lite server on 127.0.0.1 that this module starts and
stops: crosscheck servers share it, each sees what another wrote, a restart loses nothing, and
a Milvus that is down is a 503 ``backend_unavailable`` that writes nothing."""

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.bot.conftest import free_port

HASH = ("--embedder", "hash")
WOUNDED = "How many people were wounded?"
MIGRATE = (sys.executable, "-m", "bot", "migrate")


class MilvusLite:
    """``milvus-lite server`` on a free port of 127.0.0.1 over ``data``."""

    def __init__(self, data: Path, port: int | None = None) -> None:
        self.data = data
        self.port = port or free_port()
        self.uri = f"http://127.0.0.1:{self.port}"
        self.log = data.with_suffix(".log")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "MilvusLite":
        command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(self.data)]
        command += ["--host", "127.0.0.1", "--port", str(self.port)]
        before = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while b"listening" not in self.log.read_bytes()[before:]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Milvus Lite did not start: {self.log.read_text()}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def milvus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusLite]:
    server = MilvusLite(tmp_path_factory.mktemp("milvus") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def loaded(milvus: MilvusLite, tmp_path_factory: pytest.TempPathFactory) -> MilvusLite:
    """The bundled articles loaded into the Milvus Lite server by the command a user runs."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "index",
            "--backend",
            "milvus",
            "--milvus-uri",
            milvus.uri,
            *HASH,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("loaded 5 articles (") and milvus.uri in result.stdout
    return milvus


def on_milvus(uri: str) -> dict[str, str]:
    return {"CROSSCHECK_BACKEND": "milvus", "CROSSCHECK_MILVUS_URI": uri}


def article(n: int) -> dict[str, str]:
    return {
        "text": f"Russia launched {n + 100} drones at Sumy overnight, officials said. Report {n}.",
        "doc_id": f"sumy-{n}",
        "source": "Test Wire",
    }


def searched(answer: dict[str, Any]) -> set[str]:
    """The articles of the passages an answer searched."""
    return {p["doc_id"] for p in answer["passages"]}


def test_two_servers_share_one_archive(
    loaded: MilvusLite, server_process: Any, tmp_path: Path
) -> None:
    first = server_process(tmp_path / "a", environ=on_milvus(loaded.uri)).wait_until_up()
    second = server_process(tmp_path / "b", environ=on_milvus(loaded.uri)).wait_until_up()
    with httpx.Client(timeout=60) as http:
        answers = [
            http.post(f"{s.url}/chat", json={"message": WOUNDED}).json() for s in (first, second)
        ]
        assert answers[0]["answer"] == answers[1]["answer"]
        assert sorted(f["value"] for f in answers[0]["figures"]) == [23, 26]

        # Posted to one, cited by the other on its next request.
        posted = http.post(f"{first.url}/articles", json=article(1))
        assert posted.status_code == 201
        other = http.post(
            f"{second.url}/chat", json={"message": "How many drones were launched at Sumy?"}
        )
        assert other.status_code == 200
        assert "sumy-1" in searched(other.json())
        assert http.get(f"{second.url}/articles/sumy-1").json()["text"] == article(1)["text"]
        listed = http.get(f"{second.url}/articles").json()
        assert "sumy-1" in {a["doc_id"] for a in listed["articles"]} and listed["total"] == 6

        # Deleted through the second, gone from the first.
        assert http.delete(f"{second.url}/articles/sumy-1").status_code == 200
        assert http.get(f"{first.url}/articles/sumy-1").status_code == 404
        after = http.post(
            f"{first.url}/chat", json={"message": "How many drones were launched at Sumy?"}
        )
        assert after.status_code == 200 and "sumy-1" not in searched(after.json())
        assert http.get(f"{first.url}/health").json()["articles"] == 5


def test_a_restart_of_milvus_and_the_server_loses_nothing(
    server_process: Any, tmp_path: Path
) -> None:
    own = MilvusLite(tmp_path / "own").start()
    try:
        server = server_process(tmp_path / "a", environ=on_milvus(own.uri)).wait_until_up(180)
        assert httpx.post(f"{server.url}/articles", json=article(2), timeout=60).status_code == 201
        server.stop()
        own.stop()
        own = MilvusLite(own.data, own.port).start()
        again = server_process(tmp_path / "b", environ=on_milvus(own.uri)).wait_until_up(180)
        with httpx.Client(timeout=60) as http:
            health = http.get(f"{again.url}/health").json()
            assert health["articles"] == 6
            assert http.get(f"{again.url}/articles/sumy-2").json()["text"] == article(2)["text"]
    finally:
        own.stop()


def test_a_milvus_that_is_down_is_a_503_and_nothing_is_half_written(
    server_process: Any, tmp_path: Path
) -> None:
    own = MilvusLite(tmp_path / "own").start()
    try:
        server = server_process(tmp_path / "a", environ=on_milvus(own.uri)).wait_until_up(180)
        with httpx.Client(timeout=60) as http:
            before = http.get(f"{server.url}/articles").json()
            own.stop()
            for response in (
                http.post(f"{server.url}/articles", json=article(3)),
                http.post(f"{server.url}/chat", json={"message": WOUNDED}),
                http.get(f"{server.url}/health"),
            ):
                assert response.status_code == 503, response.text
                error = response.json()["error"]
                assert error["type"] == "backend_unavailable" and own.uri in error["message"]
            own = MilvusLite(own.data, own.port).start()
            deadline = time.monotonic() + 30  # the client finds the new Milvus within seconds
            while http.get(f"{server.url}/health").status_code != 200:
                assert time.monotonic() < deadline
                time.sleep(0.2)
            assert http.get(f"{server.url}/articles").json() == before
            assert http.get(f"{server.url}/articles/sumy-3").status_code == 404
            assert http.post(f"{server.url}/articles", json=article(3)).status_code == 201
    finally:
        own.stop()


def test_a_server_started_while_milvus_is_down_says_so_then_recovers(
    server_process: Any, tmp_path: Path
) -> None:
    down = MilvusLite(tmp_path / "down")
    server = server_process(tmp_path / "a", environ=on_milvus(down.uri))
    deadline = time.monotonic() + 60
    while True:
        try:
            health = httpx.get(f"{server.url}/health", timeout=2)
            if (
                health.status_code == 503
                and health.json()["error"]["type"] == "backend_unavailable"
            ):
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.1)
    down.start()
    try:
        deadline = time.monotonic() + 180
        while httpx.get(f"{server.url}/health", timeout=30).status_code != 200:
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.5)
    finally:
        down.stop()


def test_migrate_copies_an_embedded_index_without_embedding_again(tmp_path: Path) -> None:
    from index import HashEmbedder, open_index
    from index.milvus import MilvusArchive

    index_dir = tmp_path / "index"
    built = subprocess.run(
        [sys.executable, "-m", "bot", "index", "--index-dir", str(index_dir), *HASH],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    own = MilvusLite(tmp_path / "own").start()
    try:
        result = subprocess.run(
            [*MIGRATE, "--index-dir", str(index_dir), "--milvus-uri", own.uri, *HASH],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert (
            "copied 5 articles (62 chunks)" in result.stdout
            and "embedding nothing" in result.stdout
        )
        embedded = open_index(index_dir, HashEmbedder())
        milvus = MilvusArchive(own.uri).open(HashEmbedder().name, HashEmbedder().dimension)
        assert sorted(milvus.articles) == sorted(embedded.articles)
        assert milvus.chunk_count == embedded.chunk_count
        for doc_id in embedded.articles:
            assert milvus.articles[doc_id] == embedded.articles[doc_id]
            assert milvus.annotation(doc_id) == embedded.annotation(doc_id)
            assert milvus.stories.story_of(doc_id).id == embedded.stories.story_of(doc_id).id
        # Each chunk's own stored vector finds that chunk first: the vectors were copied.
        vectors = embedded.vectors.reconstruct(range(5))
        for position, vector in enumerate(vectors):
            key, score = milvus.dense_top(vector, 1)[0]
            assert milvus.chunks[key] == embedded.chunks[position] and score > 0.999
    finally:
        own.stop()


def test_replacing_or_deleting_an_article_leaves_none_of_its_old_chunks(tmp_path: Path) -> None:
    from corpus import make_article
    from index import HashEmbedder
    from index.milvus import CHUNKS, TEXTS, MilvusArchive, load_archive, update_archive

    embedder = HashEmbedder()
    own = MilvusLite(tmp_path / "own").start()
    try:
        archive = MilvusArchive(own.uri)
        load_archive(
            archive, [make_article("base", "Officials counted 12 boats in the bay.")], embedder
        )
        long = " ".join(f"Zebra{n} crossed the river at dawn, the ranger said." for n in range(400))
        index = archive.open(embedder.name, embedder.dimension)
        index = update_archive(archive, index, embedder, add=[make_article("story", long)])
        assert archive.count(TEXTS) > 2 and index.chunk_count > 5
        many = archive.count(CHUNKS)

        # The same doc id again, now one short chunk: every old chunk and text part goes.
        short = make_article("story", "Giraffes grazed quietly near the lodge.")
        index = update_archive(archive, index, embedder, add=[short])
        assert archive.count(CHUNKS) == 2 < many and archive.count(TEXTS) == 2
        assert index.articles["story"].text == short.text
        assert not index.bm25_top("zebra399 crossed the river", 10)
        assert {index.chunks[k].doc_id for k, _ in index.bm25_top("giraffes", 10)} == {"story"}

        index = update_archive(archive, index, embedder, remove=["story"])
        assert archive.count(CHUNKS) == 1 and archive.count(TEXTS) == 1
        assert sorted(index.articles) == ["base"] and not index.bm25_top("giraffes", 10)
    finally:
        own.stop()

"""Faults on the server: killed mid-ingest, a damaged index directory, a write that fails.
Each leaves the old or the new index, never a corrupt one, and says plainly what is wrong."""

import errno
import json
import os
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

HASH = ("--embedder", "hash")
# 000: "wounded at least 26 others"; 001: "23 were wounded". One story, two counts.
WOUNDED = "How many people were wounded?"


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with: crosscheck index --rebuild --index-dir {index_dir}"


def live_generation(index_dir: Path) -> Path:
    """The base generation's folder that ``INDEX_DIR/CURRENT`` names first."""
    return index_dir / (index_dir / "CURRENT").read_text(encoding="utf-8").split()[0]


def live_folders(index_dir: Path) -> list[str]:
    """The base generation and segments ``INDEX_DIR/CURRENT`` names, sorted."""
    return sorted((index_dir / "CURRENT").read_text(encoding="utf-8").split())


def article(n: int) -> dict[str, str]:
    return {
        "text": f"Russia launched {n + 100} drones at Sumy overnight, officials said. "
        f"Report number {n}.",
        "doc_id": f"sumy-{n}",
        "source": "Test Wire",
    }


def test_a_server_killed_during_ingests_keeps_every_acknowledged_article(
    server_process: Any, bundled_index: Path, bundled_doc_ids: set[str]
) -> None:
    server = server_process(bundled_index).wait_until_up()
    acknowledged: dict[str, str] = {}
    attempted: dict[str, str] = {}
    enough = threading.Event()
    lock = threading.Lock()

    def ingest(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for n in range(worker, 10_000, 2):
                body = article(n)
                with lock:
                    attempted[body["doc_id"]] = body["text"]
                try:
                    response = http.post("/articles", json=body)
                except httpx.TransportError:
                    return  # the server was killed
                if response.status_code == 201:
                    with lock:
                        acknowledged[body["doc_id"]] = body["text"]
                        if len(acknowledged) >= 12:
                            enough.set()

    workers = [threading.Thread(target=ingest, args=(w,)) for w in range(2)]
    for worker in workers:
        worker.start()
    assert enough.wait(timeout=60), "the ingests did not get going"
    server.kill()  # SIGKILL, with ingests in flight
    for worker in workers:
        worker.join(timeout=30)

    restarted = server_process(bundled_index).wait_until_up()
    with httpx.Client(base_url=restarted.url, timeout=30) as http:
        listed = {a["doc_id"] for a in http.get("/articles").json()["articles"]}
        assert set(acknowledged) <= listed  # every 2xx survived
        assert listed <= bundled_doc_ids | set(attempted)  # nothing else appeared
        for doc_id in listed - bundled_doc_ids:
            assert http.get(f"/articles/{doc_id}").json()["text"] == attempted[doc_id]
        # The added articles' story answers: "Russia launched {n + 100} drones at Sumy". (Not
        # "... at Sumy?": see test_cli_ask's test_a_count_at_the_place_asked_about_answers.)
        answer = http.post("/chat", json={"message": "How many drones were launched?"})
        assert answer.status_code == 200
        cited = {c["doc_id"] for f in answer.json()["figures"] for c in f["citations"]}
        assert cited and cited <= listed - bundled_doc_ids
        # The index takes writes again, and the killed write's leftovers are cleaned away.
        assert http.post("/articles", json=article(20_000)).status_code == 201
    on_disk = sorted(p.name for p in bundled_index.iterdir() if p.name[:4] in ("gen-", "seg-"))
    assert on_disk == live_folders(bundled_index)


def test_a_server_killed_during_deletes_keeps_every_acknowledged_delete(
    server_process: Any, bundled_index: Path, bundled_doc_ids: set[str]
) -> None:
    server = server_process(bundled_index).wait_until_up()
    posted: dict[str, str] = {}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for n in range(30):
            body = article(n)
            response = http.post("/articles", json=body)
            assert response.status_code == 201
            posted[response.json()["doc_id"]] = body["text"]
    deleted: set[str] = set()
    attempted: set[str] = set()
    enough = threading.Event()
    lock = threading.Lock()
    doc_ids = sorted(posted)

    def delete(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for doc_id in doc_ids[worker::2]:
                with lock:
                    attempted.add(doc_id)
                try:
                    response = http.delete(f"/articles/{doc_id}")
                except httpx.TransportError:
                    return  # the server was killed
                if response.status_code == 200:
                    with lock:
                        deleted.add(doc_id)
                        if len(deleted) >= 8:
                            enough.set()

    workers = [threading.Thread(target=delete, args=(w,)) for w in range(2)]
    for worker in workers:
        worker.start()
    assert enough.wait(timeout=60), "the deletes did not get going"
    server.kill()  # SIGKILL, with deletes in flight
    for worker in workers:
        worker.join(timeout=30)

    restarted = server_process(bundled_index).wait_until_up()
    with httpx.Client(base_url=restarted.url, timeout=30) as http:
        listed = {
            a["doc_id"] for a in http.get("/articles", params={"limit": 1000}).json()["articles"]
        }
        assert not deleted & listed  # every acknowledged delete stayed deleted
        assert set(posted) - attempted <= listed  # nothing else went
        assert listed <= bundled_doc_ids | set(posted)
        for doc_id in listed - bundled_doc_ids:
            assert http.get(f"/articles/{doc_id}").json()["text"] == posted[doc_id]
        answer = http.post("/chat", json={"message": "How many drones were launched?"})
        cited = {c["doc_id"] for f in answer.json()["figures"] for c in f["citations"]}
        assert cited and cited <= listed
        assert http.delete(f"/articles/{sorted(listed - bundled_doc_ids)[0]}").status_code == 200
    on_disk = sorted(p.name for p in bundled_index.iterdir() if p.name[:4] in ("gen-", "seg-"))
    assert on_disk == live_folders(bundled_index)


def truncate_chunks(index_dir: Path) -> str:
    chunks = live_generation(index_dir) / "chunks.npy"
    chunks.write_bytes(chunks.read_bytes()[:100])
    return f"{chunks} has 100 bytes"


def future_format(index_dir: Path) -> str:
    manifest = live_generation(index_dir) / "manifest.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    record["format_version"] = 99
    manifest.write_text(json.dumps(record), encoding="utf-8")
    return "has index format version 99"


def missing_vectors(index_dir: Path) -> str:
    vectors = live_generation(index_dir) / "vectors.faiss"
    vectors.unlink()
    return f"{vectors} is missing"


DAMAGES = [truncate_chunks, future_format, missing_vectors]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda f: f.__name__)
def test_a_server_on_a_damaged_index_says_how_to_rebuild(
    server_process: Any, bundled_index: Path, crosscheck: Any, damage: Any
) -> None:
    what = damage(bundled_index)

    server = server_process(bundled_index).wait_until_up()
    health = httpx.get(f"{server.url}/health")
    chat = httpx.post(f"{server.url}/chat", json={"message": WOUNDED})
    listing = httpx.get(f"{server.url}/articles")

    for response in (health, chat, listing):
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["type"] == "index_unavailable"
        assert error["message"].startswith("the index could not be loaded: the index is damaged")
        assert what in error["message"] and rebuild_hint(bundled_index) in error["message"]
    assert rebuild_hint(bundled_index) in server.log.read_text(encoding="utf-8")
    asked = crosscheck("ask", WOUNDED, "--index-dir", bundled_index, *HASH)
    assert asked.returncode == 1 and "Traceback" not in asked.stderr
    assert what in asked.stderr and rebuild_hint(bundled_index) in asked.stderr

    # Rebuilt as the message says, the running server serves again without a restart.
    rebuilt = crosscheck("index", "--rebuild", "--index-dir", bundled_index, *HASH)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert httpx.get(f"{server.url}/health").json()["articles"] == 5
    # The first answer after the reload loads the language model: on a busy machine that
    # takes longer than httpx's default five seconds.
    answer = httpx.post(f"{server.url}/chat", json={"message": WOUNDED}, timeout=60)
    assert sorted(f["value"] for f in answer.json()["figures"]) == [23, 26]


def test_damage_under_a_running_server_refuses_writes_and_keeps_answering(
    live_server: Any, bundled_index: Path
) -> None:
    before = httpx.get(f"{live_server.url}/articles").json()
    what = truncate_chunks(bundled_index)

    posted = httpx.post(f"{live_server.url}/articles", json=article(1))
    answer = httpx.post(f"{live_server.url}/chat", json={"message": WOUNDED})

    assert posted.status_code == 503
    assert posted.json()["error"]["type"] == "index_unavailable"
    assert what in posted.json()["error"]["message"]
    assert sorted(f["value"] for f in answer.json()["figures"]) == [23, 26]
    assert httpx.get(f"{live_server.url}/articles").json() == before


def no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def no_permission(*args: object, **kwargs: object) -> None:
    raise PermissionError(errno.EACCES, "Permission denied")


WRITE_FAULTS = {
    # Every file of a generation is fsynced before it is published; a full disk often shows
    # first there. Creating the generation's folder is the first write of all.
    "disk-full": ("fsync", no_space, "No space left on device"),
    "read-only": ("mkdir", no_permission, "Permission denied"),
}


@pytest.mark.parametrize(
    ("call", "fault", "reason"), WRITE_FAULTS.values(), ids=WRITE_FAULTS.keys()
)
def test_a_failed_write_is_a_503_and_the_index_is_intact(
    live_server: Any,
    bundled_index: Path,
    monkeypatch: pytest.MonkeyPatch,
    call: str,
    fault: Any,
    reason: str,
) -> None:
    url = live_server.url
    before = httpx.get(f"{url}/articles").json()
    live = live_generation(bundled_index)

    with monkeypatch.context() as patched:
        patched.setattr(os, call, fault)
        posted = httpx.post(f"{url}/articles", json=article(1))
        deleted = httpx.delete(f"{url}/articles/{before['articles'][0]['doc_id']}")

    for response in (posted, deleted):
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["type"] == "write_failed" and reason in error["message"]
    assert httpx.get(f"{url}/articles").json() == before
    assert httpx.get(f"{url}/articles/sumy-1").status_code == 404
    assert live_generation(bundled_index) == live
    on_disk = sorted(p.name for p in bundled_index.iterdir() if p.name[:4] in ("gen-", "seg-"))
    assert on_disk == live_folders(bundled_index) == [live.name]
    # Once the disk is writable again, so is the index.
    assert httpx.post(f"{url}/articles", json=article(1)).status_code == 201

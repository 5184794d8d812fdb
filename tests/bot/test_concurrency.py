"""Several clients ask while articles are added and deleted: no errors, and every response is
drawn from one published version of the index (named in X-Crosscheck-Index-Version)."""

import threading
from typing import Any

import httpx

VERSION = "X-Crosscheck-Index-Version"
READERS = 4
ROUNDS = 12
QUESTIONS = [
    "How many people were injured in Kharkiv?",  # "{n + 2} people were injured in Kharkiv."
    "How many people were injured?",
    "How many missiles were launched?",
]


def kharkiv(n: int) -> dict[str, str]:
    return {
        "text": f"Russia launched {40 + n} drones at Kharkiv overnight, officials said. "
        f"{n + 2} people were injured in Kharkiv.",
        "doc_id": f"kharkiv-{n}",
        "source": f"Wire {n}",
    }


def test_answers_while_articles_change_come_from_one_version_each(live_server: Any) -> None:
    url = live_server.url
    first = httpx.get(f"{url}/articles")
    docs = {a["doc_id"] for a in first.json()["articles"]}
    # Each version the writer published, in order, and the doc ids it holds.
    published: list[tuple[str, frozenset[str]]] = [(first.headers[VERSION], frozenset(docs))]
    writer_done = threading.Event()
    seen: list[list[tuple[str, str, Any]]] = [[] for _ in range(READERS)]
    failures: list[str] = []

    def write() -> None:
        try:
            with httpx.Client(base_url=url, timeout=60) as http:
                for n in range(ROUNDS):
                    for method, path, body, change in (
                        ("POST", "/articles", kharkiv(n), docs.add),
                        ("DELETE", f"/articles/kharkiv-{n - 2}", None, docs.discard),
                    ):
                        if n < 2 and method == "DELETE":
                            continue
                        response = http.request(method, path, json=body)
                        if response.status_code not in (200, 201):
                            failures.append(f"{method} {path}: {response.text}")
                            return
                        change(body["doc_id"] if body else path.rsplit("/", 1)[1])
                        published.append((response.headers[VERSION], frozenset(docs)))
                        # Read your writes: the next request sees this version or a later one.
                        after = http.get("/articles")
                        listed = {a["doc_id"] for a in after.json()["articles"]}
                        if after.headers[VERSION] != published[-1][0] or listed != docs:
                            failures.append(f"after {method} {path}: {after.headers[VERSION]}")
        finally:
            writer_done.set()

    def read(reader: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            n = 0
            while not writer_done.is_set() or n < 10:
                if n % 4 == 3:
                    response = http.get("/articles")
                    kind = "list"
                else:
                    question = QUESTIONS[(n + reader) % len(QUESTIONS)]
                    response = http.post("/chat", json={"message": question})
                    kind = "chat"
                n += 1
                if response.status_code != 200:
                    failures.append(f"reader {reader}: {response.status_code} {response.text}")
                    continue
                seen[reader].append((kind, response.headers[VERSION], response.json()))

    threads = [threading.Thread(target=write)]
    threads += [threading.Thread(target=read, args=(r,)) for r in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    order = {version: i for i, (version, _) in enumerate(published)}
    assert len(order) == len(published) == 1 + ROUNDS + (ROUNDS - 2)  # every write is new
    holds = dict(published)
    for responses in seen:
        assert responses
        versions = [order[version] for _, version, _ in responses]  # KeyError: unpublished
        assert versions == sorted(versions)  # a client never goes back to an older index
        for kind, version, body in responses:
            if kind == "list":
                assert {a["doc_id"] for a in body["articles"]} == holds[version]
            else:
                assert {c["doc_id"] for c in body["citations"]} <= holds[version]
    answered = [b for r in seen for k, _, b in r if k == "chat" and "Kharkiv" in b["question"]]
    assert any(c["doc_id"].startswith("kharkiv-") for b in answered for c in b["citations"])

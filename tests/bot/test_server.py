"""The chat API on a real uvicorn server on 127.0.0.1 (stand-in embedder)."""

import concurrent.futures
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.conversations import ConversationLimits, ConversationStore
from bot.state import app_state, attach_state
from corpus import bundled_articles_dir

KHARKIV = {
    "text": "Russia launched 40 drones at Kharkiv overnight, officials said. "
    "Three people were injured in Kharkiv.",
    "source": "Test Wire",
    "date": "2025-07-05",
    "doc_id": "kharkiv-1",
}
INJURED_IN_KHARKIV = "How many people were injured in Kharkiv?"


def test_health_counts_articles_and_chunks(live_server):
    response = httpx.get(f"{live_server.url}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["articles"] == 5 and body["chunks"] > 5


def test_chat_answers_with_the_contract_and_a_conversation_id(live_server):
    response = httpx.post(
        f"{live_server.url}/chat", json={"message": "How many people were wounded?"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "question", "kind", "about", "headline", "answer", "notes", "conflict", "figures",
        "groups", "relations", "timeline", "related", "quotes", "citations", "passages",
        "story", "other_stories", "entities", "conversation_id",
    }  # fmt: skip
    assert body["conflict"] is True
    assert sorted(f["value"] for f in body["figures"]) == [23, 26]
    for citation in body["citations"]:
        article = httpx.get(f"{live_server.url}/articles/{citation['doc_id']}").json()
        assert article["text"][citation["start"] : citation["end"]] == citation["quote"]


def test_follow_ups_keep_the_place_and_change_the_measure(live_server):
    first = httpx.post(
        f"{live_server.url}/chat", json={"message": "How many people were injured in Kyiv?"}
    ).json()
    conversation = first["conversation_id"]
    killed = httpx.post(
        f"{live_server.url}/chat",
        json={"message": "And how many were killed?", "conversation_id": conversation},
    ).json()
    hospital = httpx.post(
        f"{live_server.url}/chat",
        json={"message": "What about hospitalized?", "conversation_id": conversation},
    ).json()
    assert killed["conversation_id"] == hospital["conversation_id"] == conversation
    assert [f["value"] for f in killed["figures"]] == [1]
    # "14" and "at least 14": two values of one number, which agree.
    assert {f["value"] for f in hospital["figures"]} == {14} and not hospital["conflict"]


def unknown_conversation(conversation_id: str, minutes: int) -> dict[str, Any]:
    return {
        "error": {
            "message": f"conversation_id: no conversation has id {conversation_id!r} (unknown, "
            f"or expired {minutes} minutes after its last question); leave conversation_id out "
            "to start a new conversation",
            "type": "unknown_conversation",
        }
    }


def test_an_unknown_conversation_id_is_a_404_not_a_new_conversation(live_server):
    response = httpx.post(
        f"{live_server.url}/chat",
        json={"message": "And how many were killed?", "conversation_id": "no-such-conversation"},
    )
    assert response.status_code == 404
    assert response.json() == unknown_conversation("no-such-conversation", 60)
    assert app_state(live_server.app).conversations.history("no-such-conversation") is None
    # Leaving the id out starts one.
    started = httpx.post(f"{live_server.url}/chat", json={"message": "And how many were killed?"})
    assert started.status_code == 200 and len(started.json()["conversation_id"]) == 24


def test_an_expired_conversation_id_is_a_404(live_server):
    clock = Clock()
    state = app_state(live_server.app)
    store = ConversationStore(ConversationLimits(ttl_seconds=120), clock=clock)
    attach_state(live_server.app, replace(state, conversations=store))
    chat = f"{live_server.url}/chat"
    first = httpx.post(chat, json={"message": "How many people were injured in Kyiv?"}).json()
    conversation = first["conversation_id"]
    clock.now += 119
    within = httpx.post(chat, json={"message": "And killed?", "conversation_id": conversation})
    assert within.status_code == 200 and within.json()["conversation_id"] == conversation
    clock.now += 121
    expired = httpx.post(chat, json={"message": "And killed?", "conversation_id": conversation})
    assert expired.status_code == 404
    assert expired.json() == unknown_conversation(conversation, 2)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_filters_keep_only_the_chosen_outlets(live_server):
    body = httpx.post(
        f"{live_server.url}/chat",
        json={"message": "How many were injured?", "filters": {"sources": ["ICIR"]}},
    ).json()
    assert {c["doc_id"] for c in body["citations"]} == {"003_5e91e654f1826207"}
    assert [f["value"] for f in body["figures"]] == [23] and body["conflict"] is False


def test_articles_list_and_text(live_server):
    body = httpx.get(f"{live_server.url}/articles").json()
    assert set(body) == {"articles", "next", "total"}
    assert (body["next"], body["total"]) == (None, 5)  # one page of up to 100 holds them all
    listing = body["articles"]
    assert [a["doc_id"] for a in listing] == sorted(
        p.stem for p in bundled_articles_dir().glob("*.txt")
    )
    first = listing[0]
    article = httpx.get(f"{live_server.url}/articles/{first['doc_id']}").json()
    assert set(article) == {"doc_id", "name", "source", "date", "title", "url", "text"}
    assert len(article["text"]) == first["length"]
    # Every article is shown by a name people can read, never by a hex id.
    names = {a["doc_id"]: a["name"] for a in listing}
    assert names["004_72ab227803a444ef"].startswith("Russia launches biggest")  # its title
    assert names["000_c9b33be09081a972"] == "Associated Press"
    assert not any(re.search(r"[0-9a-f]{8,}", name) for name in names.values())


def test_articles_are_listed_a_page_at_a_time(live_server):
    def page(**params: Any) -> Any:
        response = httpx.get(f"{live_server.url}/articles", params=params)
        assert response.status_code == 200
        return response.json()

    everything = page()["articles"]
    doc_ids = [a["doc_id"] for a in everything]
    first = page(limit=2)
    assert first == {"articles": everything[:2], "next": doc_ids[1], "total": 5}
    second = page(limit=2, after=first["next"])
    assert second == {"articles": everything[2:4], "next": doc_ids[3], "total": 5}
    last = page(limit=2, after=second["next"])
    assert last == {"articles": everything[4:], "next": None, "total": 5}
    # Every article exactly once across the pages, in doc id order.
    assert first["articles"] + second["articles"] + last["articles"] == everything
    # A page that ends exactly at the last article says no more follow.
    assert page(limit=5)["next"] is None and page(limit=4)["next"] == doc_ids[3]
    # ``after`` need not be a doc id: the page starts at the first doc id above it.
    assert doc_ids[1].startswith("001_")
    assert page(limit=1, after="001")["articles"] == everything[1:2]
    assert page(after="zzz") == {"articles": [], "next": None, "total": 5}
    assert page(limit=1000) == page()


def test_ingest_ask_restart_ask_delete(start_server, bundled_index: Path, values_citing):
    with start_server(bundled_index) as server:
        created = httpx.post(f"{server.url}/articles", json=KHARKIV)
        assert created.status_code == 201
        assert created.json()["doc_id"] == "kharkiv-1" and created.json()["replaced"] is False
        answer = httpx.post(f"{server.url}/chat", json={"message": INJURED_IN_KHARKIV}).json()
        assert values_citing(answer, "kharkiv-1") == [3]  # "Three people were injured in Kharkiv."
    with start_server(bundled_index) as server:  # durable: a new process finds it
        assert httpx.get(f"{server.url}/health").json()["articles"] == 6
        answer = httpx.post(f"{server.url}/chat", json={"message": INJURED_IN_KHARKIV}).json()
        assert values_citing(answer, "kharkiv-1") == [3]
        assert httpx.delete(f"{server.url}/articles/kharkiv-1").json() == {"deleted": "kharkiv-1"}
        assert httpx.get(f"{server.url}/articles/kharkiv-1").status_code == 404
        assert httpx.get(f"{server.url}/health").json()["articles"] == 5


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="bug: AnswerEngine._stories sums 1/(10 + rank) over all ~60 retrieved passages, so "
    "the Kyiv story (34 of them) outweighs the story of the best passage, kharkiv-1's, which "
    "names Kharkiv (1.39 to 0.71), and the answer says the articles give no figure for people "
    "injured",
)
def test_the_story_of_the_best_passage_answers(live_server):
    created = httpx.post(f"{live_server.url}/articles", json=KHARKIV)
    if created.status_code != 201:
        pytest.fail(created.text)

    answer = httpx.post(f"{live_server.url}/chat", json={"message": INJURED_IN_KHARKIV}).json()
    assert "kharkiv-1" in answer["story"]["articles"]
    assert [f["value"] for f in answer["figures"]] == [3]


def test_queries_from_threads_while_articles_are_ingested(live_server):
    def ask(_: int) -> int:
        return httpx.post(
            f"{live_server.url}/chat",
            json={"message": "How many missiles were launched?"},
            timeout=30,
        ).status_code

    def ingest(n: int) -> int:
        article = {**KHARKIV, "doc_id": f"kharkiv-{n}"}
        return httpx.post(f"{live_server.url}/articles", json=article, timeout=30).status_code

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        asked = [pool.submit(ask, n) for n in range(40)]
        ingested = [pool.submit(ingest, n) for n in range(5)]
        statuses = [f.result() for f in asked + ingested]
    assert statuses == [200] * 40 + [201] * 5
    assert httpx.get(f"{live_server.url}/health").json()["articles"] == 10


def error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type"}
    return response.status_code, body["error"]["type"]


def test_bad_requests_get_json_errors(live_server):
    url = live_server.url
    assert error(
        httpx.post(
            f"{url}/chat", content=b'{"message": ', headers={"content-type": "application/json"}
        )
    ) == (400, "invalid_json")
    assert error(httpx.post(f"{url}/chat", json={"message": "  "})) == (422, "invalid_request")
    assert error(httpx.post(f"{url}/chat", json={"message": 5})) == (422, "invalid_request")
    assert error(httpx.post(f"{url}/chat", json={})) == (422, "invalid_request")
    assert error(httpx.post(f"{url}/chat", json={"message": "x" * 5000})) == (
        422,
        "message_too_long",
    )
    assert error(httpx.get(f"{url}/articles/no-such-doc")) == (404, "not_found")
    assert error(httpx.delete(f"{url}/articles/no-such-doc")) == (404, "not_found")
    assert error(httpx.post(f"{url}/articles", json={"text": ""})) == (422, "invalid_article")
    assert error(httpx.post(f"{url}/articles", json={"text": "Ten drones.", "doc_id": "../x"})) == (
        422,
        "invalid_article",
    )
    too_big = b'{"text": "' + b"a" * 6_000_000 + b'"}'
    assert error(
        httpx.post(f"{url}/articles", content=too_big, headers={"content-type": "application/json"})
    ) == (413, "request_too_large")
    assert httpx.get(f"{url}/health").status_code == 200


def test_an_api_key_guards_every_route_but_health_and_the_page(start_server, bundled_index: Path):
    with start_server(bundled_index, {"CROSSCHECK_API_KEY": "s3cret"}) as server:
        assert httpx.get(f"{server.url}/health").status_code == 200
        assert httpx.get(f"{server.url}/").status_code == 200
        assert error(httpx.post(f"{server.url}/chat", json={"message": "How many?"})) == (
            401,
            "unauthorized",
        )
        assert error(
            httpx.get(f"{server.url}/articles", headers={"Authorization": "Bearer nope"})
        ) == (401, "unauthorized")
        ok = httpx.get(f"{server.url}/articles", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200

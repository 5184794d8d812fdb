"""The OpenAI-compatible API, asked by the official ``openai`` client on a real uvicorn server on
127.0.0.1 (stand-in embedder)."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

# 000: "wounded at least 26 others"; 001: "23 were wounded". One story, two counts.
WOUNDED = [{"role": "user", "content": "How many people were wounded?"}]
NO_USER = "messages: no user message (the question is the last user message)"


@pytest.fixture
def client(live_server) -> Iterator[openai.OpenAI]:
    """An OpenAI client of the live server (no retries: every answer counts)."""
    with openai.OpenAI(base_url=f"{live_server.url}/v1", api_key="unused", max_retries=0) as client:
        yield client


def test_an_answer_lists_its_sources_and_carries_the_structured_answer(client):
    completion = client.chat.completions.create(
        model="crosscheck", messages=WOUNDED, temperature=0.2, max_tokens=50
    )
    assert completion.id.startswith("chatcmpl-") and completion.object == "chat.completion"
    assert completion.model == "crosscheck"
    [choice] = completion.choices
    assert choice.index == 0 and choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    crosscheck = completion.model_extra["crosscheck"]
    assert crosscheck["conflict"] is True
    assert sorted(f["value"] for f in crosscheck["figures"]) == [23, 26]
    content = choice.message.content
    text, sources = content.split("\n\nSources:\n")
    assert text == crosscheck["answer"]
    headline = text.split("\n")[0]
    assert headline.startswith("The sources disagree on ") and "at least 26" in headline
    assert "cannot both be true" in text and re.search(r"\[\d+\]", text)
    lines = sources.split("\n")
    assert lines == [
        f"[{c['n']}] {c['name']}{', ' + c['date'] if c['date'] else ''}: "
        f"“{' '.join(c['quote'].split())}”"
        for c in crosscheck["citations"]
    ]
    # An outlet with a date, and an article with neither outlet nor date: its title, cut, never
    # its doc id.
    assert any(
        line.endswith(
            " Associated Press, 2025-07-04: “Hours after the barrage that killed one person and "
            "wounded at least 26 others, including a child, Ukrainian President Volodymyr "
            "Zelensky said he had a “very important and productive” phone call with President "
            "Trump.”"
        )
        for line in lines
    )
    assert any(
        line.endswith(
            " Russia launches biggest missile and drone…: “KYIV, July 4 – Russia launched its "
            "largest drone and missile attack on Kyiv since the start of the war over three years "
            "ago, killing one person and injuring at least 26 others, including a child.”"
        )
        for line in lines
    )
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == 5  # words of the question
    assert completion.usage.completion_tokens == len(content.split())
    assert completion.usage.total_tokens == 5 + len(content.split())


def test_annotations_mark_every_citation_and_lead_to_the_quote(client, live_server):
    completion = client.chat.completions.create(model="crosscheck", messages=WOUNDED)
    message = completion.choices[0].message
    content = message.content
    citations = {c["n"]: c for c in completion.model_extra["crosscheck"]["citations"]}
    spans = [m.span() for m in re.finditer(r"\[\d+\]", content)]
    assert message.annotations is not None and len(message.annotations) > len(citations)
    assert [
        (a.url_citation.start_index, a.url_citation.end_index) for a in message.annotations
    ] == spans
    for annotation in message.annotations:
        cited = annotation.url_citation
        citation = citations[int(content[cited.start_index + 1 : cited.end_index - 1])]
        assert annotation.type == "url_citation"
        assert cited.title == citation["name"]
        doc_id, start, end = citation["doc_id"], citation["start"], citation["end"]
        # Absolute, from the request's base URL: a client can open it as it is.
        assert cited.url == f"{live_server.url}/articles/{doc_id}#{start}-{end}"
        article = httpx.get(cited.url).json()
        assert article["text"][start:end] == citation["quote"]


def test_a_stream_gives_the_same_content_then_stops_with_the_answer(client, live_server):
    completion = client.chat.completions.create(model="crosscheck", messages=WOUNDED)
    with client.chat.completions.create(
        model="crosscheck", messages=WOUNDED, stream=True
    ) as stream:
        chunks = list(stream)
    assert len({chunk.id for chunk in chunks}) == 1 and chunks[0].id.startswith("chatcmpl-")
    assert {chunk.object for chunk in chunks} == {"chat.completion.chunk"}
    assert {chunk.model for chunk in chunks} == {"crosscheck"}
    first, *middle, last = [chunk.choices[0] for chunk in chunks]
    assert first.delta.role == "assistant" and first.delta.content is None
    assert "".join(c.delta.content or "" for c in middle) == completion.choices[0].message.content
    assert len(middle) == len(completion.choices[0].message.content.splitlines())
    assert [c.finish_reason for c in (first, *middle)] == [None] * (len(middle) + 1)
    assert last.finish_reason == "stop" and last.delta.content is None
    assert chunks[-1].model_extra["crosscheck"] == completion.model_extra["crosscheck"]

    raw = httpx.post(
        f"{live_server.url}/v1/chat/completions",
        json={"model": "crosscheck", "messages": WOUNDED, "stream": True},
    )
    assert raw.headers["content-type"].startswith("text/event-stream")
    events = raw.text.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    assert all(event.startswith("data: {") for event in events[:-2])
    headline = completion.choices[0].message.content.split("\n")[0]
    assert [json.loads(e.removeprefix("data: "))["choices"][0]["delta"] for e in events[:2]] == [
        {"role": "assistant"},
        {"content": f"{headline}\n"},
    ]


def test_a_follow_up_takes_the_earlier_user_messages_as_history(client):
    completion = client.chat.completions.create(
        model="crosscheck",
        messages=[
            {"role": "system", "content": "You answer from the news."},
            {"role": "user", "content": "How many people were injured in Kyiv?"},
            {"role": "assistant", "content": "..."},
            {"role": "user", "content": [{"type": "text", "text": "And how many were killed?"}]},
        ],
    )
    crosscheck = completion.model_extra["crosscheck"]
    assert crosscheck["question"] == "And how many were killed?"
    assert [f["value"] for f in crosscheck["figures"]] == [1]
    # The measure changed with the follow-up (its wording is the engine's).
    [measure] = [f["measure"] for f in crosscheck["figures"]]
    assert "kill" in measure and "injur" not in measure


def test_models_lists_crosscheck(client):
    assert [model.id for model in client.models.list()] == ["crosscheck"]
    assert client.models.with_raw_response.list().http_response.json() == {
        "object": "list",
        "data": [
            {
                "id": "crosscheck",
                "object": "model",
                "created": 1_795_331_318,
                "owned_by": "crosscheck",
            }
        ],
    }


@pytest.mark.parametrize(
    ("messages", "message", "kind"),
    [
        ([{"role": "system", "content": "Be brief."}], NO_USER, "invalid_request"),
        ([], NO_USER, "invalid_request"),
        (
            [{"role": "user", "content": "How many?"}, {"role": "user", "content": "  "}],
            "messages[1].content: the question is empty",
            "invalid_request",
        ),
        (
            [{"role": "user", "content": "x" * 2001}, {"role": "user", "content": "How many?"}],
            "messages[0].content: 2001 characters, more than the limit of 2000",
            "message_too_long",
        ),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}],
            "messages[0].content[0]: type 'image_url'; only 'text' parts are read",
            "invalid_request",
        ),
        (
            [{"role": "tool", "content": "42"}, {"role": "user", "content": "How many?"}],
            "messages.0.role: Input should be 'system', 'developer', 'user' or 'assistant'",
            "invalid_request",
        ),
    ],
)
def test_bad_messages_are_unprocessable(client, messages: Any, message: str, kind: str):
    with pytest.raises(openai.UnprocessableEntityError) as raised:
        client.chat.completions.create(model="crosscheck", messages=messages)
    assert raised.value.response.json() == {"error": {"message": message, "type": kind}}


def test_an_api_key_guards_the_openai_routes(start_server, bundled_index: Path):
    with start_server(bundled_index, {"CROSSCHECK_API_KEY": "k"}) as server:
        url = f"{server.url}/v1"
        with openai.OpenAI(base_url=url, api_key="wrong", max_retries=0) as wrong:
            with pytest.raises(openai.AuthenticationError) as raised:
                wrong.chat.completions.create(model="crosscheck", messages=WOUNDED)
            with pytest.raises(openai.AuthenticationError):
                wrong.models.list()
        assert raised.value.response.json() == {
            "error": {
                "message": "missing or wrong API key (Authorization: Bearer <key>)",
                "type": "unauthorized",
            }
        }
        with openai.OpenAI(base_url=url, api_key="k", max_retries=0) as right:
            completion = right.chat.completions.create(model="crosscheck", messages=WOUNDED)
            # Answered (what the answer says is the other tests' business).
            answered = completion.model_extra["crosscheck"]
            assert answered["question"] == WOUNDED[0]["content"] and answered["citations"]
            assert completion.choices[0].message.content.startswith(answered["answer"])
            assert [model.id for model in right.models.list()] == ["crosscheck"]


def test_include_usage_ends_the_stream_with_a_usage_chunk(client, live_server):
    completion = client.chat.completions.create(model="crosscheck", messages=WOUNDED)
    with client.chat.completions.create(
        model="crosscheck", messages=WOUNDED, stream=True, stream_options={"include_usage": True}
    ) as stream:
        chunks = list(stream)
    *answering, last = chunks
    assert last.choices == [] and last.usage is not None
    assert last.usage.model_dump() == {
        **completion.usage.model_dump(),
        "completion_tokens_details": None,
        "prompt_tokens_details": None,
    }
    assert all(chunk.usage is None and len(chunk.choices) == 1 for chunk in answering)
    assert answering[-1].choices[0].finish_reason == "stop"
    assert "".join(c.choices[0].delta.content or "" for c in answering) == (
        completion.choices[0].message.content
    )
    # On the wire: every chunk says "usage": null, the usage chunk has no choices, then [DONE].
    raw = httpx.post(
        f"{live_server.url}/v1/chat/completions",
        json={
            "model": "crosscheck",
            "messages": WOUNDED,
            "stream": True,
            "stream_options": {"include_usage": True},
        },
    )
    events = raw.text.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    bodies = [json.loads(e.removeprefix("data: ")) for e in events[:-2]]
    assert [b["usage"] for b in bodies[:-1]] == [None] * (len(bodies) - 1)
    assert {k: v for k, v in bodies[-1].items() if k not in ("id", "created")} == {
        "object": "chat.completion.chunk",
        "model": "crosscheck",
        "choices": [],
        "usage": completion.usage.model_dump(exclude_none=True),
    }
    # Without include_usage, no chunk has a usage field at all.
    plain = httpx.post(
        f"{live_server.url}/v1/chat/completions",
        json={"model": "crosscheck", "messages": WOUNDED, "stream": True},
    )
    assert all('"usage"' not in e for e in plain.text.split("\n\n"))


@pytest.mark.parametrize("model", ["gpt-4o", "Crosscheck", "crosscheck "])
def test_a_model_not_listed_is_not_found(client, model):
    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model=model, messages=WOUNDED)
    assert raised.value.status_code == 404
    assert raised.value.code == "model_not_found" and raised.value.param == "model"
    assert raised.value.body == {
        "message": f"model: no model named {model!r} (GET /v1/models lists 'crosscheck')",
        "type": "model_not_found",
        "param": "model",
        "code": "model_not_found",
    }
    with pytest.raises(openai.NotFoundError, match=r"^Error code: 404 - model: no model named"):
        client.chat.completions.create(model=model, messages=WOUNDED, stream=True)

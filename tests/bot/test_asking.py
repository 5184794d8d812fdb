"""One ask step: ``bot.asking.ask`` is the one function of the serving code that asks the engine,
and ``/chat``, the OpenAI route and Slack (events and the slash command) all answer through it."""

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import openai
import pytest

import bot
from bot import asking
from bot.asking import Asked
from bot.state import AppState
from tests.bot.test_slack import FakeSlack, event, post_event, signed
from tests.bot.test_slack import server as server  # a server with Slack configured
from tests.bot.test_slack import slack as slack  # the fake Slack API it posts to

BOT = Path(bot.__file__).parent
QUESTION = "How many people were wounded?"
# Run the engine in this process, with no server, state or conversations: the CLI's `ask` without
# --server and the evaluation's in-process answerer. Every other caller must go through
# bot.asking.ask.
IN_PROCESS = {"cli.py:_ask_here", "evaluation/runner.py:LocalAnswerer.answer"}


def engine_askers() -> set[str]:
    """Each function in bot/ that calls some ``.ask(...)`` other than ``asking.ask``, as
    ``path:Class.function``."""
    found: set[str] = set()
    for path in sorted(BOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))

        def visit(node: ast.AST, scope: tuple[str, ...], path: Path = path) -> None:
            for child in ast.iter_child_nodes(node):
                inner = scope
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    inner = (*scope, child.name)
                call = child
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr == "ask"
                    and not (
                        isinstance(call.func.value, ast.Name) and call.func.value.id == "asking"
                    )
                ):
                    found.add(f"{path.relative_to(BOT).as_posix()}:{'.'.join(scope)}")
                visit(child, inner)

        visit(tree, ())
    return found


def test_only_the_ask_step_asks_the_engine() -> None:
    assert engine_askers() == {"asking.py:ask", *IN_PROCESS}


class Spy:
    """Wraps ``bot.asking.ask``: records each call's keyword arguments and what it returned."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], Asked]] = []
        self._real = asking.ask

    def __call__(self, state: AppState, message: str, **options: Any) -> Asked:
        asked = self._real(state, message, **options)
        self.calls.append((message, options, asked))
        return asked


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    recorder = Spy()
    monkeypatch.setattr(asking, "ask", recorder)
    yield recorder


def test_chat_openai_and_slack_all_answer_through_the_ask_step(
    server: Any, slack: FakeSlack, spy: Spy
) -> None:
    # /chat: a new conversation, then a follow-up in it.
    first = httpx.post(f"{server.url}/chat", json={"message": QUESTION}, timeout=60)
    conversation = first.json()["conversation_id"]
    follow_up = httpx.post(
        f"{server.url}/chat",
        json={"message": "And how many were killed?", "conversation_id": conversation},
        timeout=60,
    )
    # OpenAI: the history comes from the messages.
    with openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0) as client:
        completion = client.chat.completions.create(
            model="crosscheck",
            messages=[
                {"role": "user", "content": "How many people were injured in Kyiv?"},
                {"role": "assistant", "content": "..."},
                {"role": "user", "content": "And how many were killed?"},
            ],
        )
    # Slack: a mention (its thread is the conversation) and a slash command.
    post_event(server, event(f"<@UBOT> {QUESTION}", "EvAsk", "777.1"))
    slack.wait_for(slack.messages, 1)
    form = urlencode(
        {"command": "/crosscheck", "text": QUESTION, "response_url": f"{slack.url}/hook"}
    ).encode()
    httpx.post(
        f"{server.url}/slack/commands",
        content=form,
        headers={"content-type": "application/x-www-form-urlencoded", **signed(form)},
    )
    slack.wait_for(slack.responses, 1)

    assert [(message, options) for message, options, _ in spy.calls] == [
        (QUESTION, {"conversation_id": None, "filters": None}),
        ("And how many were killed?", {"conversation_id": conversation, "filters": None}),
        (
            "And how many were killed?",
            {"history": ("How many people were injured in Kyiv?",)},
        ),
        (QUESTION, {"conversation_id": "slack:C1:777.1", "start_if_unknown": True}),
        (QUESTION, {"history": ()}),
    ]
    # What each surface sent is what the ask step returned.
    chat_first, chat_follow_up, via_openai, via_event, via_command = (a for *_, a in spy.calls)
    assert first.json() == {**chat_first.answer.to_json(), "conversation_id": conversation}
    assert follow_up.json()["answer"] == chat_follow_up.answer.answer
    assert first.headers["X-Crosscheck-Index-Version"] == chat_first.version
    assert completion.model_extra is not None
    assert completion.model_extra["crosscheck"] == via_openai.answer.to_json()
    assert via_openai.conversation_id is None and via_command.conversation_id is None
    assert slack.messages[0]["text"].split("\n")[0] == via_event.answer.answer.split("\n")[0]
    assert slack.responses[0]["text"].split("\n")[0] == via_command.answer.answer.split("\n")[0]
    # A thread's first question and a command have no history: the same question, one answer.
    assert via_event.answer.to_json() == via_command.answer.to_json()

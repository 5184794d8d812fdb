"""``crosscheck ask --server URL``: the same output as a local ``ask`` over the same index, from
a real ``crosscheck serve`` process, without loading the index, a model or the web server."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.conftest import LiveServer, ServerProcess, free_port
from tests.bot.test_cli_imports import modules_after
from tests.bot.test_server_lifecycle import GatedEmbedder

HASH = ("--embedder", "hash")
KEY = "test-key"
MAX_CHARS = 300
# What asking a server must not load: the models, the index, the engine, the web server.
NEVER_FOR_ASK_SERVER = {
    "bot.api",
    "bot.evaluation",
    "faiss",
    "fastapi",
    "index.build",
    "index.chunk_index",
    "index.embedders",
    "index.store",
    "numpy",
    "onnxruntime",
    "retrieval.engine",
    "sentence_transformers",
    "spacy",
    "starlette",
    "torch",
    "transformers",
    "uvicorn",
}


@pytest.fixture(scope="module")
def server(
    _bundled_index_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """``crosscheck serve`` over a copy of the bundled index, wanting the API key ``KEY``."""
    folder = tmp_path_factory.mktemp("ask-server")
    shutil.copytree(_bundled_index_template, folder / "index")
    process = ServerProcess(
        folder / "index",
        folder / "serve.log",
        environ={"CROSSCHECK_API_KEY": KEY, "CROSSCHECK_MAX_MESSAGE_CHARS": str(MAX_CHARS)},
    )
    try:
        yield process.wait_until_up()
    finally:
        process.stop()


def with_key(**more: str) -> dict[str, str]:
    return {"CROSSCHECK_API_KEY": KEY, **more}


@pytest.mark.parametrize(
    "options",
    [
        (),
        ("--json",),
        ("--source", "associated press", "--source", "ICIR", "--json"),
        ("--since", "2025-07-04", "--until", "2025-07-04"),
    ],
    ids=["text", "json", "sources", "dates"],
)
def test_ask_server_prints_what_a_local_ask_prints(crosscheck, bundled_index, server, options):
    question = "How many people were wounded?"
    local = crosscheck("ask", question, *options, "--index-dir", bundled_index, *HASH)
    remote = crosscheck("ask", question, *options, "--server", server.url, environ=with_key())

    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout
    assert "Sources:\n[1] " in local.stdout or local.stdout.startswith("{")


def test_ask_server_json_is_the_answer_object_without_the_conversation_id(
    crosscheck, bundled_index, server
):
    question = "How many people were wounded?"
    local = crosscheck("ask", question, "--json", "--index-dir", bundled_index, *HASH)
    remote = crosscheck(
        "ask", question, "--json", environ=with_key(CROSSCHECK_SERVER=server.url + "/")
    )

    assert remote.returncode == 0, remote.stderr
    answer = json.loads(remote.stdout)
    assert "conversation_id" not in answer
    assert answer == json.loads(local.stdout)
    assert answer["conflict"] is True and sorted(f["value"] for f in answer["figures"]) == [23, 26]


def test_ask_server_follows_up_as_one_conversation(crosscheck, bundled_index, server):
    follow_up = ("And how many were killed?", "--after", "How many people were injured in Kyiv?")
    local = crosscheck("ask", *follow_up, "--json", "--index-dir", bundled_index, *HASH)
    remote = crosscheck("ask", *follow_up, "--json", "--server", server.url, environ=with_key())

    assert remote.returncode == 0, remote.stderr
    assert [f["value"] for f in json.loads(remote.stdout)["figures"]] == [1]
    assert remote.stdout == local.stdout
    # Without the earlier question the follow-up has nothing to count: the conversation mattered.
    alone = crosscheck("ask", follow_up[0], "--json", "--server", server.url, environ=with_key())
    assert json.loads(alone.stdout)["figures"] != json.loads(remote.stdout)["figures"]


def test_ask_server_loads_no_index_model_or_web_server(server):
    code = (
        "from bot.cli import main\n"
        "code = main(['ask', 'How many people were injured?', '--server',"
        f" {server.url!r}], {{'CROSSCHECK_API_KEY': {KEY!r}}})\n"
        "assert code == 0, code"
    )
    loaded = modules_after(code)
    assert "bot.remote_ask" in loaded  # it did ask the server
    assert loaded & NEVER_FOR_ASK_SERVER == set()


def test_an_unreachable_server_is_one_line_and_exit_1(crosscheck):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    result = crosscheck("ask", "How many people were injured?", "--server", url)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"crosscheck: error: cannot reach the server at {url}: ")
    assert len(result.stderr.splitlines()) == 1, result.stderr  # no traceback


@pytest.mark.parametrize(
    ("question", "environ", "message"),
    [
        (
            "How many people were injured?",
            {"CROSSCHECK_API_KEY": "wrong-key"},
            "answered 401 unauthorized: missing or wrong API key (Authorization: Bearer <key>)",
        ),
        (
            "How many people were injured?",
            {},
            "answered 401 unauthorized: missing or wrong API key (Authorization: Bearer <key>)",
        ),
        (
            "injured? " * 40,
            {"CROSSCHECK_API_KEY": KEY},
            f"answered 422 message_too_long: message: 360 characters, more than the limit of "
            f"{MAX_CHARS}",
        ),
    ],
    ids=["wrong-key", "no-key", "too-long"],
)
def test_an_error_the_server_answers_is_its_message_and_exit_1(
    crosscheck, server, question, environ, message
):
    result = crosscheck("ask", question, "--server", server.url, environ=environ)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == f"crosscheck: error: the server at {server.url} {message}\n"


def test_a_server_still_loading_says_so(crosscheck, tmp_path):
    embedder = GatedEmbedder()  # no index yet: the server builds one, and waits on the gate
    live = LiveServer(tmp_path / "index", embedder=embedder).start()
    try:
        result = crosscheck("ask", "How many people were injured?", "--server", live.url)
    finally:
        embedder.gate.set()
        live.__exit__()

    assert result.returncode == 1
    assert result.stderr == (
        f"crosscheck: error: the server at {live.url} is still loading its index (503 "
        f"not_ready); ask again once {live.url}/health answers 200\n"
    )


@pytest.mark.parametrize(
    ("option", "value"), [("--index-dir", "somewhere"), ("--embedder", "hash")]
)
def test_an_option_only_a_local_index_honours_is_a_usage_error(crosscheck, option, value):
    url = f"http://127.0.0.1:{free_port()}"

    result = crosscheck("ask", "How many?", option, value, environ={"CROSSCHECK_SERVER": url})

    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"crosscheck ask: error: {option} cannot be used when asking a server ({url}): it "
        f"answers from its own index; leave {option} out, or leave out --server and "
        "$CROSSCHECK_SERVER to ask here"
    )


def test_a_server_url_that_is_not_http_names_the_option(crosscheck):
    result = crosscheck("ask", "How many?", "--server", "127.0.0.1:8000")

    assert result.returncode == 1
    assert result.stderr == (
        "crosscheck: error: --server has value '127.0.0.1:8000': not an http:// or https:// "
        "URL (e.g. http://127.0.0.1:8000)\n"
    )

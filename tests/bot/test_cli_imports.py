"""Each command imports only what it uses: a fresh process lists its ``sys.modules`` after
``crosscheck --help``, after parsing an ``ask``, and after answering one."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

# What no command but ``serve``, ``eval`` or a first build with the torch model needs.
NEVER_FOR_ASK = {
    "bot.api",
    "bot.evaluation",
    "fastapi",
    # The compiled BM25 kernel: only for large indexes, and the server loads it at start-up.
    "numba",
    "sentence_transformers",
    "starlette",
    "torch",
    "transformers",
    "uvicorn",
}
# What neither ``--help`` nor reading the command line needs: the models, the index, the engine.
NEVER_FOR_PARSING = NEVER_FOR_ASK | {
    "faiss",
    "httpx",
    "onnxruntime",
    "retrieval.engine",
    "spacy",
    "tqdm",
}


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running ``code`` (which may print)."""
    program = f"{code}\nimport json, sys\nprint()\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_help_imports_no_model_index_server_or_evaluation() -> None:
    code = "from bot.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert modules_after(code) & NEVER_FOR_PARSING == set()


@pytest.mark.parametrize(
    "argv",
    [
        ["ask", "How many?"],
        ["ask", "How many?", "--server", "http://127.0.0.1:8000"],
        ["search", "drones"],
        ["index"],
        ["eval", "qa.jsonl"],
        ["serve"],
    ],
    ids=lambda argv: " ".join([argv[0], *(a for a in argv if a.startswith("-"))]),
)
def test_parsing_a_command_imports_none_of_what_it_will_use(argv: list[str]) -> None:
    code = f"from bot.cli import _parser\n_parser().parse_args({argv!r})"
    assert modules_after(code) & NEVER_FOR_PARSING == set()


def test_ask_answers_without_server_evaluation_or_torch(bundled_index: Path) -> None:
    code = (
        "from bot.cli import main\n"
        "code = main(['ask', 'How many people were injured?', '--embedder', 'hash',"
        f" '--index-dir', {str(bundled_index)!r}])\n"
        "assert code == 0, code"
    )
    assert modules_after(code) & NEVER_FOR_ASK == set()


def test_the_checker_sees_an_import() -> None:
    assert modules_after("import tqdm") & NEVER_FOR_PARSING == {"tqdm"}

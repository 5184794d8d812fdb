"""Data flows one way, corpus -> index -> retrieval -> bot: a lower package never imports a
higher one."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["corpus", "index", "retrieval", "bot"]


def imported_packages(source: str) -> set[str]:
    """Top-level names of every module a Python source imports (absolute imports only)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def violations(package_dir: Path, forbidden: set[str]) -> list[str]:
    """``FILE imports PACKAGE`` for each import of a forbidden package under ``package_dir``."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        for name in sorted(imported_packages(path.read_text(encoding="utf-8")) & forbidden):
            found.append(f"{path.relative_to(package_dir.parent)} imports {name}")
    return found


@pytest.mark.parametrize("position", range(len(LAYERS)), ids=LAYERS)
def test_package_imports_no_higher_package(position: int) -> None:
    higher = set(LAYERS[position + 1 :])
    assert violations(ROOT / LAYERS[position], higher) == []


def test_checker_catches_an_upward_import(tmp_path: Path) -> None:
    package = tmp_path / "corpus"
    package.mkdir()
    (package / "bad.py").write_text("import os\nfrom retrieval.search import Passage\n")
    (package / "good.py").write_text("from corpus import Article\nfrom . import sibling\n")
    assert violations(package, {"retrieval", "bot"}) == ["corpus/bad.py imports retrieval"]

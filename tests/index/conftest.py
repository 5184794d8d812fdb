"""Fixtures of the index tests: looking at and damaging an index directory from outside."""

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from index import IndexDirectory, Manifest


def live_store(index_dir: Path) -> Path:
    """The article store the live base generation of ``index_dir`` names."""
    base = IndexDirectory(index_dir).live_generation()
    return index_dir / Manifest.read(base / "manifest.json").store


@pytest.fixture
def change_store() -> Callable[..., None]:
    """``change_store(index_dir, sql, *parameters)``: run one SQL statement on the live article
    store behind the index's back, as damage or a careless hand would."""

    def change(index_dir: Path, sql: str, *parameters: object) -> None:
        connection = sqlite3.connect(live_store(index_dir))
        try:
            with connection:
                connection.execute(sql, parameters)
        finally:
            connection.close()

    return change


@pytest.fixture
def published() -> Callable[[Path], set[str]]:
    """``published(index_dir)``: the names in an index directory, without the files SQLite
    keeps beside a store while it is open (they come and go with connections)."""

    def names(index_dir: Path) -> set[str]:
        return {p.name for p in index_dir.iterdir() if not p.name.endswith(("-wal", "-shm"))}

    return names

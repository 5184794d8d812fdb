"""An interrupted build resumes: chunks embedded before the interruption are not embedded
again, and the finished index is the one an uninterrupted build makes."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus import Article
from index import HashEmbedder, build_index, open_index
from index.checkpoint import EmbeddingCheckpoint
from index.embedders import Vectors


class CountingEmbedder(HashEmbedder):
    """The hash embedder, counting what it embeds; raises KeyboardInterrupt (as Ctrl-C would)
    on call number ``interrupt_at``."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        super().__init__()
        self.calls = 0
        self.texts = 0
        self._interrupt_at = interrupt_at

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        if self.calls == self._interrupt_at:
            raise KeyboardInterrupt
        self.texts += len(texts)
        return super().embed(texts)


def test_an_interrupted_build_resumes_where_it_stopped(
    bundled_articles: tuple[Article, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("index.build.EMBED_BATCH", 10)
    interrupted = CountingEmbedder(interrupt_at=4)
    with pytest.raises(KeyboardInterrupt):
        build_index(bundled_articles, tmp_path / "index", interrupted)
    assert interrupted.texts == 30
    assert not (tmp_path / "index" / "CURRENT").exists()

    # Each build also embeds one story profile (title and lead) per article, after the chunks.
    profiles = len(bundled_articles)
    resumed = CountingEmbedder()
    report = build_index(bundled_articles, tmp_path / "index", resumed)
    assert report.built and resumed.texts == report.chunks - 30 + profiles

    clean = CountingEmbedder()
    build_index(bundled_articles, tmp_path / "clean", clean)
    assert clean.texts == report.chunks + profiles
    a = open_index(tmp_path / "index", clean)
    b = open_index(tmp_path / "clean", clean)
    assert list(a.chunks) == list(b.chunks)
    assert dict(a.articles) == dict(b.articles) == {x.doc_id: x for x in bundled_articles}
    everything = list(range(len(a.chunks)))
    assert np.array_equal(a.vectors.reconstruct(everything), b.vectors.reconstruct(everything))
    assert not list((tmp_path / "index").glob("checkpoint-*"))


def test_a_record_cut_short_by_a_kill_is_dropped(tmp_path: Path) -> None:
    embedder = HashEmbedder(8)
    checkpoint = EmbeddingCheckpoint(tmp_path, embedder)
    texts = ["one", "two", "three"]
    with checkpoint.appender() as append:
        append(texts, embedder.embed(texts))
    whole = checkpoint.path.read_bytes()
    checkpoint.path.write_bytes(whole[:-5])  # the process died mid-write
    saved = checkpoint.load()
    assert set(saved) == {checkpoint.key("one"), checkpoint.key("two")}
    assert np.array_equal(saved[checkpoint.key("two")], embedder.embed(["two"])[0])
    with checkpoint.appender() as append:  # appending first drops the torn record
        append(["four"], embedder.embed(["four"]))
    assert set(checkpoint.load()) == {checkpoint.key(t) for t in ("one", "two", "four")}

"""The service merges the segments its writes leave, in the background, and keeps serving."""

import threading
import time
from pathlib import Path

from bot.service import CrossCheck
from corpus import Article
from index import HashEmbedder, IndexDirectory, build_index
from index.backends import EmbeddedBackend


def test_writes_past_the_bound_are_merged_in_the_background_and_nothing_is_lost(
    tmp_path: Path, bundled_articles: tuple[Article, ...]
) -> None:
    build_index(bundled_articles, tmp_path, HashEmbedder())
    service = CrossCheck(EmbeddedBackend(tmp_path), HashEmbedder(), merge_segments=2)
    service.start()
    versions = [service.ingest(_report(n), doc_id=f"d-{n}").version for n in range(3)]
    assert versions == ["seg-000002", "seg-000003", "seg-000004"]
    deleted = service.delete(bundled_articles[0].doc_id)
    assert deleted.startswith("seg-")
    # Three segments past a bound of two start a merge; it ends with a new base.
    directory = IndexDirectory(tmp_path)
    deadline = time.monotonic() + 60
    while directory.live_state().base.name == "gen-000001" and time.monotonic() < deadline:
        time.sleep(0.05)
    for thread in threading.enumerate():
        if thread.name == "crosscheck-merge":
            thread.join(timeout=60)
    live = directory.live_state()
    snapshot = service.snapshot()
    assert snapshot.version == live.version and live.base.name != "gen-000001"
    assert len(live.segments) <= 1  # the delete may land after the merge read the index
    articles = snapshot.index.articles
    assert {f"d-{n}" for n in range(3)} <= set(articles)
    assert bundled_articles[0].doc_id not in articles
    assert len(articles) == len(bundled_articles) - 1 + 3
    answer = snapshot.engine.ask("How many drones were launched?")
    cited = {c.doc_id for f in answer.figures for c in f.citations}
    assert cited and cited <= set(articles)


def _report(n: int) -> str:
    return f"Russia launched {n + 100} drones at Sumy overnight, officials said. Report {n}."

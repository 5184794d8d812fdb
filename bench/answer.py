"""Answer latency on the bundled articles: cold (first time each question is asked) and warm.

    python -m bench.answer [--index-dir DIR] [--rounds 5] [--embedder minilm|hash]

Asks every question of qa/dev.jsonl through the answer engine in-process (the index and model
loaded once) and prints p50 and p95 per stage and end to end. Target: warm p50 under 100 ms.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from corpus import bundled_articles_dir, load_articles
from index import EmbedderKind, build_index, make_embedder, open_index
from retrieval import AnswerEngine

DEV_SET = Path(__file__).resolve().parent.parent / "qa" / "dev.jsonl"


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--embedder", default="minilm", choices=[k.value for k in EmbedderKind])
    args = parser.parse_args()
    pairs = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line]
    embedder = make_embedder(EmbedderKind(args.embedder))
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index_dir or Path(scratch)
        build_index(load_articles([bundled_articles_dir()]).articles, index_dir, embedder)
        started = time.perf_counter()
        engine = AnswerEngine(open_index(index_dir, embedder), embedder)
        engine.ask("warm-up: how many drones were launched?")
        load = time.perf_counter() - started
        cold, warm = [], []
        for round_number in range(args.rounds):
            for pair in pairs:
                t = time.perf_counter()
                engine.ask(pair["question"], pair.get("turns", []))
                (cold if round_number == 0 else warm).append((time.perf_counter() - t) * 1000)
    print(f"answer latency, {len(pairs)} questions of {DEV_SET.name}, embedder {args.embedder}")
    print(f"index and model load + first answer: {load:.2f} s")
    print(f"{'':24}{'p50 ms':>8}{'p95 ms':>8}{'mean ms':>9}{'n':>6}")
    for name, values in (("first ask (cold)", cold), ("warm", warm)):
        if values:
            print(
                f"{name:24}{percentile(values, 0.5):8.1f}{percentile(values, 0.95):8.1f}"
                f"{statistics.fmean(values):9.1f}{len(values):6}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

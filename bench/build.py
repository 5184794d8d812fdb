"""Index build speed end to end, per embedder, on real articles.

    python -m bench.build --data ../shared/data [--articles 600] [--embedders minilm,...]

Takes the first ``--articles`` Reuters articles and the first tenth as many BBC ones from
``--data`` (never copied into the repository) and runs ``build_index`` on them into a fresh
directory with each embedder in turn: chunking, tokenizing, embedding (sorted by length, in
checkpointed batches), the BM25 postings, faiss, and the fsynced write. The model is loaded
before the clock starts (its load time is printed apart). Prints chunks a second end to end.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.query import read_archive
from index import EmbedderKind, build_index, make_embedder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--embedders", default="minilm,minilm-fp32,minilm-torch")
    args = parser.parse_args()
    archive = read_archive(args.data)
    reuters = [a for a in archive if a.doc_id.startswith("reuters")][: args.articles]
    bbc = [a for a in archive if a.doc_id.startswith("bbc")][: max(1, args.articles // 10)]
    articles = reuters + bbc
    rows = []
    for kind in args.embedders.split(","):
        embedder = make_embedder(EmbedderKind(kind))
        started = time.perf_counter()
        embedder.embed(["warm up"])
        load = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            report = build_index(articles, Path(folder), embedder)
        rate = report.chunks / report.seconds
        rows.append((kind, embedder.name, report.chunks, report.seconds, rate, load))
    print(f"\n# bench.build: {len(articles)} articles ({len(reuters)} Reuters, {len(bbc)} BBC)\n")
    print(f"{'embedder':<14} {'chunks':>7} {'seconds':>8} {'chunks/s':>9} {'model load s':>13}")
    for kind, _, chunks, seconds, rate, load in rows:
        print(f"{kind:<14} {chunks:>7} {seconds:>8.1f} {rate:>9.0f} {load:>13.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

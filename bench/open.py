"""Opening a real-size index: ``open_index`` in a fresh process, and ``crosscheck serve`` until
``GET /health`` answers 200, with the memory each takes.

    python -m bench.open --data ../shared/data --cache /work/bench_cache [--runs 5]
                         [--index-dir DIR] [--repo DIR ...]

The index: the Reuters and BBC articles of ``--data`` (read in place, as ``bench.query`` reads
them) and the five bundled ones, built by ``build_index`` with the hash embedder (embedding costs
nothing; the files are the size a real model's index over the same chunks would have, but for
the vectors, 64 dimensions instead of 384) and with stored figures: each article's annotation is
replayed from the ``annotations-*.jsonl`` file ``bench.query`` keeps in ``--cache`` (spaCy's
figures for these articles, made once), under the version that file names. Stories are grouped
as a build groups them (spaCy entities of each lead): the first build takes minutes. An index
already built and up to date in ``--index-dir`` is kept.

Each ``--repo`` (this checkout by default; repeat it to compare a before and an after) builds its
own index in a subfolder of ``--index-dir``, and its code is what runs (working directory and
``PYTHONPATH`` at the checkout). Then, turn about, ``--runs`` times each after one untimed run to
warm the file cache: a fresh ``python`` that imports ``index`` and calls ``open_index`` (the time
of that call; the process's resident memory after it, and its peak), and a fresh ``crosscheck
serve`` timed from starting the process until ``/health`` answers 200 (its resident memory then).
Prints the CPU and load, each run, and the medians.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.build import cpu_line
from bench.load import rss_kib
from bench.server import crosscheck_serve

REPO = Path(__file__).resolve().parent.parent

# Run in the checkout measured: build (or keep) the index of the archive in argv[1].
BUILD = """
import json, sys, time
from pathlib import Path
from bench.query import read_archive
from corpus import bundled_articles_dir, load_articles
from index import HashEmbedder, build_index

index_dir, data, annotations = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
stored = {}
with open(annotations, encoding="utf-8") as handle:
    for line in handle:
        record = json.loads(line)
        stored[record["doc_id"]] = record["data"]

class Replay:
    name = "figures"
    version = annotations.stem.split("-", 2)[2]
    def annotate(self, articles):
        return [stored[a.doc_id] for a in articles]

articles = list(load_articles([bundled_articles_dir()]).articles) + read_archive(data)
started = time.perf_counter()
report = build_index(articles, index_dir, HashEmbedder(), annotator=Replay())
print(json.dumps({"built": report.built, "articles": report.articles, "chunks": report.chunks,
                  "seconds": time.perf_counter() - started}))
"""

# Run in the checkout measured: open the index in argv[1] once, report time and memory.
OPEN = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from index import HashEmbedder, open_index
import index.build, faiss, numpy
imported = time.perf_counter()
index = open_index(Path(sys.argv[1]), HashEmbedder())
opened = time.perf_counter()
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
kib = lambda key: int(status[key].split()[0])
print(json.dumps({"import": imported - started, "open": opened - imported,
                  "rss": kib("VmRSS"), "peak": kib("VmHWM"), "chunks": len(index.chunks)}))
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "xc-bench")
    parser.add_argument("--index-dir", type=Path, help="where the indexes are built")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", type=Path, action="append", help="checkout to measure")
    args = parser.parse_args(argv)
    repos = [repo.resolve() for repo in args.repo or [REPO]]
    annotations = sorted(args.cache.glob("annotations-*-*.jsonl"))
    if not annotations:
        raise SystemExit(f"no annotations-*.jsonl in {args.cache}: run python -m bench.query")
    index_root = args.index_dir or args.cache / "open"
    print(f"# {cpu_line()}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    folders = {}
    for number, repo in enumerate(repos):
        folders[repo] = index_root / f"{number}-{repo.name}"
        built = json.loads(
            _python(repo, BUILD, folders[repo], args.data.resolve(), annotations[-1].resolve())
        )
        print(
            f"# {repo}: {built['articles']:,} articles, {built['chunks']:,} chunks, "
            f"{'built' if built['built'] else 'kept'} in {built['seconds']:.0f} s, "
            f"{_size(folders[repo]) / 2**20:,.0f} MiB on disk"
        )
    opens: dict[Path, list[dict[str, float]]] = {repo: [] for repo in repos}
    serves: dict[Path, list[tuple[float, int]]] = {repo: [] for repo in repos}
    for run in range(args.runs + 1):
        for repo in repos:
            opened = json.loads(_python(repo, OPEN, folders[repo]))
            served = _serve(repo, folders[repo])
            if run == 0:
                continue  # warms the file cache
            opens[repo].append(opened)
            serves[repo].append(served)
            print(
                f"{repo.name:<12} run {run}: open_index {opened['open']:.2f} s "
                f"(imports {opened['import']:.2f} s), RSS {opened['rss'] / 1024:.0f} MiB, "
                f"peak {opened['peak'] / 1024:.0f} MiB; serve until /health 200 "
                f"{served[0]:.2f} s, RSS {served[1] / 1024:.0f} MiB"
            )
    if not args.runs:
        return 0
    print()
    print(
        "| checkout | chunks | open_index s | RSS after open MiB | peak MiB "
        "| serve to /health 200 s "
        "| serve RSS MiB |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for repo in repos:

        def med(key: str, repo: Path = repo) -> float:
            return statistics.median(o[key] for o in opens[repo])

        print(
            f"| {repo.name} | {int(med('chunks')):,} | {med('open'):.2f} "
            f"| {med('rss') / 1024:.0f} | {med('peak') / 1024:.0f} "
            f"| {statistics.median(s[0] for s in serves[repo]):.2f} "
            f"| {statistics.median(s[1] for s in serves[repo]) / 1024:.0f} |"
        )
    return 0


def _environment(repo: Path, index_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSCHECK_")}
    env["PYTHONPATH"] = str(repo)
    if index_dir is not None:
        env.update({"CROSSCHECK_INDEX_DIR": str(index_dir), "CROSSCHECK_EMBEDDER": "hash"})
    return env


def _python(repo: Path, code: str, *args: object) -> str:
    """Run ``code`` in a fresh ``python`` in the checkout; its last line of output."""
    result = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=repo,
        env=_environment(repo),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{repo}: python failed:\n{result.stderr}")
    return result.stdout.strip().splitlines()[-1]


def _serve(repo: Path, index_dir: Path, seconds: float = 300) -> tuple[float, int]:
    """Start ``crosscheck serve`` of the checkout over ``index_dir``; the seconds until
    ``GET /health`` answers 200 and the server's resident memory then (KiB). Stops it."""
    with crosscheck_serve(repo, _environment(repo, index_dir), cap=seconds) as served:
        rss = rss_kib(served.process.pid)
    if served.ready_after is None or rss is None:
        raise SystemExit("crosscheck serve stopped before its memory could be read")
    return served.ready_after, rss


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


if __name__ == "__main__":
    sys.exit(main())

"""Cold start of the command line: ``crosscheck ask`` and ``crosscheck --help`` as fresh processes.

    python -m bench.cli_start [--index-dir DIR] [--runs 5] [--embedder minilm]
                              [--question "How many people were injured?"] [--repo DIR ...]

Builds an index of the bundled articles into ``--index-dir`` (a temporary folder by default;
an index already there and up to date is kept) and starts ``crosscheck serve`` over it on a free
port of 127.0.0.1, waiting for ``GET /health`` to answer 200. Then runs ``crosscheck ask
QUESTION``, ``crosscheck ask QUESTION --server URL`` (the same question, asked of that server)
and ``crosscheck --help`` once each to warm the operating system's file cache and the server,
then ``--runs`` times each, turn about, and stops the server. A checkout whose ``ask`` has no
``--server`` gets no server and no such row. Each run is ``python -m bot`` (what the
``crosscheck`` console script runs) in a new process with the working directory and
``PYTHONPATH`` at ``--repo`` (this repository by default, so the checked-out code is measured),
and no ``CROSSCHECK_*`` variable but the index directory and embedder. Repeat ``--repo`` to
compare checkouts (a before and after): each builds its own index (in a subfolder of
``--index-dir``), and their runs take turns too, so load on a shared machine falls on each
alike. Wall time is from starting the process to its exit, after the answer is printed. Prints
the CPU, each run, the median, min and max, the median processor time, how many
modules each command has loaded at exit, and which heavy ones.

The target: ``crosscheck ask`` at most 0.6 s, median of 5, on the bundled index.
"""

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from resource import RUSAGE_CHILDREN, getrusage

from bench.build import cpu_line
from bench.server import crosscheck_serve

REPO = Path(__file__).resolve().parent.parent
# Run as ``crosscheck ARGS``; at exit, print how many modules are loaded and which of HEAVY.
CHILD = """
import sys, runpy
sys.argv = ["crosscheck", *sys.argv[1:]]
try:
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
finally:
    heavy = [m for m in {heavy!r} if m in sys.modules]
    print("@modules", len(sys.modules), ",".join(heavy) or "-", file=sys.stderr)
"""
HEAVY = (
    "torch",
    "sentence_transformers",
    "spacy",
    "onnxruntime",
    "faiss",
    "fastapi",
    "uvicorn",
    "numpy",
    "httpx",
    "tqdm",
    "bot.evaluation",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index-dir", type=Path, help="index folder (default: a temporary one)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--embedder", default="minilm", help="embedder of the index")
    parser.add_argument("--question", default="How many people were injured?")
    parser.add_argument(
        "--repo", type=Path, action="append", help="a checkout to measure (repeat to compare)"
    )
    args = parser.parse_args(argv)
    repos = [repo.resolve() for repo in args.repo or [REPO]]
    print(f"# {cpu_line()}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("# python -m bot: the code the crosscheck console script runs, from each checkout")
    with (
        tempfile.TemporaryDirectory(prefix="crosscheck-cli-start-") as scratch,
        contextlib.ExitStack() as servers,
    ):
        top = args.index_dir or Path(scratch)
        runs: dict[tuple[Path, str], list[str]] = {}
        envs = {}
        for number, repo in enumerate(repos):
            index_dir = top / f"index-{number}" if len(repos) > 1 or not args.index_dir else top
            envs[repo] = _environment(repo, index_dir, args.embedder)
            _build(repo, envs[repo])
            runs[repo, "ask"] = ["ask", args.question]
            if _asks_servers(repo, envs[repo]):
                url = servers.enter_context(crosscheck_serve(repo, envs[repo], cap=120)).url
                runs[repo, "ask --server"] = ["ask", args.question, "--server", url]
            runs[repo, "--help"] = ["--help"]
        for (repo, _), command in runs.items():  # warm the file cache
            _run(repo, envs[repo], command)
        seconds: dict[tuple[Path, str], list[float]] = {key: [] for key in runs}
        cpu: dict[tuple[Path, str], list[float]] = {key: [] for key in runs}
        loaded: dict[tuple[Path, str], str] = {}
        for _ in range(args.runs):
            for (repo, name), command in runs.items():
                took, used, modules = _run(repo, envs[repo], command)
                seconds[repo, name].append(took)
                cpu[repo, name].append(used)
                loaded[repo, name] = modules
    for repo in repos:
        print(f"\n{repo}")
        print(
            f"{'command':<24} {'runs (s)':<26} {'median':>7} {'min':>6} {'max':>6} {'CPU s':>6}"
            "  modules"
        )
        for name in ("ask", "ask --server", "--help"):
            if (repo, name) not in seconds:
                continue
            times = seconds[repo, name]
            shown = " ".join(f"{t:.2f}" for t in times)
            print(
                f"{'crosscheck ' + name:<24} {shown:<26} {statistics.median(times):>7.2f} "
                f"{min(times):>6.2f} {max(times):>6.2f} {statistics.median(cpu[repo, name]):>6.2f}"
                f"  {loaded[repo, name]}"
            )
    print(
        f"\n(question: {args.question!r}; wall time of a fresh process, start to exit; CPU s: "
        "the median processor time, user and system, which load on the machine moves less; "
        "ask --server: the same question asked of a `crosscheck serve` over the same index, "
        "already loaded and warmed by one question; its time and CPU are the client's)"
    )
    return 0


def _environment(repo: Path, index_dir: Path, embedder: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSCHECK_")}
    env.update(
        {
            "PYTHONPATH": str(repo.resolve()),
            "CROSSCHECK_INDEX_DIR": str(index_dir),
            "CROSSCHECK_EMBEDDER": embedder,
        }
    )
    return env


def _build(repo: Path, env: dict[str, str]) -> None:
    """``crosscheck index`` of the bundled articles (kept when already up to date)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "index"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"crosscheck index failed:\n{result.stderr}")
    print(f"# {result.stdout.strip()}")


def _asks_servers(repo: Path, env: dict[str, str]) -> bool:
    """Whether the checkout's ``crosscheck ask`` has ``--server``."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--help"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return "--server" in result.stdout


def _run(repo: Path, env: dict[str, str], command: list[str]) -> tuple[float, float, str]:
    """One fresh ``crosscheck COMMAND``: its wall time, its processor time (user and system)
    and ``N loaded (heavy ones)``."""
    before = _children_cpu()
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD.format(heavy=HEAVY), *command],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - start
    cpu = _children_cpu() - before
    if result.returncode != 0:
        raise SystemExit(f"crosscheck {' '.join(command)} failed:\n{result.stderr}")
    last = [line for line in result.stderr.splitlines() if line.startswith("@modules ")][-1]
    _, count, heavy = last.split(" ")
    return took, cpu, f"{count} loaded ({heavy.replace(',', ', ')})"


def _children_cpu() -> float:
    usage = getrusage(RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())

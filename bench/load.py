"""Load on a running server: N concurrent clients for a bounded time, a table of throughput,
latency percentiles and errors per kind of request, and the server's memory at start and end.

    python -m bench.load --seconds 60 --clients 8 --index-dir DIR [--mix full|chat]
                         [--embedder minilm|hash] [--url URL [--pid PID]]

Without ``--url`` it starts ``crosscheck serve`` on a free port of 127.0.0.1 over ``--index-dir``
(built from the bundled articles if empty) with the rate limit off (``CROSSCHECK_RATE_LIMIT=0``:
every client here is one address), and stops it at the end. ``--mix full`` (default) sends
``/chat`` (50%), ``/v1/chat/completions`` (30%) and ``POST``/``DELETE /articles`` (10% each,
each client deleting what it posted, and the rest at the end); ``--mix chat`` sends only
``/chat``, for the serving target: at least 100 answers a second with p99 at most 100 ms on the
bundled articles. Questions come from qa/dev.jsonl. Errors are responses other than 2xx, and
failed connections; the target is none.
"""

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

DEV_SET = Path(__file__).resolve().parent.parent / "qa" / "dev.jsonl"
MIXES = {
    "full": (("chat", 50), ("openai", 30), ("post", 10), ("delete", 10)),
    "chat": (("chat", 100),),
}


@dataclass
class Tally:
    """Latencies (seconds) and errors of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def rss_kib(pid: int | None) -> int | None:
    """The resident set size of process ``pid`` in KiB (VmRSS of /proc/PID/status)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def questions() -> list[str]:
    """The questions of the development set."""
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines if line.strip()]
    return [r["question"] for r in records if "question" in r]


def start_server(index_dir: Path, embedder: str) -> tuple[subprocess.Popen[bytes], str]:
    """``crosscheck serve`` on a free port of 127.0.0.1, once ``/health`` answers 200."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSCHECK_")}
    env["CROSSCHECK_RATE_LIMIT"] = "0"
    command = [sys.executable, "-m", "bot", "serve", "--index-dir", str(index_dir)]
    command += ["--embedder", embedder, "--host", "127.0.0.1", "--port", str(port)]
    log = Path(tempfile.gettempdir()) / f"crosscheck-load-{port}.log"
    with open(log, "wb") as handle:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    print(f"server log: {log}", file=sys.stderr)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not become ready in 600 s")


class Client:
    """One client: a connection, a random stream of requests, the articles it posted."""

    def __init__(self, number: int, url: str, asked: list[str], mix: str, seed: int) -> None:
        self.number = number
        self.http = httpx.Client(base_url=url, timeout=60)
        self.asked = asked
        self.random = random.Random(seed + number)
        kinds, weights = zip(*MIXES[mix], strict=True)
        self.kinds: tuple[str, ...] = kinds
        self.weights: tuple[int, ...] = weights
        self.posted: list[str] = []
        self.count = 0
        self.tallies: dict[str, Tally] = defaultdict(Tally)

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            kind = self.random.choices(self.kinds, self.weights)[0]
            if kind == "delete" and not self.posted:
                kind = "post"
            self.send(kind, self._request(kind))

    def cleanup(self) -> None:
        for doc_id in self.posted:
            self.http.delete(f"/articles/{doc_id}")
        self.http.close()

    def send(self, kind: str, request: Callable[[], httpx.Response]) -> None:
        tally = self.tallies[kind]
        started = time.perf_counter()
        try:
            response = request()
            failed = "" if response.is_success else f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as error:
            failed = f"{type(error).__name__}: {error}"
        tally.latencies.append(time.perf_counter() - started)
        if failed:
            tally.errors += 1
            tally.first_error = tally.first_error or failed

    def _request(self, kind: str) -> Callable[[], httpx.Response]:
        question = self.random.choice(self.asked)
        if kind == "chat":
            return lambda: self.http.post("/chat", json={"message": question})
        if kind == "openai":
            body = {"model": "crosscheck", "messages": [{"role": "user", "content": question}]}
            return lambda: self.http.post("/v1/chat/completions", json=body)
        if kind == "post":
            self.count += 1
            doc_id = f"bench-{self.number}-{self.count}"
            self.posted.append(doc_id)
            text = (
                f"Russia launched {self.count + 10} drones at Kharkiv overnight, officials "
                f"said. {self.number + 2} people were injured, report {doc_id} says."
            )
            return lambda: self.http.post("/articles", json={"text": text, "doc_id": doc_id})
        doc_id = self.posted.pop(0)
        return lambda: self.http.delete(f"/articles/{doc_id}")


def table(tallies: dict[str, Tally], seconds: float) -> str:
    """The results, a row per kind and a total."""
    rows = [f"{'kind':8} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"]
    everything = Tally()
    for kind in [*sorted(tallies), "total"]:
        tally = everything if kind == "total" else tallies[kind]
        if kind != "total":
            everything.latencies += tally.latencies
            everything.errors += tally.errors
        if not tally.latencies:
            continue
        rows.append(
            f"{kind:8} {len(tally.latencies):9d} {len(tally.latencies) / seconds:8.1f} "
            f"{percentile(tally.latencies, 0.5) * 1000:8.1f} "
            f"{percentile(tally.latencies, 0.99) * 1000:8.1f} {tally.errors:7d}"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to drive it")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--index-dir", type=Path, help="index of the server started here")
    parser.add_argument("--url", help="drive this running server instead of starting one")
    parser.add_argument("--pid", type=int, help="with --url: the server's process, for its RSS")
    parser.add_argument("--mix", choices=sorted(MIXES), default="full")
    parser.add_argument("--embedder", choices=["minilm", "hash"], default="minilm")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.url is None and args.index_dir is None:
        parser.error("give --index-dir (a server is started over it) or --url")
    process = None
    if args.url is None:
        process, url = start_server(args.index_dir, args.embedder)
        pid: int | None = process.pid
    else:
        url, pid = args.url.rstrip("/"), args.pid
    try:
        asked = questions()
        rss_start = rss_kib(pid)
        clients = [Client(n, url, asked, args.mix, args.seed) for n in range(args.clients)]
        started = time.monotonic()
        deadline = started + args.seconds
        threads = [threading.Thread(target=c.run, args=(deadline,)) for c in clients]
        for thread in threads:
            thread.start()
        samples = [rss_start]  # the server's RSS every tenth of the run, to see if it levels off
        for tenth in range(1, 11):
            time.sleep(max(0.0, started + tenth * args.seconds / 10 - time.monotonic()))
            samples.append(rss_kib(pid))
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        rss_end = rss_kib(pid)
        for client in clients:
            client.cleanup()
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for client in clients:
        for kind, tally in client.tallies.items():
            tallies[kind].latencies += tally.latencies
            tallies[kind].errors += tally.errors
            tallies[kind].first_error = tallies[kind].first_error or tally.first_error
    print(f"{args.clients} clients, {elapsed:.1f} s, mix {args.mix}, {url}")
    print(table(tallies, elapsed))
    print(f"server RSS: {_mib(rss_start)} at start, {_mib(rss_end)} at end")
    print("server RSS every tenth of the run (MiB): " + " ".join(_mib(k)[:-4] for k in samples))
    for kind, tally in sorted(tallies.items()):
        if tally.first_error:
            print(f"first {kind} error: {tally.first_error}")
    return 1 if any(t.errors for t in tallies.values()) else 0


def _mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


if __name__ == "__main__":
    sys.exit(main())

"""Run a QA set through an answerer: the engine in-process, or a server over HTTP."""

import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from tqdm import tqdm

from bot.evaluation.metrics import QuestionScore, by_tag, score_answer, summarize
from bot.evaluation.pairs import QAPair, QASet
from index import SearchIndex
from retrieval import AnswerEngine


class Answerer(Protocol):
    """Answers a pair's question (after its earlier turns)."""

    def answer(self, pair: QAPair) -> tuple[dict[str, Any], list[str], float]:
        """(the answer JSON, the doc ids of the retrieved passages in rank order, the
        milliseconds the answer took)."""
        ...

    def article_text(self, doc_id: str) -> str | None:
        """An article's text, to check citation offsets; None if there is no such article."""
        ...


class LocalAnswerer:
    """The answer engine, in this process."""

    def __init__(self, index: SearchIndex, engine: AnswerEngine) -> None:
        self._index = index
        self._engine = engine

    def answer(self, pair: QAPair) -> tuple[dict[str, Any], list[str], float]:
        """Ask the engine (timed), and list the documents of the passages it drew from."""
        started = time.perf_counter()
        answer = self._engine.ask(pair.question, pair.turns)
        latency_ms = (time.perf_counter() - started) * 1000
        return answer.to_json(), [p.doc_id for p in answer.passages], latency_ms

    def article_text(self, doc_id: str) -> str | None:
        """The article's text from the index."""
        article = self._index.articles.get(doc_id)
        return article.text if article else None


class RemoteAnswerer:
    """A running crosscheck server: each pair is a conversation of its turns, then its
    question, through ``POST /chat``. The retrieved documents are those of the answer's
    passages, in rank order."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)
        self._texts: dict[str, str | None] = {}

    def answer(self, pair: QAPair) -> tuple[dict[str, Any], list[str], float]:
        """Ask the server (the time is that of the last request, the question itself).

        Raises:
            httpx.HTTPStatusError: the server answered with an error.
        """
        conversation: dict[str, str] = {}  # none at first: the server starts one
        latency_ms = 0.0
        for message in (*pair.turns, pair.question):
            started = time.perf_counter()
            response = self._client.post("/chat", json={"message": message, **conversation})
            latency_ms = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            body: dict[str, Any] = response.json()
            conversation = {"conversation_id": body["conversation_id"]}
        return body, [p["doc_id"] for p in body.get("passages", [])], latency_ms

    def article_text(self, doc_id: str) -> str | None:
        """The article's text from ``GET /articles/{doc_id}`` (cached)."""
        if doc_id not in self._texts:
            response = self._client.get(f"/articles/{doc_id}")
            self._texts[doc_id] = response.json()["text"] if response.status_code == 200 else None
        return self._texts[doc_id]

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


@dataclass(frozen=True)
class Run:
    """The scores of one run and their summaries."""

    name: str
    scores: tuple[QuestionScore, ...]
    summary: dict[str, float | None]
    tags: dict[str, dict[str, float | None]]


def evaluate(qa: QASet, answerer: Answerer, name: str = "hybrid", progress: bool = False) -> Run:
    """Answer and score every pair of ``qa``."""
    scores = []
    for pair in tqdm(qa.pairs, desc=f"eval {name}", unit="q", disable=not progress, leave=False):
        answer, retrieved, latency_ms = answerer.answer(pair)
        scores.append(score_answer(pair, answer, answerer.article_text, latency_ms, retrieved))
    return Run(name, tuple(scores), summarize(scores), by_tag(scores))

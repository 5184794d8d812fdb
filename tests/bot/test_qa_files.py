"""Every QA file in qa/ holds against the articles it is about: its ids are unique, every document
it names is in its corpus, every ``quote`` and ``quote_has`` phrase is verbatim in its documents,
and the two sets over real news keep to their sides of the story split (qa/news_split.json).

A file's corpus is the one its header names (the bundled articles when it names none); a file is
skipped only when that corpus file is absent (the shared data is not on every machine).
"""

import functools
import gzip
import json
from pathlib import Path

import pytest

from bot.evaluation import QAPair, QASet, read_qa_file
from corpus import bundled_articles_dir, load_articles

QA_DIR = Path(__file__).resolve().parents[2] / "qa"
QA_FILES = sorted(QA_DIR.glob("*.jsonl"))
SPLIT = QA_DIR / "news_split.json"
# Each set over real news, and the side of the split its stories come from.
SPLIT_SIDES = {"news_check.jsonl": "check", "news_dev.jsonl": "dev"}


@functools.cache
def article_texts(corpus: Path | None) -> dict[str, str]:
    """doc id -> text of every article of ``corpus`` (the bundled articles for None), read with
    the loader ``crosscheck eval`` uses."""
    paths = [corpus] if corpus is not None else [bundled_articles_dir()]
    return {article.doc_id: article.text for article in load_articles(paths).articles}


@functools.cache
def doc_events(corpus: Path) -> dict[str, str]:
    """doc id -> the corpus's own ``event`` label (ground truth, read here only to check the
    split), for a JSON Lines corpus, compressed or not."""
    opener = gzip.open if corpus.name.endswith(".gz") else open
    with opener(corpus, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return {r["doc_id"]: r["event"] for r in records if "doc_id" in r and "event" in r}


def read_with_corpus(path: Path) -> QASet:
    """The QA set of ``path`` (``read_qa_file`` refuses duplicate ids); skips the test when the
    corpus its header names is absent."""
    qa = read_qa_file(path)
    if qa.corpus is not None and not qa.corpus.exists():
        pytest.skip(f"{path.name}: its corpus {qa.corpus} is not on this machine")
    return qa


def pair_problems(pair: QAPair, texts: dict[str, str]) -> list[str]:
    """What in ``pair`` does not hold against the articles ``texts``, one sentence each."""
    problems = []
    expect = pair.expect
    for figure in expect.figures:
        missing = [d for d in figure.docs if d not in texts]
        if missing:
            problems.append(f"figure {figure.value:g}: no such documents {missing}")
        if figure.quote is not None and not any(
            figure.quote in texts.get(d, "") for d in figure.docs
        ):
            problems.append(
                f"figure {figure.value:g}: quote {figure.quote!r} is not verbatim in any of "
                f"{list(figure.docs)}"
            )
    missing = [d for d in expect.docs if d not in texts]
    if missing:
        problems.append(f"docs: no such documents {missing}")
    searched = [texts.get(d, "") for d in expect.docs] if expect.docs else list(texts.values())
    for phrase in expect.quote_has:
        if not any(phrase in text for text in searched):
            where = list(expect.docs) if expect.docs else "any article"
            problems.append(f"quote_has {phrase!r} is not verbatim in {where}")
    return problems


@pytest.mark.parametrize("path", QA_FILES, ids=lambda path: path.name)
def test_every_pair_holds_against_its_corpus(path: Path) -> None:
    qa = read_with_corpus(path)
    texts = article_texts(qa.corpus)
    problems = [
        f"{pair.id}: {problem}" for pair in qa.pairs for problem in pair_problems(pair, texts)
    ]
    assert problems == []


def test_the_split_puts_each_story_on_one_side() -> None:
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    check, dev = set(split["check"]), set(split["dev"])
    assert check and dev
    assert check & dev == set()


def test_the_news_sets_keep_to_their_sides_of_the_split() -> None:
    """Each pair names its story, on its file's side of the split, and every document it names
    is about that story: no story (and no article) is in both sets."""
    split = json.loads(SPLIT.read_text(encoding="utf-8"))
    problems = []
    stories: dict[str, set[str]] = {}
    for name, side in SPLIT_SIDES.items():
        if not (QA_DIR / name).exists():
            continue  # not written yet
        qa = read_with_corpus(QA_DIR / name)
        if qa.corpus is None:
            problems.append(f"{name}: the header names no corpus")
            continue
        events = doc_events(qa.corpus)
        stories[name] = {pair.event for pair in qa.pairs if pair.event is not None}
        for pair in qa.pairs:
            if pair.event is None:
                problems.append(f"{name} {pair.id}: no event")
                continue
            if pair.event not in split[side]:
                problems.append(f"{name} {pair.id}: event {pair.event!r} is not on the {side} side")
            named = [d for f in pair.expect.figures for d in f.docs] + list(pair.expect.docs)
            problems.extend(
                f"{name} {pair.id}: {doc} is about {events[doc]!r}, not {pair.event!r}"
                for doc in dict.fromkeys(named)
                if doc in events and events[doc] != pair.event
            )
    shared = set.intersection(*stories.values()) if len(stories) == 2 else set()
    problems.extend(f"both sets ask about {event!r}" for event in sorted(shared))
    assert problems == []

"""The chat page in a real browser (headless Chromium) against a live server.

Skipped only where Chromium is missing and ``CI`` is unset; CI installs it and must run this.
"""

import importlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from bot.slack_blocks import answer_blocks
from bot.state import app_state
from index import EmbedderKind, make_embedder, open_index
from retrieval import AnswerEngine

# The composer's module (``retrieval.compose`` also names its function).
composer = importlib.import_module("retrieval.compose")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("needs /usr/bin/chromium (CI installs it)", allow_module_level=True)

# 000: "wounded at least 26 others"; 001: "23 were wounded". One story, two counts.
WOUNDED = "How many people were wounded?"
KILLED = "And how many were killed?"
# Nothing in the articles gives a place as a figure: a names or closest-passages answer.
PLACE = "Where did the attack happen?"
ARTICLE = {
    "text": "Russia launched 40 drones at Kharkiv overnight, officials said. "
    "Three people were injured in Kharkiv.",
    "title": "Drones hit Kharkiv",
    "source": "Test Wire",
}


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless Chromium with a throwaway profile; nothing fetched from the internet."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: webdriver.Chrome, css: str, count: int = 1) -> list[WebElement]:
    """The elements matching ``css`` once there are at least ``count`` of them."""

    def enough(d: webdriver.Chrome) -> list[WebElement] | bool:
        elements = d.find_elements(By.CSS_SELECTOR, css)
        return elements if len(elements) >= count else False

    found: list[WebElement] = WebDriverWait(driver, 15).until(enough)
    return found


def _ask(driver: webdriver.Chrome, question: str) -> None:
    box = driver.find_element(By.ID, "question")
    box.send_keys(question)
    box.send_keys(Keys.ENTER)


def _values(card: WebElement) -> list[str]:
    figures = card.find_elements(By.CSS_SELECTOR, ".figures .figure")
    return [f.get_attribute("data-value") or "" for f in figures]


def _hex_ids(driver: webdriver.Chrome) -> list[str]:
    """Hex doc ids ("72ab227803a444ef") anywhere in the page's visible text."""
    text: str = driver.execute_script("return document.body.innerText")
    return re.findall(r"\b[0-9a-f]{16}\b", text)


def _chips(element: WebElement) -> list[int]:
    return [
        int(c.get_attribute("data-n") or 0) for c in element.find_elements(By.CSS_SELECTOR, ".chip")
    ]


def _markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


def _check_card(card: WebElement, expected: dict[str, Any]) -> None:
    """The card shows the answer's structure: its headline, a card per value in its group,
    the conflicting groups side by side, its notes with their markers as chips."""
    assert card.get_attribute("data-kind") == expected["kind"]
    assert card.find_element(By.CSS_SELECTOR, ".headline").text == expected["headline"]
    groups = card.find_elements(By.CSS_SELECTOR, ".group")
    assert [g.get_attribute("data-group") for g in groups] == [g["id"] for g in expected["groups"]]
    for group, data in zip(groups, expected["groups"], strict=True):
        figures = group.find_elements(By.CSS_SELECTOR, ".figure")
        assert [f.get_attribute("data-figure") for f in figures] == data["figures"]
    notes = card.find_elements(By.CSS_SELECTOR, ".note")
    assert [n.get_attribute("data-kind") for n in notes] == [n["kind"] for n in expected["notes"]]
    for note, data in zip(notes, expected["notes"], strict=True):
        assert _chips(note) == _markers(data["text"])


def test_ask_read_a_citation_follow_up_and_add_an_article(live_server, browser):
    expected = httpx.post(f"{live_server.url}/chat", json={"message": WOUNDED}).json()
    browser.get(live_server.url)
    assert browser.title == "crosscheck"

    # Ask: the answer card says the sources disagree and sets 23 against 26, side by side.
    _ask(browser, WOUNDED)
    (card,) = _wait(browser, ".answer[data-conflict]")
    badge = card.find_element(By.CSS_SELECTOR, ".badge-conflict")
    assert badge.is_displayed() and badge.text.endswith("Sources disagree")
    _check_card(card, expected)
    assert sorted(_values(card)) == sorted(str(f["value"]) for f in expected["figures"])
    assert {"23", "26"} <= set(_values(card))
    (conflict,) = [r for r in expected["relations"] if r["kind"] == "conflict"]
    groups = card.find_elements(By.CSS_SELECTOR, ".figures-conflict > .group")
    assert [g.get_attribute("data-group") for g in groups] == conflict["groups"]
    assert groups[0].location["y"] == groups[1].location["y"]  # side by side
    assert card.find_element(By.CSS_SELECTOR, ".figures-conflict > .versus").text == "VS"
    clashing = card.find_elements(By.CSS_SELECTOR, ".figure.is-clashing")
    assert {f.get_attribute("data-figure") for f in clashing} == set(conflict["figures"])
    sources = card.find_elements(By.CSS_SELECTOR, ".figure .source .outlet")
    names = [r["name"] for f in expected["figures"] for r in f["reports"]]
    assert [s.text for s in sources] == names

    # A citation chip opens the article beside the chat with the quote highlighted.
    chip = groups[0].find_element(By.CSS_SELECTOR, ".figure .chip")
    number = int(chip.get_attribute("data-n") or 0)
    citation = next(c for c in expected["citations"] if c["n"] == number)
    article = httpx.get(f"{live_server.url}/articles/{citation['doc_id']}").json()
    chip.click()
    (mark,) = _wait(browser, "#reader .quote-highlight")
    reader = browser.find_element(By.ID, "reader")
    assert reader.is_displayed()
    title = reader.find_element(By.ID, "reader-title").text
    assert title == (article["title"] or article["name"])
    if article["source"]:  # in the title when the article has none, else under it
        meta = reader.find_element(By.ID, "reader-meta").text
        assert article["source"] in (meta if article["title"] else title)
    assert mark.get_attribute("textContent") == citation["quote"]
    body = reader.find_element(By.ID, "reader-body").get_attribute("textContent")
    assert body == article["text"]
    assert _hex_ids(browser) == []
    assert browser.execute_script(
        "const m = arguments[0].getBoundingClientRect(),"
        " s = document.getElementById('reader-scroll').getBoundingClientRect();"
        "return m.top >= s.top && m.bottom <= s.bottom;",
        mark,
    ), "the highlighted quote is scrolled into view"

    # A follow-up in the same conversation.
    _ask(browser, KILLED)
    first, second = _wait(browser, ".answer[data-conflict]", count=2)
    assert "1" in _values(second)
    assert second.get_attribute("data-conversation-id") == first.get_attribute(
        "data-conversation-id"
    )
    conversation = first.get_attribute("data-conversation-id") or ""
    assert app_state(live_server.app).conversations.history(conversation) == (WOUNDED, KILLED)

    # Add an article through the form.
    browser.find_element(By.ID, "open-add").click()
    browser.find_element(By.ID, "add-text").send_keys(ARTICLE["text"])
    browser.find_element(By.ID, "add-title-input").send_keys(ARTICLE["title"])
    browser.find_element(By.ID, "add-source").send_keys(ARTICLE["source"])
    browser.find_element(By.ID, "submit-add").click()
    (status,) = _wait(browser, '#add-status[data-state="ok"]')
    assert status.text.startswith("Added")
    assert status.find_element(By.CSS_SELECTOR, ".added-name").text == ARTICLE["title"]
    doc_id = status.get_attribute("data-doc-id")
    listing = httpx.get(f"{live_server.url}/articles").json()["articles"]
    (added,) = [a for a in listing if a["doc_id"] == doc_id]
    assert added == {
        "doc_id": doc_id,
        "name": ARTICLE["source"],
        "source": ARTICLE["source"],
        "date": None,
        "title": ARTICLE["title"],
        "length": len(ARTICLE["text"]),
    }

    # "New conversation" forgets the old one.
    browser.find_element(By.ID, "close-add").click()
    browser.find_element(By.ID, "new-conversation").click()
    assert not browser.find_elements(By.CSS_SELECTOR, ".answer")
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_a_401_asks_for_the_key_and_retries(start_server, bundled_index, browser):
    with start_server(bundled_index, {"CROSSCHECK_API_KEY": "s3cret"}) as server:
        browser.get(server.url)
        _ask(browser, WOUNDED)
        (key,) = _wait(browser, "#key-dialog[open] #key-input")
        key.send_keys("s3cret", Keys.ENTER)
        (card,) = _wait(browser, ".answer[data-conflict]")
        assert {"23", "26"} <= set(_values(card))
        assert browser.execute_script("return localStorage.getItem('crosscheck.apiKey')") == (
            "s3cret"
        )


def test_errors_show_in_the_chat(live_server, browser):
    browser.get(live_server.url)
    browser.execute_script("document.getElementById('question').value = 'x'.repeat(2001)")
    _ask(browser, "")
    (error,) = _wait(browser, ".answer-error")
    assert "more than the limit of 2000" in error.text


def test_the_library_names_every_article_and_shows_no_hex_id(live_server, browser):
    listing = httpx.get(f"{live_server.url}/articles").json()["articles"]
    browser.get(live_server.url)
    browser.find_element(By.ID, "show-articles").click()
    links = _wait(browser, "#reader .article-link", count=len(listing))
    titles = [link.find_element(By.CSS_SELECTOR, ".article-link-title").text for link in links]
    assert titles == [a["title"] or a["name"] for a in listing]
    assert _hex_ids(browser) == []
    untitled = [a for a in listing if not a["title"]]
    for article in untitled:  # shown by name: "Article 004", never "004_72ab227803a444ef"
        assert article["name"] in titles and article["doc_id"] not in titles
    assert browser.find_element(By.ID, "reader-title").text == f"{len(listing)} articles"
    assert not browser.find_elements(By.ID, "more-articles")  # one page holds them all


def test_the_library_shows_a_page_then_more_on_request(
    tmp_path: Path, crosscheck: Any, start_server: Any, browser: webdriver.Chrome
) -> None:
    # More than the library's page of 100: 105 one-sentence articles index in about 2 s.
    wire = tmp_path / "wire.jsonl"
    records = (
        {"doc_id": f"wire-{n:03d}", "title": f"Report {n:03d}", "text": f"{n} drones flew."}
        for n in range(105)
    )
    wire.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    built = crosscheck("index", "--index-dir", tmp_path / "index", "--embedder", "hash", wire)
    assert built.returncode == 0, built.stderr
    with start_server(tmp_path / "index") as server:
        browser.get(server.url)
        browser.find_element(By.ID, "show-articles").click()
        _wait(browser, "#reader .article-link", count=100)
        assert browser.find_element(By.ID, "reader-title").text == "105 articles"
        assert len(browser.find_elements(By.CSS_SELECTOR, "#reader .article-link")) == 100
        browser.find_element(By.ID, "more-articles").click()
        links = _wait(browser, "#reader .article-link", count=105)
        titles = [link.find_element(By.CSS_SELECTOR, ".article-link-title").text for link in links]
        assert titles == [f"Report {n:03d}" for n in range(105)]  # each once, in doc id order
        assert not browser.find_elements(By.ID, "more-articles")  # the last page is shown
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def test_passages_are_listed_under_the_numbers_their_markers_use(live_server, browser):
    expected = httpx.post(f"{live_server.url}/chat", json={"message": PLACE}).json()
    assert expected["kind"] in {"names", "quotes", "none"} and expected["quotes"]
    browser.get(live_server.url)
    _ask(browser, PLACE)
    (card,) = _wait(browser, ".answer[data-kind]")
    _check_card(card, expected)
    passages = card.find_elements(By.CSS_SELECTOR, ".passages .passage")
    assert [int(p.get_attribute("data-n") or 0) for p in passages] == expected["quotes"]
    quotes = {c["n"]: c["quote"] for c in expected["citations"]}
    for passage, n in zip(passages, expected["quotes"], strict=True):
        assert _chips(passage) == [n]
        assert passage.find_element(By.CSS_SELECTOR, "blockquote").text == quotes[n].strip()
    # The numbers the text gives are the numbers listed ("The closest passages are [1][6][11]").
    listed = [n for note in expected["notes"] for n in _markers(note["text"])]
    assert set(listed) <= set(expected["quotes"])


def test_the_question_box_has_no_scrollbar_after_an_answer(live_server, browser):
    browser.get(live_server.url)
    _ask(browser, WOUNDED)
    _wait(browser, ".answer[data-conflict]")
    box = browser.find_element(By.ID, "question")
    size = browser.execute_script(
        "const q = arguments[0], s = getComputedStyle(q);"
        "return {scroll: q.scrollHeight, client: q.clientHeight, offset: q.offsetHeight,"
        " inner: q.clientWidth, outer: q.offsetWidth, overflow: s.overflowY,"
        " borders: parseFloat(s.borderLeftWidth) + parseFloat(s.borderRightWidth),"
        " line: parseFloat(s.lineHeight)};",
        box,
    )
    assert size["scroll"] <= size["client"]
    assert size["outer"] - size["inner"] == size["borders"]  # no vertical scrollbar's width
    assert size["overflow"] == "hidden"
    assert size["offset"] < 2 * size["line"] + 30  # still one line high

    # A long question grows the box up to its max-height, then scrolls.
    browser.execute_script(
        "arguments[0].value = 'line\\n'.repeat(40);arguments[0].dispatchEvent(new Event('input'));",
        box,
    )
    grown = browser.execute_script(
        "const q = arguments[0];"
        "return {offset: q.offsetHeight, overflow: getComputedStyle(q).overflowY,"
        " max: parseFloat(getComputedStyle(q).maxHeight)};",
        box,
    )
    assert grown == {"offset": grown["max"], "overflow": "auto", "max": 200}


def _card(driver: webdriver.Chrome, url: str, question: str) -> tuple[str, str]:
    """Ask ``question`` in a new conversation: the card's headline, and the rest of the card
    (its HTML without the headline and the conversation id)."""
    driver.get(url)
    _ask(driver, question)
    (card,) = _wait(driver, ".answer[data-kind]")
    headline: str
    rest: str
    headline, rest = driver.execute_script(
        "const card = arguments[0].cloneNode(true), headline = card.querySelector('.headline');"
        "headline.remove(); card.removeAttribute('data-conversation-id');"
        "return [headline.textContent, card.outerHTML];",
        card,
    )
    return headline, rest


def test_a_new_headline_wording_shows_on_the_page_and_in_slack_and_nothing_else_changes(
    live_server, bundled_index, browser, monkeypatch
):
    # Slack's blocks from an engine in this process over the server's index (the same answers).
    embedder = make_embedder(EmbedderKind.HASH)
    engine = AnswerEngine(open_index(bundled_index, embedder), embedder)

    def slack_blocks() -> list[dict[str, Any]]:
        return answer_blocks(engine.ask(WOUNDED), {})

    old_pattern = composer.HEADLINES["conflict"]
    assert old_pattern == "The sources disagree on {about}: {values}."
    old_headline, old_card = _card(browser, live_server.url, WOUNDED)
    old_blocks = slack_blocks()

    monkeypatch.setitem(composer.HEADLINES, "conflict", "Outlets part ways on {about}: {values}!")
    new_headline, new_card = _card(browser, live_server.url, WOUNDED)
    new_blocks = slack_blocks()

    assert old_headline.startswith("The sources disagree on people wounded: ")
    expected = old_headline.replace("The sources disagree on", "Outlets part ways on")[:-1] + "!"
    assert new_headline == expected
    assert new_card == old_card
    assert old_blocks[0]["text"]["text"] == f":warning: *{old_headline}*"
    assert new_blocks[0]["text"]["text"] == f":warning: *{expected}*"
    assert new_blocks[1:] == old_blocks[1:]

"""The chat page in a real browser (headless Chromium) against a live server.

Skipped only where Chromium is missing and ``CI`` is unset; CI installs it and must run this.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from bot.state import app_state

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("needs /usr/bin/chromium (CI installs it)", allow_module_level=True)

# 000: "wounded at least 26 others"; 001: "23 were wounded". One story, two counts.
WOUNDED = "How many people were wounded?"
KILLED = "And how many were killed?"
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


def test_ask_read_a_citation_follow_up_and_add_an_article(live_server, browser):
    expected = httpx.post(f"{live_server.url}/chat", json={"message": WOUNDED}).json()
    browser.get(live_server.url)
    assert browser.title == "crosscheck"

    # Ask: the answer card says the sources disagree and sets 23 against 26, side by side.
    _ask(browser, WOUNDED)
    (card,) = _wait(browser, ".answer[data-conflict]")
    badge = card.find_element(By.CSS_SELECTOR, ".badge-conflict")
    assert badge.is_displayed() and badge.text.endswith("Sources disagree")
    assert sorted(_values(card)) == ["23", "26"]
    figures = card.find_elements(By.CSS_SELECTOR, ".figures-conflict .figure")
    texts = [f.find_element(By.CSS_SELECTOR, ".figure-value").text for f in figures]
    assert any("26" in t for t in texts) and any("23" in t for t in texts)
    assert figures[0].location["y"] == figures[1].location["y"]  # side by side
    assert card.find_element(By.CSS_SELECTOR, ".headline").text.startswith(
        expected["answer"].splitlines()[0].split("[")[0].strip()
    )

    # A citation chip opens the article beside the chat with the quote highlighted.
    chip = figures[0].find_element(By.CSS_SELECTOR, ".chip")
    number = int(chip.get_attribute("data-n") or 0)
    citation = next(c for c in expected["citations"] if c["n"] == number)
    article = httpx.get(f"{live_server.url}/articles/{citation['doc_id']}").json()
    chip.click()
    (mark,) = _wait(browser, "#reader .quote-highlight")
    reader = browser.find_element(By.ID, "reader")
    assert reader.is_displayed()
    title = reader.find_element(By.ID, "reader-title").text
    assert title == (article["title"] or article["doc_id"])
    if article["source"]:
        assert article["source"] in reader.find_element(By.ID, "reader-meta").text
    assert mark.get_attribute("textContent") == citation["quote"]
    body = reader.find_element(By.ID, "reader-body").get_attribute("textContent")
    assert body == article["text"]
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
        assert sorted(_values(card)) == ["23", "26"]
        assert browser.execute_script("return localStorage.getItem('crosscheck.apiKey')") == (
            "s3cret"
        )


def test_errors_show_in_the_chat(live_server, browser):
    browser.get(live_server.url)
    browser.execute_script("document.getElementById('question').value = 'x'.repeat(2001)")
    _ask(browser, "")
    (error,) = _wait(browser, ".answer-error")
    assert "more than the limit of 2000" in error.text

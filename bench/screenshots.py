"""Screenshots of the chat page in headless Chromium, on the bundled articles with the real model.

    python -m bench.screenshots [OUT_DIR] [--index-dir DIR]

Serves crosscheck (uvicorn in a thread on 127.0.0.1, the default embedder) and saves to OUT_DIR
(default /tmp/crosscheck-shots): ``conflict.png`` (an answer whose sources disagree),
``reconciled.png`` (values that only look different, shown as one group), ``reader.png`` (a
citation opened in the side panel) and ``library.png`` (the article library). Exits 1 when a
page shows a hex doc id. Needs /usr/bin/chromium and /usr/bin/chromedriver.
"""

import argparse
import re
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from bot.api import create_app
from bot.settings import Settings

CONFLICT = "How many people were wounded?"
RECONCILED = "How many drones and missiles were launched?"
HEX_ID = re.compile(r"\b[0-9a-f]{12,}\b")


@contextmanager
def serving(index_dir: Path) -> Iterator[str]:
    """A crosscheck server over ``index_dir`` (built from the bundled articles if empty): its
    URL."""
    settings = Settings.from_environ(
        {"CROSSCHECK_INDEX_DIR": str(index_dir), "CROSSCHECK_RATE_LIMIT": "0"}
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(url, seconds=300)  # the first run builds the index with the model
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _wait_until_ready(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server was not ready in {seconds:.0f} s")


def chromium(profile: Path) -> webdriver.Chrome:
    """Headless Chromium, 1280 by 900, with a throwaway profile."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
        "--force-prefers-reduced-motion",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    # The page itself 1280 by 900, whatever the window's frame takes.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


def wait_for(driver: webdriver.Chrome, css: str, count: int = 1) -> None:
    """Wait until ``count`` elements match ``css``."""
    WebDriverWait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, css)) >= count)


def ask(driver: webdriver.Chrome, question: str, count: int) -> None:
    """Ask ``question`` and wait for the ``count``-th answer card; scroll to its question."""
    box = driver.find_element(By.ID, "question")
    box.send_keys(question, Keys.ENTER)
    wait_for(driver, ".answer[data-kind]", count)
    turns = driver.find_elements(By.CSS_SELECTOR, ".turn")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", turns[-1])


def shoot(driver: webdriver.Chrome, path: Path) -> list[str]:
    """Save a screenshot to ``path``; the hex ids visible on the page (none, we hope)."""
    time.sleep(0.3)  # let the layout settle after scrolling
    driver.save_screenshot(str(path))
    text: str = driver.execute_script("return document.body.innerText")
    return HEX_ID.findall(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", default=Path("/tmp/crosscheck-shots"))
    parser.add_argument("--index-dir", type=Path, help="default: a fresh temporary index")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    leaks: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index_dir or Path(scratch) / "index"
        with serving(index_dir) as url:
            driver = chromium(Path(scratch) / "profile")
            try:
                driver.get(url)
                ask(driver, CONFLICT, 1)
                leaks["conflict.png"] = shoot(driver, args.out / "conflict.png")
                driver.find_element(By.ID, "new-conversation").click()
                ask(driver, RECONCILED, 1)
                leaks["reconciled.png"] = shoot(driver, args.out / "reconciled.png")
                driver.find_element(By.ID, "new-conversation").click()
                ask(driver, CONFLICT, 1)
                driver.find_element(By.CSS_SELECTOR, ".answer .figure .chip").click()
                wait_for(driver, "#reader .quote-highlight")
                leaks["reader.png"] = shoot(driver, args.out / "reader.png")
                driver.find_element(By.ID, "show-articles").click()
                wait_for(driver, "#reader .article-link")
                leaks["library.png"] = shoot(driver, args.out / "library.png")
            finally:
                driver.quit()
    for name, found in leaks.items():
        print(f"{args.out / name}" + (f"  HEX IDS SHOWN: {', '.join(found)}" if found else ""))
    return 1 if any(leaks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

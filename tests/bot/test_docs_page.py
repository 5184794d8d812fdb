"""``/docs`` and ``/redoc`` work offline: their scripts and styles are served by the server
itself (from the fastapi-offline package), never from a CDN."""

import re
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.bot.test_web_page import browser as browser  # the headless Chromium fixture

ASSET = re.compile(r'(?:src|href)="([^"]+)"')
TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@pytest.mark.parametrize(
    ("page", "assets"),
    [
        (
            "/docs",
            [
                "/docs-assets/swagger-ui.css",
                "/docs-assets/favicon.png",
                "/docs-assets/swagger-ui-bundle.js",
            ],
        ),
        ("/redoc", ["/docs-assets/favicon.png", "/docs-assets/redoc.standalone.js"]),
    ],
)
def test_the_docs_pages_load_only_local_assets(
    module_server: Any, page: str, assets: list[str]
) -> None:
    html = httpx.get(f"{module_server.url}{page}").text
    assert ASSET.findall(html) == assets
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    for asset in assets:
        response = httpx.get(f"{module_server.url}{asset}")
        suffix = asset[asset.rindex(".") :]
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == TYPES[suffix]
        assert len(response.content) > 1000  # the real file, not an error page


def test_swagger_ui_renders_the_api_with_no_network(
    module_server: Any, browser: webdriver.Chrome
) -> None:
    # Every https URL is blocked (the CDNs Swagger UI loads from by default are https): the
    # page renders from the server's own files or not at all.
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["https://*"]})
    browser.get(f"{module_server.url}/docs")
    title = WebDriverWait(browser, 20).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".swagger-ui .info .title")
    )[0]
    assert title.text.startswith("crosscheck")
    paths = {
        e.text.replace("\u200b", "")
        for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    }
    assert {"/chat", "/articles", "/v1/chat/completions", "/health"} <= paths

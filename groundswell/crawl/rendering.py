"""Pages that only show their mentions after JavaScript runs: sources with ``render = true``.

Their requests go through a headless Chromium driven by Playwright (scrapy-playwright), the
browser the system has (Debian's ``chromium``; ``[crawl] browser_path``), never a downloaded
one. Only a crawl of such a source installs the Playwright download handler, so other crawls
start no browser.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from scrapy.settings import Settings

from groundswell.errors import GroundswellError

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


class BrowserMissingError(GroundswellError, RuntimeError):
    """A source needs rendering and no Chromium was found."""


def find_browser(configured: str | None = None) -> str:
    """The configured browser executable, else the first Chromium on PATH."""
    if configured:
        if not Path(configured).is_file():
            raise BrowserMissingError(f"[crawl] browser_path: no browser at {configured}")
        return configured
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissingError(
        "render = true needs Chromium: install it (scripts/install-browser.sh) "
        "or set [crawl] browser_path"
    )


def use_browser(settings: Settings, browser_path: str) -> None:
    """Send requests marked ``playwright`` through a headless Chromium at ``browser_path``;
    a page gets ``DOWNLOAD_TIMEOUT`` to load, as a plain fetch does."""
    handlers = {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}
    settings.set("DOWNLOAD_HANDLERS", handlers, priority="cmdline")
    settings.set("TWISTED_REACTOR", ASYNCIO_REACTOR, priority="cmdline")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="cmdline")
    launch = {"executable_path": browser_path, "headless": True}
    settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, priority="cmdline")
    timeout_ms = settings.getfloat("DOWNLOAD_TIMEOUT") * 1000
    settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", timeout_ms, priority="cmdline")


def render_meta(wait_for: str | None) -> dict:
    """Request meta for a rendered page: wait for ``wait_for`` (a CSS selector) to appear,
    else for the network to go quiet, before the page's HTML is read."""
    from scrapy_playwright.page import PageMethod

    wait = (
        PageMethod("wait_for_selector", wait_for, state="attached")
        if wait_for
        else PageMethod("wait_for_load_state", "networkidle")
    )
    return {"playwright": True, "playwright_page_methods": [wait]}

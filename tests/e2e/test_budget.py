"""The PWA's budgets, each printed with its figure: the app shell (all JavaScript and CSS)
under 200 KB gzipped; a first load on an emulated slow 4G link under 3 s; a start with no
signal, from the service worker and IndexedDB, under 1 s. Times run from asking for the
page to the screen being in it, read on the test's own clock: the page's clock is the
suite's frozen one (tests/e2e/conftest.py), whose performance.now() is not the browser's."""

from __future__ import annotations

import gzip
import time

from playwright.sync_api import Page

from backend.webapp import DIST
from tests.e2e.conftest import todays_visit

SHELL_BUDGET_BYTES = 200 * 1024
FIRST_LOAD_BUDGET_MS = 3000
OFFLINE_START_BUDGET_MS = 1000
# Chrome DevTools' "Slow 4G" preset: 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up.
SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 1.44e6 / 8, "uploadThroughput": 675e3 / 8}


def drawn_after(page: Page, url: str, selector: str) -> float:
    """Milliseconds from asking for `url` to `selector` first being in the page."""
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(selector, state="attached", timeout=15000)
    return (time.perf_counter() - start) * 1000


def test_app_shell_fits_the_budget() -> None:
    assets = [p for p in (DIST / "assets").glob("*") if p.suffix in (".js", ".css")]
    assert assets, "The PWA is not built: `make test` builds it"
    gzipped = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in assets)
    print(f"app shell: {gzipped / 1024:.1f} KB gzipped in {len(assets)} files (budget {SHELL_BUDGET_BYTES // 1024} KB)")
    assert gzipped < SHELL_BUDGET_BYTES


def test_first_load_on_slow_4g(page: Page, live_server: str) -> None:
    """A phone that has never opened the app: nothing cached, every file over slow 4G,
    until the sign-in screen (which asked the server who is signed in) is drawn."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    elapsed = drawn_after(page, live_server, "main button.primary")
    print(f"first load on slow 4G: {elapsed:.0f} ms (budget {FIRST_LOAD_BUDGET_MS} ms)")
    assert elapsed < FIRST_LOAD_BUDGET_MS


def test_offline_start(page: Page, live_server: str, database_url: str) -> None:
    """An inspector who opened Today once with signal starts the app in airplane mode: the
    shell from the service worker, the day's visits from IndexedDB."""
    visit = todays_visit(page, live_server, database_url, "郑洁")
    page.context.set_offline(True)
    elapsed = drawn_after(page, f"{live_server}/today", ".visit-card")
    assert visit["enterprise"] in page.locator(".visit-card").first.inner_text()
    print(f"offline start to today's visits: {elapsed:.0f} ms (budget {OFFLINE_START_BUDGET_MS} ms)")
    assert elapsed < OFFLINE_START_BUDGET_MS

"""The PWA's budgets that do not depend on the machine, each printed with its figure: the
app shell (all JavaScript and CSS) under 200 KB gzipped; the bytes a first load fetches
before the sign-in screen is drawn (what its time on slow 4G is made of); a start with no
signal drawn from the service worker and IndexedDB alone. The times themselves (first
load on slow 4G under 3 s, offline start under 1 s) are measured by bench/pwa.py."""

from __future__ import annotations

import gzip

from playwright.sync_api import Page, Request

from backend.webapp import DIST
from tests.e2e.conftest import todays_visit

SHELL_BUDGET_BYTES = 200 * 1024
# The page, the scripts it needs first and the server's first answers, as sent: at slow
# 4G's 1.44 Mbit/s about 1.1 s, which leaves the 3 s budget three round trips (0.56 s each).
FIRST_LOAD_BUDGET_BYTES = 200 * 1024


def test_app_shell_fits_the_budget() -> None:
    assets = [p for p in (DIST / "assets").glob("*") if p.suffix in (".js", ".css")]
    assert assets, "The PWA is not built: `make test` builds it"
    gzipped = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in assets)
    print(f"app shell: {gzipped / 1024:.1f} KB gzipped in {len(assets)} files (budget {SHELL_BUDGET_BYTES // 1024} KB)")
    assert gzipped < SHELL_BUDGET_BYTES


def test_a_first_load_fetches_within_the_budget(page: Page, live_server: str) -> None:
    """A phone that has never opened the app: nothing cached, every file fetched, until
    the sign-in screen (which asked the server who is signed in) is drawn."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    fetched: list[Request] = []
    page.on("requestfinished", lambda request: fetched.append(request))
    page.goto(live_server)
    page.wait_for_selector("main button.primary", state="attached")
    sizes = [r.sizes() for r in fetched]
    sent = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    print(f"first load: {sent / 1024:.1f} KB in {len(sizes)} responses (budget {FIRST_LOAD_BUDGET_BYTES // 1024} KB)")
    assert sent < FIRST_LOAD_BUDGET_BYTES


def test_offline_start(page: Page, live_server: str, database_url: str) -> None:
    """An inspector who opened Today once with signal starts the app in airplane mode: the
    shell from the service worker, the day's visits from IndexedDB."""
    visit = todays_visit(page, live_server, database_url, "郑洁")
    page.context.set_offline(True)
    page.goto(f"{live_server}/today")
    page.wait_for_selector(".visit-card", state="attached")
    assert visit["enterprise"] in page.locator(".visit-card").first.inner_text()

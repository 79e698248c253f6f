"""PWA benchmark: the phone's two waits, in Chromium at 390x844 against the real server.

- A first load on Chrome DevTools' "Slow 4G" preset (562.5 ms round trip, 1.44 Mbit/s
  down), nothing cached: from asking for the page to the sign-in screen (which asked the
  server who is signed in) being drawn. Each run in a fresh browser context.
- A start with no signal: an inspector who opened 今日任务 once with signal starts the
  app in airplane mode; from asking for /today to the day's visit being drawn (the shell
  from the service worker, the visits from IndexedDB).

Loads 30 demo enterprises into a temporary SQLite database, plans today's visit for a
new inspector of Huimin, and serves with `dossier serve`. The last line is

    RESULT runs=… first_load_slow4g_p50_ms=… first_load_slow4g_max_ms=… offline_start_p50_ms=… offline_start_max_ms=…

Goals (the PWA's budgets): first load under 3 s, offline start under 1 s. The shell's
size, which does not depend on the machine, is asserted by tests/e2e/test_budget.py.

    .venv/bin/python bench/pwa.py
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from uuid import uuid4

from common import median, scratch_database, server, signed_in
from playwright.sync_api import Browser, Page, sync_playwright

from backend import db, demo
from backend.access import SYSTEM
from backend.clock import bureau_today
from backend.enterprises.tables import Enterprise
from backend.inspections import service as inspections
from backend.inspections.schemas import VisitPlan
from backend.inspections.tables import ChecklistVersion, VisitType
from backend.media.store import LocalMediaStore

CHROMIUM = "/usr/bin/chromium"
HUIMIN = "371621"
SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 1.44e6 / 8, "uploadThroughput": 675e3 / 8}


async def prepare(url: str, media: str) -> str:
    """Demo data and a new inspector of Huimin with a visit planned for today; their session token."""
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(30, history=False, store=LocalMediaStore(media))
        me, token = await signed_in("inspector", HUIMIN, "测试员甲")
        colleague, _ = await signed_in("inspector", HUIMIN, "测试员乙")
        enterprise = await Enterprise.select(Enterprise.id).where(Enterprise.county_code == HUIMIN).first()
        checklist = await ChecklistVersion.select(ChecklistVersion.id).first()
        await inspections.plan_visit(SYSTEM, VisitPlan(
            id=uuid4(), enterprise_id=enterprise["id"], checklist_id=checklist["id"], visit_type=VisitType.routine,
            planned_date=bureau_today(), team=[me, colleague]), bureau_today())
        return token


def drawn_after(page: Page, url: str, selector: str) -> float:
    """Milliseconds from asking for ``url`` to ``selector`` first being in the page."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(selector, state="attached", timeout=30000)
    return (time.perf_counter() - started) * 1000


def phone(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                               timezone_id="Asia/Shanghai").new_page()


def first_load(browser: Browser, origin: str) -> float:
    page = phone(browser)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    try:
        return drawn_after(page, origin, "main button.primary")
    finally:
        page.context.close()


def offline_starts(browser: Browser, origin: str, token: str, runs: int) -> list[float]:
    page = phone(browser)
    page.context.add_cookies([{"name": "dossier_session", "value": token, "url": origin}])
    page.goto(f"{origin}/today")
    page.wait_for_selector('[data-testid="offline-ready"]', timeout=60000)  # all kept, the service worker ready
    page.context.set_offline(True)
    try:
        return [drawn_after(page, f"{origin}/today", ".visit-card") for _ in range(runs)]
    finally:
        page.context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed loads of each kind")
    args = parser.parse_args()
    with scratch_database(None) as url, tempfile.TemporaryDirectory() as media:
        token = asyncio.run(prepare(url, media))
        with server(url, token, media_root=media) as client, sync_playwright() as playwright:
            origin = str(client.base_url).rstrip("/")
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            first_load(browser, origin)  # untimed: the server's first answers warm its caches
            loads = [first_load(browser, origin) for _ in range(args.runs)]
            starts = offline_starts(browser, origin, token, args.runs)
            browser.close()
    print("first loads on slow 4G (ms):", " ".join(f"{v:.0f}" for v in loads))
    print("offline starts (ms):", " ".join(f"{v:.0f}" for v in starts))
    print(f"RESULT runs={args.runs} first_load_slow4g_p50_ms={median(loads):.0f} first_load_slow4g_max_ms={max(loads):.0f} "
          f"offline_start_p50_ms={median(starts):.0f} offline_start_max_ms={max(starts):.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

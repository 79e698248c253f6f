"""The public verification page in a real browser: a phone 390 px wide, not signed in,
JavaScript off, opening /v/{code} from a demo notice's QR code."""

from __future__ import annotations

from playwright.sync_api import Browser

from backend import db
from backend.notices.tables import Notice
from tests.conftest import run_async
from tests.e2e.conftest import ARTIFACTS


async def _codes(database_url: str) -> dict[str, str]:
    async with db.connected(database_url):
        rows = await Notice.select(Notice.code, Notice.status).order_by(Notice.code)
    return {row["status"]: row["code"] for row in rows}


def test_verify_page_on_a_phone_without_javascript(browser: Browser, live_server: str, database_url: str) -> None:
    codes = run_async(_codes(database_url))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        for status, verdict in (("current", "真实有效"), ("replaced", "已失效")):
            response = page.goto(f"{live_server}/v/{codes[status]}")
            assert response is not None and response.status == 200
            assert page.locator("h1").inner_text() == verdict
            assert page.locator("dd").first.inner_text() == codes[status]
            assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"verify-{status}.png"), full_page=True)
        missing = page.goto(f"{live_server}/v/ZZZZ2222")
        assert missing is not None and missing.status == 404 and page.locator("h1").inner_text() == "未找到"
    finally:
        context.close()

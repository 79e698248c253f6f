"""A long list exported by a job in Chromium at 390 px: the registry (not counted) with
more than one page goes to a job; the screen shows its progress, then a 下载 link whose
file is the whole list under its Chinese name."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, Route, expect

from backend.clock import bureau_today
from tests.e2e.conftest import call, enrol, screenshot
from tests.factories import enterprise_body


def test_a_long_registry_exports_by_a_job(page: Page, live_server: str) -> None:
    enrol(page, live_server, "admin", region="370000")
    for n in range(2):  # past the demo's 30: the registry has a second page of 30
        created = call(page, "POST", "/api/enterprises", data=enterprise_body(900 + n))
        assert created.status == 201, created.text()
    listed = 0
    cursor = None
    while True:
        page_of = call(page, "GET", f"/api/enterprises?limit=100{f'&cursor={cursor}' if cursor else ''}").json()
        listed += len(page_of["items"])
        if not (cursor := page_of["next_cursor"]):
            break

    polls: list[str] = []

    def first_poll_running(route: Route) -> None:  # the first poll says the job is half way (it is quick here)
        polls.append(route.request.url)
        if len(polls) > 1:
            return route.continue_()
        job = route.fetch().json()
        route.fulfill(json={**job, "status": "running", "rows_done": 10, "rows_total": listed, "file_size": None})

    page.route(re.compile(r".*/api/exports/jobs/[0-9a-f-]{36}$"), first_poll_running)
    page.goto(f"{live_server}/enterprises")
    expect(page.locator("ul.cards li").first).to_be_visible()
    page.get_by_role("button", name="导出 CSV").click()
    expect(page.get_by_role("status").filter(has_text=f"导出中… 10 / {listed}")).to_be_visible()
    expect(page.locator(".export progress")).to_have_attribute("value", "10")
    done = page.get_by_role("status").filter(has_text=f"已导出 {listed} 行")
    expect(done).to_be_visible(timeout=30_000)
    screenshot(page, "export-job")
    with page.expect_download() as saved:
        done.get_by_role("link", name="下载").click()
    assert saved.value.suggested_filename == f"企业名录-{bureau_today()}.csv"
    rows = list(csv.reader(io.StringIO(Path(saved.value.path()).read_bytes().decode("utf-8-sig"))))
    assert len(rows) == listed + 1 and rows[0][0]

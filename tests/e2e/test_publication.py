"""Publication (一公开) in Chromium: a supervisor publishes the demo plan's accepted results
(a ticked one, then everything due after a confirmation) and the public page shows them;
an admin enters a day of a year's holiday arrangement and deletes it."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from backend import clock, db
from backend.inspections.tables import Visit, VisitStatus
from backend.plans.tables import PlanDraw
from backend.publication.tables import Publication
from tests.conftest import run_async
from tests.e2e.conftest import DATABASES, call, enrol, screenshot


def two_due_one_late(origin: str) -> tuple[str, str]:
    """The demo plan's accepted results all wait for publication (the one the demo
    published is taken back), and the first was accepted two months ago: it is late.
    Their enterprises' names, the late one first."""
    async def change() -> tuple[str, str]:
        async with db.connected(DATABASES[origin]):
            await Publication.delete(force=True)
            accepted = await PlanDraw.select(PlanDraw.visit, PlanDraw.enterprise.name.as_alias("name")).where(
                PlanDraw.visit.status == VisitStatus.accepted).order_by(PlanDraw.visit.planned_date)
            assert len(accepted) == 2, accepted
            await Visit.update({Visit.reviewed_at: clock.now() - timedelta(days=60)}).where(
                Visit.id == accepted[0]["visit"])
            return accepted[0]["name"], accepted[1]["name"]

    return run_async(change())


def test_a_supervisor_publishes_due_results_and_the_public_page_shows_them(page: Page, live_server: str) -> None:
    late, on_time = two_due_one_late(live_server)
    enrol(page, live_server, role="supervisor", region="371600")
    page.get_by_role("link", name="公开", exact=True).click()
    expect(page.get_by_role("heading", name="结果公示")).to_be_visible()
    expect(page.get_by_text("待公示 2 条，其中 1 条已超过公示期限")).to_be_visible()
    expect(page.locator(".pub-card.late")).to_have_count(1)
    expect(page.locator(".pub-card.late")).to_contain_text(late)
    expect(page.locator(".pub-card.late .pub-days")).to_contain_text("逾期")
    expect(page.locator(f'.pub-card[data-enterprise="{on_time}"] .pub-days')).to_contain_text("还剩")
    screenshot(page, "publication")

    # Only the late ones, one ticked and published.
    page.get_by_role("button", name="已逾期").click()
    expect(page.locator(".pub-card")).to_have_count(1)
    page.get_by_label(late, exact=True).check()
    expect(page.get_by_text("已选 1 条")).to_be_visible()
    page.get_by_role("button", name="公开所选").click()
    expect(page.get_by_text("已公开 1 条结果（其中 1 条超过公示期限），公示页面已可查看。")).to_be_visible()
    expect(page.get_by_text("待公示 1 条")).to_be_visible()

    # Everything due, after a confirmation; then nothing waits.
    page.get_by_role("button", name="一键公开全部待公示结果").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("将公开你管辖范围内全部 1 条待公示结果")
    dialog.scroll_into_view_if_needed()
    screenshot(page, "publication-confirm")
    dialog.get_by_role("button", name="确定公开").click()
    expect(page.get_by_text("已公开 1 条结果，公示页面已可查看。")).to_be_visible()
    expect(page.get_by_text("没有待公示的结果。随机抽查的检查记录审核通过后会出现在这里。")).to_be_visible()

    # Both are published, the late one marked, and anyone reads them on the public page.
    page.get_by_role("button", name="已公示").click()
    expect(page.locator(f'.card[data-enterprise="{late}"]')).to_contain_text("逾期公示")
    expect(page.locator(f'.card[data-enterprise="{on_time}"]')).to_be_visible()
    expect(page.locator(f'.card[data-enterprise="{on_time}"]')).not_to_contain_text("逾期公示")
    screenshot(page, "publication-published")
    assert page.get_by_role("link", name="打开公示页面（无需登录）").get_attribute("href") == "/gs"
    page.context.clear_cookies()
    page.goto(f"{live_server}/gs")
    for name in (late, on_time):
        expect(page.get_by_role("heading", name=name)).to_be_visible()


def test_an_admin_enters_a_holiday_the_calendar_library_does_not_know(page: Page, live_server: str) -> None:
    enrol(page, live_server, role="admin", region="370000")
    page.get_by_role("link", name="工作日调整").click()
    expect(page.get_by_text("chinese-calendar 日历库")).to_be_visible()
    expect(page.get_by_text("2026 年没有录入的日子")).to_be_visible()
    page.get_by_label("日期").fill("2027-02-10")
    page.get_by_label("这一天是").select_option(label="休息日（放假）")
    page.get_by_label("说明").fill("春节")
    page.get_by_role("button", name="保存这一天").click()
    day = page.locator('[data-day="2027-02-10"]')
    expect(day).to_contain_text("休息日")
    expect(day).to_contain_text("春节")
    expect(day).to_contain_text("星期三")
    assert call(page, "GET", "/api/workday-adjustments?year=2027").json() == [
        {"day": "2027-02-10", "working": False, "note": "春节"}]
    screenshot(page, "admin-workdays")

    day.get_by_role("button", name="删除").click()
    expect(page.get_by_text("2027 年没有录入的日子")).to_be_visible()
    assert call(page, "GET", "/api/workday-adjustments?year=2027").json() == []

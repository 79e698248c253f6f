"""Planning and doing visits in the app (issue 17): a newcomer inspector with nothing
planned starts a visit on the spot with the colleague who is with them, and a supervisor
plans visits to enterprises chosen in the registry for a team of two, which reach the
inspector's 今日任务. At 390x844."""

from __future__ import annotations

from typing import Callable

from playwright.sync_api import Page, expect

from backend import db
from backend.accounts.tables import User
from backend.enterprises.tables import ControlPoint, Enterprise
from backend.inspections.tables import Visit
from tests.conftest import run_async
from tests.e2e.conftest import HUIMIN, enrol, screenshot
from tests.e2e.test_offline_visit import sign, start_and_answer

ALL_SENT = "全部已发送，没有待发送的记录。"


def huimin_enterprise(database_url: str) -> str:
    """The name of a Huimin enterprise with control points (as the planned-visit tests use)."""
    async def find() -> str:
        async with db.connected(database_url):
            point = await ControlPoint.select(ControlPoint.enterprise).where(
                ControlPoint.enterprise.county_code == HUIMIN).order_by(ControlPoint.position).first()
            return (await Enterprise.select(Enterprise.name).where(Enterprise.id == point["enterprise"]).first())["name"]

    return run_async(find())


def visits_of(database_url: str, name: str) -> list[dict]:
    """The visits whose team includes the user called ``name``, with their team's names."""
    async def find() -> list[dict]:
        async with db.connected(database_url):
            user = await User.select(User.id).where(User.display_name == name).first()
            names = {str(u["id"]): u["display_name"] for u in await User.select(User.id, User.display_name)}
            rows = await Visit.select(Visit.status, Visit.team, Visit.signatures, Visit.enterprise.name.as_alias("firm"),
                                      Visit.planned_date).output(load_json=True)
            return [{**r, "team": [names[str(m)] for m in r["team"]]} for r in rows
                    if str(user["id"]) in {str(m) for m in r["team"]}]

    return run_async(find())


def test_a_newcomer_starts_a_visit_with_a_colleague_and_submits_it(page: Page, live_server: str, database_url: str) -> None:
    enrol(page, live_server, role="inspector", region=HUIMIN, name="欧阳新")
    page.goto(f"{live_server}/today")
    start = page.get_by_test_id("start-work")
    expect(start).to_be_visible()  # nothing planned: the empty state leads to planning or a visit on the spot
    expect(page.get_by_test_id("offline-ready")).to_be_visible()  # the roster is kept with the rest
    screenshot(page, "planning-today-newcomer")

    firm = huimin_enterprise(database_url)
    start.get_by_role("link", name="现场检查：在企业名录中找到企业").click()
    page.get_by_placeholder("搜索").fill(firm)
    page.locator("a.card", has_text=firm).click()
    page.get_by_role("link", name="现场检查（与同行同事）").click()
    expect(page.get_by_role("heading", name="新建检查")).to_be_visible()
    team = page.get_by_role("group", name="检查组")
    expect(team.get_by_role("button", name="欧阳新", exact=True)).to_have_count(0)  # the inspector is on it already
    create = page.get_by_role("button", name="创建并开始")
    expect(create).to_be_disabled()  # not alone
    team.get_by_role("button", name="张伟", exact=True).click()
    screenshot(page, "planning-visit-now-team")
    create.click()

    start_and_answer(page)

    colleague = page.locator('[data-signer="colleague"]')
    expect(colleague).to_contain_text("张伟")  # the team's colleague, not a name typed at will
    expect(colleague.locator("input")).to_have_count(0)
    expect(page.locator('[data-signer="me"]')).to_contain_text("欧阳新")
    sign(page, "me")
    sign(page, "colleague")
    page.locator('[data-signer="enterprise"] input[placeholder="签名人姓名"]').fill("刘建国")
    sign(page, "enterprise")
    page.get_by_role("button", name="限期整改").click()

    page.get_by_role("button", name="提交检查（离线也可）").click()
    summary = page.get_by_role("dialog", name="确认提交这次检查")
    expect(summary).to_contain_text("已检查 2/")
    expect(summary).to_contain_text("发现问题 1 项")
    expect(summary).to_contain_text("照片和视频 1 个")
    expect(summary).to_contain_text("签名：欧阳新、张伟、刘建国")
    expect(summary).to_contain_text("限期整改")
    screenshot(page, "planning-submit-summary")
    summary.get_by_role("button", name="返回修改").click()  # nothing sent: back to the visit
    expect(summary).to_have_count(0)
    assert visits_of(database_url, "欧阳新") == []

    page.get_by_role("button", name="提交检查（离线也可）").click()
    summary.get_by_role("button", name="确认提交").click()
    expect(page.get_by_text(ALL_SENT)).to_be_visible(timeout=20000)
    [visit] = visits_of(database_url, "欧阳新")
    assert visit["status"] == "submitted" and visit["team"] == ["欧阳新", "张伟"] and visit["firm"] == firm
    assert [s["name"] for s in visit["signatures"]] == ["欧阳新", "张伟", "刘建国"]


def test_a_supervisor_plans_visits_to_two_enterprises_for_a_team_of_two(
        page: Page, new_page: Callable[[], Page], live_server: str, database_url: str) -> None:
    inspector = new_page()
    enrol(inspector, live_server, role="inspector", region=HUIMIN, name="钱进")
    enrol(page, live_server, role="supervisor", region=HUIMIN, name="孙科长")

    page.goto(f"{live_server}/enterprises")
    page.get_by_role("button", name="选择企业计划检查").click()
    cards = page.locator("button.card.pick")
    expect(cards.first).to_be_visible()
    firms = [cards.nth(i).locator("strong").inner_text() for i in (0, 1)]
    cards.nth(0).click()
    cards.nth(1).click()
    expect(page.get_by_text("已选 2 家")).to_be_visible()
    screenshot(page, "planning-registry-chosen")
    page.get_by_role("link", name="计划检查 →").click()

    expect(page.get_by_text("为 2 家企业计划检查")).to_be_visible()
    plan = page.get_by_role("button", name="计划这 2 次检查")
    team = page.get_by_role("group", name="检查组（至少两人）")
    team.get_by_role("button", name="钱进").click()
    expect(plan).to_be_disabled()  # a team of one is no team
    team.get_by_role("button", name="张伟", exact=True).click()
    screenshot(page, "planning-form")
    plan.click()
    expect(page.get_by_text("已计划 2 次检查")).to_be_visible()
    screenshot(page, "planning-done")
    planned = visits_of(database_url, "钱进")
    assert sorted(v["firm"] for v in planned) == sorted(firms)
    assert all(v["status"] == "planned" and sorted(v["team"]) == sorted(["钱进", "张伟"]) for v in planned)

    inspector.goto(f"{live_server}/today")
    for firm in firms:
        expect(inspector.locator(".visit-card", has_text=firm)).to_be_visible()
    screenshot(inspector, "planning-today-planned")

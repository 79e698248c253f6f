"""A random-draw plan (双随机) in Chromium, the way issue 14's "Done when" walks it: a
supervisor of Huimin adds an inspection item, drafts a plan (a window in the past is
refused, in Chinese, next to the dates), locks it and sees the draw; the drawn inspector's
phone shows the visit on 今日任务. A declared conflict that leaves an enterprise one officer
short refuses the lock until it is withdrawn; a redraw with no officer to spare is refused."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import Page, expect

from backend import db
from backend.accounts.tables import User
from backend.clock import bureau_today
from tests.conftest import run_async
from tests.e2e.conftest import DATABASES, HUIMIN, enrol, screenshot

INSPECTOR, COLLEAGUE = "抽查员甲", "抽查员乙"
ITEM, TITLE = "绳网及塑料制品生产企业日常监督检查", "惠民县绳网企业双随机抽查"


def certify_only(origin: str, name: str) -> None:
    """Huimin's roster is the phone's inspector ``name`` and a colleague: the demo's own
    inspectors lose their certificates (uncertified officers are never drawn), so that a
    team of two is these two, whatever the seed."""
    async def arrange() -> None:
        async with db.connected(DATABASES[origin]):
            await User.update({User.certificate_no: ""}).where(User.region_code == HUIMIN)
            await User.update({User.certificate_no: "37162199001"}).where(User.display_name == name)
            await User.insert(User(id=uuid.uuid4(), display_name=COLLEAGUE, role="inspector", region_code=HUIMIN,
                                   certificate_no="37162199002", active=True))

    run_async(arrange())


def lock(page: Page) -> None:
    page.get_by_role("button", name="锁定并抽取").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("锁定后计划不能再修改，也不能撤销")
    dialog.get_by_role("button", name="确认锁定并抽取").click()


def test_a_supervisor_drafts_locks_and_draws_and_the_inspector_gets_the_visit(
        page: Page, new_page, live_server: str) -> None:
    phone = new_page()
    enrol(phone, live_server, role="inspector", region=HUIMIN, name=INSPECTOR)
    certify_only(live_server, INSPECTOR)

    enrol(page, live_server, role="supervisor", region=HUIMIN)
    page.locator("nav.tabs").get_by_role("link", name="抽查").click()
    expect(page.get_by_role("heading", name="抽查计划")).to_be_visible()
    page.get_by_label("年度").select_option(str(bureau_today().year - 3))  # a year without plans explains them
    expect(page.locator(".plan-empty")).to_contain_text("还没有抽查计划")
    expect(page.locator(".plan-empty")).to_contain_text("双随机、一公开")

    # 抽查事项: what the bureau may inspect
    page.get_by_role("link", name="抽查事项").click()
    page.get_by_label("事项名称").fill(ITEM)
    page.get_by_label("检查依据").fill("《工业产品生产许可证管理条例》第三十七条")
    page.get_by_role("group", name="适用企业类别").get_by_label("工业产品").check()
    page.get_by_role("group", name="适用企业类别").get_by_label("食品相关产品").check()
    page.get_by_label("检查表").select_option(label="工业产品生产企业日常监督检查表")
    page.get_by_role("button", name="添加抽查事项").click()
    page.locator(".plan-item", has_text=ITEM).scroll_into_view_if_needed()
    screenshot(page, "plan-items")

    # a draft, refused first: its window starts yesterday
    page.get_by_role("link", name="抽查计划").click()
    page.get_by_role("button", name="新建抽查计划").click()
    page.get_by_label("计划名称").fill(TITLE)
    page.get_by_label(ITEM).check()
    screenshot(page, "plan-new")
    today = bureau_today()
    page.get_by_label("开始").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("结束").fill((today + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".field-problem")).to_contain_text("检查时段不能从过去开始：最早从今天开始。")
    expect(page).to_have_url(f"{live_server}/plans/new")  # nothing written
    screenshot(page, "plan-refused")

    page.get_by_label("开始").fill(today.isoformat())
    page.get_by_role("button", name="保存草稿").click()
    expect(page).to_have_url(re.compile(r"/plans/[0-9a-f-]{36}$"))
    expect(page.locator(".badge", has_text="草稿")).to_be_visible()

    plan_url = page.url

    # 回避: with 抽查员甲 recused from a rope-net maker, that enterprise has one officer left,
    # too few for a team of two: the lock is refused, in Chinese, and nothing is drawn
    page.goto(f"{live_server}/plans/conflicts")
    page.get_by_role("searchbox", name="执法人员").fill(INSPECTOR)
    page.get_by_role("radiogroup", name="执法人员").get_by_role("radio").first.check()
    page.get_by_role("searchbox", name="企业").fill("渔网")
    page.get_by_role("radiogroup", name="企业").get_by_role("radio").first.check()
    page.get_by_label("回避理由").fill("配偶在该企业任质量负责人")
    page.get_by_role("button", name="登记回避").click()
    conflict = page.locator(".plan-conflict", has_text=INSPECTOR)
    expect(conflict).to_contain_text("配偶在该企业任质量负责人")
    screenshot(page, "plan-conflicts")
    page.goto(plan_url)
    lock(page)
    expect(page.locator(".field-problem")).to_contain_text("可派执法人员（持证、辖区覆盖、未回避）不足一组")
    page.reload()
    expect(page.locator(".badge", has_text="草稿")).to_be_visible()
    page.goto(f"{live_server}/plans/conflicts")
    conflict.get_by_role("button", name="撤销").click()
    expect(conflict).to_have_count(0)

    # the lock: irreversible, and the draw happens at once
    page.goto(plan_url)
    lock(page)
    expect(page.locator(".badge", has_text="已锁定")).to_be_visible()
    expect(page.get_by_text(re.compile(r"从 \d+ 家中抽中 \d+ 家"))).to_be_visible()
    drawn = page.locator(".plan-drawn")
    expect(drawn.first).to_contain_text(re.compile(f"检查组：({INSPECTOR}、{COLLEAGUE}|{COLLEAGUE}、{INSPECTOR})"))
    expect(drawn.first.locator(".badge")).to_have_text("待检查")
    expect(page.locator(".plan-inputs")).to_contain_text("v1")
    expect(page.get_by_role("link", name="下载计划文件（JSON）")).to_have_attribute("href", re.compile(r"/export$"))
    expect(page.locator(".plan-inputs code")).to_contain_text("dossier verify-draw --file")
    screenshot(page, "plan-drawn")
    page.locator(".plan-inputs").scroll_into_view_if_needed()
    screenshot(page, "plan-draw-inputs")
    firms = [drawn.nth(i).get_attribute("data-enterprise") for i in range(drawn.count())]

    # a redraw needs a reason, and officers to spare: these two are the whole roster
    drawn.first.get_by_role("button", name="重抽检查组").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="重新抽取")).to_be_disabled()
    dialog.get_by_label("重抽理由").fill("抽查员甲与该企业负责人系亲属")
    dialog.get_by_role("button", name="重新抽取").click()
    expect(dialog.locator(".problem")).to_contain_text("可派人员不足一组")
    dialog.get_by_role("button", name="取消").click()

    # the list shows the plan locked, with its progress
    page.get_by_role("link", name="‹ 抽查计划").click()
    card = page.locator(".plan-card", has_text=TITLE)
    expect(card.locator(".badge")).to_have_text("已锁定")
    expect(card.locator(".plan-progress")).to_contain_text(f"共 {len(firms)} 家 · 已完成 0 · 待检查 {len(firms)}")

    page.get_by_role("button", name="English").click()  # and in English
    expect(card.locator(".plan-progress")).to_contain_text(f"{len(firms)} drawn · 0 done")

    # the drawn inspector's phone: the visits on 今日任务
    phone.goto(f"{live_server}/today")
    for firm in firms:
        expect(phone.locator(".visit-card", has_text=firm)).to_be_visible()
    screenshot(phone, "plan-today")

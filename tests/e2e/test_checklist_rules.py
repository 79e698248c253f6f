"""A checklist version's rules on the phone: the app's mirror of the rule function agrees
with the server's on the shared cases, and a visit on the food-production supervision
checklist shows each item's class (重点项/一般项), the coverage against the rule, a reason
field for 合理缺项 and the conclusion the rule gives; the server files it as shown."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

from playwright.sync_api import Page, expect

from backend import db
from backend.access import SYSTEM
from backend.accounts.tables import User
from backend.clock import bureau_today
from backend.enterprises.tables import Enterprise
from backend.inspections import service as inspections
from backend.inspections.schemas import VisitPlan
from backend.inspections.tables import ChecklistVersion, Visit, VisitType
from tests.conftest import run_async
from tests.e2e.conftest import HUIMIN, call, enrol, screenshot
from tests.e2e.test_offline_visit import jpeg, sign_all, submit_on_phone

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = json.loads((ROOT / "tests" / "fixtures" / "checklist_rules.json").read_text())


def test_the_phone_applies_the_rules_as_the_server_does(page: Page) -> None:
    """pwa/src/rules.js, loaded alone in Chromium, on tests/fixtures/checklist_rules.json
    (tests/unit/test_checklist_rules.py holds checklists.assess to the same cases)."""
    source = (ROOT / "pwa" / "src" / "rules.js").read_text()
    results = page.evaluate("""async ([source, fixtures]) => {
        const { assess } = await import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`);
        return fixtures.cases.map((c) => assess(fixtures.checklists[c.checklist], c.visit_type, c.answers));
    }""", [source, FIXTURES])
    for case, result in zip(FIXTURES["cases"], results, strict=True):
        assert result == case["expect"], case["name"]


def plan_supervision_visit(database_url: str, inspector_id: str) -> dict:
    """Today's visit, on the food-production supervision checklist, for the new inspector
    and 张伟 (a demo inspector of Huimin) at a Huimin enterprise."""
    async def plan() -> dict:
        async with db.connected(database_url):
            colleague = await User.select(User.id).where(User.display_name == "张伟", User.region_code == HUIMIN).first()
            enterprise = await Enterprise.select(Enterprise.id, Enterprise.name).where(
                Enterprise.county_code == HUIMIN).order_by(Enterprise.name).first()
            checklist = await ChecklistVersion.select(ChecklistVersion.id).where(
                ChecklistVersion.template.code == "food-supervision").first()
            plan = VisitPlan(id=uuid4(), enterprise_id=enterprise["id"], checklist_id=checklist["id"],
                             visit_type=VisitType.routine, planned_date=bureau_today(),
                             team=[UUID(inspector_id), colleague["id"]])
            await inspections.plan_visit(SYSTEM, plan, bureau_today())
            return {"id": str(plan.id), "enterprise": enterprise["name"]}

    return run_async(plan())


def filed(database_url: str, visit_id: str) -> dict | None:
    async def read() -> dict | None:
        async with db.connected(database_url):
            return await Visit.select(Visit.status, Visit.conclusion).where(Visit.id == visit_id).first()

    return run_async(read())


def test_a_ruled_visit_on_the_phone(page: Page, live_server: str, database_url: str) -> None:
    enrol(page, live_server, role="inspector", region=HUIMIN, name="钱进")
    visit = plan_supervision_visit(database_url, call(page, "GET", "/api/me").json()["id"])
    page.goto(f"{live_server}/today")
    page.locator(".visit-card", has_text=visit["enterprise"]).click()
    page.get_by_role("button", name="开始检查（记录时间和定位）").click()

    # Each item says its class in one piece, inside the phone's width.
    key, general = page.locator('li.item[data-item="A1"]'), page.locator('li.item[data-item="A2"]')
    expect(key.locator(".item-class")).to_have_text("重点项")
    expect(general.locator(".item-class")).to_have_text("一般项")
    box = key.locator(".item-class").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] < 30, box
    coverage = page.get_by_test_id("coverage").first
    expect(coverage).to_contain_text("重点项 0/10")
    expect(coverage).to_contain_text("全部 0/20")

    # Every yes/no item passes: 15 key items, 41 in all (and a number and a choice left unanswered).
    passes = page.locator("li.item[data-item]").get_by_role("button", name="符合", exact=True)
    for n in range(passes.count()):
        passes.nth(n).click()
    expect(coverage).to_contain_text("重点项 15/10")
    expect(coverage).to_contain_text("全部 41/20")
    expect(page.get_by_test_id("conclusion")).to_have_text("符合")
    expect(page.get_by_role("button", name="基本符合（限期整改）")).to_have_count(0)  # the rule concludes, not the team

    # 合理缺项 asks for its reason; it is not counted as examined.
    a3 = page.locator('li.item[data-item="A3"]')
    a3.get_by_role("button", name="合理缺项").click()
    expect(a3.get_by_text("合理缺项须写明理由")).to_be_visible()
    a3.get_by_label("A3 合理缺项理由（必填）").fill("本企业无委托生产")
    expect(a3.get_by_text("合理缺项须写明理由")).to_have_count(0)
    expect(coverage).to_contain_text("全部 40/20")

    # A failed general item: 基本符合; a failed key item: 不符合.
    b2 = page.locator('li.item[data-item="B2"]')
    b2.get_by_role("button", name="不符合", exact=True).click()
    expect(page.get_by_test_id("conclusion")).to_have_text("基本符合（限期整改）")
    expect(page.get_by_text("按检查表规则得出：有检查项不符合")).to_be_visible()
    c1 = page.locator('li.item[data-item="C1"]')
    c1.get_by_role("button", name="不符合", exact=True).click()
    expect(page.get_by_test_id("conclusion")).to_have_text("不符合")
    expect(page.get_by_text("按检查表规则得出：有重点项不符合")).to_be_visible()
    c1.get_by_role("button", name="不符合", exact=True).click()  # pressed again: unanswered
    expect(page.get_by_test_id("conclusion")).to_have_text("基本符合（限期整改）")
    expect(coverage).to_contain_text("重点项 14/10")
    page.get_by_test_id("conclusion").scroll_into_view_if_needed()
    screenshot(page, "visit-ruled")

    b2.locator('input[accept="image/*"]').set_input_files(jpeg((200, 40, 40)))
    expect(b2.locator(".thumb img")).to_be_visible()
    b2.get_by_label("问题描述").fill("防蝇设施破损")
    b2.get_by_label("整改期限").fill((bureau_today() + timedelta(days=15)).isoformat())
    sign_all(page)
    submit_on_phone(page)
    expect(page.get_by_role("heading", name="待发送")).to_be_visible()
    for _ in range(150):  # the outbox sends the photos, then the visit
        if filed(database_url, visit["id"])["status"] != "planned":
            break
        page.wait_for_timeout(100)
    assert filed(database_url, visit["id"]) == {"status": "submitted", "conclusion": "pass_with_rectification"}

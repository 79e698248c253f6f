"""A filed visit read in Chromium at 390x844: the supervisor drills down from a dashboard
number (its total, the most overdue first) to the visit record; the reviewer sees a photo
with its visit, checklist item and caption, and reviews the visit's signatures with it;
the inspector opens what they filed."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Callable
from urllib.parse import urlsplit
from uuid import uuid4

from playwright.sync_api import Page, expect

from backend import clock, db
from backend.clock import BUREAU_TIME, bureau_today
from backend.enterprises.tables import Enterprise
from tests.conftest import run_async
from tests.e2e.conftest import DATABASES, HUIMIN, call, enrol, plan_visit, screenshot, upload
from tests.factories import photo, png


def filed_visit(page: Page, live_server: str) -> dict:
    """The page's inspector plans a visit with a colleague, files its photos (one of a failed
    item, one of a control point, each with a caption) and signatures with it, as the app
    does, and submits it."""
    me = call(page, "GET", "/api/me").json()
    planned = plan_visit(DATABASES[live_server], me["id"])
    visit = call(page, "GET", f"/api/visits/{planned['id']}").json()
    firm = call(page, "GET", f"/api/enterprises/{visit['enterprise_id']}").json()
    point = firm["control_points"][0]
    checklist = call(page, "GET", f"/api/checklists/{visit['checklist_id']}").json()
    items = [i for s in checklist["sections"] for i in s["items"] if i["kind"] == "pass_fail"]
    common = {"enterprise_id": firm["id"], "visit_id": visit["id"]}
    started = clock.now().astimezone(BUREAU_TIME) - timedelta(minutes=40)
    taken = (started + timedelta(minutes=10)).strftime("%Y:%m:%d %H:%M:%S")  # EXIF: the bureau's wall clock
    evidence = upload(page, **common, content=photo(seed=81, when=taken), caption="库房货架上的过期原料", category="evidence")
    premises = upload(page, **common, content=photo(seed=82), caption="工段全景", category="premises",
                      control_point_id=point["id"])
    signatures = [upload(page, **common, content=png((0, 40 * s, 0)), name="s.png", category="signature")["id"]
                  for s in range(3)]
    colleague = visit["team"][1]
    response = call(page, "POST", "/api/visits/submissions", data={
        "visit": {k: visit[k] for k in ("id", "enterprise_id", "checklist_id", "visit_type", "planned_date", "team")},
        "started_at": started.isoformat(),
        "answers": [{"item": items[0]["key"], "result": "pass"},
                    {"item": items[1]["key"], "result": "fail", "note": "原料已过期", "media": [evidence["id"]]}],
        "findings": [{"id": str(uuid4()), "item": items[1]["key"], "description": "使用过期原料",
                      "deadline": (bureau_today() + timedelta(days=15)).isoformat()}],
        "signatures": [{"signer": "inspector", "user_id": me["id"], "name": me["display_name"], "media_id": signatures[0]},
                       {"signer": "inspector", "user_id": colleague, "name": "张伟", "media_id": signatures[1]},
                       {"signer": "enterprise", "name": "企业负责人王五", "media_id": signatures[2]}],
        "conclusion": "pass_with_rectification",
    })
    assert response.status == 201, response.text()

    async def most_overdue() -> None:
        async with db.connected(DATABASES[live_server]):
            await Enterprise.update({Enterprise.next_due_on: bureau_today() - timedelta(days=3650)}).where(
                Enterprise.id == firm["id"])

    run_async(most_overdue())
    return {"id": visit["id"], "firm": firm, "point": point, "items": items[:2], "evidence": evidence["id"],
            "signatures": signatures}


def read_record(page: Page, visit: dict) -> None:
    """The record shows every answer, the finding, every photo with its caption, every
    signature with the signer's name, and its start time."""
    expect(page.get_by_role("heading", name=visit["firm"]["name"])).to_be_visible()
    answers = page.locator(".record-answers > li")
    expect(answers).to_have_count(2)
    failed = answers.nth(1)
    expect(failed).to_contain_text(visit["items"][1]["text"])
    expect(failed.locator("[data-result=fail]")).to_have_text("不符合")
    expect(failed).to_contain_text("原料已过期")
    expect(failed.get_by_text("库房货架上的过期原料")).to_be_visible()
    expect(page.locator("[data-finding]")).to_contain_text("整改期限")
    expect(page.locator('.record-photo[data-category="premises"]')).to_contain_text(visit["point"]["name"])
    expect(page.get_by_text("工段全景")).to_be_visible()
    signatures = page.locator(".record-signature")
    expect(signatures).to_have_count(3)
    expect(signatures.nth(2)).to_contain_text("企业负责人：企业负责人王五")
    expect(signatures.locator("img")).to_have_count(3)
    expect(page.get_by_test_id("started")).to_have_text(re.compile(r"\d{4}/\d\d/\d\d"))
    expect(page.locator("dt", has_text="开始时间")).to_be_visible()


def test_supervisor_drills_down_to_a_visit_record(page: Page, new_page: Callable[[], Page], live_server: str) -> None:
    enrol(page, live_server, "inspector", region=HUIMIN, name="赵敏")
    visit = filed_visit(page, live_server)

    boss = new_page()
    enrol(boss, live_server, role="supervisor", region="371600")
    figure = boss.locator('[data-figure="visits"] .figure-value')
    expect(figure).to_have_text(re.compile(r"^\d+$"))
    visits = int(figure.inner_text())
    boss.locator('[data-figure="visits"]').click()
    expect(boss.get_by_test_id("list-total")).to_contain_text(f"共 {visits} 条")
    expect(boss.get_by_test_id("list-total")).to_contain_text("最逾期的排在最前")
    expect(boss.locator(".cards .card").first).to_be_visible()
    query = urlsplit(boss.url).query
    listed = call(boss, "GET", f"/api/coverage/visits?{query}&limit=200").json()["items"]
    due = [v["next_due_on"] for v in listed]
    assert due == sorted(d for d in due if d) + [None] * due.count(None)  # the most overdue first, none last
    shown = boss.locator(".cards .card").evaluate_all("cards => cards.map((c) => c.dataset.visit)")
    assert shown == [v["id"] for v in listed][:len(shown)]
    expect(boss.locator(".cards .card").first.locator(".badge.missing")).to_contain_text("下次检查")
    screenshot(boss, "coverage-visits-by-urgency")
    while not boss.locator(f'.card[data-visit="{visit["id"]}"]').count():
        boss.get_by_role("button", name="加载更多").click()
    boss.locator(f'.card[data-visit="{visit["id"]}"]').click()
    expect(boss).to_have_url(f"{live_server}/visits/{visit['id']}")
    read_record(boss, visit)
    expect(boss.get_by_test_id("record-status")).to_have_text("待审核")
    screenshot(boss, "visit-record-supervisor")
    boss.locator(".record-signatures").scroll_into_view_if_needed()
    screenshot(boss, "visit-record-signatures")

    boss.go_back()
    boss.go_back()
    boss.set_viewport_size({"width": 390, "height": 844})
    rows = boss.locator(".dash-table th[scope=row] button")
    expect(rows.first).to_be_visible()
    lines = rows.evaluate_all("""buttons => buttons.map((b) => {
        const range = document.createRange();
        range.selectNodeContents(b);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    })""")
    assert lines and set(lines) == {1}, lines  # every county's name on one line
    rows.first.scroll_into_view_if_needed()
    screenshot(boss, "dashboard-regions-390")


def test_reviewer_sees_a_photos_context_and_reviews_signatures_with_the_visit(
        page: Page, new_page: Callable[[], Page], live_server: str) -> None:
    enrol(page, live_server, "inspector", region=HUIMIN, name="赵敏")
    visit = filed_visit(page, live_server)

    desk = new_page()
    enrol(desk, live_server, "reviewer", region=HUIMIN)
    expect(desk.get_by_text("第 1 / 2 项")).to_be_visible()  # the item's photo and the control point's: no signatures
    item = visit["items"][1]
    expect(desk.get_by_test_id("photo-item")).to_contain_text(f"{item['key']} {item['text']}")
    expect(desk.get_by_test_id("photo-item")).to_contain_text("不符合")
    expect(desk.get_by_test_id("photo-caption")).to_have_text("库房货架上的过期原料")
    expect(desk.get_by_test_id("photo-visit").get_by_role("link")).to_have_attribute("href", f"/visits/{visit['id']}")
    expect(desk.locator("dd", has_text="（照片记录）")).to_be_visible()  # the time's source, not "(手机定位)"
    screenshot(desk, "review-photo-context")
    desk.keyboard.press("j")
    expect(desk.get_by_test_id("photo-point")).to_have_text(visit["point"]["name"])
    expect(desk.get_by_test_id("photo-caption")).to_have_text("工段全景")

    desk.get_by_role("button", name="检查记录").click()
    expect(desk.get_by_text("本次检查的签名随检查记录一并通过或退回。")).to_be_visible()
    expect(desk.locator(".record-answers > li")).to_have_count(2)
    expect(desk.locator(".record-signature img")).to_have_count(3)
    screenshot(desk, "review-visit-with-signatures")
    desk.get_by_role("button", name=re.compile("^✓ 通过")).click()
    expect(desk.get_by_text("没有等待审核的检查记录。")).to_be_visible()
    statuses = {call(desk, "GET", f"/api/media/{m}").json()["status"] for m in visit["signatures"]}
    assert statuses == {"accepted"}
    assert call(desk, "GET", f"/api/media/{visit['evidence']}").json()["status"] == "pending"


def test_inspector_opens_a_visit_they_filed(page: Page, live_server: str) -> None:
    enrol(page, live_server, "inspector", region=HUIMIN, name="赵敏")
    visit = filed_visit(page, live_server)
    page.goto(f"{live_server}/visits/{visit['id']}")
    read_record(page, visit)
    expect(page.get_by_test_id("record-status")).to_have_text("待审核")
    screenshot(page, "visit-record-inspector")


def test_the_enterprise_reads_its_visit_record_with_the_items(page: Page, new_page: Callable[[], Page],
                                                               live_server: str) -> None:
    enrol(page, live_server, "inspector", region=HUIMIN, name="赵敏")
    visit = filed_visit(page, live_server)
    owner = new_page()
    enrol(owner, live_server, role="enterprise", region=None, enterprise_id=visit["firm"]["id"], name="企业负责人王五")
    owner.goto(f"{live_server}/visits/{visit['id']}")
    read_record(owner, visit)  # the checklist's item texts too: a published version is a public standard
    screenshot(owner, "visit-record-enterprise")

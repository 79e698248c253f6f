"""Issue 17 (items 2 and 4) on a phone: a returned photo retaken with no signal, then sent,
replacing it in the same checklist item; a follow-up visit verifying the enterprise's earlier
findings; the 待处理 list deciding an enterprise's rectification evidence."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from playwright.sync_api import Page, expect

from backend import clock, db
from backend.clock import bureau_today
from backend.inspections.tables import Finding, Visit, VisitType
from backend.media.tables import MediaItem, ReviewStatus
from tests.conftest import run_async
from tests.e2e.conftest import HUIMIN, call, enrol, plan_visit, screenshot, submit_visit, upload
from tests.e2e.test_offline_visit import jpeg, sign_all, submit_on_phone
from tests.factories import photo


def on_server(database_url: str, work):
    """Run ``work`` (a coroutine function) on the live server's database."""
    async def run():
        async with db.connected(database_url):
            return await work()

    return run_async(run())


def test_a_returned_photo_retaken_offline_replaces_it_in_its_item(page: Page, live_server: str, database_url: str) -> None:
    enrol(page, live_server, role="inspector", region=HUIMIN, name="钱进")
    firm = call(page, "GET", "/api/enterprises?limit=1").json()["items"][0]
    visit = submit_visit(page, firm["id"], deadlines=(bureau_today() + timedelta(days=10),))
    failed = next(a for a in visit["answers"] if a["result"] == "fail")
    original = failed["media"][0]

    async def file_in_visit_and_return():  # the photo was taken during the visit (the phone names it)
        await MediaItem.update({MediaItem.visit: visit["id"], MediaItem.status: ReviewStatus.returned,
                                MediaItem.review_reason: "照片模糊，请重拍", MediaItem.reviewed_at: clock.now()}).where(
            MediaItem.id == original)

    on_server(database_url, file_in_visit_and_return)
    page.goto(f"{live_server}/returned")
    card = page.get_by_test_id("returned-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(firm["name"])
    expect(card).to_contain_text(failed["item"])
    expect(card).to_contain_text("照片模糊，请重拍")
    expect(page.locator("nav.tabs .count").first).to_have_text("1")
    screenshot(page, "returned_card")

    page.context.set_offline(True)
    card.get_by_test_id("retake").locator("input").set_input_files(jpeg((90, 140, 200)))
    expect(card.get_by_role("status")).to_contain_text("等待上传")
    screenshot(page, "returned_retaken_offline")
    assert on_server(database_url, lambda: MediaItem.count().where(MediaItem.replaces == original)) == 0

    page.context.set_offline(False)  # the outbox replays by itself
    expect(card.get_by_role("status")).to_contain_text("已重新上传", timeout=15000)
    retake = on_server(database_url, lambda: MediaItem.select(
        MediaItem.id, MediaItem.visit, MediaItem.item_key, MediaItem.category).where(MediaItem.replaces == original))
    assert [(str(r["visit"]), r["item_key"], r["category"]) for r in retake] == [(visit["id"], failed["item"], "evidence")]
    kept = on_server(database_url, lambda: MediaItem.select(MediaItem.status, MediaItem.replaced_by).where(
        MediaItem.id == original).first())
    assert (kept["status"], str(kept["replaced_by"])) == ("returned", str(retake[0]["id"]))
    page.reload()
    expect(page.get_by_text("没有被退回的照片")).to_be_visible()


def test_a_follow_up_verifies_the_earlier_findings(page: Page, live_server: str, database_url: str) -> None:
    enrol(page, live_server, role="inspector", region=HUIMIN, name="冯涛")
    me = call(page, "GET", "/api/me").json()
    planned = plan_visit(database_url, me["id"])
    visit_id = planned["id"]
    firm_id = call(page, "GET", f"/api/visits/{visit_id}").json()["enterprise_id"]
    earlier = submit_visit(page, firm_id, deadlines=(bureau_today(), bureau_today() + timedelta(days=3)))
    closed, carried = [f["id"] for f in earlier["findings"]]
    keys = {f["id"]: f["item_key"] for f in earlier["findings"]}
    on_server(database_url, lambda: Visit.update({Visit.visit_type: VisitType.follow_up}).where(Visit.id == visit_id))
    new_deadline = (bureau_today() + timedelta(days=20)).isoformat()

    page.goto(f"{live_server}/visits/{visit_id}")
    page.get_by_role("button", name="开始检查（记录时间和定位）").click()
    earlier_box = page.locator("details.open-findings")
    expect(earlier_box).to_contain_text("回访时请逐项核实")
    earlier_box.get_by_role("button", name=f"{keys[closed]} 已整改").click()
    earlier_box.get_by_label(f"{keys[closed]} 核实情况（可选）").fill("现场核实已整改")
    earlier_box.get_by_role("button", name=f"{keys[carried]} 未整改").click()
    earlier_box.get_by_label(f"{keys[carried]} 未整改的原因").fill("整改设备未到货")
    earlier_box.get_by_label(f"{keys[carried]} 新的整改期限").fill(new_deadline)
    earlier_box.locator(f'li[data-finding="{carried}"] input[type="file"]').set_input_files(jpeg((120, 120, 40)))
    expect(earlier_box.locator(".thumb img")).to_have_count(1)
    earlier_box.scroll_into_view_if_needed()
    screenshot(page, "follow_up_verdicts")

    for item in page.locator("li.item[data-item]").all()[:2]:
        item.get_by_role("button", name="符合", exact=True).click()
    sign_all(page)
    if not page.get_by_test_id("conclusion").count():
        page.get_by_test_id("conclusion-choices").get_by_role("button", name="符合", exact=True).click()
    submit_on_phone(page)
    alert = page.locator(".visit-body .problem[role=alert]")
    assert not alert.count(), alert.inner_text()
    expect(page.get_by_text("全部已发送，没有待发送的记录。")).to_be_visible(timeout=15000)

    findings = on_server(database_url, lambda: Finding.select(
        Finding.id, Finding.status, Finding.closed_via, Finding.deadline, Finding.follow_up_note).where(
        Finding.id.is_in([closed, carried])))
    state = {str(f["id"]): f for f in findings}
    assert (state[closed]["status"], state[closed]["closed_via"]) == ("closed", "follow_up")
    assert (state[carried]["status"], state[carried]["deadline"].isoformat(), state[carried]["follow_up_note"]) == (
        "open", new_deadline, "整改设备未到货")
    filed = call(page, "GET", f"/api/visits/{visit_id}").json()
    evidence = next(v for v in filed["verifications"] if v["finding_id"] == carried)["media_id"]
    assert evidence and call(page, "GET", f"/api/media/{evidence}").ok


def test_the_pending_list_decides_rectification_evidence(page: Page, new_page, live_server: str,
                                                         database_url: str) -> None:
    enrol(page, live_server, role="inspector", region=HUIMIN, name="褚明")
    firm = call(page, "GET", "/api/enterprises?limit=1").json()["items"][0]
    visit = submit_visit(page, firm["id"], deadlines=(bureau_today() + timedelta(days=10),))
    finding = visit["findings"][0]
    page.goto(f"{live_server}/pending")
    expect(page.get_by_text("没有待处理的整改材料。")).to_be_visible()

    owner = new_page()
    enrol(owner, live_server, role="enterprise", enterprise_id=firm["id"], name="企业负责人")
    evidence = upload(owner, firm["id"], photo(seed=66), id=str(uuid4()), category="rectification",
                      rectification_id=finding["id"], caption="更换后的标签")

    page.reload()
    card = page.get_by_test_id("pending-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(firm["name"])
    expect(card).to_contain_text(finding["item_key"])
    expect(page.locator("nav.tabs a", has_text="待处理").locator(".count")).to_have_text("1")
    expect(card.locator(".evidence img")).to_be_visible(timeout=15000)
    screenshot(page, "pending_evidence")
    card.get_by_role("button", name="确认整改完成").click()
    expect(page.get_by_text("没有待处理的整改材料。")).to_be_visible()
    closed = on_server(database_url, lambda: Finding.select(Finding.status, Finding.closed_via).where(
        Finding.id == finding["id"]).first())
    assert (closed["status"], closed["closed_via"]) == ("closed", "evidence")
    assert on_server(database_url, lambda: MediaItem.select(MediaItem.status).where(
        MediaItem.id == evidence["id"]).first())["status"] == "accepted"

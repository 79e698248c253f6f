"""An enterprise user's own dossier in Chromium: visits, rectification orders (overdue
flagged), current notices, the photo archive; another enterprise's dossier is out of
reach; rectification evidence goes to the inspector's decision and back."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Callable

from playwright.sync_api import Page, Route, expect

from backend import db
from backend.clock import bureau_today
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import Finding, Visit
from backend.notices.tables import Notice
from tests.conftest import run_async
from tests.e2e.conftest import call, enrol, screenshot, submit_visit
from tests.factories import photo


async def _huimin_firms(database_url: str) -> tuple[dict, dict]:
    """A Huimin enterprise with a current warning notice and a planned visit, and another Huimin enterprise."""
    async with db.connected(database_url):
        planned = Visit.select(Visit.enterprise).where(Visit.status == "planned")
        posted = await Notice.select(Notice.enterprise.id.as_alias("id"), Notice.enterprise.name.as_alias("name")).where(
            Notice.status == "current", Notice.enterprise.county_code == "371621", Notice.enterprise.is_in(planned)).first()
        other = await Enterprise.select(Enterprise.id, Enterprise.name).where(
            Enterprise.county_code == "371621", Enterprise.id != posted["id"]).first()
    return {"id": str(posted["id"]), "name": posted["name"]}, {"id": str(other["id"]), "name": other["name"]}


async def _make_overdue(database_url: str, finding_id: str) -> None:
    async with db.connected(database_url):
        await Finding.update({Finding.deadline: bureau_today() - timedelta(days=3)}).where(Finding.id == finding_id)


def test_enterprise_user_sees_their_own_dossier_and_no_other(page: Page, new_page: Callable[[], Page],
                                                              live_server: str, database_url: str) -> None:
    firm, other = run_async(_huimin_firms(database_url))
    enrol(page, live_server, "inspector", region="371621")
    later = bureau_today() + timedelta(days=30)
    visit = submit_visit(page, firm["id"], (later, later))
    run_async(_make_overdue(database_url, visit["findings"][0]["id"]))

    owner = new_page()
    enrol(owner, live_server, "enterprise", enterprise_id=firm["id"])
    expect(owner.get_by_role("heading", name=f"{firm['name']} · 档案")).to_be_visible()  # the enterprise's home

    findings = owner.locator("#findings .finding", has_text="不符合要求")  # this visit's (the demo has older ones)
    expect(findings).to_have_count(2)
    expect(findings.filter(has_text="已逾期")).to_have_count(1)
    expect(findings.filter(has_text="已逾期").locator(".badge.missing", has_text="整改期限")).to_be_visible()
    expect(findings.filter(has_text="整改中")).to_have_count(1)
    expect(findings.first.get_by_text("尚未上传整改材料。")).to_be_visible()
    expect(findings.first.get_by_text("选择整改照片或文件")).to_be_visible()  # the enterprise may upload evidence

    timeline = owner.locator("#visits ol.timeline li")
    submitted = timeline.filter(has_text="待审核")  # this visit
    expect(submitted).to_have_count(1)
    expect(timeline.filter(has_text="计划中")).to_have_count(0)  # the demo's next visit stays unannounced
    expect(submitted).to_contain_text("日常监督检查")
    expect(submitted).to_contain_text("限期整改")

    notices = owner.locator("#notices .notice")
    expect(notices.first).to_be_visible()
    pdf = notices.first.get_by_role("link", name="打印（PDF）").get_attribute("href")
    printed = call(owner, "GET", pdf)
    assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"

    archive = owner.locator("#archive")
    counts = call(owner, "GET", f"/api/enterprises/{firm['id']}/media?limit=1").json()["counts"]
    assert counts["evidence"] >= 2 and counts["signature"] >= 3  # this visit's problem photos and signatures
    expect(archive.get_by_role("button", name=f"全部 {sum(counts.values())}")).to_be_visible()
    archive.get_by_role("button", name=f"证据 {counts['evidence']}").click()
    expect(archive.locator(".gallery li")).to_have_count(min(counts["evidence"], 24))
    expect(archive.locator(".gallery li", has_text="问题照片")).to_have_count(2)
    expect(archive.locator(".gallery img").first).to_have_attribute("src", re.compile(r"/thumbnail$"))
    expect(archive.locator(".flag")).to_have_count(0)  # reviewers' flags are not the enterprise's business
    owner.evaluate("scrollTo(0, 0)")
    screenshot(owner, "dossier")

    owner.goto(f"{live_server}/enterprises/{other['id']}/dossier")
    expect(owner.get_by_role("alert")).to_have_text("找不到该企业的档案，或您无权查看。")
    expect(owner.get_by_text(other["name"])).to_have_count(0)
    for path in ("", "/findings", "/notices", "/media"):
        assert call(owner, "GET", f"/api/enterprises/{other['id']}{path}").status == 404, path
    assert call(owner, "GET", f"/api/visits?enterprise_id={other['id']}").status == 404


def test_rectification_evidence_goes_to_the_inspector_and_back(page: Page, new_page: Callable[[], Page],
                                                              live_server: str, database_url: str) -> None:
    firm, _ = run_async(_huimin_firms(database_url))
    enrol(page, live_server, "inspector", region="371621")
    submit_visit(page, firm["id"], (bureau_today() + timedelta(days=30),))

    owner = new_page()
    enrol(owner, live_server, "enterprise", enterprise_id=firm["id"])
    finding = owner.locator("#findings .finding", has_text="不符合要求")  # this visit's (the demo has older ones)
    expect(finding).to_have_count(1)

    def send_evidence(seed: int, caption: str) -> None:
        held: list[Route] = []
        owner.route("**/api/media", lambda route: held.append(route))  # hold the upload to see its progress
        finding.locator("input[type=file]").set_input_files(
            {"name": f"fix-{seed}.jpg", "mimeType": "image/jpeg", "buffer": photo(seed=seed, size=(1600, 1200))})
        finding.get_by_role("textbox", name="说明（可选）").fill(caption)
        finding.get_by_role("button", name="上传整改材料").click()
        expect(finding.locator("progress")).to_be_visible()
        expect(finding.get_by_role("status")).to_contain_text("正在上传…")  # shown before the request leaves
        for _ in range(100):  # Playwright hands the request to the handler when it next dispatches events
            if held:
                break
            owner.wait_for_timeout(50)
        assert held, "the upload never reached the network"
        held[0].continue_()
        owner.unroute("**/api/media")
        expect(finding.get_by_role("status")).to_have_text("✓ 已上传，等待检查人员确认。")

    send_evidence(81, "已更换标签")
    expect(finding.locator(".evidence li")).to_have_count(1)
    expect(finding.get_by_text("待检查人员确认", exact=True)).to_be_visible()

    page.goto(f"{live_server}/enterprises/{firm['id']}")  # the inspector, from the registry's enterprise page
    page.get_by_role("link", name=re.compile("查看完整档案")).click()
    order = page.locator("#findings .finding", has_text="不符合要求")
    expect(order.get_by_text("已更换标签")).to_be_visible()
    expect(order.locator(".evidence img")).to_have_attribute("src", re.compile(r"/thumbnail$"))
    order.get_by_role("textbox", name="驳回原因（企业会看到）").fill("标签仍未标注生产日期")
    order.get_by_role("button", name="驳回").click()
    expect(order.get_by_text("已驳回")).to_be_visible()

    owner.reload()
    expect(finding.locator(".reason")).to_have_text("驳回原因：标签仍未标注生产日期")
    expect(finding.get_by_text("整改中")).to_be_visible()
    send_evidence(82, "已补标生产日期")
    expect(finding.locator(".evidence li")).to_have_count(2)

    page.reload()
    order.locator(".evidence li", has_text="已补标生产日期").get_by_role("button", name="确认整改完成").click()
    expect(order.get_by_text("书面审查整改材料")).to_be_visible()
    owner.reload()
    expect(finding.get_by_text("已整改")).to_be_visible()
    expect(finding.locator("input[type=file]")).to_have_count(0)  # nothing more to upload against a closed order

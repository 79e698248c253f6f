"""An admin in Chromium: invites someone whose link works in another browser, deactivates
a user, publishes a checklist template's next version."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import enrol, screenshot


def test_invitation_link_enrols_in_another_browser(page: Page, browser: Browser, live_server: str) -> None:
    enrol(page, live_server, role="admin", region="371600")
    expect(page.get_by_role("heading", name="系统管理")).to_be_visible()
    page.get_by_label("角色").select_option("reviewer")
    page.get_by_label("姓名").fill("钱审核")
    page.get_by_label("管辖地区").select_option("371621")
    page.get_by_role("button", name="生成邀请链接").click()
    link = page.get_by_label("邀请链接（只显示这一次，72 小时内有效，只能使用一次）").input_value()
    assert link.startswith(f"{live_server}/enrol/")
    expect(page.locator(".cards .card", has_text="钱审核")).to_contain_text("惠民县")
    screenshot(page, "admin")

    # The link works once, in the invitee's own browser (with its own passkey).
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        invitee = other.new_page()
        cdp = other.new_cdp_session(invitee)
        cdp.send("WebAuthn.enable")
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
            "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}})
        invitee.goto(link)
        invitee.get_by_role("button", name="创建通行密钥").click()
        expect(invitee.get_by_text("钱审核 · 审核人员")).to_be_visible()
    finally:
        other.close()

    # Used, it leaves the unused invitations; the new user is listed, and can be deactivated.
    page.reload()
    expect(page.get_by_role("heading", name="未使用的邀请")).to_be_visible()
    expect(page.locator(".cards .card", has_text="钱审核")).to_have_count(0)
    page.get_by_role("link", name="用户").click()
    expect(page.locator('[data-user="钱审核"]')).to_be_visible()
    expect(page.locator("[data-user]")).not_to_have_count(1)
    page.get_by_label("按姓名查找用户").fill("钱审")  # the list is searched by name on the server
    expect(page.locator("[data-user]")).to_have_count(1)
    user = page.locator('[data-user="钱审核"]')
    expect(user).to_contain_text("在用")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    user.get_by_role("button", name="停用").click()  # one tap asks first; dismissed, nothing changes
    expect(user).to_contain_text("在用")
    assert asked and "钱审核" in asked[0], asked
    page.once("dialog", lambda dialog: dialog.accept())
    user.get_by_role("button", name="停用").click()
    expect(user).to_contain_text("已停用")
    page.reload()
    expect(page.locator('[data-user="钱审核"]')).to_contain_text("已停用")
    screenshot(page, "admin-users")


def test_revoke_an_invitation(page: Page, live_server: str) -> None:
    enrol(page, live_server, role="supervisor", region="371600")
    page.get_by_role("link", name="人员管理").click()
    expect(page.get_by_label("角色").locator("option")).to_have_count(3)  # a supervisor invites staff only
    page.get_by_label("姓名").fill("孙检查")
    jurisdiction = page.get_by_label("管辖地区")
    expect(jurisdiction).to_have_value("")  # nothing chosen for them: not the supervisor's whole city
    page.get_by_role("button", name="生成邀请链接").click()
    expect(page.locator(".cards .card", has_text="孙检查")).to_have_count(0)  # refused until one is chosen
    assert jurisdiction.evaluate("select => !select.validity.valid")
    jurisdiction.select_option("371600")
    page.get_by_role("button", name="生成邀请链接").click()
    card = page.locator(".cards .card", has_text="孙检查")
    expect(card).to_contain_text("滨州市")
    card.get_by_role("button", name="撤回").click()
    expect(card).to_have_count(0)  # withdrawn, it is no longer an open invitation


def test_admin_publishes_a_checklist_version(page: Page, live_server: str) -> None:
    enrol(page, live_server, role="admin", region="370000")
    page.get_by_role("link", name="检查表").click()
    page.get_by_label("检查表").select_option("special-equipment")
    editor = page.get_by_label("JSON")
    expect(editor).to_have_value(re.compile("特种设备已办理使用登记"))  # the chosen checklist's, not the first one shown
    content = json.loads(editor.input_value())
    content["sections"][0]["items"].append({"key": "Z9", "text": "作业人员持证上岗", "kind": "pass_fail", "severity": "major",
                                            "legal_basis": "《中华人民共和国特种设备安全法》第十四条",
                                            "photo_required_on_fail": True})
    # Bad input first: the answer names the field, nothing is published.
    bad = json.loads(json.dumps(content))
    bad["sections"][0]["items"][-1]["kind"] = "photo"
    editor.fill(json.dumps(bad, ensure_ascii=False))
    page.get_by_role("button", name="发布新版本").click()
    expect(page.get_by_role("alert")).to_contain_text("sections[0].items")
    editor.fill(json.dumps(content, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="发布新版本").click()
    expect(page.get_by_role("status")).to_contain_text("已发布第 2 版")
    expect(page.get_by_label("检查表")).to_contain_text("特种设备安全监督检查表（第 2 版）")
    expect(editor).to_have_value(json.dumps(content, ensure_ascii=False, indent=2))
    screenshot(page, "admin-checklists")

"""An admin in Chromium: invites someone whose link works in another browser, deactivates
a user, publishes a checklist template's next version (edited in the form, or imported as JSON)."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import call, enrol, screenshot


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


def test_admin_publishes_a_checklist_version_from_json(page: Page, live_server: str) -> None:
    """The JSON import, for bulk changes: applied, it fills the form, which publishes it."""
    enrol(page, live_server, role="admin", region="370000")
    page.get_by_role("link", name="检查表").click()
    page.get_by_label("检查表").select_option("special-equipment")
    page.get_by_role("button", name="JSON 导入").click()
    editor = page.get_by_label("JSON")
    expect(editor).to_have_value(re.compile("特种设备已办理使用登记"))  # the chosen checklist's, not the first one shown
    content = json.loads(editor.input_value())
    content["sections"][0]["items"].append({"key": "Z9", "text": "作业人员持证上岗", "kind": "pass_fail", "severity": "major",
                                            "legal_basis": "《中华人民共和国特种设备安全法》第十四条",
                                            "photo_required_on_fail": True})
    last = len(content["sections"][0]["items"]) - 1
    editor.fill('{\n  "sections": [1 2]\n}')  # not JSON: said in Chinese with where, the form unchanged
    page.get_by_role("button", name="载入表单").click()
    expect(page.locator(".ce-json .problem")).to_have_text("JSON 格式有误：第 2 行第 18 列附近。请检查括号、引号和逗号。")
    expect(page.locator('[data-item="Z9"]')).to_have_count(0)

    # Bad input: the answer names the field, shown at it in the form; nothing is published.
    bad = json.loads(json.dumps(content))
    bad["sections"][0]["items"][-1]["kind"] = "photo"
    editor.fill(json.dumps(bad, ensure_ascii=False))
    page.get_by_role("button", name="载入表单").click()
    expect(editor).to_have_count(0)  # applied, the import closes on the form
    expect(page.locator('[data-item="Z9"]')).to_be_visible()
    page.get_by_role("button", name="发布新版本").click()
    at = page.locator(f'[data-item="Z9"] [data-at="sections[0].items[{last}].kind"]')
    expect(at).to_contain_text("不是可选的值")
    expect(page.locator(".checklist-editor > .problem")).to_contain_text(f"（位置：第 1 部分 · 第 {last + 1} 项 · 「检查方式」）")

    page.get_by_role("button", name="JSON 导入").click()
    editor.fill(json.dumps(content, ensure_ascii=False, indent=2))
    page.get_by_role("button", name="载入表单").click()
    page.get_by_role("button", name="发布新版本").click()
    expect(page.get_by_role("status")).to_contain_text("已发布第 2 版")
    expect(page.get_by_label("检查表")).to_contain_text("特种设备安全监督检查表（第 2 版）")
    published = [c for c in call(page, "GET", "/api/checklists").json() if c["code"] == "special-equipment"]
    assert [c["version"] for c in published] == [1, 2]
    assert {"sections": published[1]["sections"], **({"rules": published[1]["rules"]} if published[1]["rules"] else {})} == content
    page.get_by_role("button", name="JSON 导入").click()  # the form now holds the new version
    assert json.loads(editor.input_value()) == content


def test_admin_adds_a_checklist_item_in_the_form(page: Page, live_server: str) -> None:
    """At 390x844: an item added to a section through the form is published with its fields;
    a refused field shows the refusal at that field."""
    enrol(page, live_server, role="admin", region="370000")
    page.get_by_role("link", name="检查表").click()
    page.get_by_label("检查表").select_option("food-supervision")  # its rules, in words, kept as they are
    rules = page.locator(".ce-rules")
    expect(rules).to_contain_text("日常监督检查至少检查 10 个重点项、共 20 项（「合理缺项」不计）")
    expect(rules).to_contain_text("有重点项「不符合」：结论为「不符合」")
    expect(rules).to_contain_text("其余情况：结论为「符合」")
    rules.scroll_into_view_if_needed()
    screenshot(page, "admin-checklist-rules")
    page.get_by_label("检查表").select_option("food-routine")
    expect(rules).to_have_count(0)
    before = next(c for c in call(page, "GET", "/api/checklists").json() if c["code"] == "food-routine")
    section = page.locator('[data-section="1"]')
    expect(section.get_by_label("部分标题")).to_have_value("原料进货与采购渠道")
    expect(section.locator(".ce-item")).to_have_count(4)
    section.get_by_role("button", name="添加检查项").click()
    item = section.locator(".ce-item").nth(4)
    item.get_by_label("编号（如 A1）").fill("B5")
    item.get_by_label("检查内容").fill("原料贮存场所清洁，与有毒有害物品分开存放")
    item.get_by_label("检查方式").select_option("pass_fail")
    item.get_by_label("项目类别").select_option("key")
    expect(item.get_by_label("项目类别")).to_contain_text("重点项")
    item.get_by_role("button", name="上移").click()  # moved, an item keeps its own fields
    expect(section.locator(".ce-item").nth(3)).to_have_attribute("data-item", "B5")
    expect(section.locator(".ce-item").nth(4)).to_have_attribute("data-item", "B4")
    section.locator('[data-item="B5"]').get_by_role("button", name="下移").click()
    expect(item).to_have_attribute("data-item", "B5")
    expect(item.get_by_label("检查内容")).to_have_value("原料贮存场所清洁，与有毒有害物品分开存放")
    page.get_by_role("button", name="添加部分").click()  # a section added, then removed
    expect(page.locator(".ce-section")).to_have_count(7)
    page.locator(".ce-section").last.get_by_role("button", name="删除此部分").click()
    expect(page.locator(".ce-section")).to_have_count(6)

    # No legal basis: refused, and said at that field (and at the top).
    page.get_by_role("button", name="发布新版本").click()
    at = item.locator('[data-at="sections[1].items[4].legal_basis"]')
    expect(at).to_contain_text("至少 1 个字")
    expect(page.locator(".checklist-editor > .problem")).to_contain_text("第 2 部分 · 第 5 项 · 「法律依据」")
    screenshot(page, "admin-checklist-form")

    # A key another item has: refused at the key.
    item.get_by_label("法律依据").fill("《中华人民共和国食品安全法》第五十四条")
    item.get_by_label("编号（如 A1）").fill("B1")
    page.get_by_role("button", name="发布新版本").click()
    expect(item.locator('[data-at="sections[1].items[4].key"]')).to_contain_text("B1 重复")
    expect(at).to_have_count(0)

    item.get_by_label("编号（如 A1）").fill("B5")
    page.get_by_role("button", name="发布新版本").click()
    expect(page.get_by_role("status")).to_contain_text("已发布第 2 版")
    after = [c for c in call(page, "GET", "/api/checklists").json() if c["code"] == "food-routine"][-1]
    assert after["version"] == 2
    assert after["sections"][1]["items"][4] == {
        "key": "B5", "text": "原料贮存场所清洁，与有毒有害物品分开存放", "kind": "pass_fail", "class": "key",
        "severity": "major", "legal_basis": "《中华人民共和国食品安全法》第五十四条", "photo_required_on_fail": False}
    # Everything else is as it was: the form changes only what was edited.
    after["sections"][1]["items"].pop()
    assert (after["sections"], after["rules"]) == (before["sections"], before["rules"])
    expect(page.locator('[data-section="1"] .ce-item')).to_have_count(5)  # the form now holds version 2
    page.get_by_label("检查表").scroll_into_view_if_needed()
    screenshot(page, "admin-checklists")
    page.get_by_role("button", name="English").click()  # and in English, with the glossary's words
    added = page.locator('[data-item="B5"]')
    added.locator("summary").click()
    expect(added.get_by_label("Class")).to_contain_text("Key item")
    expect(added.get_by_label("Legal basis")).to_have_value("《中华人民共和国食品安全法》第五十四条")

"""A person enrols from an invitation link, signs out and signs in again, in Chromium."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import enrol, invitation, screenshot


def test_enrol_sign_out_sign_in(page: Page, live_server: str, database_url: str) -> None:
    token = invitation(database_url, "inspector", "张伟", "370000")
    page.goto(f"{live_server}/enrol/{token}")
    expect(page.get_by_text("为「张伟」（检查人员）创建通行密钥")).to_be_visible()
    screenshot(page, "enrol")

    page.get_by_role("button", name="创建通行密钥").click()
    expect(page.get_by_role("heading", name="今日任务")).to_be_visible()  # an inspector's home
    expect(page.get_by_text("张伟 · 检查人员")).to_be_visible()
    page.get_by_role("link", name="企业档案").click()
    expect(page.locator(".card")).to_have_count(30)
    screenshot(page, "registry")

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="用通行密钥登录")).to_be_visible()
    screenshot(page, "sign-in")

    page.get_by_role("button", name="用通行密钥登录").click()
    expect(page.get_by_text("张伟 · 检查人员")).to_be_visible()

    page.get_by_role("link", name="企业档案").click()
    page.locator(".card").first.click()
    expect(page.get_by_role("heading", name="关键控制点")).to_be_visible()
    screenshot(page, "enterprise")


def test_used_invitation_says_so(page: Page, live_server: str, database_url: str) -> None:
    token = invitation(database_url, "reviewer", "王芳", "370000")
    page.goto(f"{live_server}/enrol/{token}")
    page.get_by_role("button", name="创建通行密钥").click()
    expect(page.get_by_role("heading", name="审核")).to_be_visible()  # a reviewer starts at the review queue
    page.goto(f"{live_server}/enrol/{token}")
    expect(page.get_by_role("alert")).to_contain_text("此邀请链接已经使用过")
    page.get_by_role("link", name="用通行密钥登录").click()  # the way forward
    expect(page.get_by_role("heading", name="审核")).to_be_visible()
    screenshot(page, "invitation-used")


def test_inspector_finds_overdue_enterprises(page: Page, live_server: str) -> None:
    enrol(page, live_server, role="inspector", region="370000", name="赵强")
    page.get_by_role("link", name="企业档案").click()
    expect(page.locator(".card")).to_have_count(30)
    page.get_by_role("button", name="逾期未检").click()
    expect(page.get_by_role("button", name="逾期未检")).to_have_attribute("aria-pressed", "true")
    overdue = page.locator(".card")
    expect(overdue).not_to_have_count(30)  # waits for the filtered list
    expect(overdue.first).to_be_visible()
    expect(overdue.first.locator(".badge.missing", has_text="下次检查")).to_be_visible()
    screenshot(page, "overdue")

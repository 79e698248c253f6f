"""Failures are said in Chinese with a way forward, never the browser's or the server's
English: a sign-in on a phone without the passkey, a bad invitation link, no network."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot


def test_sign_in_on_a_phone_without_the_passkey_says_what_to_do(page: Page, live_server: str) -> None:
    page.goto(live_server)  # this phone's authenticator holds no passkey for the site
    page.get_by_role("button", name="用通行密钥登录").click()
    problem = page.get_by_test_id("passkey-problem")
    expect(problem).to_contain_text("本设备上没有可用于本系统的通行密钥")
    expect(problem).to_contain_text("请使用当初登记通行密钥的手机登录")
    expect(problem).to_contain_text("向管理员申请新的邀请链接")
    expect(page.get_by_role("button", name="用通行密钥登录")).to_be_enabled()  # and try again
    screenshot(page, "sign-in-no-passkey")


def test_a_broken_invitation_link_says_so_in_chinese(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/enrol/not-a-real-token")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("邀请链接无效，请确认链接复制完整")
    expect(alert).to_contain_text("向管理员申请新的邀请链接")
    expect(alert).not_to_contain_text("invitation")
    screenshot(page, "invitation-invalid")


def test_offline_sign_in_says_so_and_what_is_kept(page: Page, live_server: str) -> None:
    page.goto(live_server)
    expect(page.get_by_role("button", name="用通行密钥登录")).to_be_visible()
    page.context.set_offline(True)
    page.get_by_role("button", name="用通行密钥登录").click()
    problem = page.get_by_test_id("passkey-problem")
    expect(problem).to_contain_text("当前没有网络连接")
    expect(problem).not_to_contain_text("Failed to fetch")
    screenshot(page, "sign-in-offline")
    page.context.set_offline(False)

"""The reviewer's desk in Chromium: a photo returned with a reason reaches its inspector
(another browser), keyboard shortcuts, filters, zoom; a submitted visit returned; a photo
the job cannot decode, returned by the system."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Callable

from playwright.sync_api import Page, expect

from backend.clock import bureau_today
from backend.media.decoded import RETAKE
from tests.e2e.conftest import call, enrol, screenshot, submit_visit, upload
from tests.factories import damaged_png, photo

JINAN = (36.6512, 117.1201, 40.0)  # far from any Huimin enterprise


def test_reviewer_returns_a_photo_and_the_inspector_sees_why(page: Page, new_page: Callable[[], Page],
                                                              live_server: str) -> None:
    enrol(page, live_server, "inspector", region="371621")
    firm, other = call(page, "GET", "/api/enterprises?limit=2").json()["items"]
    place = call(page, "GET", f"/api/enterprises/{firm['id']}").json()
    near = (place["latitude"], place["longitude"], 12.0)
    sharp = upload(page, firm["id"], photo(seed=1, gps=near, when="2026:11:20 10:15:00"), caption="出厂检验记录")
    far = upload(page, firm["id"], photo(seed=2, gps=JINAN), caption="原料库")
    upload(page, other["id"], photo(seed=3), caption="别家的照片")
    copy = upload(page, firm["id"], photo(seed=3), caption="重复的照片")
    assert (far["flags"], copy["flags"]) == (["far_from_enterprise"], ["near_duplicate"])

    desk = new_page()
    enrol(desk, live_server, "reviewer", region="371600")
    expect(desk.get_by_role("heading", name="审核")).to_be_visible()  # the reviewer's home
    expect(desk.get_by_text("第 1 / 4 项")).to_be_visible()
    expect(desk.locator(".enterprise-name")).to_have_text(firm["name"])
    expect(desk.get_by_text("出厂检验记录")).to_be_visible()
    expect(desk.locator("dd", has_text="2026/11/20 10:15")).to_contain_text("（照片记录）")  # the camera's clock
    expect(desk.locator(".desk-preview img")).to_have_attribute("src", f"/api/media/{sharp['id']}/preview")
    expect(desk.get_by_role("button", name="惠民县")).to_be_visible()  # region chips: the city's counties
    screenshot(desk, "review-queue")
    expect(desk.locator("kbd").first).to_be_visible()  # a keyboard's hints: J/K, A, R
    touch = desk.context.new_cdp_session(desk)
    touch.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    expect(desk.locator("kbd").first).to_be_hidden()  # on a phone's touch screen: none
    touch.send("Emulation.setTouchEmulationEnabled", {"enabled": False})
    expect(desk.locator("kbd").first).to_be_visible()

    desk.keyboard.press("j")
    expect(desk.get_by_text("第 2 / 4 项")).to_be_visible()
    expect(desk.get_by_text("⚠ 拍摄地点远离企业").last).to_be_visible()
    desk.keyboard.press("k")
    expect(desk.get_by_text("第 1 / 4 项")).to_be_visible()

    desk.keyboard.press("a")  # accept the first
    expect(desk.get_by_role("status")).to_have_text(f"已通过：{firm['name']}")
    expect(desk.get_by_text("第 1 / 3 项")).to_be_visible()
    expect(desk.get_by_text("原料库")).to_be_visible()

    desk.keyboard.press("r")  # return the far one: R focuses the reason, Enter sends
    reason = desk.get_by_role("textbox", name="退回原因（检查人员会看到）")
    expect(reason).to_be_focused()
    desk.keyboard.type("拍摄地点不在企业厂区，请到现场重拍")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("status")).to_have_text(f"已退回：{firm['name']}")
    expect(desk.get_by_text("第 1 / 2 项")).to_be_visible()

    desk.locator(".desk-preview button.preview").click()  # zoom: the original, full screen
    viewer = desk.get_by_role("dialog")
    expect(viewer.locator("img")).to_have_attribute("src", re.compile(r"/original$"))
    viewer.locator("img").click()
    expect(viewer.locator(".viewer-body.zoomed")).to_be_visible()
    desk.keyboard.press("Escape")
    expect(viewer).to_be_hidden()

    desk.get_by_role("button", name="⚠ 疑似重复照片").click()
    expect(desk.get_by_text("第 1 / 1 项")).to_be_visible()
    expect(desk.get_by_text("重复的照片")).to_be_visible()
    desk.get_by_role("button", name="通过").click()
    expect(desk.get_by_text("审核队列已清空")).to_be_visible()

    desk.get_by_role("group", name="按提示筛选").get_by_role("button", name="全部").click()
    expect(desk.get_by_text("别家的照片")).to_be_visible()
    desk.set_viewport_size({"width": 1280, "height": 800})  # the desk: preview left, details right, keys shown
    expect(desk.get_by_text("快捷键：A 通过")).to_be_visible()
    preview, details = desk.locator(".desk-preview").bounding_box(), desk.locator(".desk-details").bounding_box()
    assert preview and details and preview["x"] + preview["width"] <= details["x"] and preview["y"] == details["y"]

    statuses = {m: call(desk, "GET", f"/api/media/{m}").json()["status"] for m in (sharp["id"], far["id"], copy["id"])}
    assert statuses == {sharp["id"]: "accepted", far["id"]: "returned", copy["id"]: "accepted"}

    page.get_by_role("link", name=re.compile("^退回")).click()  # the inspector, on their own phone
    expect(page.get_by_role("heading", name="被退回的照片")).to_be_visible()
    card = page.locator(".card.returned")
    expect(card).to_have_count(1)
    expect(card.locator(".reason")).to_have_text("退回原因：拍摄地点不在企业厂区，请到现场重拍")
    expect(card.get_by_text("原料库")).to_be_visible()
    expect(card.locator("img")).to_have_attribute("src", f"/api/media/{far['id']}/preview")
    expect(page.locator("nav.tabs .count")).to_have_text("1")
    # the photo itself arrives (lazily, after the card): waited for, not sampled once
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=card.locator("img").element_handle())
    screenshot(page, "returned")


def test_reviewer_returns_a_submitted_visit(page: Page, new_page: Callable[[], Page], live_server: str) -> None:
    enrol(page, live_server, "inspector", region="371621")
    firm = call(page, "GET", "/api/enterprises?limit=1").json()["items"][0]
    visit = submit_visit(page, firm["id"], (bureau_today() + timedelta(days=30),))

    desk = new_page()
    enrol(desk, live_server, "reviewer", region="371621")
    desk.get_by_role("button", name="检查记录").click()
    expect(desk.locator(".enterprise-name")).to_have_text(firm["name"])
    expect(desk.locator(".record-answers [data-result]")).to_have_text(["符合", "不符合"])  # every answer
    expect(desk.locator(".record-answers .thumbs img")).to_have_count(1)  # the failed item's photo
    expect(desk.locator(".record-signature")).to_have_count(3)  # every signature, with its image
    expect(desk.locator(".record-signature img")).to_have_count(3)
    expect(desk.locator(".record-signature").last).to_contain_text("企业负责人")
    desk.keyboard.press("r")
    desk.keyboard.type("缺少第二名检查人员的现场照片")
    desk.keyboard.press("Enter")
    expect(desk.get_by_text("没有等待审核的检查记录。")).to_be_visible()
    returned = call(desk, "GET", f"/api/visits/{visit['id']}").json()
    assert (returned["status"], returned["review_reason"]) == ("returned", "缺少第二名检查人员的现场照片")


def test_a_photo_whose_pixels_do_not_decode_comes_back_for_a_retake(page: Page, live_server: str) -> None:
    enrol(page, live_server, "inspector", region="371621")
    firm = call(page, "GET", "/api/enterprises?limit=1").json()["items"][0]
    damaged = upload(page, firm["id"], damaged_png(), "sketch.png", caption="配电柜")  # whole in structure: filed (201)
    assert damaged["status"] in ("pending", "returned")  # a job worker may have decoded it before the answer was read
    for _ in range(300):  # the job decodes it soon after, and returns it by itself
        if call(page, "GET", f"/api/media/{damaged['id']}").json()["status"] == "returned":
            break
        page.wait_for_timeout(50)

    page.reload()
    page.get_by_role("link", name=re.compile("^退回")).click()
    card = page.locator(".card.returned")
    expect(card).to_have_count(1)
    expect(card.locator(".reason")).to_have_text(f"退回原因：{RETAKE}")
    expect(card.get_by_text("照片已损坏，无法显示，已退回重拍")).to_be_visible()  # no preview is waited for
    expect(card.locator("img")).to_have_count(0)
    screenshot(page, "returned-undecodable")

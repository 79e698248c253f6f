"""Video evidence in Chromium: the reviewer's desk plays a body-camera clip from its poster
frame and seeks into it (the browser asks the original by byte ranges)."""

from __future__ import annotations

from typing import Callable

from playwright.sync_api import Page, expect

from tests.e2e.conftest import call, enrol, screenshot, upload
from tests.factories import video


def test_the_review_desk_plays_a_video_and_seeks(page: Page, new_page: Callable[[], Page], live_server: str) -> None:
    enrol(page, live_server, "inspector", region="371621")
    firm = call(page, "GET", "/api/enterprises?limit=1").json()["items"][0]
    clip = upload(page, firm["id"], video("webm", "libvpx-vp9", seconds=6), "现场.webm", caption="执法记录仪：出厂检验")

    desk = new_page()
    enrol(desk, live_server, "reviewer", region="371600")
    expect(desk.get_by_text("执法记录仪：出厂检验")).to_be_visible()
    player = desk.locator(".desk-preview video")
    expect(player).to_have_attribute("src", f"/api/media/{clip['id']}/original")
    expect(player).to_have_attribute("poster", f"/api/media/{clip['id']}/preview")
    expect(desk.locator("dd", has_text="0:06")).to_contain_text("VP9")
    desk.wait_for_function("document.querySelector('.desk-preview video').readyState >= 1", timeout=15_000)
    assert abs(player.evaluate("v => v.duration") - 6) < 0.2
    arrived = player.evaluate("""v => new Promise((done, fail) => {
        v.addEventListener('seeked', () => done(v.currentTime), { once: true });
        v.addEventListener('error', () => fail(String(v.error && v.error.message)), { once: true });
        v.currentTime = 4.5;
    })""")
    assert abs(arrived - 4.5) < 0.2
    desk.wait_for_function("document.querySelector('.desk-preview video').readyState >= 2", timeout=15_000)
    screenshot(desk, "review-video")

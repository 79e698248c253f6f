"""An inspector's visit done with no signal: answered, photographed, signed and submitted
offline, kept through a reload, then filed exactly once — also when the connection is cut
half way through the sync, and when the session has expired in the meantime."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from PIL import Image
from playwright.sync_api import Page, Route, expect

from backend import db
from backend.accounts.tables import Session, User
from backend.clock import bureau_today
from backend.inspections.tables import Visit
from backend.media.tables import MediaItem
from backend.notices.tables import Notice
from tests.conftest import run_async
from tests.e2e.conftest import screenshot, todays_visit


def jpeg(colour: tuple[int, int, int]) -> dict:
    """A small real JPEG, as a phone camera would hand it over."""
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG", quality=80)
    return {"name": f"IMG_{colour[0]}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def filed(database_url: str, visit_id: str) -> dict:
    """What the server holds of the visit."""
    async def count() -> dict:
        async with db.connected(database_url):
            visits = await Visit.select(Visit.status).where(Visit.id == visit_id)
            media = await MediaItem.select(MediaItem.category).where(MediaItem.visit == visit_id)
            notices = await Notice.select(Notice.photo).where(Notice.visit == visit_id)
            return {"visits": [v["status"] for v in visits],
                    "photos": sorted(m["category"] for m in media if m["category"] != "signature"),
                    "signatures": sum(m["category"] == "signature" for m in media),
                    "notices": [str(n["photo"]) if n["photo"] else None for n in notices]}

    return run_async(count())


def sign_all(page: Page) -> None:
    """The visit's three signatures: the inspector's, the colleague's (张伟, named by the
    visit's team, not typed), the enterprise's (刘建国)."""
    expect(page.locator('[data-signer="colleague"]')).to_contain_text("张伟")
    expect(page.locator('[data-signer="colleague"] input')).to_have_count(0)
    sign(page, "me")
    sign(page, "colleague")
    page.locator('[data-signer="enterprise"] input[placeholder="签名人姓名"]').fill("刘建国")
    sign(page, "enterprise")


def submit_on_phone(page: Page) -> None:
    """Submit, then confirm on the summary shown before the irreversible step."""
    page.get_by_role("button", name="提交检查（离线也可）").click()
    page.get_by_role("dialog", name="确认提交这次检查").get_by_role("button", name="确认提交").click()


def sign(page: Page, signer: str) -> None:
    pad = page.locator(f'[data-signer="{signer}"] canvas')
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 100)
    page.mouse.down()
    for x, y in ((80, 40), (140, 120), (200, 50), (260, 110)):
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()
    expect(page.locator(f'[data-signer="{signer}"] .signed img')).to_be_visible()


def start_and_answer(page: Page, deadline: date | None = None) -> None:
    """Start the open visit; its first item fails, with a photo and a finding (its deadline
    in 15 days unless given); its second passes."""
    page.get_by_role("button", name="开始检查（记录时间和定位）").click()
    first, second = page.locator("li.item[data-item]").nth(0), page.locator("li.item[data-item]").nth(1)
    first.get_by_role("button", name="不符合", exact=True).click()
    expect(first.get_by_text("不符合：需拍照取证")).to_be_visible()
    first.locator('input[accept="image/*"]').set_input_files(jpeg((200, 40, 40)))
    expect(first.locator(".thumb img")).to_be_visible()
    first.get_by_label("照片说明（可选）").fill("许可证原件，有效期至2025年")  # sent as the upload's caption
    first.get_by_label("问题描述").fill("许可证已过期，仍在生产")
    first.get_by_label("整改期限").fill((deadline or bureau_today() + timedelta(days=15)).isoformat())
    second.get_by_role("button", name="符合", exact=True).click()


def do_visit_offline(page: Page, visit: dict, deadline: date | None = None) -> None:
    """Three photos (failed item, control point, notice in place), a finding (its deadline
    in 15 days unless given), a notice, three signatures, a conclusion; submitted with no network."""
    page.context.set_offline(True)
    page.locator(".visit-card", has_text=visit["enterprise"]).click()
    start_and_answer(page, deadline)
    screenshot(page, "visit")

    point = page.locator(f'li.point[data-point="{visit["point"]}"]')
    point.locator('input[type="file"]').first.set_input_files(jpeg((40, 160, 60)))
    expect(point.locator(".thumb img")).to_have_count(1)
    point.get_by_role("button", name="张贴警示语").click()
    point.locator(".templates button.secondary").first.click()
    point.get_by_test_id("notice-photo").locator("input").set_input_files(jpeg((40, 60, 200)))
    expect(point.locator(".thumb img")).to_have_count(2)

    sign_all(page)
    page.get_by_role("button", name="限期整改").click()
    submit_on_phone(page)
    expect(page.get_by_role("heading", name="待发送")).to_be_visible()
    # 3 photos + 3 signatures, the visit, the notice
    expect(page.locator(".outbox .op")).to_have_count(8)


def test_visit_done_offline_is_filed_once(page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "孙磊")
    screenshot(page, "today")
    do_visit_offline(page, visit)
    expect(page.locator(".sync-badge")).to_contain_text("8")
    screenshot(page, "outbox")

    page.reload()  # still offline: the app starts from its service worker, the queue from IndexedDB
    expect(page.locator(".outbox .op")).to_have_count(8)
    expect(page.locator('.op[data-kind="visit"]')).to_contain_text(visit["enterprise"])
    assert filed(database_url, visit["id"]) == {"visits": ["planned"], "photos": [], "signatures": 0, "notices": []}

    page.context.set_offline(False)  # the network returns: the outbox replays by itself
    expect(page.get_by_text("全部已发送，没有待发送的记录。")).to_be_visible(timeout=15000)
    held = filed(database_url, visit["id"])
    assert held["visits"] == ["submitted"]
    assert held["photos"] == ["evidence", "notice", "premises"]
    assert held["signatures"] == 3
    assert len(held["notices"]) == 1 and held["notices"][0] is not None

    page.goto(f"{live_server}/visits/{visit['id']}")  # what the inspector filed, read back from the server
    expect(page.get_by_test_id("record-status")).to_have_text("待审核")
    expect(page.locator(".record-answers > li").first.get_by_text("许可证原件，有效期至2025年")).to_be_visible()
    expect(page.locator(".record-signature img")).to_have_count(3)
    screenshot(page, "visit-filed-record")


def test_sync_cut_half_way_files_no_duplicates(page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "周敏")
    do_visit_offline(page, visit)

    # Back online, but the line drops twice: after the first photo arrives, the second one
    # reaches the server and its answer is lost; so is the answer to the visit itself.
    uploads = {"media": 0, "visit": 0}

    def lose_answer(route: Route, kind: str) -> None:
        uploads[kind] += 1
        if (kind == "media" and uploads[kind] == 2) or (kind == "visit" and uploads[kind] == 1):
            route.fetch()  # the server files it…
            route.abort("connectionreset")  # …and the phone never hears back
        else:
            route.continue_()

    page.route("**/api/media", lambda route: lose_answer(route, "media"))
    page.route("**/api/visits/submissions", lambda route: lose_answer(route, "visit"))
    page.context.set_offline(False)
    expect(page.locator(".op", has_text="网络中断或没有信号").first).to_be_visible(timeout=15000)
    while page.locator(".outbox .op").count():
        page.get_by_role("button", name="立即发送").click()
        page.wait_for_timeout(300)
        if page.get_by_text("全部已发送，没有待发送的记录。").is_visible():
            break
    expect(page.get_by_text("全部已发送，没有待发送的记录。")).to_be_visible(timeout=15000)
    assert uploads["media"] == 7  # six photos, one of them twice
    assert uploads["visit"] == 2
    held = filed(database_url, visit["id"])
    assert held["visits"] == ["submitted"]
    assert held["photos"] == ["evidence", "notice", "premises"]
    assert held["signatures"] == 3
    assert len(held["notices"]) == 1


def test_expired_session_keeps_the_queue(page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "吴刚")
    do_visit_offline(page, visit)

    async def revoke() -> None:
        async with db.connected(database_url):
            user = await User.select(User.id).where(User.display_name == "吴刚").first()
            await Session.update({Session.revoked_at: datetime.now(timezone.utc)}).where(Session.user == user["id"])

    run_async(revoke())  # the session ends while the phone is offline
    page.context.set_offline(False)
    expect(page.get_by_role("button", name="用通行密钥登录")).to_be_visible(timeout=15000)
    assert filed(database_url, visit["id"])["visits"] == ["planned"]

    page.get_by_role("button", name="用通行密钥登录").click()
    expect(page.get_by_role("heading", name="待发送")).to_be_visible()  # back where the inspector was
    expect(page.get_by_text("全部已发送，没有待发送的记录。")).to_be_visible(timeout=15000)
    held = filed(database_url, visit["id"])
    assert held["visits"] == ["submitted"]
    assert held["photos"] == ["evidence", "notice", "premises"]

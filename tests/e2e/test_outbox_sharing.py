"""The phone's outbox when life is untidy: two tabs of the app replaying one queue, a
rectification deadline that passes while the phone is offline, and a phone passed from one
inspector to another (signing out without signal included)."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta

from playwright.sync_api import Page, Response, Route, expect

from backend import clock, db
from backend.accounts.tables import Session, User
from backend.clock import bureau_today
from tests.conftest import run_async
from tests.e2e.conftest import enrol, todays_visit
from tests.e2e.test_offline_visit import do_visit_offline, filed, submit_on_phone
from tests.factories import LIXIA

ALL_SENT = "全部已发送，没有待发送的记录。"


def test_two_tabs_offline_then_online_file_one_visit(page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "钱进")
    other = page.context.new_page()  # a second tab of the app, left on the outbox
    other.goto(f"{live_server}/outbox")
    expect(other.get_by_text(ALL_SENT)).to_be_visible()
    do_visit_offline(page, visit)
    expect(other.locator(".outbox .op")).to_have_count(8)  # the other tab sees the queue, never "all sent"
    expect(other.get_by_text(ALL_SENT)).to_be_hidden()

    uploads: list[int] = []

    def answered(response: Response) -> None:
        if response.url.endswith("/api/media") and response.request.method == "POST":
            uploads.append(response.status)

    page.context.on("response", answered)
    who = page.locator("header .who")  # the sync badge leaves the name in view at 390 px
    expect(page.get_by_test_id("sync-badge")).to_contain_text("8")
    assert who.bounding_box()["width"] >= 48 and page.get_by_test_id("sync-badge").bounding_box()["width"] <= 80
    page.context.set_offline(False)  # both tabs hear "online"; one of them sends
    for tab in (page, other):
        expect(tab.get_by_text(ALL_SENT)).to_be_visible(timeout=20000)
    assert sorted(uploads) == [201] * 6, uploads  # one upload per file, no 409
    held = filed(database_url, visit["id"])
    assert held["visits"] == ["submitted"]
    assert held["photos"] == ["evidence", "notice", "premises"] and held["signatures"] == 3
    assert len(held["notices"]) == 1


def test_a_deadline_that_passed_while_offline_is_filed(page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "孔亮")
    page.context.set_offline(True)
    page.context.clock.set_system_time(clock.now() - timedelta(days=3))  # the visit is done three days ago…
    do_visit_offline(page, visit, deadline=bureau_today() - timedelta(days=1))  # …with a deadline now passed
    page.context.clock.set_system_time(clock.now())  # today, the network returns
    page.context.set_offline(False)
    expect(page.get_by_text(ALL_SENT)).to_be_visible(timeout=20000)
    assert filed(database_url, visit["id"])["visits"] == ["submitted"]


def test_a_refused_photo_is_shown_kept_in_a_file_and_the_visit_filed(page: Page, live_server: str, database_url: str,
                                                                    tmp_path) -> None:
    visit = todays_visit(page, live_server, database_url, "卫东")
    do_visit_offline(page, visit)

    def refuse_the_site_photo(route: Route) -> None:
        if b'name="category"\r\n\r\npremises' in (route.request.post_data_buffer or b""):
            route.fulfill(status=415, content_type="application/json", body=json.dumps(
                {"status_code": 415, "detail": "Unsupported file type.", "extra": [{"key": "file", "message": "x"}]}))
        else:
            route.continue_()

    page.route("**/api/media", refuse_the_site_photo)
    page.context.set_offline(False)
    refused = page.locator('.op[data-state="failed"]')
    expect(refused).to_have_count(1, timeout=20000)
    expect(page.locator(".outbox .op")).to_have_count(1, timeout=20000)  # the visit went on without it
    held = filed(database_url, visit["id"])
    assert held["visits"] == ["submitted"] and held["photos"] == ["evidence", "notice"]
    expect(refused).to_contain_text("服务器不接受这个文件")
    expect(refused).to_contain_text("另存为文件")

    with page.expect_download() as download:
        refused.get_by_role("button", name="另存为文件（ZIP）").click()
    path = tmp_path / "refused.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as kept:
        names = kept.namelist()
        assert kept.testzip() is None
        assert json.loads(kept.read("request.json"))["fields"]["category"] == "premises"
    assert "request.json" in names and any(n.startswith("photos/") and n.endswith(".jpg") for n in names)
    refused.get_by_role("button", name="从待发送中删除").click()  # offered only once it is kept in a file
    expect(page.get_by_text(ALL_SENT)).to_be_visible()


def test_a_refused_visit_is_opened_corrected_and_filed(page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "蒋平")
    do_visit_offline(page, visit)
    sent: list[dict] = []

    def refuse_once(route: Route) -> None:
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.fulfill(status=400, content_type="application/json", body=json.dumps({
                "status_code": 400, "detail": "The rectification deadline is before the visit's day.",
                "extra": [{"key": "findings[0].deadline", "message": "x"}]}))
        else:
            route.continue_()

    page.route("**/api/visits/submissions", refuse_once)
    page.context.set_offline(False)
    refused = page.locator('.op[data-kind="visit"][data-state="failed"]')
    expect(refused).to_contain_text("整改期限早于检查当天", timeout=20000)
    expect(page.locator(".outbox .op")).to_have_count(2)  # the visit and the notice waiting on it; the photos went
    refused.get_by_role("link", name="打开修改").click()
    expect(page.get_by_test_id("refusals")).to_contain_text("整改期限早于检查当天")
    page.get_by_role("button", name="修改后重新提交").click()
    later = (bureau_today() + timedelta(days=20)).isoformat()
    page.locator("li.item[data-item]").nth(0).get_by_label("整改期限").fill(later)
    submit_on_phone(page)
    expect(page.get_by_text(ALL_SENT)).to_be_visible(timeout=20000)
    assert sent[-1]["findings"][0]["deadline"] == later
    failed = [a for a in sent[-1]["answers"] if a.get("result") == "fail"]
    assert failed and all(a["media"] for a in failed)  # its photo, sent before, is still cited
    held = filed(database_url, visit["id"])
    assert held["visits"] == ["submitted"] and held["photos"] == ["evidence", "notice", "premises"]
    assert len(held["notices"]) == 1 and held["notices"][0] is not None


def sessions_of(database_url: str, name: str) -> list[bool]:
    """Whether each session of the user named `name` is still alive on the server."""
    async def read() -> list[bool]:
        async with db.connected(database_url):
            user = await User.select(User.id).where(User.display_name == name).first()
            return [s["revoked_at"] is None for s in await Session.select(Session.revoked_at).where(Session.user == user["id"])]

    return run_async(read())


def test_a_second_inspector_on_the_same_browser_sees_nothing_of_the_first(
        page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "冯刚")
    do_visit_offline(page, visit)  # eight records queued, the draft and its photos on the phone

    # Signing out without signal, with the queue unsent: a warning, then the queue is kept.
    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="用通行密钥登录")).to_be_visible()
    assert "8 项未发送" in messages[0]
    assert sessions_of(database_url, "冯刚") == [True]  # the server has not heard yet…
    page.context.set_offline(False)
    for _ in range(100):  # …and does as soon as the network returns
        if sessions_of(database_url, "冯刚") == [False]:
            break
        page.wait_for_timeout(100)
    assert sessions_of(database_url, "冯刚") == [False]
    page.reload()
    expect(page.get_by_role("button", name="用通行密钥登录")).to_be_visible()  # nobody is signed in from what was kept
    assert filed(database_url, visit["id"])["visits"] == ["planned"]  # nothing of A's was sent under nobody

    # Inspector B of another county signs in here, on a flaky first load.
    page.route("**/api/visits?*", lambda route: route.abort("connectionreset"))
    page.route("**/api/enterprises?*", lambda route: route.abort("connectionreset"))
    enrol(page, live_server, role="inspector", region=LIXIA, name="褚红")
    page.goto(f"{live_server}/today")
    expect(page.get_by_text("离线且本机没有保存的数据")).to_be_visible()
    expect(page.get_by_text(visit["enterprise"])).to_have_count(0)
    page.unroute("**/api/visits?*")
    page.unroute("**/api/enterprises?*")
    page.goto(f"{live_server}/outbox")
    expect(page.get_by_text(ALL_SENT)).to_be_visible()
    expect(page.locator(".sync-badge")).to_have_count(0)

    page.context.set_offline(True)  # offline, B types A's visit's address
    page.goto(f"{live_server}/visits/{visit['id']}")
    expect(page.get_by_text("离线且本机没有这家企业的资料")).to_be_visible()
    expect(page.get_by_text(visit["enterprise"])).to_have_count(0)
    expect(page.get_by_text("许可证已过期，仍在生产")).to_have_count(0)

    # A's queue is still on the phone, in A's own store, for when A signs in again.
    kept = page.evaluate("""async () => {
        const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('field-dossier:'));
        const counts = {};
        for (const name of names) {
            const db = await new Promise((ok, no) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = no; });
            counts[name] = await new Promise((ok) => { const r = db.transaction('ops').objectStore('ops').count(); r.onsuccess = () => ok(r.result); });
            db.close();
        }
        return counts;
    }""")
    assert sorted(kept.values()) == [0, 8], kept


def test_an_update_moves_each_users_queue_into_their_own_store(page: Page, live_server: str, database_url: str) -> None:
    """Queues written by the version with one store for everyone: the signed-in user's move
    into their own on the next start; another user's stay where only they will adopt them."""
    todays_visit(page, live_server, database_url, "沈洁")
    me = page.evaluate("() => JSON.parse(localStorage.getItem('me')).id")
    page.evaluate("""async (me) => {
        const db = await new Promise((ok) => {
            const r = indexedDB.open('field-dossier', 1);
            r.onupgradeneeded = () => {
                r.result.createObjectStore('ops', { keyPath: 'id' });
                r.result.createObjectStore('drafts', { keyPath: 'id' });
                r.result.createObjectStore('photos', { keyPath: 'id' }).createIndex('visit', 'visit');
                r.result.createObjectStore('cache', { keyPath: 'path' });
            };
            r.onsuccess = () => ok(r.result);
        });
        const tx = db.transaction('ops', 'readwrite');
        const op = { kind: 'plan', deps: [], status: 'failed', attempts: 1, nextAt: 0, created: '2026-11-20T00:00:00Z',
                     error: { status: 409, detail: '', key: null }, path: '/api/visits', body: {}, label: '旧版本的计划' };
        tx.objectStore('ops').put({ ...op, id: 'mine', user: me });
        tx.objectStore('ops').put({ ...op, id: 'theirs', user: 'someone-else', label: '别人的计划' });
        await new Promise((ok) => { tx.oncomplete = ok; });
        db.close();
    }""", me)
    page.goto(f"{live_server}/outbox")
    expect(page.locator(".outbox .op")).to_have_count(1)
    expect(page.locator(".outbox .op")).to_contain_text("旧版本的计划")
    expect(page.get_by_text("别人的计划")).to_have_count(0)

"""Large evidence from a phone in Chromium against the live server: a photo queued offline
in a visit goes up resumably when the network returns and survives a cut half way without
sending itself twice; a video recorded at a visit is kept, shown and filed like a photo; a
300 MB video goes up in chunks without the server holding it in memory, and plays."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path
from typing import Callable

from PIL import Image
from playwright.sync_api import Page, Request, Route, expect

from backend import db
from backend.clock import bureau_today
from backend.media.tables import MediaItem
from bench.common import memory_kb
from tests.conftest import run_async
from tests.e2e.conftest import SERVERS, call, enrol, screenshot, todays_visit
from tests.e2e.test_offline_visit import sign_all, submit_on_phone
from tests.e2e.test_resumable import resumable_sources
from tests.factories import video

CHUNK = 2 * 2**20  # resumable.js's


def noise_jpeg(megabytes: float) -> dict:
    """A real JPEG of random noise (which does not compress) of about ``megabytes``."""
    side = int((megabytes * 2**20 / 0.97) ** 0.5)  # noise at quality 92: ~0.97 bytes a pixel
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG", quality=92)
    return {"name": "IMG_0042.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def evidence_of(database_url: str, visit_id: str, category: str = "evidence") -> list[dict]:
    """The visit's evidence (or another category) as the server filed it: id, size and type of each file."""
    async def read() -> list[dict]:
        async with db.connected(database_url):
            return await MediaItem.select(MediaItem.id, MediaItem.blob.size.as_alias("size"),
                                          MediaItem.blob.mime.as_alias("mime"),
                                          MediaItem.blob.duration.as_alias("duration")).where(
                (MediaItem.visit == visit_id) & (MediaItem.category == category))

    return run_async(read())


def visit_with_evidence(page: Page, visit: dict, photo: dict | None = None, clip: dict | None = None) -> None:
    """With no network: the first item failed with its evidence (a photo, a video), a
    finding, three signatures, a conclusion; submitted into the outbox."""
    page.context.set_offline(True)
    page.locator(".visit-card", has_text=visit["enterprise"]).click()
    page.get_by_role("button", name="开始检查（记录时间和定位）").click()
    first = page.locator("li.item[data-item]").nth(0)
    first.get_by_role("button", name="不符合", exact=True).click()
    if photo:
        first.locator('input[accept="image/*"]').set_input_files(photo)
        expect(first.locator(".thumb img")).to_be_visible()
    if clip:
        first.locator('[data-testid^="video-"] input').set_input_files(clip)
        expect(first.locator(".thumb video")).to_be_visible()
    first.get_by_label("问题描述").fill("冷库温度超标，现场录像为证")
    first.get_by_label("整改期限").fill((bureau_today() + timedelta(days=15)).isoformat())
    sign_all(page)
    page.get_by_role("button", name="限期整改").click()
    submit_on_phone(page)
    expect(page.get_by_role("heading", name="待发送")).to_be_visible()


def test_a_photo_upload_cut_at_half_resumes_and_sends_under_1_6_times_its_size(
        page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "郑浩")
    photo = noise_jpeg(6)
    size = len(photo["buffer"])
    assert 5 * 2**20 < size < 7 * 2**20, size
    visit_with_evidence(page, visit, photo=photo)
    expect(page.locator(".outbox .op")).to_have_count(5)  # the photo, three signatures, the visit

    sent = {"bytes": 0, "patches": 0}
    one_shot: list[Request] = []

    def tus(route: Route) -> None:
        body = route.request.post_data_buffer or b""
        sent["bytes"] += len(body)
        if route.request.method == "PATCH":
            sent["patches"] += 1
            if sent["patches"] == 2:  # the line drops half way through the photo: this chunk is lost
                route.abort("internetdisconnected")
                return
        route.continue_()

    def sent_whole(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/media"):
            one_shot.append(request)

    page.route("**/api/uploads**", tus)
    # The context's request events: any page's and the service worker's. The page's own saw
    # two of the three signatures now and then; the context's saw four once, one of them
    # with no post data (most likely a body read from IndexedDB), a signature sent twice and filed
    # once. So each one-shot upload's size comes from the network stack, and the server's
    # answers count them.
    page.context.on("request", sent_whole)
    page.context.set_offline(False)
    expect(page.get_by_text("全部已发送，没有待发送的记录。")).to_be_visible(timeout=60_000)

    held = evidence_of(database_url, visit["id"])
    assert [(h["size"], h["mime"]) for h in held] == [(size, "image/jpeg")]  # filed exactly once
    original = call(page, "GET", f"/api/media/{held[0]['id']}/original")
    assert original.body() == photo["buffer"]
    # Each chunk once, and the lost one again (it never reached the server): from the server's
    # offset, not from the start (which would send 2 chunks more, and 1.66 times the size).
    assert sent["patches"] == -(-size // CHUNK) + 1
    assert size < sent["bytes"] < 1.6 * size, (sent["bytes"], size)
    assert len(evidence_of(database_url, visit["id"], "signature")) == 3
    answered = [(request.response().status, request.sizes()["requestBodySize"])  # type: ignore[union-attr]
                for request in one_shot if request.failure is None and request.response() is not None]
    assert [status for status, _ in answered].count(201) == 3
    assert max(body for _, body in answered) < 2**20, answered  # only the signatures went in one piece


def test_a_video_recorded_at_a_visit_is_kept_shown_and_filed(page: Page, live_server: str, database_url: str) -> None:
    visit = todays_visit(page, live_server, database_url, "冯军")
    clip = {"name": "VID_0001.mp4", "mimeType": "video/mp4",
            "buffer": padded(video("mp4", "libx264", seconds=3), 3 * 2**20)}
    visit_with_evidence(page, visit, clip=clip)
    op = page.locator(".outbox .op", has_text="取证视频")
    expect(op).to_have_count(1)

    page.reload()  # still offline: the clip is kept on the phone, and shown in its visit
    page.goto(f"{live_server}/visits/{visit['id']}")
    shown = page.locator("li.item[data-item]").nth(0).locator(".thumb.video")
    expect(shown).to_contain_text("视频 0:03")
    page.wait_for_function("document.querySelector('.thumb video').readyState >= 1", timeout=15_000)
    assert abs(shown.locator("video").evaluate("v => v.duration") - 3) < 0.2
    screenshot(page, "visit-video")

    chunks: list[int] = []
    page.route("**/api/uploads/*", lambda route: (chunks.append(len(route.request.post_data_buffer or b"")),
                                                   route.continue_()))
    page.context.set_offline(False)
    page.goto(f"{live_server}/outbox")
    expect(page.get_by_text("全部已发送，没有待发送的记录。")).to_be_visible(timeout=30_000)
    assert sum(chunks) == len(clip["buffer"]) and len(chunks) >= 2  # in chunks, by the resumable upload
    held = evidence_of(database_url, visit["id"])
    assert [(h["size"], h["mime"], round(h["duration"])) for h in held] == [(len(clip["buffer"]), "video/mp4", 3)]

    documents = call(page, "GET", f"/api/visits/{visit['id']}/documents")
    record = next(d for d in documents.json() if d["kind"] == "record")
    printed = call(page, "GET", f"/api/documents/{record['id']}/pdf")
    assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"


def padded(clip: bytes, size: int) -> bytes:
    """A valid MP4 made ``size`` bytes long by a trailing `free` box (which players skip)."""
    return clip + (size - len(clip)).to_bytes(4, "big") + b"free" + bytes(size - len(clip) - 8)


def growth_kb(pids: list[int], before: dict[int, int]) -> int:
    return max(memory_kb(pid, "VmHWM") - before[pid] for pid in pids)


SEND_FILE = """async ([api, resumable, fields]) => {
    const url = (source) => URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const { sendResumable } = await import(url(resumable.replace("'./api.js'", `'${url(api)}'`)));
    const file = document.getElementById('big').files[0];
    let reports = 0;
    const done = await sendResumable(fields, file, { onProgress: () => { reports += 1; } });
    return { ...done, reports };
}"""


def test_a_300_mb_video_goes_up_resumably_in_bounded_server_memory_and_plays_with_seeking(
        page: Page, new_page: Callable[[], Page], live_server: str, tmp_path: Path) -> None:
    # A valid 3-second MP4 followed by a `free` box to 300 MB in all, sparse on disk.
    size = 300 * 2**20
    clip = video("mp4", "libx264", seconds=3)
    path = tmp_path / "执法记录仪.mp4"
    with path.open("wb") as out:
        out.write(clip + (size - len(clip)).to_bytes(4, "big") + b"free")
        out.truncate(size)

    enrol(page, live_server, "inspector", region="371621")
    firm = call(page, "GET", "/api/enterprises?limit=1").json()["items"][0]
    page.evaluate("() => { const input = document.createElement('input'); input.type = 'file'; input.id = 'big';"
                  " input.hidden = true; document.body.append(input); }")
    page.set_input_files("#big", str(path))  # the browser reads the file itself: not through Python's memory

    server = SERVERS[live_server]
    pids = [server, *map(int, Path(f"/proc/{server}/task/{server}/children").read_text().split())]  # granian's workers
    before = {pid: memory_kb(pid, "VmHWM") for pid in pids}
    fields = {"id": "0b6c1f9e-2d7a-4e53-9c1a-6f4e8d2a7b35", "enterprise_id": firm["id"], "category": "evidence",
              "caption": "执法记录仪：冷库全程"}
    sources = resumable_sources()
    done = page.evaluate(SEND_FILE, [*sources, fields])
    assert done["status"] == 201, done
    assert (done["body"]["size"], done["body"]["mime"]) == (size, "video/mp4")
    assert done["reports"] > size // CHUNK  # bytes sent of total, chunk by chunk

    desk = new_page()
    enrol(desk, live_server, "reviewer", region="371600")
    expect(desk.get_by_text(fields["caption"])).to_be_visible()
    player = desk.locator(".desk-preview video")
    expect(player).to_have_attribute("src", f"/api/media/{fields['id']}/original")
    desk.wait_for_function("document.querySelector('.desk-preview video').readyState >= 1", timeout=30_000)
    assert abs(player.evaluate("v => v.duration") - 3) < 0.2
    arrived = player.evaluate("""v => new Promise((done, fail) => {
        v.addEventListener('seeked', () => done(v.currentTime), { once: true });
        v.addEventListener('error', () => fail(String(v.error && v.error.message)), { once: true });
        v.currentTime = 2.2;
    })""")
    assert abs(arrived - 2.2) < 0.2
    grown = growth_kb(pids, before)
    assert grown < 64 * 1024, f"the server's peak memory grew by {grown // 1024} MB for a 300 MB upload"

"""Evidence media through the HTTP API: real files, both databases, both stores (a folder;
SeaweedFS with DOSSIER_TEST_MEDIA=s3)."""

from __future__ import annotations

import hashlib
import io
import os
import time
import uuid
from pathlib import Path

import pytest
from httpx import AsyncClient
from litestar import Litestar
from PIL import Image

from backend.app import create_app
from backend.audit.tables import AuditEvent
from backend.media.storage import media_store
from backend.media.store import LocalMediaStore
from backend.media.tables import Blob, MediaItem
from backend.settings import Settings
from tests.conftest import SignIn, fetched
from tests.factories import HUIMIN, LIXIA, PNG, enterprise_body, pdf, photo, png_bomb

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "images"


def mpo() -> bytes:
    """A multi-picture JPEG, as some phones save."""
    frames = [Image.open(io.BytesIO(photo(seed=s))) for s in (50, 51)]
    out = io.BytesIO()
    frames[0].save(out, "MPO", save_all=True, append_images=frames[1:])
    return out.getvalue()
HUIMIN_FACTORY = (37.4900, 117.5100)


@pytest.fixture
async def firm(client: AsyncClient) -> dict:
    """An enterprise in Huimin with coordinates."""
    body = enterprise_body(1, latitude=HUIMIN_FACTORY[0], longitude=HUIMIN_FACTORY[1],
                           control_points=[{"name": "出厂检验", "kind": "factory_exit_inspection"}])
    return (await client.post("/api/enterprises", json=body)).json()


async def upload(client: AsyncClient, enterprise_id: str, content: bytes, name: str = "photo.jpg",
                 media_id: str | None = None, **fields) -> tuple[int, dict]:
    data = {"id": media_id or str(uuid.uuid4()), "enterprise_id": enterprise_id, "category": "evidence", **fields}
    response = await client.post("/api/media", data={k: str(v) for k, v in data.items()},
                                 files={"file": (name, content, "application/octet-stream")})
    return response.status_code, response.json()


def stored_files(settings: Settings) -> list[str]:
    """What the media store holds, and the temp files of the upload spool."""
    spool = Path(settings.media_root, "tmp")
    return sorted([*media_store(settings).keys(), *(f"tmp/{p.name}" for p in spool.glob("*"))])


async def test_photo_is_filed_with_its_exif(client: AsyncClient, firm: dict, settings: Settings, settle) -> None:
    content = photo(gps=(37.4901, 117.5102, 12.5), when="2026:11:20 10:15:00")
    status, media = await upload(client, firm["id"], content, caption="原料库温度记录", category="ledger")
    assert status == 201, media
    assert media["sha256"] == hashlib.sha256(content).hexdigest() and media["size"] == len(content)
    assert (media["mime"], media["width"], media["height"]) == ("image/jpeg", 640, 480)
    assert media["captured_at"] == "2026-11-20T02:15:00Z" and media["captured_at_source"] == "exif"
    assert (media["latitude"], media["longitude"], media["altitude"], media["location_source"]) == (37.4901, 117.5102, 12.5, "exif")
    assert (media["device_make"], media["device_model"]) == ("Xiaomi", "Mi 13")
    assert media["status"] == "pending" and media["flags"] == [] and media["category"] == "ledger"

    store = media_store(settings)
    assert store.read(media["sha256"], "original") == content  # byte for byte
    await settle()  # the derivatives are made by a job
    for variant, limit in (("thumbnail", 320), ("preview", 1600)):
        derived = Image.open(io.BytesIO(store.read(media["sha256"], variant)))
        assert derived.format == "JPEG" and max(derived.size) <= limit and not derived.getexif()


async def test_orientation_is_made_upright(client: AsyncClient, firm: dict, settle) -> None:
    status, media = await upload(client, firm["id"], photo(size=(400, 200), orientation=6))
    assert status == 201 and media["orientation"] == 6
    await settle()
    preview = await fetched(client, f"/api/media/{media['id']}/preview")
    assert Image.open(io.BytesIO(preview.content)).size == (200, 400)


async def test_phone_readings_are_the_fallback(client: AsyncClient, firm: dict) -> None:
    status, media = await upload(client, firm["id"], PNG, "p.png", latitude=37.5, longitude=117.52,
                                 captured_at="2026-11-20T10:00:00+08:00")
    assert status == 201
    assert (media["location_source"], media["captured_at_source"]) == ("device", "device")
    assert media["captured_at"] == "2026-11-20T02:00:00Z"


async def test_retries_are_idempotent_and_bytes_stored_once(client: AsyncClient, firm: dict, settings: Settings) -> None:
    content, media_id = photo(seed=3), str(uuid.uuid4())
    first = await upload(client, firm["id"], content, media_id=media_id)
    again = await upload(client, firm["id"], content, media_id=media_id)
    assert (first[0], again[0]) == (201, 200) and first[1] == again[1]
    other = await upload(client, firm["id"], photo(seed=4), media_id=media_id)
    assert other[0] == 409 and other[1]["extra"][0]["key"] == "id"
    twin = await upload(client, firm["id"], content)  # same bytes, new record
    assert twin[0] == 201
    assert await MediaItem.count() == 2 and await Blob.count() == 1
    assert [f for f in stored_files(settings) if f.startswith("originals/")] == [
        f"originals/{first[1]['sha256'][:2]}/{first[1]['sha256'][2:4]}/{first[1]['sha256']}"
    ]


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("hopper.png", (FIXTURES / "hopper.png").read_bytes(), "image/png"),
        ("hopper.webp", (FIXTURES / "hopper.webp").read_bytes(), "image/webp"),
        ("hopper.heif", (FIXTURES / "hopper.heif").read_bytes(), "image/heic"),
        ("licence.pdf", pdf(), "application/pdf"),
        ("invalid-exif.jpg", (FIXTURES / "invalid-exif.jpg").read_bytes(), "image/jpeg"),
        ("named-wrongly.txt", photo(seed=9), "image/jpeg"),
        ("phone.mpo", mpo(), "image/jpeg"),
    ],
)
async def test_accepted_kinds(client: AsyncClient, firm: dict, name: str, content: bytes, mime: str) -> None:
    status, media = await upload(client, firm["id"], content, name, category="licence")
    assert status == 201, media
    assert media["mime"] == mime


@pytest.mark.parametrize(
    ("name", "content", "status", "words"),
    [
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415, "Only photos"),
        ("page.jpg", b"<!doctype html><html><body>hi</body></html>", 415, "Only photos"),
        ("setup.jpg", b"MZ\x90\x00" + b"\x00" * 200, 415, "Only photos"),
        ("bomb.gif", (FIXTURES / "decompression_bomb.gif").read_bytes(), 415, "Only photos"),
        ("cut.jpg", (FIXTURES / "truncated_jpeg.jpg").read_bytes(), 400, "could not be decoded"),
        ("cut.png", (FIXTURES / "hopper.png").read_bytes()[:-12], 400, "could not be decoded"),  # no IEND
        ("cut.webp", (FIXTURES / "hopper.webp").read_bytes()[:-100], 400, "could not be decoded"),
        ("cut.heic", (FIXTURES / "hopper.heif").read_bytes()[:-100], 400, "could not be decoded"),
        ("cut2.jpg", photo()[:-2], 400, "could not be decoded"),  # all but its EOI marker
        ("noise.jpg", b"\xff\xd8\xff\xe0" + os.urandom(4000), 400, "could not be decoded"),
        ("bomb.png", png_bomb(), 400, "decompression bomb"),
        ("empty.jpg", b"", 400, "empty"),
        ("cut.pdf", pdf(complete=False), 400, "cut off"),
    ],
)
async def test_refused_files_leave_nothing(client: AsyncClient, firm: dict, settings: Settings, name: str,
                                           content: bytes, status: int, words: str) -> None:
    code, body = await upload(client, firm["id"], content, name)
    assert code == status, body
    assert words in body["detail"] and body["extra"][0]["key"] == "file"
    assert stored_files(settings) == []
    assert await MediaItem.count() == 0 and await Blob.count() == 0


@pytest.mark.parametrize(
    ("fields", "status", "key"),
    [
        ({"category": "selfie"}, 400, "category"),
        ({"latitude": "north"}, 400, "latitude"),
        ({"control_point_id": str(uuid.uuid4())}, 400, "control_point_id"),
        ({"visit_id": str(uuid.uuid4())}, 400, "visit_id"),  # no dangling link in the dossier
        ({"notice_id": str(uuid.uuid4())}, 400, "notice_id"),
        ({"answer_id": str(uuid.uuid4())}, 400, "answer_id"),
        ({"captured_at": "2026-11-20T10:00:00"}, 400, "captured_at"),  # no time zone
        ({"enterprise_id": str(uuid.uuid4())}, 404, None),
        ({"colour": "red"}, 400, "colour"),
    ],
)
async def test_bad_fields_leave_nothing(client: AsyncClient, firm: dict, settings: Settings, fields: dict,
                                        status: int, key: str | None) -> None:
    body = {"id": str(uuid.uuid4()), "enterprise_id": firm["id"], "category": "evidence", **fields}
    response = await client.post("/api/media", data=body, files={"file": ("p.jpg", photo(), "image/jpeg")})
    assert response.status_code == status, response.text
    if key:
        assert response.json()["extra"][0]["key"] == key
    assert stored_files(settings) == [] and await MediaItem.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "media.uploaded") == 0


async def test_not_multipart_is_refused(client: AsyncClient) -> None:
    response = await client.post("/api/media", json={"id": "x"})
    assert response.status_code == 400 and "multipart/form-data" in response.json()["detail"]


async def test_reviewer_flags(client: AsyncClient, firm: dict, settle) -> None:
    near = await upload(client, firm["id"], photo(seed=5, gps=(37.4905, 117.5105, 10)))
    far = await upload(client, firm["id"], photo(seed=6, gps=(37.51, 117.51, 10)))  # about 2.2 km north
    assert near[1]["flags"] == [] and far[1]["flags"] == ["far_from_enterprise"]
    await settle()  # decoded: their perceptual hashes are known

    other = (await client.post("/api/enterprises", json=enterprise_body(2, LIXIA))).json()
    reused = await upload(client, other["id"], photo(seed=5, gps=(37.4905, 117.5105, 10)))
    assert reused[1]["flags"] == ["near_duplicate"]  # the same bytes: known at once
    reencoded = await upload(client, other["id"], photo(seed=6, quality=60))
    assert reencoded[1]["flags"] == []  # other bytes: a near copy shows once they are decoded
    await settle()
    reencoded_now = (await client.get(f"/api/media/{reencoded[1]['id']}")).json()
    assert reencoded_now["flags"] == ["near_duplicate"]
    fresh = await upload(client, other["id"], photo(seed=7))
    await settle()
    assert fresh[1]["flags"] == [] and (await client.get(f"/api/media/{fresh[1]['id']}")).json()["flags"] == []
    assert [(await client.get(f"/api/media/{m[1]['id']}")).json()["flags"] for m in (near, far)] == [
        [], ["far_from_enterprise"]]  # the earlier ones stay as they were
    flagged = (await client.get("/api/media/review-queue", params={"flag": "near_duplicate"})).json()["items"]
    assert {m["id"] for m in flagged} == {reused[1]["id"], reencoded[1]["id"]}
    far_only = (await client.get("/api/media/review-queue", params={"flag": "far_from_enterprise"})).json()["items"]
    assert [m["id"] for m in far_only] == [far[1]["id"]]


async def test_serving_etag_and_ranges(client: AsyncClient, firm: dict, settle) -> None:
    content = photo(seed=8)
    _, media = await upload(client, firm["id"], content)
    await settle()
    url = f"/api/media/{media['id']}"
    thumb = await fetched(client, f"{url}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg" and thumb.headers["etag"]
    etag = f'"{media["sha256"]}-thumbnail"'  # the app's, on the files it sends itself
    assert (await client.get(f"{url}/thumbnail", headers={"If-None-Match": etag})).status_code == 304

    part = await fetched(client, f"{url}/original", headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == content[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(content)}"
    tail = await fetched(client, f"{url}/original", headers={"Range": "bytes=-5"})
    assert tail.content == content[-5:]
    assert (await fetched(client, f"{url}/original", headers={"Range": f"bytes={len(content)}-"})).status_code == 416
    whole = await fetched(client, f"{url}/original", headers={"Accept-Encoding": "gzip"})
    assert whole.content == content and whole.headers["content-type"] == "image/jpeg"
    assert "content-encoding" not in whole.headers and "content-encoding" not in part.headers  # JPEG is compressed

    _, document = await upload(client, firm["id"], pdf(), "licence.pdf", category="licence")
    assert (await client.get(f"/api/media/{document['id']}/preview")).status_code == 404
    assert (await fetched(client, f"/api/media/{document['id']}/original")).content == pdf()
    assert (await client.get(f"{url}/poster")).status_code == 400


async def test_review_return_and_accept(client: AsyncClient, firm: dict, sign_in: SignIn) -> None:
    inspector = await sign_in("inspector", HUIMIN, name="张伟")
    reviewer = await sign_in("reviewer", HUIMIN, name="王芳")
    ids = [(await upload(inspector, firm["id"], photo(seed=s)))[1]["id"] for s in (11, 12, 13)]

    queue = (await reviewer.get("/api/media/review-queue")).json()["items"]
    assert [m["id"] for m in queue] == ids  # oldest first
    assert {m["enterprise_name"] for m in queue} == {firm["name"]}  # joined, not fetched per photo
    assert (await reviewer.post(f"/api/media/{ids[0]}/review", json={"decision": "return"})).status_code == 400
    returned = await reviewer.post(f"/api/media/{ids[0]}/review", json={"decision": "return", "reason": "照片模糊，请重拍"})
    accepted = await reviewer.post(f"/api/media/{ids[1]}/review", json={"decision": "accept"})
    assert returned.json()["status"] == "returned" and accepted.json()["status"] == "accepted"
    assert accepted.json()["review_seconds"] >= 0
    again = await reviewer.post(f"/api/media/{ids[1]}/review", json={"decision": "return", "reason": "x"})
    assert again.status_code == 409

    mine = (await inspector.get("/api/media/mine", params={"status": "returned"})).json()["items"]
    assert [(m["id"], m["review_reason"]) for m in mine] == [(ids[0], "照片模糊，请重拍")]
    assert [m["id"] for m in (await reviewer.get("/api/media/review-queue")).json()["items"]] == [ids[2]]
    elsewhere = await sign_in("reviewer", LIXIA, name="历下审核")
    assert (await elsewhere.get("/api/media/review-queue")).json()["items"] == []


async def test_enterprise_archive(client: AsyncClient, firm: dict, sign_in: SignIn) -> None:
    times = ["2026:01:05 09:00:00", "2026:03:01 09:00:00", "2026:02:01 09:00:00"]
    for seed, (when, category) in enumerate(zip(times, ("premises", "evidence", "evidence"))):
        await upload(client, firm["id"], photo(seed=20 + seed, when=when), category=category)
    archive = (await client.get(f"/api/enterprises/{firm['id']}/media", params={"limit": 2})).json()
    assert archive["counts"] == {"premises": 1, "evidence": 2}
    assert [m["captured_at"][:10] for m in archive["items"]] == ["2026-03-01", "2026-02-01"]
    rest = (await client.get(f"/api/enterprises/{firm['id']}/media",
                             params={"limit": 2, "cursor": archive["next_cursor"]})).json()
    assert [m["captured_at"][:10] for m in rest["items"]] == ["2026-01-05"] and rest["next_cursor"] is None
    evidence = (await client.get(f"/api/enterprises/{firm['id']}/media", params={"category": "evidence"})).json()
    assert {m["category"] for m in evidence["items"]} == {"evidence"}

    owner = await sign_in("enterprise", enterprise_id=firm["id"], name="企业联系人")
    assert (await owner.get(f"/api/enterprises/{firm['id']}/media")).json()["counts"]["evidence"] == 2
    assert (await upload(owner, firm["id"], photo(seed=30), category="premises"))[0] == 400
    assert (await upload(owner, firm["id"], photo(seed=30), category="rectification"))[0] == 201


async def test_an_upload_cut_off_half_way_leaves_nothing(app: Litestar, client: AsyncClient, firm: dict,
                                                          settings: Settings) -> None:
    content = photo(seed=40, size=(1600, 1200))
    media_id = str(uuid.uuid4())
    boundary = "cutcutcut"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n{media_id}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"enterprise_id\"\r\n\r\n{firm['id']}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"category\"\r\n\r\nevidence\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n\r\n").encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    half = body[: len(body) // 2]
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/media", "raw_path": b"/api/media", "query_string": b"", "root_path": "",
        "client": ("127.0.0.1", 5000), "server": ("localhost", 8000),
        "headers": [(b"host", b"localhost:8000"), (b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
                    (b"cookie", cookies.encode()), (b"x-csrf-token", client.cookies["dossier_csrf"].encode())],
    }
    messages = [{"type": "http.request", "body": half, "more_body": True}, {"type": "http.disconnect"}]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        pass

    await app(scope, receive, send)  # the phone lost its signal half way through
    assert [f for f in stored_files(settings) if not f.startswith("tmp/")] == []
    assert list(Path(settings.media_root, "tmp").glob("*")) == []
    assert await MediaItem.count() == 0 and await Blob.count() == 0

    status, media = await upload(client, firm["id"], content, media_id=media_id)  # the retry
    assert status == 201 and media["sha256"] == hashlib.sha256(content).hexdigest()


async def test_start_up_sweeps_crashed_uploads(settings: Settings) -> None:
    store = media_store(settings)
    stale = store.new_temp()
    stale.write_bytes(b"left by a crash")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    app = create_app(settings)
    async with app.lifespan():  # Litestar's own start-up, hooks called its way
        assert not stale.exists()


def test_sweep_removes_only_stale_temp_files(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    stale, fresh = store.new_temp(), store.new_temp()
    stale.write_bytes(b"crashed upload")
    fresh.write_bytes(b"upload in progress")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    os.utime(fresh, (time.time() - 60, time.time() - 60))  # ages by the same clock as the sweep's
    assert store.sweep(older_than_s=3600) == 1
    assert not stale.exists() and fresh.exists()

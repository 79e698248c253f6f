"""Resumable uploads (tus 1.0) through the HTTP API, on both databases and both stores:
a photo goes up in pieces and resumes after a cut; wrong offsets, bad checksums, files past
the limit, forged, expired and other people's uploads are refused and leave nothing
behind; the finished file is filed exactly once, through the one-shot upload's checks;
expired uploads are swept, periodically."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import time_machine
from httpx import AsyncClient

from backend import clock
from backend.app import create_app
from backend.audit.tables import AuditEvent
from backend.media.resumable import Sweeper, Uploads
from backend.media.storage import media_store
from backend.media.tables import MediaItem
from backend.settings import Settings
from tests.conftest import SignIn, at_once, fetched, http_client
from tests.factories import HUIMIN, LIXIA, enterprise_body, photo

TUS = {"Tus-Resumable": "1.0.0"}
CHUNK = "application/offset+octet-stream"


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


async def create(client: AsyncClient, enterprise_id: str, content: bytes, media_id: str | None = None,
                 **fields: str) -> httpx.Response:
    values = {"id": media_id or str(uuid.uuid4()), "enterprise_id": enterprise_id, "category": "evidence",
              "filename": "现场.jpg", "sha256": hashlib.sha256(content).hexdigest(), **fields}
    return await client.post("/api/uploads", headers={**TUS, "Upload-Length": str(len(content)),
                                                      "Upload-Metadata": metadata(**values)})


async def send(client: AsyncClient, url: str, offset: int, chunk: bytes | AsyncIterator[bytes],
               **headers: str) -> httpx.Response:
    return await client.patch(url, content=chunk, headers={**TUS, "Content-Type": CHUNK, "Upload-Offset": str(offset),
                                                           **headers})


async def offset_of(client: AsyncClient, url: str) -> int:
    response = await client.head(url, headers=TUS)
    assert response.status_code == 200, response.status_code
    return int(response.headers["upload-offset"])


def spool(settings: Settings) -> list[str]:
    folder = Path(settings.media_root, "tmp")
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


async def uploaded(action: str = "media.uploaded") -> int:
    return await AuditEvent.count().where(AuditEvent.action == action)


@pytest.fixture
async def firm(client: AsyncClient) -> dict:
    return (await client.post("/api/enterprises", json=enterprise_body(1))).json()


@pytest.fixture
async def inspector(sign_in: SignIn) -> AsyncClient:
    return await sign_in("inspector", HUIMIN, name="惠民检查员")


async def test_the_server_says_what_it_speaks(anon: AsyncClient) -> None:
    response = await anon.options("/api/uploads")
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    assert set(response.headers["tus-extension"].split(",")) >= {"creation", "checksum", "expiration"}
    assert "sha256" in response.headers["tus-checksum-algorithm"].split(",")
    assert int(response.headers["tus-max-size"]) == 2048 * 2**20


async def test_an_upload_in_pieces_is_filed_once(inspector: AsyncClient, firm: dict, settings: Settings,
                                                settle: Callable[[], Awaitable[None]]) -> None:
    content = photo(seed=90)
    created = await create(inspector, firm["id"], content)
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    assert url.startswith("/api/uploads/") and "upload-expires" in created.headers
    head = await inspector.head(url, headers=TUS)
    assert (head.headers["upload-offset"], head.headers["upload-length"]) == ("0", str(len(content)))
    assert head.headers["cache-control"] == "no-store" and head.headers["tus-resumable"] == "1.0.0"

    third = len(content) // 3
    for start in (0, third):
        taken = await send(inspector, url, start, content[start:start + third])
        assert (taken.status_code, taken.headers["upload-offset"]) == (204, str(start + third)), taken.text
    assert await MediaItem.count() == 0  # nothing is filed before the last byte
    last = await send(inspector, url, 2 * third, content[2 * third:])

    assert last.status_code == 201, last.text
    media = last.json()
    assert (media["sha256"], media["size"], media["original_name"]) == (
        hashlib.sha256(content).hexdigest(), len(content), "现场.jpg")
    assert (await fetched(inspector, f"/api/media/{media['id']}/original")).content == content
    assert await offset_of(inspector, url) == len(content)
    again = await send(inspector, url, len(content), b"")  # the answer was lost: the same record
    assert (again.status_code, again.json()["id"], again.json()["sha256"]) == (200, media["id"], media["sha256"])
    assert (await MediaItem.count(), await uploaded()) == (1, 1)
    await settle()  # the thumbnail's own temp file
    assert not any(name.endswith((".data", ".part", ".filing")) for name in spool(settings))


async def test_a_cut_request_keeps_what_came_and_the_upload_resumes(inspector: AsyncClient, firm: dict) -> None:
    content = photo(seed=91)
    url = (await create(inspector, firm["id"], content)).headers["location"]

    async def cut_after_half() -> AsyncIterator[bytes]:
        yield content[:1000]
        yield content[1000:len(content) // 2]
        raise ConnectionResetError("the train entered a tunnel")

    await send(inspector, url, 0, cut_after_half())  # nobody hears the answer to a dropped request
    held = await offset_of(inspector, url)
    assert held == len(content) // 2
    assert (await send(inspector, url, held, content[held:])).status_code == 201
    assert await MediaItem.count() == 1


async def test_a_chunk_at_the_wrong_offset_is_told_the_servers(inspector: AsyncClient, firm: dict) -> None:
    content = photo(seed=92)
    url = (await create(inspector, firm["id"], content)).headers["location"]
    assert (await send(inspector, url, 0, content[:500])).status_code == 204
    for wrong in (0, 700):
        response = await send(inspector, url, wrong, content[wrong:wrong + 100])
        assert (response.status_code, response.headers["upload-offset"]) == (409, "500"), response.text
        assert response.json()["extra"][0]["key"] == "Upload-Offset"
    assert await offset_of(inspector, url) == 500


async def test_a_chunk_that_fails_its_checksum_is_discarded(inspector: AsyncClient, firm: dict) -> None:
    content = photo(seed=93)
    url = (await create(inspector, firm["id"], content)).headers["location"]

    def checksum(algorithm: str, data: bytes) -> str:
        return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"

    bad = await send(inspector, url, 0, content[:800], **{"Upload-Checksum": checksum("sha256", content[:799])})
    assert bad.status_code == 460, bad.text
    assert bad.json()["extra"][0]["key"] == "Upload-Checksum"
    assert await offset_of(inspector, url) == 0
    unknown = await send(inspector, url, 0, content[:800], **{"Upload-Checksum": "crc32 AAAA"})
    assert (unknown.status_code, unknown.json()["extra"][0]["key"]) == (400, "Upload-Checksum")
    good = await send(inspector, url, 0, content[:800], **{"Upload-Checksum": checksum("sha1", content[:800])})
    assert (good.status_code, good.headers["upload-offset"]) == (204, "800")
    last = await send(inspector, url, 800, content[800:], **{"Upload-Checksum": checksum("sha256", content[800:])})
    assert last.status_code == 201, last.text


async def test_too_large_is_refused_before_the_bytes_are_stored(inspector: AsyncClient, firm: dict,
                                                                settings: Settings) -> None:
    huge = await inspector.post("/api/uploads", headers={
        **TUS, "Upload-Length": str(2048 * 2**20 + 1),
        "Upload-Metadata": metadata(id=str(uuid.uuid4()), enterprise_id=firm["id"], category="evidence",
                                    sha256="0" * 64)})
    assert huge.status_code == 413, huge.text
    assert huge.json()["extra"][0]["key"] == "Upload-Length"
    assert spool(settings) == []

    content = photo(seed=94)
    url = (await create(inspector, firm["id"], content)).headers["location"]
    past = await send(inspector, url, 0, content + b"more")
    assert (past.status_code, await offset_of(inspector, url)) == (413, 0)

    async def streamed_past_the_end() -> AsyncIterator[bytes]:  # no Content-Length to tell beforehand
        yield content
        yield b"more"

    past = await send(inspector, url, 0, streamed_past_the_end())
    assert (past.status_code, await offset_of(inspector, url)) == (413, 0)


@pytest.mark.parametrize(("fields", "status", "key"), [
    ({"sha256": "not a hash"}, 400, "sha256"),
    ({"category": "selfie"}, 400, "category"),
    ({"captured_at": "2999-01-01T00:00:00+08:00"}, 400, "captured_at"),
])
async def test_bad_metadata_is_refused_at_creation(inspector: AsyncClient, firm: dict, settings: Settings,
                                                   fields: dict, status: int, key: str) -> None:
    response = await create(inspector, firm["id"], photo(seed=95), **fields)
    assert (response.status_code, response.json()["extra"][0]["key"]) == (status, key), response.text
    assert spool(settings) == []


async def test_the_protocol_version_and_the_chunk_type_are_checked(inspector: AsyncClient, firm: dict) -> None:
    content = photo(seed=96)
    unversioned = await inspector.post("/api/uploads", headers={"Upload-Length": "10", "Upload-Metadata": ""})
    assert (unversioned.status_code, unversioned.headers["tus-version"]) == (412, "1.0.0")
    url = (await create(inspector, firm["id"], content)).headers["location"]
    typed = await inspector.patch(url, content=content, headers={**TUS, "Upload-Offset": "0",
                                                                 "Content-Type": "image/jpeg"})
    assert (typed.status_code, typed.json()["extra"][0]["key"]) == (415, "Content-Type")


async def test_forged_expired_and_other_peoples_uploads_are_not_found(inspector: AsyncClient, sign_in: SignIn,
                                                                      firm: dict, settings: Settings) -> None:
    content = photo(seed=97)
    url = (await create(inspector, firm["id"], content)).headers["location"]
    assert (await send(inspector, url, 0, content[:100])).status_code == 204
    colleague = await sign_in("inspector", HUIMIN, name="同事")
    forged = [f"/api/uploads/{os.urandom(16).hex()}", "/api/uploads/..%2F..%2Fsecret_key", url[:-1] + "0"]
    for who, target in [(colleague, url)] + [(inspector, f) for f in forged if f != url]:
        assert (await who.head(target, headers=TUS)).status_code == 404, target
        assert (await send(who, target, 100, content[100:])).status_code == 404, target
        assert (await who.delete(target, headers=TUS)).status_code == 404, target
    assert await offset_of(inspector, url) == 100  # untouched by the others

    with time_machine.travel(clock.now() + timedelta(hours=24, seconds=1), tick=False):
        assert (await inspector.head(url, headers=TUS)).status_code == 404
        assert (await send(inspector, url, 100, content[100:])).status_code == 404
    assert await MediaItem.count() == 0


async def test_outside_the_callers_jurisdiction_nothing_starts(inspector: AsyncClient, client: AsyncClient,
                                                               settings: Settings) -> None:
    elsewhere = (await client.post("/api/enterprises", json=enterprise_body(2, LIXIA))).json()
    assert (await create(inspector, elsewhere["id"], photo(seed=98))).status_code == 404
    assert spool(settings) == []


async def test_the_last_chunk_sent_8_times_at_once_files_once(inspector: AsyncClient, firm: dict, settings: Settings,
                                                              settle: Callable[[], Awaitable[None]]) -> None:
    content = photo(seed=99)
    url = (await create(inspector, firm["id"], content)).headers["location"]
    assert (await send(inspector, url, 0, content[:-1000])).status_code == 204

    responses = await at_once(8, lambda: send(inspector, url, len(content) - 1000, content[-1000:]))

    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [r.text for r in responses]
    assert (await MediaItem.count(), await uploaded()) == (1, 1)
    await settle()
    assert not any(name.endswith((".data", ".part", ".filing")) for name in spool(settings))


async def test_one_media_id_uploaded_8_times_at_once_is_filed_once(inspector: AsyncClient, firm: dict) -> None:
    content, media_id = photo(seed=100), str(uuid.uuid4())

    async def whole_upload() -> httpx.Response:
        created = await create(inspector, firm["id"], content, media_id=media_id)
        assert created.status_code == 201, created.text
        return await send(inspector, created.headers["location"], 0, content)

    responses = await at_once(8, whole_upload)

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201], [r.text for r in responses]
    sha256 = hashlib.sha256(content).hexdigest()
    assert {(r.json()["id"], r.json()["sha256"]) for r in responses} == {(media_id, sha256)}
    assert (await MediaItem.count(), await uploaded()) == (1, 1)


async def test_a_file_that_is_not_the_declared_one_is_not_filed(inspector: AsyncClient, firm: dict,
                                                                settings: Settings) -> None:
    content = photo(seed=101)
    created = await create(inspector, firm["id"], content, sha256=hashlib.sha256(b"another").hexdigest())
    url = created.headers["location"]

    response = await send(inspector, url, 0, content)

    assert (response.status_code, response.json()["extra"][0]["key"]) == (400, "sha256"), response.text
    assert (await MediaItem.count(), await uploaded()) == (0, 0)
    assert (await inspector.head(url, headers=TUS)).status_code == 404  # discarded: start again
    assert spool(settings) == []


async def test_a_refused_type_is_not_filed(inspector: AsyncClient, firm: dict, settings: Settings) -> None:
    content = b"MZ not a photo" * 100
    url = (await create(inspector, firm["id"], content)).headers["location"]
    response = await send(inspector, url, 0, content)
    assert response.status_code == 415, response.text
    assert (await MediaItem.count(), spool(settings)) == (0, [])


async def test_an_upload_given_up_is_gone(inspector: AsyncClient, firm: dict, settings: Settings) -> None:
    content = photo(seed=102)
    url = (await create(inspector, firm["id"], content)).headers["location"]
    assert (await send(inspector, url, 0, content[:100])).status_code == 204
    assert (await inspector.delete(url, headers=TUS)).status_code == 204
    assert (await inspector.head(url, headers=TUS)).status_code == 404
    assert spool(settings) == []


async def test_expired_uploads_are_swept_periodically(inspector: AsyncClient, firm: dict, settings: Settings) -> None:
    content = photo(seed=103)
    old = (await create(inspector, firm["id"], content)).headers["location"]
    assert (await send(inspector, old, 0, content[:100])).status_code == 204
    store = media_store(settings)
    crashed = store.new_temp()  # a one-shot upload cut by a crash, an hour ago
    crashed.write_bytes(b"x" * 1000)
    os.utime(crashed, (time.time() - 3601, time.time() - 3601))
    with time_machine.travel(clock.now() + timedelta(hours=23), tick=True):
        fresh = (await create(inspector, firm["id"], content)).headers["location"]
    sweeper = Sweeper(store, period_s=0.05)

    with time_machine.travel(clock.now() + timedelta(hours=24, seconds=1), tick=True):
        sweeper.start()
        try:
            for _ in range(200):
                if not any(name.startswith(old.rsplit("/", 1)[1]) for name in spool(settings)):
                    break
                await asyncio.sleep(0.02)
        finally:
            await sweeper.stop()
        assert await offset_of(inspector, fresh) == 0  # not expired yet: kept

    fresh_id = fresh.rsplit("/", 1)[1]
    assert spool(settings) == [f"{fresh_id}.tus", f"{fresh_id}.tus.data"]
    assert Uploads.of(store).sweep() == 0


async def test_an_upload_resumes_after_the_server_restarts(inspector: AsyncClient, firm: dict,
                                                           settings: Settings) -> None:
    content = photo(seed=104)
    url = (await create(inspector, firm["id"], content)).headers["location"]
    assert (await send(inspector, url, 0, content[:600])).status_code == 204

    restarted = create_app(settings)  # a new process: nothing carried over in memory
    async with restarted.lifespan(), http_client(restarted) as phone:
        phone.cookies = inspector.cookies  # the same phone, signed in
        assert await offset_of(phone, url) == 600
        assert (await send(phone, url, 600, content[600:])).status_code == 201
        assert await MediaItem.count() == 1

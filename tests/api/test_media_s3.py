"""Media in an S3-compatible object store, against a real one (SeaweedFS: tests/seaweedfs.py),
whatever DOSSIER_TEST_MEDIA says: a download is authorised by the app before it hands out a
presigned link; the links expire and the server checks their signatures; without links the
app streams the bytes itself, Range included; large originals go up in parts. The rest of
the media suite runs on this store too with DOSSIER_TEST_MEDIA=s3 (.ci/run does)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import obstore
import pytest
from httpx import AsyncClient
from obstore.exceptions import PermissionDeniedError
from obstore.store import S3Store

from backend.media.s3 import PART, S3MediaStore
from backend.media.store import key
from backend.settings import Settings
from tests.api.test_media import firm, upload  # noqa: F401  (firm is a fixture)
from tests.conftest import SignIn, s3_settings
from tests.factories import LIXIA, photo
from tests.seaweedfs import SeaweedFS

LINK_SECONDS = 2  # short, and waited for: the server's clock decides (tests freeze only Python's)


@pytest.fixture
def settings(database_url: str, tmp_path: Path, seaweedfs: SeaweedFS, request: pytest.FixtureRequest) -> Settings:
    """The app's media in the object store; ``indirect`` parametrisation sets the links' lifetime."""
    return Settings(database_url=database_url, secret_key="test-secret", media_root=str(tmp_path / "media"),
                    s3_link_seconds=getattr(request, "param", 300), **s3_settings(seaweedfs))


@pytest.fixture
def store(settings: Settings) -> S3MediaStore:
    return S3MediaStore.of(settings)


async def test_a_download_is_authorised_then_redirected_to_a_link(client: AsyncClient, firm: dict, sign_in: SignIn,
                                                                  settings: Settings) -> None:
    content = photo(seed=1)
    status, media = await upload(client, firm["id"], content)
    assert status == 201, media
    answer = await client.get(f"/api/media/{media['id']}/original")
    assert answer.status_code == 307 and answer.headers["cache-control"] == "private, max-age=60"
    link = urlsplit(answer.headers["location"])
    assert link.netloc == urlsplit(settings.s3_url).netloc and parse_qs(link.query)["X-Amz-Expires"] == ["300"]
    async with httpx.AsyncClient() as direct:
        whole = await direct.get(answer.headers["location"])
        part = await direct.get(answer.headers["location"], headers={"Range": "bytes=100-199"})
    assert whole.content == content and whole.headers["content-type"] == "image/jpeg"
    assert "immutable" in whole.headers["cache-control"]
    assert part.status_code == 206 and part.content == content[100:200]

    elsewhere = await sign_in("inspector", LIXIA, name="历下检查员")
    refused = await elsewhere.get(f"/api/media/{media['id']}/original")
    assert refused.status_code == 404 and "location" not in refused.headers  # the scope first: no link leaves


async def test_links_expire_and_signatures_are_checked(store: S3MediaStore, seaweedfs: SeaweedFS) -> None:
    sha, other = hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()
    for name in (sha, other):
        store.put_derivative(name, "thumbnail", b"\xff\xd8 thumbnail of " + name.encode())
    short = S3MediaStore(store.objects, store.signer, store.spool.folder, link_seconds=LINK_SECONDS)
    link = short.url(sha, "thumbnail")
    assert link is not None
    async with httpx.AsyncClient() as direct:
        fresh = await direct.get(link)
        assert fresh.status_code == 200 and fresh.content == b"\xff\xd8 thumbnail of " + sha.encode()
        assert (await direct.get(link.replace(sha, other))).status_code == 403  # signed for another key
        assert (await direct.get(link.split("?")[0])).status_code == 403  # unsigned
        await asyncio.sleep(LINK_SECONDS + 1.5)
        expired = await direct.get(link)
    assert expired.status_code == 403 and "expired" in expired.text

    forged = S3Store(seaweedfs.bucket, endpoint=seaweedfs.url, region="us-east-1", access_key_id=seaweedfs.access_key,
                     secret_access_key="not-the-secret", client_options={"allow_http": True})
    with pytest.raises(PermissionDeniedError):
        S3MediaStore(forged, forged, store.spool.folder, 0).read(sha, "thumbnail")


@pytest.mark.parametrize("settings", [0], indirect=True)
async def test_without_links_the_app_streams_the_bytes(client: AsyncClient, firm: dict, settle) -> None:
    content = photo(seed=2, size=(1200, 900))
    _, media = await upload(client, firm["id"], content)
    await settle()
    url = f"/api/media/{media['id']}"
    whole = await client.get(f"{url}/original")
    assert whole.status_code == 200 and whole.content == content
    assert whole.headers["content-length"] == str(len(content)) and whole.headers["content-type"] == "image/jpeg"
    assert whole.headers["etag"] == f'"{media["sha256"]}-original"' and whole.headers["accept-ranges"] == "bytes"
    tail = await client.get(f"{url}/original", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == content[-10:]
    assert tail.headers["content-range"] == f"bytes {len(content) - 10}-{len(content) - 1}/{len(content)}"
    head = await client.get(f"{url}/thumbnail", headers={"Range": "bytes=0-1"})
    assert head.status_code == 206 and head.content == b"\xff\xd8"
    assert (await client.get(f"{url}/original", headers={"Range": f"bytes={len(content)}-"})).status_code == 416
    assert (await client.get(f"{url}/preview", headers={"If-None-Match": f'"{media["sha256"]}-preview"'})
            ).status_code == 304


async def test_large_originals_go_up_in_parts_and_come_back_in_ranges(store: S3MediaStore) -> None:
    data = os.urandom(PART + 12_345)
    sha = hashlib.sha256(data).hexdigest()
    temp = store.new_temp()
    temp.write_bytes(data)
    assert store.commit_original(temp, sha, "application/pdf") and not temp.exists()
    again = store.new_temp()
    again.write_bytes(data)
    assert not store.commit_original(again, sha) and not again.exists()  # the same bytes are stored once
    assert list(store.keys()) == [key(sha, "original")] and store.size(sha, "original") == len(data)
    assert obstore.head(store.objects, key(sha, "original"))["e_tag"].endswith('-2"')  # a multipart upload's ETag

    with store.open(sha, "original") as f:
        f.seek(PART - 3)
        assert f.read(10) == data[PART - 3:PART + 7] and f.tell() == PART + 7
        f.seek(-5, io.SEEK_END)
        assert f.read() == data[-5:] and f.read(1) == b""
    assert b"".join([c async for c in store.chunks(sha, "original", PART - 1, PART + 1)]) == data[PART - 1:PART + 1]
    assert store.read(sha, "original") == data

    store.delete(sha)
    assert list(store.keys()) == []


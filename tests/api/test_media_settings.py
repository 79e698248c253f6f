"""Media behaviour that depends on settings: the per-file limit and nginx's X-Accel mode
(which serves the media folder: not with DOSSIER_TEST_MEDIA=s3)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from httpx import AsyncClient

from backend.media.tables import MediaItem
from backend.settings import Settings
from tests.api.test_media import stored_files
from tests.conftest import MEDIA, media_settings
from tests.factories import enterprise_body, pdf, photo


@pytest.fixture
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    store = media_settings(request)
    return Settings(database_url=database_url, secret_key="test-secret", media_root=str(tmp_path / "media"),
                    media_max_mb=1, media_accel_prefix="" if store else "/protected-media/", **store)


async def test_a_file_over_the_limit_is_refused_as_it_arrives(client: AsyncClient, settings: Settings) -> None:
    firm = (await client.post("/api/enterprises", json=enterprise_body(1))).json()
    big = pdf()[:-6] + b"0" * (2**20 + 10) + b"%%EOF\n"
    response = await client.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": firm["id"], "category": "licence"},
                                 files={"file": ("big.pdf", big, "application/pdf")})
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    assert stored_files(settings) == []
    assert await MediaItem.count() == 0


@pytest.mark.skipif(MEDIA == "s3", reason="nginx sends files from the media folder")
async def test_nginx_sends_the_file_after_the_app_authorises_it(client: AsyncClient) -> None:
    firm = (await client.post("/api/enterprises", json=enterprise_body(1))).json()
    response = await client.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": firm["id"], "category": "premises"},
                                 files={"file": ("p.jpg", photo(), "image/jpeg")})
    media = response.json()
    served = await client.get(f"/api/media/{media['id']}/original")
    sha = media["sha256"]
    assert served.headers["x-accel-redirect"] == f"/protected-media/originals/{sha[:2]}/{sha[2:4]}/{sha}"
    assert served.content == b"" and served.headers["content-type"] == "image/jpeg"

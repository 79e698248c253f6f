"""Faults survived (issue 15, item 6), with real processes and no mocks: an app worker
killed (SIGKILL) mid-upload files nothing and the same upload sent again succeeds once;
an object store that is down answers 503 and the retry succeeds once it is back; database
connections cut under the app are replaced. A job worker killed mid-job:
tests/api/test_jobs.py; a PostgreSQL restart: deploy/drills/postgres_restart.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import AsyncIterator, Callable, Iterator
from urllib.parse import urlsplit
from uuid import uuid4

import asyncpg
import httpx
import pytest
from httpx import AsyncClient

from backend import clock
from backend.audit.tables import AuditEvent
from backend.media.storage import media_store
from backend.media.tables import Blob, MediaItem
from backend.settings import Settings
from tests.api.test_media import firm, upload  # noqa: F401  (firm is a fixture)
from tests.conftest import PG_URL, dossier_env, media_record, s3_settings
from tests.factories import photo
from tests.seaweedfs import SeaweedFS

ROOT = Path(__file__).resolve().parents[2]
STARTUP_S = 60  # a busy machine may take that long to start the server


def _workers(pid: int) -> set[int]:
    """granian's worker processes: the children of its main process (any of its threads)."""
    return {int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()}


async def _until(check: Callable[[], bool], what: str, seconds: float = STARTUP_S) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        await asyncio.sleep(0.05)


async def _healthy(live: AsyncClient) -> None:
    deadline = time.monotonic() + STARTUP_S
    while True:
        with contextlib.suppress(httpx.TransportError):
            if (await live.get("/api/health")).status_code == 200:
                return
        assert time.monotonic() < deadline, "the server did not answer /api/health"
        await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def served(settings: Settings, client: AsyncClient) -> AsyncIterator[tuple[AsyncClient, subprocess.Popen, int]]:
    """`dossier serve` (granian, one worker) on the test's settings and clock, and an HTTP
    client for it signed in as ``client`` is (the same session and CSRF cookies)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "tests.e2e.serve_at", clock.now().isoformat()], cwd=ROOT,
                              env={**dossier_env(settings), "DOSSIER_PORT": str(port)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cookies = dict(client.cookies.items())
    try:
        async with AsyncClient(base_url=f"http://127.0.0.1:{port}", cookies=cookies, timeout=30,
                               headers={"x-csrf-token": cookies["dossier_csrf"]}) as live:
            await _healthy(live)
            yield live, server, port
    finally:
        server.terminate()
        server.wait(15)


def _upload_request(live: AsyncClient, fields: dict[str, str], content: bytes) -> httpx.Request:
    return live.build_request("POST", "/api/media", data=fields,
                              files={"file": ("photo.jpg", content, "application/octet-stream")})


async def _filed(media_id: str, sha256: str | None = None) -> tuple[int, int, int]:
    """How many media rows, blob rows and upload audit events the upload left."""
    blobs = Blob.count() if sha256 is None else Blob.count().where(Blob.sha256 == sha256)
    return (await MediaItem.count().where(MediaItem.id == media_id), await blobs,
            await AuditEvent.count().where(AuditEvent.action == "media.uploaded", AuditEvent.target_id == media_id))


async def test_an_app_worker_killed_mid_upload_files_nothing(client: AsyncClient, firm: dict,
                                                             settings: Settings) -> None:
    content = photo(seed=41, size=(1600, 1200))
    media_id = str(uuid4())
    fields = {"id": media_id, "enterprise_id": firm["id"], "category": "evidence"}
    store, spool = media_store(settings), Path(settings.media_root, "tmp")
    async with served(settings, client) as (live, server, port):
        (worker,) = _workers(server.pid)
        request = _upload_request(live, fields, content)
        body = request.read()
        head = "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
        with socket.create_connection(("127.0.0.1", port)) as sent:
            sent.sendall(f"POST /api/media HTTP/1.1\r\n{head}\r\n".encode() + body[:len(body) // 2])
            # the worker is streaming the file into the spool when it dies
            await _until(lambda: any(p.stat().st_size for p in spool.glob("*.part")), "the upload to reach the spool")
            os.kill(worker, signal.SIGKILL)
            sent.settimeout(10)
            with contextlib.suppress(ConnectionResetError):
                assert sent.recv(65536) == b"", "the killed worker answered"

        assert await _filed(media_id) == (0, 0, 0)  # no media row, no blob row, no audit event
        assert list(store.keys()) == []  # no original stored
        (leftover,) = spool.iterdir()  # only the spool's temp file, which the start-up sweep removes once old
        assert leftover.suffix == ".part" and store.sweep() == 0
        os.utime(leftover, (0, 0))  # an hour later (the suite's clock stands still, the files' do not)
        assert store.sweep() == 1 and not any(spool.iterdir())

        await _until(lambda: _workers(server.pid) - {worker} != set(), "granian to respawn its worker")
        await _healthy(live)
        retried = await live.send(_upload_request(live, fields, content))
        assert retried.status_code == 201, retried.text
        again = await live.send(_upload_request(live, fields, content))
        assert again.status_code == 200 and media_record(again) == media_record(retried)
    sha256 = retried.json()["sha256"]
    assert await _filed(media_id, sha256) == (1, 1, 1)
    assert store.read(sha256, "original") == content


class TestObjectStoreRestart:
    """With an S3 server of its own, stopped and started again under the app."""

    @pytest.fixture
    def seaweedfs_own(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
        with SeaweedFS(tmp_path_factory.mktemp("s3r")) as server:
            yield server

    @pytest.fixture
    def settings(self, database_url: str, tmp_path: Path, seaweedfs_own: SeaweedFS) -> Settings:
        return Settings(database_url=database_url, secret_key="test-secret", media_root=str(tmp_path / "media"),
                        **s3_settings(seaweedfs_own))

    async def test_an_upload_gets_503_while_it_is_down_and_succeeds_after(
            self, client: AsyncClient, firm: dict, settings: Settings, seaweedfs_own: SeaweedFS) -> None:
        content, media_id = photo(seed=42), str(uuid4())
        seaweedfs_own.stop()
        response = await client.post("/api/media", data={"id": media_id, "enterprise_id": firm["id"],
                                                          "category": "evidence"},
                                     files={"file": ("photo.jpg", content, "application/octet-stream")})
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "5" and "media store is unreachable" in response.json()["detail"]
        assert await _filed(media_id) == (0, 0, 0)
        assert not any(Path(settings.media_root, "tmp").glob("*"))  # the spooled upload is gone too

        seaweedfs_own.start()
        status, media = await upload(client, firm["id"], content, media_id=media_id)
        assert status == 201, media
        assert (await upload(client, firm["id"], content, media_id=media_id))[0] == 200
        assert await _filed(media_id, media["sha256"]) == (1, 1, 1)
        assert media_store(settings).read(media["sha256"], "original") == content


@pytest.mark.skipif(not PG_URL, reason="SQLite has no server connections to cut: the app opens a file")
async def test_cut_database_connections_are_replaced(client: AsyncClient, anon: AsyncClient,
                                                     settings: Settings) -> None:
    """What a PostgreSQL restart does to the app's pool (the restart itself would cut every
    other test's connections: deploy/drills/postgres_restart.py does it)."""
    assert (await anon.get("/api/health")).status_code == 200
    admin = await asyncpg.connect(PG_URL)
    try:  # the test database's backends only (the select list runs for the rows the WHERE keeps)
        cut = [row["pid"] for row in await admin.fetch(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 "
            "AND pid <> pg_backend_pid()", urlsplit(settings.database_url).path.lstrip("/"))]
        assert cut, "the app held no connection to cut"
        for _ in range(100):  # each backend ends a moment after it is told to
            if not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)", cut):
                break
            await asyncio.sleep(0.05)
    finally:
        await admin.close()
    health = [(await anon.get("/api/health")).status_code for _ in range(3)]
    assert health in ([200, 200, 200], [503, 200, 200]), health
    me = await client.get("/api/me")
    assert me.status_code == 200, me.text

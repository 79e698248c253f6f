"""Derivatives as jobs: an upload answers once its original is stored and recorded; the
thumbnail and preview follow from the job queue (pgqueuer on PostgreSQL, in the app on
SQLite); jobs are idempotent; a start-up sweep queues what is missing; a worker killed
mid-job leaves the job to another (PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from datetime import datetime, timedelta

import asyncpg
import pytest
import time_machine
from httpx import AsyncClient
from litestar import Litestar

from backend.audit.tables import AuditEvent
from backend.media import decoded, jobs
from backend.media.routes import LOST_JOB
from backend.media.tables import Blob
from backend.media.storage import media_store
from backend.media.store import LocalMediaStore, MediaStore, key
from backend.settings import Settings
from tests.api.test_media import firm, upload  # noqa: F401  (firm is a fixture)
from tests.conftest import PG_URL, dossier, fetched
from tests.factories import damaged_png, pdf, photo

ROOT = Path(__file__).resolve().parents[2]


def _remove(store: MediaStore, sha256: str, variant: str) -> None:
    if isinstance(store, LocalMediaStore):
        store.path(sha256, variant).unlink()
    else:
        import obstore

        obstore.delete(store.objects, key(sha256, variant))  # type: ignore[attr-defined]


async def test_upload_answers_before_its_derivatives(app: Litestar, client: AsyncClient, firm: dict,
                                                     settings: Settings, settle) -> None:
    queue, store = app.state.jobs, media_store(settings)
    await queue.stop()  # SQLite: the app's own worker pauses (PostgreSQL: no worker runs in the tests)
    status, media = await upload(client, firm["id"], photo(seed=31))
    assert status == 201 and store.read(media["sha256"], "original")
    assert not any(jobs.made(store, media["sha256"], variant) for variant in jobs.DERIVED)
    for variant in jobs.DERIVED:  # the app shows a placeholder meanwhile
        waiting = await client.get(f"/api/media/{media['id']}/{variant}")
        assert waiting.status_code == 404 and waiting.headers["retry-after"] == "2", waiting.text
        assert "being made" in waiting.json()["detail"] and waiting.headers["cache-control"] == "no-store"

    await queue.start(store)
    await settle()
    thumbnail = await fetched(client, f"/api/media/{media['id']}/thumbnail?try=1")  # as the app asks again
    assert thumbnail.status_code == 200 and thumbnail.content.startswith(b"\xff\xd8")


async def test_a_preview_lost_with_its_job_is_queued_again_by_the_next_ask(
        app: Litestar, client: AsyncClient, firm: dict, settings: Settings, settle) -> None:
    """The route trusts the blob's derived_at, never the store; a preview missing for
    longer than LOST_JOB (its job lost in a crash) is queued again when it is asked for."""
    queue, store = app.state.jobs, media_store(settings)
    _, media = await upload(client, firm["id"], photo(seed=35))
    await settle()
    await queue.stop()
    _remove(store, media["sha256"], "preview")
    await Blob.update({Blob.derived_at: None}).where(Blob.sha256 == media["sha256"])  # as if the job never ran

    assert (await client.get(f"/api/media/{media['id']}/preview")).status_code == 404
    assert not await _queued(queue)  # within LOST_JOB: its job is presumed on its way
    with time_machine.travel(datetime.fromisoformat(media["uploaded_at"]) + LOST_JOB + timedelta(seconds=1)):
        assert (await client.get(f"/api/media/{media['id']}/preview")).status_code == 404
        assert await _queued(queue)
        await queue.start(store)
        await settle()
        assert (await fetched(client, f"/api/media/{media['id']}/preview")).status_code == 200


async def _queued(queue: jobs.Jobs) -> int:
    return sum(s.count for s in await queue.queries.queue_size() if s.entrypoint == jobs.DERIVE)


async def test_jobs_are_idempotent(client: AsyncClient, firm: dict, settings: Settings, settle) -> None:
    _, media = await upload(client, firm["id"], photo(seed=32))
    await settle()
    store, sha256 = media_store(settings), media["sha256"]
    written: list[str] = []
    put = store.put_derivative
    store.put_derivative = lambda sha, variant, data: (written.append(variant), put(sha, variant, data))[1]  # type: ignore[method-assign]
    assert jobs.make_derivatives(store, sha256, "image/jpeg") is None and written == []  # all there: nothing decoded
    _remove(store, sha256, "thumbnail")
    derived = jobs.make_derivatives(store, sha256, "image/jpeg")
    assert derived is not None and written == ["thumbnail"]  # only what is missing is written
    assert jobs.made(store, sha256, "thumbnail")
    blob = await Blob.select(Blob.phash, Blob.undecodable).where(Blob.sha256 == sha256).first()
    assert blob == {"phash": decoded.bands(derived.phash)["phash"], "undecodable": False}  # the job recorded it


async def test_an_upload_whose_pixels_do_not_decode_is_returned_for_a_retake(
        app: Litestar, client: AsyncClient, firm: dict, settings: Settings, settle) -> None:
    status, media = await upload(client, firm["id"], damaged_png(), "sketch.png")
    assert status == 201 and media["status"] == "pending"  # its structure is whole: only decoding tells
    await settle()
    now = (await client.get(f"/api/media/{media['id']}")).json()
    assert (now["status"], now["review_reason"], now["undecodable"]) == ("returned", decoded.RETAKE, True)
    assert [m["id"] for m in (await client.get("/api/media/returned")).json()["items"]] == [media["id"]]
    preview = await client.get(f"/api/media/{media['id']}/preview")
    assert preview.status_code == 404 and preview.json()["code"] == "media_undecodable", preview.text
    assert "retry-after" not in preview.headers  # nothing to wait for
    assert (await fetched(client, f"/api/media/{media['id']}/original")).content == damaged_png()  # kept as sent

    async def returns() -> list[dict]:
        return await AuditEvent.select(AuditEvent.actor, AuditEvent.actor_name).where(
            AuditEvent.action == "media.returned", AuditEvent.target_id == media["id"])
    assert await returns() == [{"actor": None, "actor_name": ""}]  # the system's decision, recorded once
    await decoded.undecodable(media["sha256"], "decoded again")  # a job run twice
    assert len(await returns()) == 1
    assert await jobs.sweep(app.state.jobs, media_store(settings)) == 0  # no derivative is missing from it

    code, body = await upload(client, firm["id"], damaged_png(), "again.png")  # the same bytes: refused at once
    assert code == 400 and body["code"] == "image_undecodable" and body["extra"][0]["key"] == "file", body


async def test_the_sweep_queues_missing_derivatives(app: Litestar, client: AsyncClient, firm: dict,
                                                    settings: Settings, settle) -> None:
    queue, store = app.state.jobs, media_store(settings)
    _, media = await upload(client, firm["id"], photo(seed=33))
    _, document = await upload(client, firm["id"], pdf(), "licence.pdf", category="licence")
    await settle()
    assert await jobs.sweep(queue, store) == 0  # every photo has both; a PDF has none
    _remove(store, media["sha256"], "preview")
    assert await jobs.sweep(queue, store) == 1
    await settle()
    assert jobs.made(store, media["sha256"], "preview") and not jobs.made(store, document["sha256"], "preview")


SLOW_WORKER = """
import sys, time
from backend.audit.tables import AuditEvent
from backend.media import decoded, jobs
make = jobs.make_derivatives
def slow(*args):
    print("picked", flush=True)
    time.sleep(600)  # killed long before
    return make(*args)
jobs.make_derivatives = slow
from backend.cli import main
sys.exit(main(["worker", "--heartbeat", "2"]))
"""


@pytest.mark.skipif(not PG_URL, reason="workers share a queue on PostgreSQL (on SQLite the app works its own)")
async def test_a_worker_killed_mid_job_leaves_it_to_another(client: AsyncClient, firm: dict, settings: Settings) -> None:
    _, media = await upload(client, firm["id"], photo(seed=34))
    env = {**os.environ, "DOSSIER_DATABASE_URL": settings.database_url, "DOSSIER_SECRET_KEY": "x",
           "DOSSIER_MEDIA_ROOT": settings.media_root}
    first = subprocess.Popen([sys.executable, "-c", SLOW_WORKER], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert first.stdout is not None
        assert "1 originals lacked derivatives" in await asyncio.to_thread(first.stdout.readline)  # its sweep
        assert (await asyncio.to_thread(first.stdout.readline)).strip() == "picked"
        first.send_signal(signal.SIGKILL)  # mid-job: the derivative is being made
        first.wait(timeout=10)
    finally:
        first.kill()
    store = media_store(settings)
    assert not jobs.made(store, media["sha256"], "thumbnail")
    conn = await asyncpg.connect(settings.database_url)
    try:
        (job,) = await conn.fetch("SELECT id, status FROM pgqueuer WHERE entrypoint = $1", jobs.DERIVE)
        assert job["status"] == "picked"  # by a worker that is gone
        await asyncio.sleep(3)  # its heartbeat falls silent for longer than --heartbeat
        second = await asyncio.to_thread(dossier, settings, "worker", "--drain", "--heartbeat", "2")
        assert second.returncode == 0, second.stderr
        assert jobs.made(store, media["sha256"], "thumbnail") and jobs.made(store, media["sha256"], "preview")
        assert await conn.fetchval("SELECT count(*) FROM pgqueuer") == 0
        finished = await conn.fetch("SELECT status FROM pgqueuer_log WHERE job_id = $1", job["id"])
        assert "successful" in {r["status"] for r in finished}  # the same job, finished by the second worker
    finally:
        await conn.close()


async def test_work_deferred_to_the_commit_runs_once_committed_and_never_after_a_rollback(app: Litestar) -> None:
    from backend import db
    from backend.regions.tables import Region
    seen: list[tuple[str, bool]] = []

    async def look(name: str) -> None:  # another connection's view, as a worker's
        seen.append((name, await Region.exists().where(Region.code == name)))

    async with db.transaction():
        await Region.insert(Region(code="990001", name="甲", name_en="A", level="county", province_code="990000"))
        async with db.transaction():  # a nested one is the outer one: it defers to the outer commit
            await db.after_commit(lambda: look("990001"))
        assert seen == []
    assert seen == [("990001", True)]
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await Region.insert(Region(code="990002", name="乙", name_en="B", level="county", province_code="990000"))
            await db.after_commit(lambda: look("990002"))
            raise RuntimeError("rolled back")
    await db.after_commit(lambda: look("outside"))  # outside a transaction: now
    assert seen == [("990001", True), ("outside", False)]


async def test_a_registered_kind_of_job_runs_in_the_apps_queue_once_per_dedupe_key(
        app: Litestar, settle) -> None:  # noqa: ANN001
    queue: jobs.Jobs = app.state.jobs
    ran: list[dict] = []

    async def handler(payload: dict) -> None:
        ran.append(payload)

    queue.register("test.kind", handler)
    if queue.in_process:  # the app's worker was made at start: make one that knows the new kind
        await queue.stop()
        await queue.start(media_store(app.state.settings))
    await queue.enqueue("test.kind", [{"n": 1}] * 8, ["test:1"] * 8)
    await settle()
    assert ran == [{"n": 1}]

"""Export jobs: a large list's file written off the request. The job's file holds what
the export at once holds; asking 8 times at once makes one job; only the requester sees
it; it is gone after a day (and the sweep removes row and file); a bad query is a 4xx
naming the field before anything is queued; a job run again (a worker killed half way)
leaves one file and a consistent row."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Awaitable, Callable

import httpx
import pytest
import time_machine
from litestar import Litestar

from backend import clock
from backend.app import LISTINGS
from backend.exports import jobs as export_jobs
from backend.exports import tabular
from backend.exports.tables import ExportJob
from backend.media.storage import media_store
from backend.media.store import key
from backend.pagination import CursorCodec
from backend.settings import Settings
from tests.api.test_exports import table
from tests.conftest import SignIn, at_once
from tests.factories import HUIMIN, LIXIA, enterprise_body

Settle = Callable[[], Awaitable[None]]


async def registry(client: httpx.AsyncClient) -> None:
    for n in range(7):
        created = await client.post("/api/enterprises", json=enterprise_body(n + 1, name=f"惠民{n}号厂"))
        assert created.status_code == 201, created.text
    assert (await client.post("/api/enterprises", json=enterprise_body(9, LIXIA))).status_code == 201


def job_body(list_name: str = "enterprises", kind: str = "csv", **query: Any) -> dict:
    return {"id": str(uuid.uuid4()), "list": list_name, "format": kind, "query": query}


async def finished(client: httpx.AsyncClient, body: dict, settle: Settle) -> dict:
    asked = await client.post("/api/exports/jobs", json=body)
    assert asked.status_code == 202, asked.text
    assert asked.json()["status"] == "queued" and asked.json()["rows_done"] == 0
    await settle()
    job = (await client.get(f"/api/exports/jobs/{body['id']}")).json()
    assert job["status"] == "done", job
    return job


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_a_job_writes_the_export(client: httpx.AsyncClient, sign_in: SignIn, settle: Settle,
                                       monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    await registry(client)
    inspector = await sign_in("inspector", HUIMIN)
    monkeypatch.setattr(tabular, "BATCH", 2)  # several pages, each counted
    query = {"sort": "-name", "q": "号厂"}
    body = job_body(kind=kind, **query)
    job = await finished(inspector, body, settle)
    direct = await inspector.get(f"/api/exports/enterprises.{kind}", params=query)
    file = await inspector.get(f"/api/exports/jobs/{body['id']}/file")
    assert file.headers["content-disposition"] == direct.headers["content-disposition"]
    assert int(file.headers["content-length"]) == len(file.content) == job["file_size"]
    assert file.headers["content-type"].startswith(direct.headers["content-type"].split(";")[0])
    file.request.url = direct.request.url  # table() reads the kind from the path
    assert table(file) == table(direct) and len(table(file)) == 8  # the header and 惠民0号厂 to 惠民6号厂, in order
    assert job["rows_done"] == 7 and job["query"] == query and job["list"] == "enterprises"


async def test_coverage_lists_count_their_rows(sign_in: SignIn, settle: Settle) -> None:
    supervisor = await sign_in("supervisor", HUIMIN)
    job = await finished(supervisor, job_body("uncovered-points", region=HUIMIN), settle)
    assert job["rows_done"] == job["rows_total"] == 0
    assert table_of(await supervisor.get(f"/api/exports/jobs/{job['id']}/file"))[0][0] == "企业名称"


def table_of(response: httpx.Response) -> list[list[str]]:
    response.request.url = httpx.URL("/x.csv")
    return table(response)


async def test_asking_eight_times_makes_one_job(client: httpx.AsyncClient, sign_in: SignIn, settle: Settle,
                                                app: Litestar) -> None:
    await registry(client)
    inspector = await sign_in("inspector", HUIMIN)
    body = job_body(kind="xlsx", q="号厂")
    answers = await at_once(8, lambda: inspector.post("/api/exports/jobs", json=body))
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["created_at"] for a in answers}) == 1
    assert await ExportJob.count().where(ExportJob.id == body["id"]) == 1
    await settle()
    assert (await inspector.post("/api/exports/jobs", json=body)).json()["status"] == "done"
    for field, changed in (("format", "csv"), ("list", "visits"), ("query", {"q": "厂"})):
        conflict = await inspector.post("/api/exports/jobs", json={**body, field: changed})
        assert conflict.status_code == 409 and conflict.json()["extra"][0]["key"] == field, conflict.text
        assert conflict.json()["code"] == "export_job_conflict"


async def test_only_the_requester_sees_a_job(client: httpx.AsyncClient, sign_in: SignIn, settle: Settle) -> None:
    body = job_body()
    await finished(client, body, settle)
    for other in (await sign_in("supervisor", HUIMIN), await sign_in("inspector", HUIMIN)):
        for path in (f"/api/exports/jobs/{body['id']}", f"/api/exports/jobs/{body['id']}/file"):
            answer = await other.get(path)
            assert answer.status_code == 404 and answer.json()["code"] == "export_job_not_found", answer.text
        taken = await other.post("/api/exports/jobs", json=body)
        assert taken.status_code == 409 and taken.json()["extra"][0]["key"] == "id"


async def test_a_job_expires_after_a_day(client: httpx.AsyncClient, settle: Settle, app: Litestar,
                                         settings: Settings) -> None:
    store = media_store(settings)
    body = job_body()
    job = await finished(client, body, settle)
    twin = await finished(client, job_body(), settle)  # the same bytes, asked at once
    row = await ExportJob.select().where(ExportJob.id == body["id"]).first()
    assert row["expires_at"] - row["created_at"] == timedelta(hours=24)
    files = {key(export_jobs.file_key(j["id"]), "export") for j in (job, twin)}
    assert files <= set(store.keys())
    with time_machine.travel(row["expires_at"] + timedelta(seconds=1), tick=False):
        for path in (f"/api/exports/jobs/{job['id']}", f"/api/exports/jobs/{job['id']}/file"):
            assert (await client.get(path)).status_code == 404
        await export_jobs.sweep(app.state.jobs, store)
        assert not await ExportJob.exists().where(ExportJob.id.is_in([job["id"], twin["id"]]))
    assert not files & set(store.keys())


async def test_a_finished_job_removes_the_expired_ones(client: httpx.AsyncClient, settle: Settle,
                                                      settings: Settings) -> None:
    store = media_store(settings)
    old = await finished(client, job_body(), settle)
    await ExportJob.update({ExportJob.expires_at: clock.now() - timedelta(seconds=1)}).where(ExportJob.id == old["id"])
    await finished(client, job_body(), settle)
    assert not await ExportJob.exists().where(ExportJob.id == old["id"])
    assert key(export_jobs.file_key(old["id"]), "export") not in set(store.keys())


async def test_the_sweep_keeps_a_live_jobs_file_of_the_same_bytes(client: httpx.AsyncClient, settle: Settle, app: Litestar,
                                                       settings: Settings) -> None:
    store = media_store(settings)
    first, second = job_body(), job_body()
    await finished(client, first, settle)
    await finished(client, second, settle)
    await ExportJob.update({ExportJob.expires_at: clock.now() - timedelta(seconds=1)}).where(
        ExportJob.id == first["id"])
    await export_jobs.sweep(app.state.jobs, store)
    assert (await client.get(f"/api/exports/jobs/{second['id']}/file")).status_code == 200
    assert (await client.get(f"/api/exports/jobs/{first['id']}")).status_code == 404


@pytest.mark.parametrize(("list_name", "query", "field", "status"), [
    ("enterprises", {"region": "12"}, "query.region", 400),
    ("enterprises", {"within_days": 0}, "query.within_days", 400),
    ("enterprises", {"limit": 5}, "query.limit", 400),
    ("enterprises", {"category": "bakery"}, "query.category", 400),
    ("enterprises", {"due_from": "2026-02-01", "due_to": "2026-01-01"}, "query.due_to", 400),
    ("visits", {"from": "yesterday"}, "query.from", 400),
    ("coverage-findings", {}, "query.status", 400),
    ("coverage-visits", {}, "list", 403),  # an inspector's role does not list it (a supervisor's does)
    ("everything", {}, "list", 400),
])
async def test_a_bad_query_is_refused_before_queueing(sign_in: SignIn, list_name: str, query: dict, field: str,
                                                      status: int) -> None:
    inspector = await sign_in("supervisor" if list_name == "coverage-findings" else "inspector", HUIMIN)
    body = job_body(list_name, **query)
    answer = await inspector.post("/api/exports/jobs", json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["extra"][0]["key"] == field, answer.text
    assert not await ExportJob.exists().where(ExportJob.id == body["id"])
    bad_format = await inspector.post("/api/exports/jobs", json={**body, "list": "enterprises", "format": "pdf"})
    assert bad_format.status_code == 400 and bad_format.json()["extra"][0]["key"] == "format"


async def test_a_job_run_again_leaves_one_file_and_a_consistent_row(
        client: httpx.AsyncClient, settle: Settle, settings: Settings) -> None:
    """A worker killed half way: the job is taken again and run from the start; the row
    is left as one run leaves it, the store holds one file."""
    await registry(client)
    store = media_store(settings)
    body = job_body(kind="xlsx")
    done = await finished(client, body, settle)
    files = {k for k in store.keys() if k.startswith("exports/")}
    written = (await ExportJob.select(ExportJob.file_sha256).where(ExportJob.id == body["id"]).first())["file_sha256"]
    await ExportJob.update({ExportJob.status: "running", ExportJob.rows_done: 3, ExportJob.file_sha256: None,
                            ExportJob.file_size: None, ExportJob.finished_at: None}).where(ExportJob.id == body["id"])
    for _ in range(2):  # taken again, then queued again after it ran
        await export_jobs.run(store, CursorCodec(settings.secret_key), LISTINGS, {"id": body["id"]})
    again = (await client.get(f"/api/exports/jobs/{body['id']}")).json()
    assert {k for k in store.keys() if k.startswith("exports/")} == files
    assert {k: again[k] for k in ("status", "rows_done", "file_size")} == {
        k: done[k] for k in ("status", "rows_done", "file_size")}
    assert again["rows_done"] == 8
    rewritten = await ExportJob.select(ExportJob.file_sha256).where(ExportJob.id == body["id"]).first()
    assert rewritten["file_sha256"] == written  # the same bytes: the file's "created" is the job's, not the clock's


async def test_a_job_the_list_refuses_at_run_time_fails_with_its_code(
        client: httpx.AsyncClient, sign_in: SignIn, settle: Settle) -> None:
    inspector = await sign_in("inspector", HUIMIN)
    body = job_body("findings", enterprise_id=str(uuid.uuid4()))  # not in the inspector's jurisdiction
    asked = await inspector.post("/api/exports/jobs", json=body)
    assert asked.status_code == 202, asked.text
    await settle()
    job = (await inspector.get(f"/api/exports/jobs/{body['id']}")).json()
    assert job["status"] == "failed" and job["error_code"] == "enterprise_not_found", job
    not_ready = await inspector.get(f"/api/exports/jobs/{body['id']}/file")
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "export_not_ready"

"""Documents' PDFs as jobs: filing a visit (closing a finding) answers once its documents
are numbered; their PDFs follow from the job queue, once each however often a job runs;
a start-up sweep queues again the recent ones whose jobs were lost; a request renders a
PDF whose job has not run (test_documents.py)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from litestar import Litestar

from backend import clock
from backend.audit.tables import AuditEvent
from backend.documents import issue, service
from backend.documents.tables import Document
from backend.media.jobs import Jobs
from backend.media.storage import media_store
from backend.settings import Settings
from tests.api.test_documents import documents, filed
from tests.api.test_visits import file_follow_up, scene  # noqa: F401 (the scene fixture)


async def _rendered(subject: str) -> dict[str, str | None]:
    """The PDFs' hashes of a subject's documents, by kind."""
    return {r["kind"]: r["sha256"] for r in await Document.select(Document.kind, Document.sha256).where(
        Document.subject == subject)}


async def _renders() -> dict[str, int]:
    """How many times each document's rendering was recorded."""
    events = await AuditEvent.select(AuditEvent.target_id).where(AuditEvent.action == "document.rendered")
    return dict(Counter(str(e["target_id"]) for e in events))


async def _queued(queue: Jobs) -> int:
    return sum(s.count for s in await queue.queries.queue_size() if s.entrypoint == issue.RENDER)


async def test_filing_a_visit_renders_its_documents_off_the_request(scene: dict, settle) -> None:
    visit_id = await filed(scene)
    docs = await documents(scene["zhang"], visit_id)
    await settle()  # no PDF asked for
    rendered = await _rendered(visit_id)
    assert set(rendered) == {"record", "order"} and all(rendered.values())
    assert await _renders() == {docs["record"]["id"]: 1, docs["order"]["id"]: 1}
    response = await scene["li"].get(f"/api/documents/{docs['order']['id']}/pdf")  # served as rendered
    assert response.status_code == 200 and response.headers["x-content-sha256"] == rendered["order"]

    # Closing the finding numbers its re-check record, and the queue renders it.
    finding = (await scene["zhang"].get(f"/api/visits/{visit_id}")).json()["findings"][0]
    await file_follow_up(scene)
    response = await scene["zhang"].post(f"/api/findings/{finding['id']}/decision",
                                         json={"decision": "close", "via": "follow_up", "note": "已停止使用该添加剂"})
    assert response.status_code == 200, response.text
    await settle()
    recheck = (await documents(scene["zhang"], visit_id))["recheck"]
    assert recheck["sha256"] and (await _renders())[recheck["id"]] == 1


async def test_a_render_job_run_twice_or_with_a_request_or_queued_eight_times_renders_once(
        app: Litestar, scene: dict, settings: Settings, settle) -> None:
    queue, store = app.state.jobs, media_store(settings)
    await queue.stop()  # SQLite: the app's own worker pauses (PostgreSQL: no worker runs in the tests)
    visit_id = await filed(scene)
    docs = await documents(scene["zhang"], visit_id)
    assert await _queued(queue) == 2 and not any((await _rendered(visit_id)).values())

    job = {"id": docs["record"]["id"]}  # run twice at once, and with two first requests for the PDF
    responses = await asyncio.gather(*(service.render_job(store, settings.public_url, job) for _ in range(2)),
                                     *(scene["li"].get(f"/api/documents/{job['id']}/pdf") for _ in range(2)))
    assert {r.status_code for r in responses[2:]} == {200} and len({r.content for r in responses[2:]}) == 1
    await service.render_job(store, settings.public_url, job)  # and once more, later
    assert await _renders() == {docs["record"]["id"]: 1}

    ids = [docs["record"]["id"], docs["order"]["id"]]
    await asyncio.gather(*(issue.render_later(queue, ids) for _ in range(8)))
    assert await _queued(queue) == 2  # one job per document at a time
    await queue.start(store)
    await settle()
    assert await _renders() == {docs["record"]["id"]: 1, docs["order"]["id"]: 1}


async def test_the_sweep_queues_again_recent_documents_whose_jobs_were_lost(
        app: Litestar, scene: dict, settings: Settings, settle) -> None:
    queue, store = app.state.jobs, media_store(settings)
    await queue.stop()
    visit_id = await filed(scene)
    docs = await documents(scene["zhang"], visit_id)
    await queue.queries.clear_queue(issue.RENDER)  # lost in a crash: numbered, never rendered, not queued
    old = clock.now() - service.RECENT - timedelta(minutes=1)
    await Document.update({Document.issued_at: old}).where(Document.id == docs["order"]["id"])

    assert await service.sweep_unrendered(queue) == 1  # the record; the order is older than the bound
    assert await _queued(queue) == 1
    await queue.start(store)  # SQLite: sweeps again at start (the job is queued already: still one)
    await settle()
    rendered = await _rendered(visit_id)
    assert rendered["record"] and rendered["order"] is None
    assert await _renders() == {docs["record"]["id"]: 1}
    assert await service.sweep_unrendered(queue) == 0

    # The order is rendered on its first request, as every PDF the sweep leaves.
    response = await scene["li"].get(f"/api/documents/{docs['order']['id']}/pdf")
    assert response.status_code == 200 and (await _rendered(visit_id))["order"]

"""Reading documents, and rendering each one's PDF once: a job queued when it is
numbered (issue.py) renders it, stores it under its SHA-256 and records the hash in the
audit chain; a request for a PDF not rendered yet (its job still queued, or lost)
renders it there and then, and whichever comes second changes nothing. Documents of
visits filed before documents existed are numbered when first listed."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import anyio
import msgspec

from backend import access, clock, db
from backend.access import Scope
from backend.audit import service as audit
from backend.documents import context, issue, render
from backend.documents.issue import Issuer
from backend.documents.schemas import DocumentOut
from backend.documents.tables import Document, DocumentKind
from backend.enterprises import service as enterprises
from backend.errors import NotFound
from backend.glossary import LABELS
from backend.inspections import service as inspections
from backend.inspections.tables import Finding, Visit
from backend.media.jobs import Jobs
from backend.media.store import MediaStore
from backend.notices.page import verify_url

_COLUMNS = (Document.all_columns(), Document.enterprise.as_alias("enterprise_id"),
            Document.enterprise.name.as_alias("enterprise_name"), Document.visit.as_alias("visit_id"),
            Document.subject.as_alias("subject_id"))


RANK = {kind.value: rank for rank, kind in enumerate(DocumentKind)}  # a visit's record first, then its order
RECENT = timedelta(days=2)  # the documents whose lost jobs the sweep queues again: issued this recently
SWEPT = 300  # and at most this many of them, newest first


def _out(row: dict[str, Any]) -> DocumentOut:
    return msgspec.convert({**row, "title": LABELS["document_kinds"][row["kind"]]}, DocumentOut)


async def visit_documents(scope: Scope, paper: Issuer, visit_id: UUID) -> list[DocumentOut]:
    """A visit's documents (404 outside the caller's scope; none while it is planned)."""
    await inspections.get_visit(scope, visit_id)
    await _number_missing(paper, Visit.id == visit_id)
    rows = await Document.select(*_COLUMNS).where(Document.visit == visit_id)
    return [_out(r) for r in sorted(rows, key=lambda r: (r["issued_at"], RANK[r["kind"]]))]


async def enterprise_documents(scope: Scope, paper: Issuer, enterprise_id: UUID, today: date) -> list[DocumentOut]:
    """An enterprise's documents, newest first."""
    await enterprises.get_enterprise(scope, enterprise_id, today)
    await _number_missing(paper, Visit.enterprise == enterprise_id)
    rows = await Document.select(*_COLUMNS).where(Document.enterprise == enterprise_id)
    return [_out(r) for r in sorted(rows, key=lambda r: (-r["issued_at"].timestamp(), RANK[r["kind"]]))]


async def get_document(scope: Scope, document_id: UUID) -> DocumentOut:
    row = await Document.select(*_COLUMNS).where(
        Document.id == document_id, *access.in_scope(scope, Document.enterprise, Document.enterprise)).first()
    if row is None:
        raise NotFound(f"No document {document_id} in your jurisdiction.", code="document_not_found", params={"id": document_id})
    return _out(row)


async def by_code(code: str) -> DocumentOut | None:
    """The document a public code names (for its verification page)."""
    row = await Document.select(*_COLUMNS).where(Document.code == code.upper()).first()
    return _out(row) if row else None


async def pdf(scope: Scope, store: MediaStore, public_url: str, document_id: UUID) -> DocumentOut:
    """The document, its PDF rendered and stored now if this is its first request."""
    document = await get_document(scope, document_id)
    if document.sha256 is None:
        document = await _render(document, store, public_url)
    return document


async def printed(scope: Scope, store: MediaStore, public_url: str, enterprise_id: UUID, today: date,
                  visit_id: UUID | None = None, since: date | None = None, until: date | None = None,
                  ) -> list[DocumentOut]:
    """An enterprise's documents (of one visit; issued on bureau days since..until), their
    PDFs rendered and stored if not yet: an evidence package's papers (those numbered
    here are rendered here, when chosen, or on their first request: none is queued)."""
    chosen = []
    for document in await enterprise_documents(scope, Issuer(), enterprise_id, today):
        day = document.issued_at.astimezone(clock.BUREAU_TIME).date()
        if ((visit_id is None or document.visit_id == visit_id) and (since is None or day >= since)
                and (until is None or day <= until)):
            if document.sha256 is None:
                document = await _render(document, store, public_url)
            chosen.append(document)
    return chosen


def render_in_jobs(jobs: Jobs, store: MediaStore, public_url: str) -> None:
    """The job queue renders the documents' PDFs (``issue.RENDER``), and its sweep
    queues again the recent ones a crash left unrendered."""
    jobs.register(issue.RENDER, partial(render_job, store, public_url), partial(sweep_unrendered, jobs),
                  one_at_a_time=True)


async def render_job(store: MediaStore, public_url: str, payload: dict[str, Any]) -> None:
    """One job: the document's PDF, unless rendered already (by an earlier run of the job,
    or by a request for it)."""
    row = await Document.select(*_COLUMNS).where(Document.id == UUID(payload["id"]), Document.sha256.is_null()).first()
    if row is not None:
        await _render(_out(row), store, public_url)


async def sweep_unrendered(jobs: Jobs) -> int:
    """At start, queue again the PDFs of documents issued within ``RECENT`` of now and
    never rendered (a crash lost their jobs), at most ``SWEPT``, newest first; returns
    how many. Only recent ones: a start must not render every PDF never asked for (years
    of documents never printed, the demo's history once listed: `make run` and each
    browser test's server would spend minutes of CPU on them); a request renders those
    on demand. (A fresh demo has a few recent ones, its plan's visits filed at load.)"""
    rows = await Document.select(Document.id).where(
        Document.sha256.is_null(), Document.issued_at >= clock.now() - RECENT).order_by(
        Document.issued_at, ascending=False).limit(SWEPT)
    await issue.render_later(jobs, [r["id"] for r in rows])
    return len(rows)


async def _render(document: DocumentOut, store: MediaStore, public_url: str) -> DocumentOut:
    if document.kind == DocumentKind.recheck:
        data = await context.recheck(document.subject_id, await _record_number(document.visit_id))
    elif document.kind == DocumentKind.order:
        data = await context.order(document.visit_id, await _record_number(document.visit_id))
    else:
        data = await context.record(document.visit_id)
    data.update(number=document.number, code=document.code, qr=render.qr(verify_url(public_url, document.code)))
    content = await anyio.to_thread.run_sync(render.pdf, data, store)
    sha256 = hashlib.sha256(content).hexdigest()
    await anyio.to_thread.run_sync(store.put_derivative, sha256, "document", content)
    async with db.transaction():
        done = await Document.update({Document.sha256: sha256, Document.size: len(content)}).where(
            Document.id == document.id, Document.sha256.is_null()).returning(Document.id)
        if done:  # else rendered a moment ago by another request, to the same bytes
            await audit.record(None, "document.rendered", "document", document.id,
                               {"number": document.number, "sha256": sha256, "size": len(content)},
                               await enterprises.place_of(document.enterprise_id))
    return await by_id(document.id)


async def by_id(document_id: UUID) -> DocumentOut:
    return _out(await Document.select(*_COLUMNS).where(Document.id == document_id).first())


async def _record_number(visit_id: UUID) -> str:
    row = await Document.select(Document.number).where(Document.subject == visit_id,
                                                       Document.kind == DocumentKind.record).first()
    return row["number"] if row else ""


async def _number_missing(paper: Issuer, *visits: Any) -> None:
    """Number the documents that filed visits (matching ``visits``) and their closed
    findings lack (those filed before documents existed, or loaded in bulk), as ``paper``
    does when they are filed and closed."""
    numbered = Document.select(Document.subject).where(Document.kind == DocumentKind.record)
    unnumbered = await Visit.select(Visit.id).where(*visits, Visit.status.is_in(list(issue.FILED)),
                                                    Visit.id.not_in(numbered)).order_by(Visit.submitted_at)
    rechecked = Document.select(Document.subject).where(Document.kind == DocumentKind.recheck)
    closed = await Finding.select(Finding.id).where(Finding.visit.is_in(Visit.select(Visit.id).where(*visits)),
                                                    Finding.status == "closed", Finding.id.not_in(rechecked)).order_by(
        Finding.closed_at)
    for row in unnumbered:
        async with db.transaction():
            await paper.visit_filed(row["id"])
    for row in closed:
        async with db.transaction():
            await paper.finding_closed(row["id"])

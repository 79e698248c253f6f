"""Issuing documents: numbering them in the transaction of what they record.

``Issuer`` is the app's ``paper`` (backend.inspections.paper.Paper): filing a visit
numbers its on-site record, and its order to correct when it has findings; closing a
finding numbers its re-check record. A filed visit met without its documents (filed
before documents existed, or by the demo's bulk load) is numbered on first reading, by
the same function: it serialises on its subject and numbers only what is missing, so
it runs once whichever path gets there first.

Each document numbered is queued for rendering (its PDF, off the request) once the
numbering commits; a job lost in a crash leaves the PDF to its first request.

An amendment's documents supersede the corrected visit's current ones."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from backend import clock, db
from backend.audit import service as audit
from backend.documents import numbers
from backend.documents.tables import Document, DocumentKind, DocumentStatus
from backend.enterprises import service as enterprises
from backend.inspections.checklists import sha256_of
from backend.inspections.tables import Finding, Visit, VisitStatus
from backend.media.jobs import Jobs
from backend.notices import service as notices
from backend.notices.tables import Notice
from backend.regions.tables import Region

FILED = (VisitStatus.submitted, VisitStatus.accepted, VisitStatus.returned)
RENDER = "documents.render"  # the kind of job rendering one document's PDF: {"id": its id}


class Issuer:
    """Numbers documents, and queues their PDFs in ``jobs`` (without: the demo's bulk
    load, whose PDFs are rendered when first asked for)."""

    def __init__(self, jobs: Jobs | None = None) -> None:
        self.jobs = jobs

    async def visit_filed(self, visit_id: UUID) -> None:
        await self._queue(await number_visit(visit_id))

    async def finding_closed(self, finding_id: UUID) -> None:
        await self._queue(await number_recheck(finding_id))

    async def _queue(self, numbered: list[UUID]) -> None:
        """Queue the PDFs of the documents numbered, once their numbering has committed
        (a worker must see them)."""
        jobs = self.jobs
        if jobs is not None and numbered:
            await db.after_commit(lambda: render_later(jobs, numbered))


async def render_later(jobs: Jobs, documents: list[UUID]) -> None:
    """Queue these documents' PDFs; one job per document at a time."""
    await jobs.enqueue(RENDER, [{"id": str(d)} for d in documents], [f"render:{d}" for d in documents])


async def number_visit(visit_id: UUID) -> list[UUID]:
    """Number a filed visit's record (and order) if not yet numbered, in the caller's
    transaction; the ids of the documents numbered now."""
    await db.serialise(f"paper:{visit_id}")
    visit = await Visit.select(Visit.id, Visit.enterprise, Visit.county_code, Visit.submitted_at, Visit.content_hash,
                               Visit.amends, Visit.status).where(
        Visit.id == visit_id).first()
    if visit is None or visit["status"] not in FILED:
        return []
    kinds = [DocumentKind.record]
    if await Finding.exists().where(Finding.visit == visit_id):
        kinds.append(DocumentKind.order)
    issued = await _issue(kinds, visit_id, visit_id, {**visit, "county": await _county(visit["county_code"])},
                          visit["content_hash"], visit["submitted_at"])
    if issued and visit["amends"] is not None:
        await _supersede(visit["amends"], issued, visit["enterprise"])
    return list(issued.values())


async def number_recheck(finding_id: UUID) -> list[UUID]:
    """Number a closed finding's re-check record if not yet numbered (caller's transaction)."""
    await db.serialise(f"paper:{finding_id}")
    finding = await Finding.select(Finding.id, Finding.visit, Finding.enterprise, Finding.county_code,
                                   Finding.status, Finding.closed_at, Finding.closed_via, Finding.closure_note,
                                   Finding.closed_by).where(Finding.id == finding_id).first()
    if finding is None or finding["status"] != "closed":
        return []
    closure = {"finding": str(finding_id), "closed_at": finding["closed_at"], "via": finding["closed_via"],
               "note": finding["closure_note"], "by": str(finding["closed_by"])}
    source = {**finding, "county": await _county(finding["county_code"])}
    issued = await _issue([DocumentKind.recheck], finding_id, finding["visit"], source, sha256_of(closure),
                          finding["closed_at"])
    return list(issued.values())


async def _issue(kinds: list[DocumentKind], subject: UUID, visit_id: UUID, source: dict[str, Any], content_hash: str,
                 issued_at: datetime) -> dict[DocumentKind, UUID]:
    """Number the ``kinds`` of ``subject`` not numbered yet; ``source`` names the
    enterprise, its county's code and the county's name."""
    have = {r["kind"] for r in await Document.select(Document.kind).where(Document.subject == subject)}
    issued_at = issued_at or clock.now()
    year = issued_at.astimezone(clock.BUREAU_TIME).year
    issued: dict[DocumentKind, UUID] = {}
    for kind in kinds:
        if kind.value in have:
            continue
        serial = await numbers.take(source["county_code"], year, kind)
        document_id, code = uuid.uuid4(), await _new_code()
        number = numbers.printed(source["county"], kind, year, serial)
        await Document.insert(Document(
            id=document_id, kind=kind, subject=subject, visit=visit_id, enterprise=source["enterprise"],
            bureau_code=source["county_code"], year=year, serial=serial, number=number, code=code,
            content_hash=content_hash, issued_at=issued_at))
        await audit.record(None, "document.numbered", "document", document_id,
                           {"kind": kind.value, "number": number, "code": code, "subject": str(subject),
                            "content_hash": content_hash}, await enterprises.place_of(source["enterprise"]))
        issued[kind] = document_id
    return issued


async def _supersede(amended: UUID, issued: dict[DocumentKind, UUID], enterprise: UUID) -> None:
    """The corrected visit's current documents give way to the amendment's (its record
    where the amendment has no document of the same kind)."""
    for old in await Document.select(Document.id, Document.kind).where(
            Document.visit == amended, Document.kind.is_in([DocumentKind.record, DocumentKind.order]),
            Document.status == DocumentStatus.current):
        newer = issued.get(DocumentKind(old["kind"]), issued[DocumentKind.record])
        await Document.update({Document.status: DocumentStatus.superseded, Document.superseded_by: newer}).where(
            Document.id == old["id"], Document.status == DocumentStatus.current)
        await audit.record(None, "document.superseded", "document", old["id"], {"by": str(newer)},
                           await enterprises.place_of(enterprise))


async def _county(code: str) -> str:
    row = await Region.select(Region.name).where(Region.code == code).first()
    return row["name"] if row else ""


async def _new_code() -> str:
    """A short public code that no notice or document has (a collision is rare: draw again)."""
    while True:
        code = notices.new_code()
        if not (await Notice.exists().where(Notice.code == code) or await Document.exists().where(Document.code == code)):
            return code

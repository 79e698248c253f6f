"""Rectification orders: a finding's deadline, the enterprise's evidence, the inspector's
decision (remotely on the evidence, or on a follow-up visit), and overdue orders."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Mapping
from uuid import UUID

import msgspec

from backend import db
from backend.accounts.scope import Scope
from backend.audit import service as audit
from backend.coverage import rollups
from backend.enterprises import schedule
from backend.enterprises import service as enterprises
from backend.errors import Conflict, Invalid, NotFound
from backend.inspections.schemas import FindingDecision, RectificationOut
from backend.inspections.tables import Finding
from backend.media import service as media
from backend.media.schemas import ReviewIn
from backend.media.tables import MediaItem


_COLUMNS = (Finding.all_columns(), Finding.visit.as_alias("visit_id"), Finding.enterprise.as_alias("enterprise_id"))


async def dossier_findings(scope: Scope, enterprise_id: UUID, today: date) -> list[RectificationOut]:
    """An enterprise's findings, newest deadline last, with their evidence and overdue flag."""
    await enterprises.get_enterprise(scope, enterprise_id, today)
    rows = await Finding.select(*_COLUMNS).where(
        Finding.enterprise == enterprise_id).order_by(Finding.deadline)
    return await _with_evidence(rows, today)


async def get_finding(scope: Scope, finding_id: UUID, today: date) -> RectificationOut:
    row = await Finding.select(*_COLUMNS).where(
        Finding.id == finding_id, *enterprises.in_scope_of(Finding.enterprise, scope)).first()
    if row is None:
        raise NotFound(f"No finding {finding_id} in your jurisdiction.")
    return (await _with_evidence([row], today))[0]


async def decide(scope: Scope, finding_id: UUID, data: FindingDecision, today: date,
                 intervals: Mapping[str, int]) -> RectificationOut:
    finding = await get_finding(scope, finding_id, today)
    if finding.status != "open":
        raise Conflict("This finding is already closed.", "decision")
    if data.via == "evidence" or data.decision == "reject":
        if data.evidence_id is None or data.evidence_id not in finding.evidence:
            raise Invalid("Name the rectification upload (evidence_id) this decision is about.", "evidence_id")
        if data.decision == "reject" and not data.note.strip():
            raise Invalid("Say what is still wrong, so the enterprise can put it right.", "note")
        await media.review(scope, data.evidence_id, ReviewIn(decision="accept" if data.decision == "close" else "return",
                                                               reason=data.note))
    if data.decision == "close":
        async with db.transaction():
            closed_at = datetime.now(timezone.utc)
            row = await Finding.select(Finding.found_at, *rollups.codes(Finding)).where(Finding.id == finding_id).first()
            found_at = row["found_at"] or closed_at
            await Finding.update({Finding.status: "closed", Finding.closed_at: closed_at,
                                  Finding.days_to_close: (closed_at - found_at).total_seconds() / 86400,
                                  Finding.closed_by: scope.user_id, Finding.closed_via: data.via,
                                  Finding.closure_note: data.note.strip()}).where(Finding.id == finding_id)
            await rollups.record_closure(row, closed_at)
            await schedule.refresh(finding.enterprise_id, intervals)
            await audit.record(scope, "finding.closed", "finding", finding_id, {"via": data.via, "note": data.note},
                               await audit.place_of(Scope(enterprise_id=finding.enterprise_id)))
    return await get_finding(scope, finding_id, today)


async def _with_evidence(rows: list[dict], today: date) -> list[RectificationOut]:
    ids = [str(r["id"]) for r in rows]
    evidence: dict[str, list] = {i: [] for i in ids}
    if ids:
        for item in await MediaItem.select(MediaItem.id, MediaItem.rectification).where(
                MediaItem.rectification.is_in(ids)).order_by(MediaItem.uploaded_at):
            evidence[str(item["rectification"])].append(item["id"])
    return [msgspec.convert({**r, "evidence": evidence[str(r["id"])],
                             "overdue": r["status"] == "open" and r["deadline"] is not None and r["deadline"] < today},
                            RectificationOut) for r in rows]

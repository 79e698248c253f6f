"""Rectification orders: a finding's deadline, the enterprise's evidence, the inspector's
decision (remotely on the evidence, or on a follow-up visit), and overdue orders."""

from __future__ import annotations

from datetime import date
from typing import Mapping
from uuid import UUID

import msgspec

from backend.access import Scope
from backend import access, clock, db
from backend.audit import service as audit
from backend.inspections import schedule
from backend.enterprises import service as enterprises
from backend.errors import Conflict, Invalid, NotFound
from backend.inspections.schemas import AwaitingOut, FindingDecision, RectificationOut
from backend.inspections.paper import Paper
from backend.inspections.tally import Tally
from backend.inspections.tables import Finding, Visit, VisitMember, VisitStatus, VisitType
from backend.media import service as media
from backend.media.links import Links
from backend.media.schemas import ReviewIn
from backend.media.tables import MediaItem, ReviewStatus


_COLUMNS = (Finding.all_columns(), Finding.visit.as_alias("visit_id"), Finding.enterprise.as_alias("enterprise_id"))


async def dossier_findings(scope: Scope, enterprise_id: UUID, today: date) -> list[RectificationOut]:
    """An enterprise's findings, newest deadline last, with their evidence and overdue flag."""
    await enterprises.get_enterprise(scope, enterprise_id, today)
    rows = await Finding.select(*_COLUMNS).where(
        Finding.enterprise == enterprise_id).order_by(Finding.deadline)
    return await _with_evidence(rows, today)


async def get_finding(scope: Scope, finding_id: UUID, today: date) -> RectificationOut:
    row = await Finding.select(*_COLUMNS).where(
        Finding.id == finding_id, *access.in_scope(scope, Finding.enterprise, Finding.enterprise)).first()
    if row is None:
        raise NotFound(f"No finding {finding_id} in your jurisdiction.", code="finding_not_found", params={"id": finding_id})
    return (await _with_evidence([row], today))[0]


AWAITING_AT_MOST = 200


async def awaiting_decision(scope: Scope, today: date) -> list[AwaitingOut]:
    """待处理: the open findings of visits the caller was on whose enterprise sent
    rectification evidence still waiting for a decision, earliest deadline first."""
    pending = MediaItem.select(MediaItem.rectification).where(MediaItem.status == ReviewStatus.pending,
                                                              MediaItem.rectification.is_not_null())
    rows = await Finding.select(*_COLUMNS, Finding.enterprise.name.as_alias("enterprise_name")).where(
        Finding.status == "open", Finding.id.is_in(pending),
        Finding.visit.is_in(VisitMember.select(VisitMember.visit).where(VisitMember.user == scope.user_id)),
        *access.in_scope(scope, Finding.enterprise, Finding.enterprise),
    ).order_by(Finding.deadline, Finding.id).limit(AWAITING_AT_MOST)
    waiting: dict[str, list] = {str(r["id"]): [] for r in rows}
    if waiting:
        for item in await MediaItem.select(MediaItem.id, MediaItem.rectification).where(
                MediaItem.rectification.is_in(list(waiting)), MediaItem.status == ReviewStatus.pending).order_by(
                MediaItem.uploaded_at):
            waiting[str(item["rectification"])].append(item["id"])
    found = await _with_evidence(rows, today)
    return [msgspec.convert({**msgspec.structs.asdict(f), "enterprise_name": r["enterprise_name"],
                             "pending_evidence": waiting[str(f.id)]}, AwaitingOut) for f, r in zip(found, rows)]


async def decide(scope: Scope, links: Links, tally: Tally, paper: Paper, finding_id: UUID, data: FindingDecision,
                 today: date, intervals: Mapping[str, int]) -> RectificationOut:
    """Close a finding (on the evidence, which is accepted with it, or on a follow-up
    visit), or reject its evidence. The closure is one conditional UPDATE: of requests sent
    at once, one closes; for the others the finding is closed already, which answers a
    retry of the same closure with the finding and anything else with a conflict."""
    async with db.transaction():
        finding = await get_finding(scope, finding_id, today)
        if finding.status != "open":
            return _settled(finding, data)
        if data.via == "evidence" or data.decision == "reject":
            if data.evidence_id is None or data.evidence_id not in finding.evidence:
                raise Invalid("Name the rectification upload (evidence_id) this decision is about.", "evidence_id", code="evidence_missing")
            if data.decision == "reject" and not data.note.strip():
                raise Invalid("Say what is still wrong, so the enterprise can put it right.", "note", code="note_missing")
            await media.review(scope, links, data.evidence_id,
                               ReviewIn(decision="accept" if data.decision == "close" else "return", reason=data.note))
        if data.decision == "close" and not await close(scope, tally, paper, finding_id, data, intervals):
            return _settled(await get_finding(scope, finding_id, today), data)  # closed a moment ago by another request
    return await get_finding(scope, finding_id, today)


async def close(scope: Scope, tally: Tally, paper: Paper, finding_id: UUID, data: FindingDecision,
                 intervals: Mapping[str, int]) -> bool:
    """Close an open finding, in the caller's transaction; False if it is not open."""
    row = await Finding.select(Finding.found_at, Finding.enterprise, Finding.province_code, Finding.city_code,
                               Finding.county_code).where(
        Finding.id == finding_id).first()
    closed_at = clock.now()
    found_at = row["found_at"] or closed_at
    if data.via == "follow_up" and not await Visit.exists().where(
            Visit.enterprise == row["enterprise"], Visit.visit_type == VisitType.follow_up,
            Visit.status.is_in([VisitStatus.submitted, VisitStatus.accepted]), Visit.started_at > found_at):
        raise Invalid("Closing on a follow-up needs a follow-up visit to this enterprise, submitted and started after "
                      "the finding; file that visit first, or close on the evidence.", "via", code="follow_up_visit_missing")
    closed = await Finding.update({Finding.status: "closed", Finding.closed_at: closed_at,
                                   Finding.days_to_close: (closed_at - found_at).total_seconds() / 86400,
                                   Finding.closed_by: scope.user_id, Finding.closed_via: data.via,
                                   Finding.closure_note: data.note.strip()}).where(
        Finding.id == finding_id, Finding.status == "open").returning(Finding.id)
    if closed:
        await tally.record_closure(row, closed_at)
        await schedule.refresh(row["enterprise"], intervals)
        await audit.record(scope, "finding.closed", "finding", finding_id, {"via": data.via, "note": data.note},
                           await enterprises.place_of(row["enterprise"]))
        await paper.finding_closed(finding_id)
    return bool(closed)


def _settled(finding: RectificationOut, data: FindingDecision) -> RectificationOut:
    """The answer for a finding closed already: the same closure asked again is a retry."""
    if data.decision == "close" and finding.closed_via == data.via:
        return finding
    raise Conflict(f"This finding was already closed ({finding.closed_via}); nothing more is decided on it.", "decision", code="finding_closed", params={"closed_via": finding.closed_via})


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

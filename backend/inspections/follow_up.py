"""A follow-up visit verifies the enterprise's earlier open findings: each one rectified
(closed, on the follow-up) or carried on, with the reason, to a new deadline. The verdicts
travel in the visit's submission and are applied in its transaction: filed once, applied
once; the schedule is refreshed after them (by the submission)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping
from uuid import UUID

import msgspec

from backend.access import Scope
from backend.audit import service as audit
from backend.enterprises import service as enterprises
from backend.errors import Invalid
from backend.inspections import rectification
from backend.inspections.paper import Paper
from backend.inspections.schemas import FindingDecision, Submission
from backend.inspections.tables import Finding, VisitType
from backend.inspections.tally import Tally
from backend.media.tables import Category


async def check(data: Submission, enterprise_id: Any, media: Mapping[str, dict], visit_day: date) -> list[dict]:
    """The verdicts as the visit keeps them. Only a follow-up gives them, each on a finding
    of the enterprise open when the visit started, once; carrying one on says
    why and sets a deadline no earlier than the visit's day; a photo is an image of the
    enterprise's dossier."""
    if not data.verifications:
        return []
    if data.visit.visit_type != VisitType.follow_up:
        raise Invalid("Only a follow-up visit (回访/复查) verifies earlier findings.", "verifications",
                      code="verification_not_follow_up")
    ids = [str(v.finding_id) for v in data.verifications]
    # open when the visit started: still open, or closed since (on the enterprise's evidence
    # while the phone was offline, say; the verdict then changes nothing)
    open_before = {str(r["id"]) for r in await Finding.select(Finding.id).where(
        Finding.id.is_in(ids), Finding.enterprise == enterprise_id, Finding.found_at < data.started_at,
        (Finding.status == "open") | (Finding.closed_at >= data.started_at))}
    out = []
    for i, v in enumerate(data.verifications):
        field = f"verifications[{i}]"
        if ids.index(str(v.finding_id)) != i:
            raise Invalid(f"Finding {v.finding_id} is verified twice; give one verdict.", f"{field}.finding_id",
                          code="verification_twice", params={"id": v.finding_id})
        if str(v.finding_id) not in open_before:
            raise Invalid(f"Finding {v.finding_id} is not a finding of this enterprise open when this visit started.",
                          f"{field}.finding_id", code="verification_not_open", params={"id": v.finding_id})
        if v.outcome == "carried_on":
            if not v.reason.strip():
                raise Invalid("Say why the finding is carried on.", f"{field}.reason", code="carried_on_reason_missing")
            if v.deadline is None or v.deadline < visit_day:
                raise Invalid(f"A finding carried on takes a new deadline, no earlier than the visit's day ({visit_day}).",
                              f"{field}.deadline", code="carried_on_deadline", params={"day": visit_day})
        elif v.deadline is not None:
            raise Invalid("A closed finding takes no new deadline.", f"{field}.deadline", code="closed_finding_deadline")
        if v.media_id is not None:
            found = media.get(str(v.media_id))
            if found is None or str(found["enterprise"]) != str(enterprise_id) or not found["mime"].startswith("image/") \
                    or found["category"] == Category.signature:
                raise Invalid(f"Photo {v.media_id} is not in this enterprise's dossier; upload it first.", f"{field}.media_id",
                              code="photo_not_in_dossier", params={"id": v.media_id})
        out.append({**msgspec.to_builtins(v), "reason": v.reason.strip()})
    return out


async def apply(scope: Scope, tally: Tally, paper: Paper, verifications: list[dict], started_at: datetime,
                intervals: Mapping[str, int]) -> None:
    """Apply a filed follow-up's verdicts, in its transaction. A finding closed meanwhile
    (on the enterprise's evidence, say, while the phone was offline) stays as it is."""
    for v in verifications:
        if v["outcome"] == "closed":
            await rectification.close(scope, tally, paper, UUID(v["finding_id"]),
                                      FindingDecision(decision="close", via="follow_up", note=v["reason"]), intervals)
            continue
        carried = await Finding.update({Finding.deadline: date.fromisoformat(v["deadline"]),
                                        Finding.follow_up_note: v["reason"]}).where(
            Finding.id == v["finding_id"], Finding.status == "open").returning(Finding.enterprise)
        if carried:
            await audit.record(scope, "finding.carried_on", "finding", v["finding_id"],
                               {"reason": v["reason"], "deadline": v["deadline"], "on": started_at.isoformat()},
                               await enterprises.place_of(carried[0]["enterprise"]))

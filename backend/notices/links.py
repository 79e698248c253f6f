"""Media's Links (backend.media.links): what an upload may name on the layers above media,
answered here, the lowest layer that sees visits, rectification orders and notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence
from uuid import UUID

from backend.access import Scope
from backend.errors import Invalid
from backend.inspections.tables import Finding, Visit, VisitStatus
from backend.media.schemas import MediaOut, UploadFields, VisitContext
from backend.notices.tables import Notice


class DossierLinks:
    async def check(self, scope: Scope, fields: UploadFields) -> None:
        """The visit, notice and rectification order an upload names are its enterprise's,
        and a notice is of the named visit; an enterprise user cannot name a visit still
        planned (it is not shown to them)."""
        enterprise_id = fields.enterprise_id
        if fields.visit_id is not None:
            visit = await Visit.select(Visit.status).where(Visit.id == fields.visit_id,
                                                           Visit.enterprise == enterprise_id).first()
            if visit is None or (scope.enterprise_id is not None and visit["status"] == VisitStatus.planned):
                raise Invalid("That visit is not one of this enterprise's.", "visit_id", code="visit_not_enterprises")
        if fields.notice_id is not None:
            notice = await Notice.select(Notice.visit).where(Notice.id == fields.notice_id,
                                                             Notice.enterprise == enterprise_id).first()
            if notice is None:
                raise Invalid("That notice is not one of this enterprise's.", "notice_id", code="notice_not_enterprises")
            if fields.visit_id is not None and str(notice["visit"]) != str(fields.visit_id):
                raise Invalid("That notice was posted during another visit.", "notice_id", code="notice_other_visit")
        if fields.rectification_id is not None and not await Finding.exists().where(
                Finding.id == fields.rectification_id, Finding.status == "open", Finding.enterprise == enterprise_id):
            raise Invalid("That rectification order is not an open finding of this enterprise.", "rectification_id", code="rectification_not_open")

    async def visit_started(self, visit_id: UUID) -> datetime | None:
        visit = await Visit.select(Visit.started_at).where(Visit.id == visit_id).first()
        return None if visit is None else visit["started_at"]

    async def visit_team(self, visit_id: UUID) -> set[str]:
        visit = await Visit.select(Visit.team).where(Visit.id == visit_id).output(load_json=True).first()
        return {str(member) for member in visit["team"]} if visit else set()

    async def visit_context(self, uploads: Sequence[MediaOut]) -> dict[str, VisitContext]:
        visit_ids = list({str(u.visit_id) for u in uploads if u.visit_id is not None})
        if not visit_ids:
            return {}
        visits = {str(v["id"]): v for v in await Visit.select(
            Visit.id, Visit.started_at, Visit.status, Visit.visit_type, Visit.planned_date, Visit.answers,
            Visit.checklist.content.as_alias("content"),
        ).where(Visit.id.is_in(visit_ids)).output(load_json=True)}
        found = {}
        for upload in uploads:
            if (visit := visits.get(str(upload.visit_id))) is None:
                continue
            items = {i["key"]: i for s in visit["content"]["sections"] for i in s["items"]}
            answer = next((a for a in visit["answers"] if a["item"] == upload.item_key
                           or str(upload.id) in map(str, a.get("media", []))), None)
            item = items.get(answer["item"], {}) if answer else {}
            found[str(upload.id)] = VisitContext(
                started_at=visit["started_at"], status=visit["status"], visit_type=visit["visit_type"],
                planned_date=visit["planned_date"], item_key=answer and answer["item"], item_text=item.get("text"),
                item_result=answer and answer.get("result"))
        return found

    def visits_in_review(self) -> Any:
        return Visit.select(Visit.id).where(Visit.status == VisitStatus.submitted)

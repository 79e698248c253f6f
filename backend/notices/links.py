"""Media's Links (backend.media.links): what an upload may name on the layers above media,
answered here, the lowest layer that sees visits, rectification orders and notices."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence
from uuid import UUID

from backend.access import Scope
from backend.errors import Invalid
from backend.inspections.tables import Finding, Visit, VisitStatus
from backend.media.schemas import MediaOut, Placed, UploadFields
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
                raise Invalid("That visit is not one of this enterprise's.", "visit_id")
        if fields.notice_id is not None:
            notice = await Notice.select(Notice.visit).where(Notice.id == fields.notice_id,
                                                             Notice.enterprise == enterprise_id).first()
            if notice is None:
                raise Invalid("That notice is not one of this enterprise's.", "notice_id")
            if fields.visit_id is not None and str(notice["visit"]) != str(fields.visit_id):
                raise Invalid("That notice was posted during another visit.", "notice_id")
        if fields.rectification_id is not None and not await Finding.exists().where(
                Finding.id == fields.rectification_id, Finding.status == "open", Finding.enterprise == enterprise_id):
            raise Invalid("That rectification order is not an open finding of this enterprise.", "rectification_id")

    async def visit_started(self, visit_id: UUID) -> datetime | None:
        visit = await Visit.select(Visit.started_at).where(Visit.id == visit_id).first()
        return None if visit is None else visit["started_at"]

    async def visit_team(self, visit_id: UUID) -> set[str]:
        visit = await Visit.select(Visit.team).where(Visit.id == visit_id).output(load_json=True).first()
        return {str(member) for member in visit["team"]} if visit else set()

    async def places(self, uploads: Sequence[MediaOut]) -> dict[str, Placed]:
        visit_ids = list({str(u.visit_id) for u in uploads if u.visit_id is not None})
        visits = {str(v["id"]): v for v in await Visit.select(
            Visit.id, Visit.visit_type, Visit.planned_date, Visit.answers, Visit.checklist.content.as_alias("content")
        ).where(Visit.id.is_in(visit_ids)).output(load_json=True)} if visit_ids else {}
        placed = {}
        for upload in uploads:
            visit = visits.get(str(upload.visit_id))
            if visit is None:
                continue
            key = upload.item_key or next((a["item"] for a in visit["answers"]
                                           if str(upload.id) in {str(m) for m in a.get("media", [])}), None)
            texts = {i["key"]: i["text"] for s in visit["content"].get("sections", []) for i in s["items"]}
            placed[str(upload.id)] = Placed(visit_type=visit["visit_type"], visit_date=visit["planned_date"],
                                            item_key=key, item_text=texts.get(key) if key else None)
        return placed

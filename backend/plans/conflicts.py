"""Declared conflicts of interest (回避): an officer × an enterprise. A draw never sends the
officer there. An inspector declares their own; supervisors and admins declare any
officer's of their jurisdiction and withdraw them. Knows nothing of HTTP."""

from __future__ import annotations

import uuid
from datetime import date
from uuid import UUID

import msgspec

from backend import access, db
from backend.access import FIELD_TEAM, Role, Scope
from backend.accounts.tables import User
from backend.audit import service as audit
from backend.enterprises import service as enterprises
from backend.errors import Forbidden, NotFound
from backend.plans.schemas import ConflictIn, ConflictOut
from backend.plans.tables import OfficerConflict

_COLUMNS = (OfficerConflict.id, OfficerConflict.officer.as_alias("officer_id"),
            OfficerConflict.officer.display_name.as_alias("officer_name"),
            OfficerConflict.enterprise.as_alias("enterprise_id"), OfficerConflict.enterprise.name.as_alias("enterprise_name"),
            OfficerConflict.reason, OfficerConflict.declared_at, OfficerConflict.declared_by)


async def declare(scope: Scope, data: ConflictIn, today: date) -> tuple[ConflictOut, bool]:
    """Record a conflict; declaring it again answers the one on record (False)."""
    enterprise = await enterprises.get_enterprise(scope, data.enterprise_id, today)  # 404 outside scope
    officer = await User.select(User.id).where(User.id == data.officer_id, User.role.is_in(list(FIELD_TEAM)),
                                               *access.in_region(scope, User.region_code)).first()
    if officer is None:
        raise NotFound(f"No inspector or supervisor {data.officer_id} in your jurisdiction.", "officer_id", code="officer_not_found", params={"id": data.officer_id})
    if scope.role == Role.inspector and data.officer_id != scope.user_id:
        raise Forbidden("An inspector declares their own conflicts; a supervisor declares others'.", "officer_id", code="conflict_declare_forbidden")
    conflict_id = uuid.uuid4()
    async with db.transaction():
        created = await OfficerConflict.insert(OfficerConflict(
            id=conflict_id, officer=data.officer_id, enterprise=data.enterprise_id, province_code=enterprise.province_code,
            city_code=enterprise.city_code, county_code=enterprise.county_code, reason=data.reason.strip(),
            declared_by=scope.user_id)).on_conflict(action="DO NOTHING").returning(OfficerConflict.id)
        if created:
            await audit.record(scope, "conflict.declared", "officer_conflict", conflict_id,
                               {"officer": str(data.officer_id), "reason": data.reason.strip()}, enterprises.place(enterprise))
    row = await OfficerConflict.select(*_COLUMNS).where(OfficerConflict.officer == data.officer_id,
                                                         OfficerConflict.enterprise == data.enterprise_id).first()
    return msgspec.convert(row, ConflictOut), bool(created)


async def list_conflicts(scope: Scope, officer_id: UUID | None, enterprise_id: UUID | None) -> list[ConflictOut]:
    query = OfficerConflict.select(*_COLUMNS).where(*access.in_region(scope, OfficerConflict))
    if officer_id is not None:
        query = query.where(OfficerConflict.officer == officer_id)
    if enterprise_id is not None:
        query = query.where(OfficerConflict.enterprise == enterprise_id)
    rows = await query.order_by(OfficerConflict.declared_at, ascending=False).order_by(OfficerConflict.id)
    return msgspec.convert(rows, list[ConflictOut])


async def withdraw(scope: Scope, conflict_id: UUID) -> None:
    async with db.transaction():
        row = await OfficerConflict.select().where(OfficerConflict.id == conflict_id,
                                                   *access.in_region(scope, OfficerConflict)).first()
        if row is None:
            raise NotFound(f"No declared conflict {conflict_id} in your jurisdiction.", code="conflict_not_found", params={"id": conflict_id})
        await OfficerConflict.delete().where(OfficerConflict.id == conflict_id)
        await audit.record(scope, "conflict.withdrawn", "officer_conflict", conflict_id,
                           {"officer": str(row["officer"]), "enterprise": str(row["enterprise"])},
                           audit.Place(row["province_code"], row["city_code"], row["county_code"], row["enterprise"]))

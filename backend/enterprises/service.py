"""Enterprise rules: the registry's create, read, update and list. Knows nothing of HTTP."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Awaitable, Callable, Literal
from uuid import UUID

import msgspec
from piccolo.columns.combination import Where
from piccolo.query.methods.select import Select

from backend.access import Scope
from backend import access, clock, db, pagination
from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.enterprises import query as registry_query
from backend.enterprises import uscc as uscc_rules
# The registry's filters, also those of exports (routes) and plan pools (backend.plans).
from backend.enterprises.query import EnterpriseFilter, licence_condition  # noqa: F401
from backend.enterprises.schemas import (
    ControlPointIn,
    ControlPointOut,
    ControlPointPatch,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePage,
    EnterprisePatch,
    EnterpriseSummary,
    LicenceIn,
    LicenceOut,
    LicencePatch,
)
from backend.enterprises.tables import ControlPoint, Enterprise, Licence, LicenceStatus
from backend.errors import Conflict, Invalid, NotFound
from backend.regions import service as regions

# A licence whose end date is this close counts as "expiring" in summaries.
EXPIRING_SOON_DAYS = 60

SORTS = {
    "name": Enterprise.name,
    "uscc": Enterprise.uscc,
    "risk_grade": Enterprise.risk_grade,
    "created_at": Enterprise.created_at,
}
Sort = Literal["name", "-name", "uscc", "-uscc", "risk_grade", "-risk_grade", "created_at", "-created_at"]

_SUMMARY_COLUMNS = (
    Enterprise.id,
    Enterprise.name,
    Enterprise.uscc,
    Enterprise.address,
    Enterprise.county_code,
    Enterprise.county_code.name.as_alias("county_name"),
    Enterprise.city_code,
    Enterprise.province_code,
    Enterprise.category,
    Enterprise.risk_grade,
    Enterprise.credit_class,
    Enterprise.created_at,
    Enterprise.last_visited_on,
    Enterprise.next_due_on,
)
_DETAIL_COLUMNS = (
    *_SUMMARY_COLUMNS,
    Enterprise.latitude,
    Enterprise.longitude,
    Enterprise.contacts,
    Enterprise.updated_at,
)


# ---------------------------------------------------------------------------- reading


async def get_enterprise(scope: Scope, enterprise_id: UUID, today: date) -> EnterpriseOut:
    row = await _scoped(Enterprise.select(*_DETAIL_COLUMNS), scope).where(Enterprise.id == enterprise_id).output(load_json=True).first()
    if row is None:
        raise _not_found(enterprise_id)
    licences = await Licence.select().where(Licence.enterprise == enterprise_id).order_by(Licence.valid_to, ascending=False)
    points = await ControlPoint.select().where(ControlPoint.enterprise == enterprise_id).order_by(ControlPoint.position, ControlPoint.name)
    state, valid_to = _licence_state([lic for lic in licences if _valid_on(lic, today)], today)
    return msgspec.convert(
        {**row, "licence_state": state, "licence_valid_to": valid_to, "licences": licences, "control_points": points},
        EnterpriseOut,
    )


@dataclass(frozen=True)
class Located:
    """An enterprise as a record filed against it needs it: its place and location."""

    id: UUID
    name: str
    province_code: str
    city_code: str
    county_code: str
    latitude: float | None
    longitude: float | None


async def located(scope: Scope, enterprise_id: UUID) -> Located:
    """An enterprise of the caller's scope (NotFound outside it), in one query: for the
    checks and records of an upload, say, that need no licences or control points."""
    columns = [getattr(Enterprise, field.name) for field in dataclasses.fields(Located)]
    row = await _scoped(Enterprise.select(*columns), scope).where(Enterprise.id == enterprise_id).first()
    if row is None:
        raise _not_found(enterprise_id)
    return Located(**row)


async def list_enterprises(
    scope: Scope,
    filters: EnterpriseFilter,
    sort: Sort,
    limit: int,
    cursor: str | None,
    cursors: pagination.CursorCodec,
    today: date,
) -> EnterprisePage:
    order, descending = (SORTS[sort.lstrip("-")], Enterprise.id), sort.startswith("-")

    def window(select: Select) -> Select:
        return pagination.window(select, order, limit, cursor, cursors, kind=sort, descending=descending)

    query = Enterprise.select(*_SUMMARY_COLUMNS, registry_query.latest_valid_to(today))
    for condition in await registry_query.conditions(scope, filters, today, window):
        query = query.where(condition)
    rows, next_cursor = await pagination.page(query, order, limit, cursor, cursors, kind=sort, descending=descending)
    items = []
    for row in rows:
        state, until = _licence_state_from(_as_date(row.pop("latest_valid_to")), today)
        items.append(msgspec.convert({**row, "licence_state": state, "licence_valid_to": until}, EnterpriseSummary))
    return EnterprisePage(items=items, next_cursor=next_cursor)


def _valid_on(licence: dict, today: date) -> bool:
    return licence["status"] == LicenceStatus.valid and licence["valid_from"] <= today <= licence["valid_to"]


def _as_date(value: date | str | None) -> date | None:
    """SQLite answers an aggregate over a date column as its ISO text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _licence_state(valid: list[dict], today: date) -> tuple[str, date | None]:
    return _licence_state_from(max((lic["valid_to"] for lic in valid), default=None), today)


def _licence_state_from(valid_to: date | None, today: date) -> tuple[str, date | None]:
    if valid_to is None:
        return "missing", None
    return ("expiring" if valid_to <= today + timedelta(days=EXPIRING_SOON_DAYS) else "valid"), valid_to


def place(enterprise: Any) -> audit.Place:
    """Where an enterprise's events happen (``enterprise``: a row or record with its
    region codes and id)."""
    return audit.Place(enterprise.province_code, enterprise.city_code, enterprise.county_code, enterprise.id)


async def place_of(enterprise_id: UUID) -> audit.Place:
    row = await Enterprise.select(Enterprise.province_code, Enterprise.city_code, Enterprise.county_code).where(
        Enterprise.id == enterprise_id).first()
    return audit.Place(**row, enterprise=enterprise_id) if row else audit.Place(enterprise=enterprise_id)


def _in_scope(scope: Scope) -> list[Where]:
    return access.in_scope(scope, Enterprise, Enterprise.id)


def _scoped(query: Select, scope: Scope) -> Select:
    return query.where(*_in_scope(scope))


def _not_found(enterprise_id: UUID) -> NotFound:
    return NotFound(f"No enterprise {enterprise_id} in your jurisdiction.", code="enterprise_not_found", params={"id": enterprise_id})


# ---------------------------------------------------------------------------- writing


async def create_enterprise(scope: Scope, data: EnterpriseIn, today: date) -> tuple[EnterpriseOut, bool]:
    """Register an enterprise: (the record, True). A body that carries the client's id may
    be sent again: the same body answers (the record, False) and changes nothing."""
    code = _valid_uscc(data.uscc)
    county = await regions.county_for_write(scope, data.county_code, "county_code")
    for i, licence in enumerate(data.licences):
        _check_licence_dates(licence.valid_from, licence.valid_to, f"licences[{i}].valid_to")
    enterprise_id = data.id or uuid.uuid4()
    details = msgspec.to_builtins(data)
    async with db.transaction():
        await _claim_uscc(code, enterprise_id)
        created = await Enterprise.insert(
            Enterprise(
                id=enterprise_id,
                name=data.name.strip(),
                uscc=code,
                address=data.address.strip(),
                county_code=county.code,
                city_code=county.city_code,
                province_code=county.province_code,
                latitude=data.latitude,
                longitude=data.longitude,
                category=data.category,
                risk_grade=data.risk_grade,
                credit_class=data.credit_class,
                contacts=msgspec.to_builtins(data.contacts),
                next_due_on=today,  # never visited: due from registration
                control_points=len(data.control_points),
            )
        ).on_conflict(target=Enterprise.id, action="DO NOTHING").returning(Enterprise.id)
        if created:
            if data.licences:
                await Licence.insert(*(Licence(id=uuid.uuid4(), enterprise=enterprise_id, **msgspec.structs.asdict(lic))
                                       for lic in data.licences))
            if data.control_points:
                await ControlPoint.insert(*(ControlPoint(id=uuid.uuid4(), enterprise=enterprise_id, **msgspec.structs.asdict(p))
                                            for p in data.control_points))
            await _record(scope, "enterprise.created", "enterprise", enterprise_id, enterprise_id, details)
        elif not await _created_from(enterprise_id, details):
            raise Conflict(f"The id {enterprise_id} was already used to register a different enterprise.", "id", code="id_reused")
    return await get_enterprise(scope, enterprise_id, today), bool(created)


async def _created_from(enterprise_id: UUID, details: dict[str, Any]) -> bool:
    """Whether the enterprise was registered from this very body (its creation's audit
    event records the body)."""
    return await AuditEvent.exists().where(
        AuditEvent.action == "enterprise.created",
        AuditEvent.target_id == str(enterprise_id),
        AuditEvent.details == audit.canonical(details),
    )


Reschedule = Callable[[UUID], Awaitable[None]]
"""Recomputes one enterprise's next visit date, in the caller's transaction. The
schedule is computed where visits and findings live (backend.inspections.schedule);
the app hands it to the registry, which sits below them."""


async def update_enterprise(
    scope: Scope, enterprise_id: UUID, patch: EnterprisePatch, today: date, reschedule: Reschedule
) -> EnterpriseOut:
    changes = _changes(patch)
    values: dict[Any, Any] = {}
    if "uscc" in changes:
        changes["uscc"] = _valid_uscc(changes["uscc"])
    if "county_code" in changes:
        county = await regions.county_for_write(scope, changes["county_code"], "county_code")
        values[Enterprise.city_code] = county.city_code
        values[Enterprise.province_code] = county.province_code
    if "contacts" in changes:
        changes["contacts"] = msgspec.to_builtins(changes["contacts"])
    values.update({getattr(Enterprise, name): value for name, value in changes.items()})
    values[Enterprise.updated_at] = clock.now()
    async with db.transaction():
        await _require_enterprise(scope, enterprise_id)
        if "uscc" in changes:
            await _claim_uscc(changes["uscc"], enterprise_id)
        await Enterprise.update(values).where(Enterprise.id == enterprise_id)
        if "risk_grade" in changes:
            await reschedule(enterprise_id)
        await _record(scope, "enterprise.updated", "enterprise", enterprise_id, enterprise_id, changes)
    return await get_enterprise(scope, enterprise_id, today)


async def add_licence(scope: Scope, enterprise_id: UUID, data: LicenceIn) -> LicenceOut:
    _check_licence_dates(data.valid_from, data.valid_to, "valid_to")
    return await _add_child(scope, enterprise_id, Licence, msgspec.structs.asdict(data), LicenceOut, "licence")


async def update_licence(scope: Scope, enterprise_id: UUID, licence_id: UUID, patch: LicencePatch) -> LicenceOut:
    def check(licence: dict[str, Any]) -> None:
        _check_licence_dates(licence["valid_from"], licence["valid_to"], "valid_to")

    return await _update_child(scope, enterprise_id, Licence, licence_id, _changes(patch), LicenceOut, "licence", check)


async def add_control_point(scope: Scope, enterprise_id: UUID, data: ControlPointIn) -> ControlPointOut:
    return await _add_child(scope, enterprise_id, ControlPoint, msgspec.structs.asdict(data), ControlPointOut, "control_point",
                            count=Enterprise.control_points)


async def update_control_point(
    scope: Scope, enterprise_id: UUID, point_id: UUID, patch: ControlPointPatch
) -> ControlPointOut:
    return await _update_child(
        scope, enterprise_id, ControlPoint, point_id, _changes(patch), ControlPointOut, "control_point"
    )


async def _add_child(
    scope: Scope, enterprise_id: UUID, table: Any, values: dict[str, Any], out: type, what: str, count: Any = None
) -> Any:
    """Add a licence or control point to an enterprise in scope (and one to its ``count``
    column of them, if it keeps one)."""
    row_id = uuid.uuid4()
    async with db.transaction():
        await _require_enterprise(scope, enterprise_id)
        await table.insert(table(id=row_id, enterprise=enterprise_id, **values))
        await _touch(enterprise_id, {count: count + 1} if count is not None else {})
        await _record(scope, f"{what}.added", what, row_id, enterprise_id, values)
    return await _one(table, row_id, out)


async def _update_child(
    scope: Scope,
    enterprise_id: UUID,
    table: Any,
    row_id: UUID,
    changes: dict[str, Any],
    out: type,
    what: str,
    check: Callable[[dict[str, Any]], None] | None = None,
) -> Any:
    """Change a licence or control point of an enterprise in scope; ``check`` sees the
    row as it would be after the change and may refuse it."""
    async with db.transaction():
        await _require_enterprise(scope, enterprise_id)
        current = await table.select().where(table.id == row_id, table.enterprise == enterprise_id).first()
        if current is None:
            raise NotFound(f"No {what.replace('_', ' ')} {row_id} on this enterprise.", code="enterprise_row_not_found", params={"what": what, "id": row_id})
        if check is not None:
            check({**current, **changes})
        if changes:
            await table.update({getattr(table, k): v for k, v in changes.items()}).where(table.id == row_id)
        await _touch(enterprise_id)
        await _record(scope, f"{what}.updated", what, row_id, enterprise_id, changes)
    return await _one(table, row_id, out)


def _changes(patch: msgspec.Struct) -> dict[str, Any]:
    """The fields a PATCH body actually sets."""
    return {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}


def _valid_uscc(code: str) -> str:
    try:
        return uscc_rules.validate(code)
    except uscc_rules.USCCError as e:
        raise Invalid(str(e), "uscc", code=e.code, params=e.params) from None


async def _claim_uscc(code: str, own_id: UUID) -> None:
    """Inside a write transaction: refuse a USCC that another enterprise holds, and hold
    it until commit, so that no parallel registration or change takes it meanwhile (the
    loser is told which field, where the unique index would only say "conflict")."""
    await db.serialise(f"uscc {code}")
    existing = await Enterprise.select(Enterprise.id).where(Enterprise.uscc == code).first()
    if existing is not None and str(existing["id"]) != str(own_id):
        raise Conflict(f"An enterprise with USCC {code} is already registered.", "uscc", code="uscc_taken", params={"uscc": code})


def _check_licence_dates(valid_from: date, valid_to: date, field: str) -> None:
    if valid_to < valid_from:
        raise Invalid(f"A licence cannot end ({valid_to}) before it starts ({valid_from}).", field, code="licence_ends_before_start", params={"valid_from": valid_from, "valid_to": valid_to})


async def _require_enterprise(scope: Scope, enterprise_id: UUID) -> None:
    if not await Enterprise.exists().where(Enterprise.id == enterprise_id, *_in_scope(scope)):
        raise _not_found(enterprise_id)


async def _record(scope: Scope, action: str, target_type: str, target_id: UUID, enterprise_id: UUID, details: dict[str, Any]) -> None:
    place = await place_of(enterprise_id)
    await audit.record(scope, action, target_type, target_id, msgspec.to_builtins(details), place)


async def _touch(enterprise_id: UUID, changes: dict[Any, Any] | None = None) -> None:
    await Enterprise.update({Enterprise.updated_at: clock.now(), **(changes or {})}).where(
        Enterprise.id == enterprise_id)


async def _one(table: Any, row_id: UUID, out: type[msgspec.Struct]) -> Any:
    return msgspec.convert(await table.select().where(table.id == row_id).first(), out)

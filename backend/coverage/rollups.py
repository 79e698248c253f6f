"""Keeping the coverage rollups and the enterprise's coverage facts current, in the
transaction of the write that changes them (the app hands this module to inspections as
their ``Tally``). backend/coverage/rebuild.py recomputes them from the records.

A filed visit never stops counting (review only moves it between submitted, accepted and
returned; a correction is a new visit that amends it), so every change is an addition:
one more visit for its county's day and for each inspector's day and month, its findings
on the day they were recorded, a closure on its day. An amendment adds no visit. The enterprise keeps the last day
it had a finding and a follow-up visit (its last visit is the schedule's), so "how many
enterprises had …" is a comparison of dates, not a probe of every visit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, Mapping

from piccolo.columns import Column

from backend.clock import BUREAU_TIME
from backend.coverage.tables import CoverageDay, InspectorDay, InspectorMonth
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import VisitType

CODES = ("province_code", "city_code", "county_code")


def _day(instant: datetime) -> date:
    return instant.astimezone(BUREAU_TIME).date()


async def record_visit(enterprise: Any, visit_type: str, started_at: datetime, team: Iterable[Any], amends: Any,
                       findings: int, found_at: datetime) -> None:
    """A visit was filed (with ``findings`` recorded at ``found_at``). An amendment is
    the visit it corrects, filed again: it adds its findings but no visit."""
    codes = {c: getattr(enterprise, c) for c in CODES}
    day = _day(started_at)
    if amends is None:
        await _add(CoverageDay, {**codes, "day": day}, ("county_code", "day"), visits=1)
        for user in team:
            await _add(InspectorDay, {**codes, "user": user, "day": day}, ("county_code", "user", "day"), visits=1)
            await _add(InspectorMonth, {**codes, "user": user, "month": day.replace(day=1)},
                       ("county_code", "user", "month"), visits=1)
    if findings:
        await _add(CoverageDay, {**codes, "day": _day(found_at)}, ("county_code", "day"), findings_opened=findings)
        await _advance(enterprise.id, Enterprise.last_finding_on, _day(found_at))
    if visit_type == VisitType.follow_up.value:
        await _advance(enterprise.id, Enterprise.last_follow_up_on, day)


async def record_closure(codes: Mapping[str, Any], closed_at: datetime) -> None:
    """A finding of the county of ``codes`` was closed."""
    await _add(CoverageDay, {**{c: codes[c] for c in CODES}, "day": _day(closed_at)}, ("county_code", "day"),
               findings_closed=1)


async def _add(table: type, row: dict[str, Any], key: tuple[str, ...], **increments: int) -> None:
    """Add ``increments`` to the row of ``table`` with ``row``'s key, creating it if need be."""
    values = {**row, **increments}
    name = table._meta.tablename
    columns, placeholders = ", ".join(f'"{c}"' for c in values), ", ".join("{}" for _ in values)
    conflict = ", ".join(f'"{c}"' for c in key)
    updates = ", ".join(f'"{c}" = {name}."{c}" + excluded."{c}"' for c in increments)
    await table.raw(f"INSERT INTO {name} ({columns}) VALUES ({placeholders}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                    *values.values())


async def _advance(enterprise_id: Any, column: Column, day: date) -> None:
    """Move the enterprise's ``column`` forward to ``day`` (never back)."""
    await Enterprise.update({column: day}).where(Enterprise.id == enterprise_id, column.is_null() | (column < day))

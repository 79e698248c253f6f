"""Chinese working days (工作日): weekends and public holidays are rest days, and the
weekend days the State Council moves work to (调休) are working days.

The calendar is the ``chinesecalendar`` library's (it knows 2004-2026 and is updated
each year after the State Council publishes the next year's arrangement), overridden by
the days admins enter (``WorkdayAdjustment``): a year the library does not know yet is
entered by hand, and a late change to a known one too. A year neither knows counts
weekends only, and says so (``Calendar.incomplete``): deadlines in it may still move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar
import msgspec

from backend import db
from backend.access import Scope
from backend.audit import service as audit
from backend.errors import NotFound
from backend.publication.schemas import AdjustmentIn, AdjustmentOut
from backend.publication.tables import WorkdayAdjustment


@dataclass(frozen=True)
class Calendar:
    """Working days by the library and ``adjustments`` (day -> working), which win."""

    adjustments: Mapping[date, bool] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        if day in self.adjustments:
            return self.adjustments[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the library does not know
            return day.weekday() < 5

    def incomplete(self, year: int) -> bool:
        """Whether neither the library nor an admin knows ``year``'s holidays (a year
        counts as entered once it has one adjustment)."""
        return _library_working(date(year, 1, 1)) is None and not any(d.year == year for d in self.adjustments)

    def incomplete_between(self, first: date, last: date) -> list[int]:
        return [year for year in range(first.year, last.year + 1) if self.incomplete(year)]


LIBRARY = Calendar()


def add_working_days(day: date, n: int, calendar: Calendar = LIBRARY) -> date:
    """The ``n``-th working day after ``day`` (n >= 1; ``day`` itself does not count, as
    a legal period starts the day after the event)."""
    if n < 1:
        raise ValueError("n counts the working days after the day: 1 or more")
    while n:
        day += timedelta(days=1)
        n -= calendar.is_working_day(day)
    return day


async def calendar() -> Calendar:
    """The calendar with every admin adjustment (a few dozen rows a year)."""
    rows = await WorkdayAdjustment.select(WorkdayAdjustment.day, WorkdayAdjustment.working)
    return Calendar({row["day"]: row["working"] for row in rows})


# ---------------------------------------------------------------------------- adjustments


async def list_adjustments(year: int | None) -> list[AdjustmentOut]:
    query = WorkdayAdjustment.select().order_by(WorkdayAdjustment.day)
    if year is not None:
        query = query.where(WorkdayAdjustment.day >= date(year, 1, 1), WorkdayAdjustment.day <= date(year, 12, 31))
    return [msgspec.convert(row, AdjustmentOut) for row in await query]


async def put_adjustment(scope: Scope, day: date, data: AdjustmentIn) -> tuple[AdjustmentOut, bool]:
    """Set ``day`` working or not, with a note. One statement decides: an insert, or an
    update that changes something; sent again (or eight times at once), nothing more
    happens and no second event is recorded. True when the day was new."""
    note = data.note.strip()
    async with db.transaction():
        before = await WorkdayAdjustment.select(WorkdayAdjustment.working, WorkdayAdjustment.note).where(
            WorkdayAdjustment.day == day).first()
        changed = await WorkdayAdjustment.insert(WorkdayAdjustment(day=day, working=data.working, note=note)).on_conflict(
            target=WorkdayAdjustment.day, action="DO UPDATE", values=[WorkdayAdjustment.working, WorkdayAdjustment.note],
            where=(WorkdayAdjustment.working != data.working) | (WorkdayAdjustment.note != note),
        ).returning(WorkdayAdjustment.day)
        if changed:
            await audit.record(scope, "workday.adjusted", "workday", day.isoformat(), {
                "working": data.working, "note": note, "before": before or {"working": _library_working(day)}})
    return AdjustmentOut(day=day, working=data.working, note=note), before is None and bool(changed)


async def delete_adjustment(scope: Scope, day: date) -> None:
    """Drop an adjustment: the library's word (or the weekend rule) holds again."""
    async with db.transaction():
        gone = await WorkdayAdjustment.delete().where(WorkdayAdjustment.day == day).returning(
            WorkdayAdjustment.working, WorkdayAdjustment.note)
        if not gone:
            raise NotFound(f"No adjustment for {day}.", "day", code="workday_adjustment_not_found", params={"day": day})
        await audit.record(scope, "workday.adjustment_removed", "workday", day.isoformat(),
                           {"was": gone[0], "now": {"working": _library_working(day)}})


def _library_working(day: date) -> bool | None:
    """The library's word on ``day``: None for a year it does not know."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None

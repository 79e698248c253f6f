"""Coverage figures for a region in the caller's scope and a period. Knows nothing of HTTP."""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from piccolo.columns.combination import Where
from piccolo.query.functions.aggregate import Sum
from piccolo.querystring import QueryString

from backend.access import Scope
from backend import access, db

from backend.accounts.tables import User
from backend.clock import BUREAU_TIME
from backend.coverage.schemas import CoverageOut, InspectorVisits
from backend.coverage.tables import CoverageDay, InspectorDay, InspectorMonth
from backend.inspections.schedule import VISITED
from backend.enterprises.tables import Enterprise
from backend.errors import Invalid
from backend.fields import check_period
from backend.inspections.tables import Finding, Visit, VisitStatus
from backend.media.tables import MediaItem
from backend.regions import service as regions


@dataclass(frozen=True)
class Period:
    """The days a coverage figure or list is about, both ends included; refused (Invalid,
    naming the field) unless each lies in the era, the end is not before the start and
    the period is at most ten years long."""

    start: date
    end: date

    def __post_init__(self) -> None:
        check_period(self.start, self.end)

    def bounds(self) -> tuple[datetime, datetime]:
        """From the first day's midnight to the midnight after the last, bureau time."""
        return bureau_instant(self.start), bureau_instant(self.end + timedelta(days=1))


async def coverage(scope: Scope, region_code: str | None, period: Period, today: date) -> CoverageOut:
    start, end = period.start, period.end
    if (region_code := region_code or scope.region_code) is None:
        raise Invalid("Name the region to cover.", "region", code="region_missing")
    region = await regions.get_region(scope, region_code, field="region")
    since, until = period.bounds()

    def under(column: Any) -> Any:
        return access.under(column, region.code, region.level)

    async def totals() -> tuple[int, int, int, list[float]]:
        row = await CoverageDay.select(*(Sum(getattr(CoverageDay, c)).as_alias(c) for c in (
            "visits", "findings_opened", "findings_closed"))).where(
            under(CoverageDay), CoverageDay.day >= start, CoverageDay.day <= end).first()
        visits, opened, closed = (row[c] or 0 for c in ("visits", "findings_opened", "findings_closed"))
        closed_in_period = (under(Finding), Finding.closed_at >= since, Finding.closed_at < until)
        return visits, opened, closed, await _ranks(Finding.days_to_close, closed_in_period, _middle(closed))

    async def inspectors() -> list[InspectorVisits]:
        counts = await _visits_per_inspector(under, start, end)
        names = {str(u["id"]): u["display_name"] for u in await User.select(User.id, User.display_name).where(
            User.id.is_in(list(counts)))} if counts else {}
        return sorted((InspectorVisits(user_id=user, display_name=names.get(str(user), ""), visits=count)
                       for user, count in counts.items()), key=lambda i: (-i.visits, i.display_name, str(i.user_id)))

    async def reviews() -> tuple[list[float], list[float]]:
        reviewed = (under(MediaItem.enterprise), MediaItem.reviewed_at >= since, MediaItem.reviewed_at < until)
        n = await MediaItem.count().where(*reviewed)
        return (await _ranks(MediaItem.review_seconds, reviewed, _middle(n)),
                await _ranks(MediaItem.review_seconds, reviewed, [round(0.95 * (n - 1))] if n else []))

    # Independent figures, each on its own connection: the slowest sets the pace.
    (counts, (visits, opened, closed, days_to_close), per_inspector, open_now, awaiting,
     (review_median, review_p95)) = await asyncio.gather(
        _enterprise_counts(under(Enterprise), start, end, today, since, until), totals(), inspectors(),
        Finding.count().where(under(Finding), Finding.status == "open").run(),
        Visit.count().where(under(Visit), Visit.status == VisitStatus.submitted).run(), reviews())

    return CoverageOut(
        region_code=region.code, period_start=start, period_end=end, enterprises=counts["enterprises"],
        due_in_period=counts["due"], overdue=counts["overdue"], visited=counts["visited"], visits=visits,
        visits_awaiting_review=awaiting,
        visits_per_inspector=per_inspector,
        findings_opened=opened, findings_closed=closed, findings_open=open_now,
        median_days_to_close=_median(days_to_close),
        return_visit_rate=round(counts["followed_up"] / counts["with_findings"], 4) if counts["with_findings"] else None,
        review_median_hours=_median([s / 3600 for s in review_median]),
        review_p95_hours=review_p95[0] / 3600 if review_p95 else None,
        control_points=counts["control_points"], control_points_without_notice=counts["without_notice"],
    )


async def _visits_per_inspector(under: Callable[[Any], Any], start: date, end: date) -> dict[Any, int]:
    """Visits per inspector in the period: its whole months from InspectorMonth, the days
    before and after them from InspectorDay."""
    first = start if start.day == 1 else _next_month(start)
    stop = _next_month(end) if _next_month(end) - timedelta(days=1) == end else end.replace(day=1)
    if first < stop:
        parts = [(InspectorMonth, InspectorMonth.month, first, stop - timedelta(days=1)),
                 (InspectorDay, InspectorDay.day, start, first - timedelta(days=1)),
                 (InspectorDay, InspectorDay.day, stop, end)]
    else:
        parts = [(InspectorDay, InspectorDay.day, start, end)]
    counts: dict[Any, int] = {}
    for table, day, low, high in parts:
        if low <= high:
            for row in await table.select(table.user, Sum(table.visits).as_alias("visits")).where(
                    under(table), day >= low, day <= high).group_by(table.user):
                counts[row["user"]] = counts.get(row["user"], 0) + row["visits"]
    return counts


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


async def _enterprise_counts(region: Where, start: date, end: date, today: date, since: datetime,
                             until: datetime) -> dict[str, int]:
    """The figures about enterprises, in one pass over the region's enterprises. Notice
    coverage is as of now: control points, and those without a current warning notice."""
    visited = _had("last_visited_on", start, end, "visit",
                   "visit.status IN ({}, {}, {}) AND visit.started_at >= {} AND visit.started_at < {}", *VISITED, since, until)
    had_findings = _had("last_finding_on", start, end, "finding", "finding.found_at >= {} AND finding.found_at < {}",
                        since, until)
    [row] = await db.current().run_querystring(QueryString(
        "SELECT COUNT(*) AS enterprises, SUM(CASE WHEN next_due_on < {} THEN 1 ELSE 0 END) AS overdue, "
        "SUM(CASE WHEN next_due_on >= {} AND next_due_on <= {} THEN 1 ELSE 0 END) AS due, "
        "SUM({}) AS visited, SUM({}) AS with_findings, "
        "SUM(CASE WHEN last_follow_up_on >= {} THEN {} ELSE 0 END) AS followed_up, "
        "SUM(control_points) AS control_points, SUM(control_points - current_notices) AS without_notice "
        "FROM enterprise WHERE {}",
        today, start, end, visited, had_findings, start, had_findings, region.querystring))
    return {k: v or 0 for k, v in dict(row).items()}


def _had(last: str, start: date, end: date, table: str, condition: str, *args: Any) -> QueryString:
    """1 if the enterprise had a row of ``table`` meeting ``condition`` in the period,
    knowing that its ``last`` column is the day of its latest: that day falls in the
    period, or it came later and an EXISTS probe finds one in the period (none need
    probing when the period runs to today). Nested CASEs: with ``last`` NULL, an AND
    would still run the probe to tell false from NULL."""
    return QueryString(
        f"CASE WHEN {last} >= {{}} AND {last} <= {{}} THEN 1 WHEN {last} > {{}} THEN CASE WHEN EXISTS (SELECT 1 FROM {table} "
        f"WHERE {table}.enterprise = enterprise.id AND {condition}) THEN 1 ELSE 0 END ELSE 0 END", start, end, end, *args)


def _middle(count: int) -> list[int]:
    """The positions, in order, whose values make the median of ``count`` values."""
    return sorted({(count - 1) // 2, count // 2}) if count else []


async def _ranks(column: Any, conditions: tuple, positions: list[int]) -> list[float]:
    """The values at ``positions`` (consecutive) of ``column`` in ascending order: the
    database sorts, only those rows travel."""
    if not positions:
        return []
    rows = await column._meta.table.select(column.as_alias("value")).where(*conditions).order_by(column).offset(
        positions[0]).limit(len(positions))
    return [r["value"] for r in rows]


def bureau_instant(day: date) -> datetime:
    return datetime.combine(day, time.min, BUREAU_TIME)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None

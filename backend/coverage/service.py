"""Coverage figures for a region in the caller's scope and a period. Knows nothing of HTTP."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from backend.accounts.scope import Scope
from backend.accounts.tables import User
from backend.clock import BUREAU_TIME
from backend.coverage.schemas import CoverageOut, InspectorVisits
from backend.enterprises.schedule import VISITED
from backend.enterprises.tables import Enterprise
from backend.errors import Invalid
from backend.inspections.tables import Finding, Visit, VisitType
from backend.media.tables import MediaItem
from backend.regions import service as regions


async def coverage(scope: Scope, region_code: str | None, start: date, end: date, today: date) -> CoverageOut:
    if end < start:
        raise Invalid("The period ends before it starts.", "end")
    if (region_code := region_code or scope.region_code) is None:
        raise Invalid("Name the region to cover.", "region")
    region = await regions.get_region(scope, region_code, field="region")
    since, until = _instant(start), _instant(end + timedelta(days=1))

    def under(column: Any) -> Any:
        return regions.under(column, region.code, region.level)

    enterprises = await Enterprise.count().where(under(Enterprise))
    overdue = await Enterprise.count().where(under(Enterprise), Enterprise.next_due_on < today)
    due = await Enterprise.count().where(under(Enterprise), Enterprise.next_due_on >= start, Enterprise.next_due_on <= end)

    visits = await Visit.select(Visit.enterprise, Visit.team, Visit.visit_type, Visit.started_at).where(
        under(Visit.enterprise), Visit.status.is_in(VISITED), Visit.started_at >= since, Visit.started_at < until
    ).output(load_json=True)
    per_inspector = Counter(member for v in visits for member in v["team"])
    names = {str(u["id"]): u["display_name"] for u in await User.select(User.id, User.display_name).where(
        User.id.is_in(list(per_inspector)))} if per_inspector else {}

    opened = await Finding.select(Finding.enterprise, Finding.visit.started_at.as_alias("found_at")).where(
        under(Finding.enterprise), Finding.visit.started_at >= since, Finding.visit.started_at < until)
    closed = await Finding.select(Finding.closed_at, Finding.visit.submitted_at.as_alias("found_at")).where(
        under(Finding.enterprise), Finding.closed_at >= since, Finding.closed_at < until)
    open_now = await Finding.count().where(under(Finding.enterprise), Finding.status == "open")

    reviewed = await MediaItem.select(MediaItem.review_seconds).where(
        under(MediaItem.enterprise), MediaItem.reviewed_at >= since, MediaItem.reviewed_at < until)
    hours = sorted(r["review_seconds"] / 3600 for r in reviewed)

    return CoverageOut(
        region_code=region.code, period_start=start, period_end=end, enterprises=enterprises, due_in_period=due,
        overdue=overdue, visited=len({v["enterprise"] for v in visits}), visits=len(visits),
        visits_per_inspector=sorted(
            (InspectorVisits(user_id=u, display_name=names.get(u, ""), visits=n) for u, n in per_inspector.items()),
            key=lambda i: (-i.visits, i.display_name)),
        findings_opened=len(opened), findings_closed=len(closed), findings_open=open_now,
        median_days_to_close=_median([(c["closed_at"] - c["found_at"]).total_seconds() / 86400 for c in closed]),
        return_visit_rate=await _return_visit_rate(opened, under),
        review_median_hours=_median(hours), review_p95_hours=hours[round(0.95 * (len(hours) - 1))] if hours else None,
    )


async def _return_visit_rate(opened: list[dict], under: Any) -> float | None:
    """Of the enterprises with findings in the period, the share that had a follow-up
    visit after them (bureaus aim for at least half)."""
    first_finding: dict[Any, datetime] = {}
    for f in opened:
        key = str(f["enterprise"])
        first_finding[key] = min(first_finding.get(key, f["found_at"]), f["found_at"])
    if not first_finding:
        return None
    follow_ups = await Visit.select(Visit.enterprise, Visit.started_at).where(
        under(Visit.enterprise), Visit.visit_type == VisitType.follow_up, Visit.status.is_in(VISITED),
        Visit.enterprise.is_in(list(first_finding)))
    returned = {str(v["enterprise"]) for v in follow_ups if v["started_at"] > first_finding[str(v["enterprise"])]}
    return round(len(returned) / len(first_finding), 4)


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min, BUREAU_TIME)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None

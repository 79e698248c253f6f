"""Recomputing the schedule, the enterprise's coverage facts and every coverage rollup
from the visits and findings, after a bulk load or to check the running totals that
backend/coverage/rollups.py keeps (`dossier rebuild-rollups`)."""

from __future__ import annotations

from typing import Mapping

from backend import db
from backend.coverage.tables import CoverageDay, InspectorDay, InspectorMonth
from backend.inspections import schedule
from backend.notices import service as notices

VISITED_SQL = f"visit.status IN ({', '.join(repr(s.value) for s in schedule.VISITED)}) AND visit.started_at IS NOT NULL"


async def rebuild(intervals: Mapping[str, int]) -> None:
    """Recompute the schedule, the enterprise's coverage facts and every rollup from the
    visits and findings (after a bulk load, or to check the running totals)."""
    visit_day, found_day, closed_day = (db.bureau_day(c) for c in ("visit.started_at", "found_at", "closed_at"))
    member_day = db.bureau_day("m.started_at")
    async with db.transaction():
        for table in (CoverageDay, InspectorDay, InspectorMonth):
            await table.delete(force=True)
        await schedule.refresh_all(intervals)
        await notices.recount()
        await schedule.set_latest("last_finding_on", "finding", "found_at", "found_at IS NOT NULL")
        await schedule.set_latest("last_follow_up_on", "visit", "visit.started_at", f"visit_type = 'follow_up' AND {VISITED_SQL}")
        for column, source, day, condition in (
            ("visits", "visit", visit_day, f"{VISITED_SQL} AND visit.amends IS NULL"),
            ("findings_opened", "finding", found_day, "found_at IS NOT NULL"),
            ("findings_closed", "finding", closed_day, "closed_at IS NOT NULL"),
        ):
            await CoverageDay.raw(
                f'INSERT INTO coverage_day (province_code, city_code, county_code, day, "{column}") '
                f"SELECT max(province_code), max(city_code), county_code, {day}, count(*) FROM {source} "
                f"WHERE {condition} GROUP BY county_code, {day} "
                f'ON CONFLICT (county_code, day) DO UPDATE SET "{column}" = excluded."{column}"')
        await InspectorDay.raw(
            f'INSERT INTO inspector_day (province_code, city_code, county_code, "user", day, visits) '
            f'SELECT max(m.province_code), max(m.city_code), m.county_code, m."user", {member_day}, count(*) '
            f"FROM visit_member m JOIN visit ON visit.id = m.visit WHERE visit.amends IS NULL "
            f'GROUP BY m.county_code, m."user", {member_day}')
        await InspectorMonth.raw(
            f'INSERT INTO inspector_month (province_code, city_code, county_code, "user", month, visits) '
            f'SELECT max(province_code), max(city_code), county_code, "user", {db.month_of("day")}, sum(visits) '
            f'FROM inspector_day GROUP BY county_code, "user", {db.month_of("day")}')

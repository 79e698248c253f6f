"""The lists behind the coverage figures (the dashboard's drill-down): each filtered as
its figure counts, in keyset pages, newest first. Knows nothing of HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import msgspec

from backend import access, pagination
from backend.access import Scope
from backend.coverage.schemas import CoverageFinding, FindingPage, UncoveredPoint, UncoveredPointPage
from backend.coverage.service import Period
from backend.inspections.schedule import VISITED
from backend.enterprises.tables import ControlPoint
from backend.errors import Invalid
from backend.inspections.schemas import VisitPage, VisitSummary
from backend.inspections.service import SUMMARY_COLUMNS as VISIT_COLUMNS
from backend.inspections.tables import Finding, Visit, VisitMember, VisitStatus
from backend.notices.tables import Notice, NoticeStatus
from backend.regions import service as regions
from backend.regions.schemas import RegionOut


@dataclass(frozen=True)
class Page:
    limit: int
    cursor: str | None
    cursors: pagination.CursorCodec


async def visits(scope: Scope, region_code: str | None, period: Period, page: Page, inspector: UUID | None = None,
                 awaiting_review: bool = False) -> VisitPage:
    """Visits started in the period (the figure "visits"; an amendment is not a second
    visit), or those of one inspector (visits per inspector), or the visits awaiting
    review now, whatever the period."""
    region = await _region(scope, region_code)
    query = Visit.select(*VISIT_COLUMNS).where(access.under(Visit, region.code, region.level))
    if awaiting_review:
        query = query.where(Visit.status == VisitStatus.submitted)
    else:
        since, until = period.bounds()
        query = query.where(Visit.status.is_in(VISITED), Visit.amends.is_null(), Visit.started_at >= since,
                            Visit.started_at < until)
        if inspector is not None:
            query = query.where(Visit.id.is_in(VisitMember.select(VisitMember.visit).where(
                VisitMember.user == inspector, VisitMember.started_at >= since, VisitMember.started_at < until)))
    rows, next_cursor = await _keyset(query, (Visit.started_at, Visit.id), page,
                                      ("visits", region.code, period, inspector, awaiting_review))
    return VisitPage(items=[msgspec.convert(r, VisitSummary) for r in rows], next_cursor=next_cursor)


async def findings(scope: Scope, region_code: str | None, period: Period, page: Page,
                   status: Literal["open", "opened", "closed"]) -> FindingPage:
    """The findings open now (newest found first), or those found (opened) or closed in
    the period, newest first."""
    region = await _region(scope, region_code)
    query = Finding.select(
        Finding.id, Finding.visit.as_alias("visit_id"), Finding.enterprise.as_alias("enterprise_id"),
        Finding.enterprise.name.as_alias("enterprise_name"), Finding.item_key, Finding.severity, Finding.description,
        Finding.found_at, Finding.deadline, Finding.status, Finding.closed_at,
    ).where(access.under(Finding, region.code, region.level))
    order = Finding.closed_at if status == "closed" else Finding.found_at
    if status == "open":
        query = query.where(Finding.status == "open", Finding.found_at.is_not_null())
    else:
        since, until = period.bounds()
        query = query.where(order >= since, order < until)
    rows, next_cursor = await _keyset(query, (order, Finding.id), page,
                                      ("findings", region.code, None if status == "open" else period, status))
    return FindingPage(items=[msgspec.convert(r, CoverageFinding) for r in rows], next_cursor=next_cursor)


async def uncovered_points(scope: Scope, region_code: str | None, page: Page) -> UncoveredPointPage:
    """Control points without a current warning notice, now, grouped by enterprise."""
    region = await _region(scope, region_code)
    current = Notice.select(Notice.control_point).where(
        access.under(Notice.enterprise, region.code, region.level),  # type: ignore[arg-type]
        Notice.status == NoticeStatus.current)
    query = ControlPoint.select(
        ControlPoint.id, ControlPoint.name, ControlPoint.kind, ControlPoint.location,
        ControlPoint.enterprise.as_alias("enterprise_id"), ControlPoint.enterprise.name.as_alias("enterprise_name"),
    ).where(access.under(ControlPoint.enterprise, region.code, region.level),  # type: ignore[arg-type]
            ControlPoint.id.not_in(current))
    rows, next_cursor = await _keyset(query, (ControlPoint.enterprise, ControlPoint.id), page, ("uncovered", region.code),
                                      fields=("enterprise_id", "id"))
    return UncoveredPointPage(items=[msgspec.convert(r, UncoveredPoint) for r in rows], next_cursor=next_cursor)


async def _region(scope: Scope, region_code: str | None) -> RegionOut:
    if (code := region_code or scope.region_code) is None:
        raise Invalid("Name the region to cover.", "region", code="region_missing")
    return await regions.get_region(scope, code, field="region")


async def _keyset(query: Any, order: tuple[Any, Any], page: Page, filters: tuple,
                  fields: tuple[str, str] | None = None) -> tuple[list[dict], str | None]:
    """One page of ``query`` in descending ``order`` (a sort key and the id); the cursor
    serves only the filters it was made for."""
    return await pagination.page(query.output(load_json=True), order, page.limit, page.cursor, page.cursors,
                                 kind=pagination.kind_of("coverage", filters), descending=True, fields=fields)

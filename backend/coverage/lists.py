"""The lists behind the coverage figures (the dashboard's drill-down): each filtered as
its figure counts, with its total, in keyset pages, the most urgent first. Knows nothing
of HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import msgspec

from backend import access, pagination
from backend.access import Scope
from backend.coverage.schemas import (CoverageFinding, CoverageVisit, CoverageVisitPage, FindingPage, UncoveredPoint,
                                      UncoveredPointPage)
from backend.coverage.service import Period
from backend.inspections.schedule import VISITED
from backend.enterprises.tables import ControlPoint
from backend.errors import Invalid
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
                 awaiting_review: bool = False) -> CoverageVisitPage:
    """Visits started in the period (the figure "visits"; an amendment is not a second
    visit), or those of one inspector (visits per inspector): the most overdue
    enterprise's first (its next due date), ties by name. Or the visits awaiting review
    now, whatever the period: the longest waiting first."""
    region = await _region(scope, region_code)
    where = [access.under(Visit, region.code, region.level)]
    if awaiting_review:
        where.append(Visit.status == VisitStatus.submitted)
        order, fields = (Visit.submitted_at, Visit.enterprise.name, Visit.id), ("submitted_at", "enterprise_name", "id")
    else:
        since, until = period.bounds()
        where += [Visit.status.is_in(VISITED), Visit.amends.is_null(), Visit.started_at >= since, Visit.started_at < until]
        if inspector is not None:
            where.append(Visit.id.is_in(VisitMember.select(VisitMember.visit).where(
                VisitMember.user == inspector, VisitMember.started_at >= since, VisitMember.started_at < until)))
        order = (Visit.enterprise.next_due_on, Visit.enterprise.name, Visit.id)
        fields = ("next_due_on", "enterprise_name", "id")
    query = Visit.select(*VISIT_COLUMNS, Visit.enterprise.next_due_on.as_alias("next_due_on")).where(*where)
    rows, next_cursor = await _keyset(query, order, page, ("visits", region.code, period, inspector, awaiting_review),
                                      fields, nulls_last=not awaiting_review)
    return CoverageVisitPage(items=[msgspec.convert(r, CoverageVisit) for r in rows], next_cursor=next_cursor,
                             total=await Visit.count().where(*where))


async def findings(scope: Scope, region_code: str | None, period: Period, page: Page,
                   status: Literal["open", "opened", "closed"]) -> FindingPage:
    """The findings open now, or those found (opened) or closed in the period: the
    earliest deadline (the most overdue) first, those without one last, ties by name."""
    region = await _region(scope, region_code)
    where = [access.under(Finding, region.code, region.level)]
    if status == "open":
        where += [Finding.status == "open", Finding.found_at.is_not_null()]
    else:
        since, until = period.bounds()
        when = Finding.closed_at if status == "closed" else Finding.found_at
        where += [when >= since, when < until]
    query = Finding.select(
        Finding.id, Finding.visit.as_alias("visit_id"), Finding.enterprise.as_alias("enterprise_id"),
        Finding.enterprise.name.as_alias("enterprise_name"), Finding.item_key, Finding.severity, Finding.description,
        Finding.found_at, Finding.deadline, Finding.status, Finding.closed_at,
    ).where(*where)
    rows, next_cursor = await _keyset(query, (Finding.deadline, Finding.enterprise.name, Finding.id), page,
                                      ("findings", region.code, None if status == "open" else period, status),
                                      ("deadline", "enterprise_name", "id"), nulls_last=True)
    return FindingPage(items=[msgspec.convert(r, CoverageFinding) for r in rows], next_cursor=next_cursor,
                       total=await Finding.count().where(*where))


async def uncovered_points(scope: Scope, region_code: str | None, page: Page) -> UncoveredPointPage:
    """Control points without a current warning notice, now: the most overdue
    enterprise's first (its next due date), ties by name, a firm's points together."""
    region = await _region(scope, region_code)
    current = Notice.select(Notice.control_point).where(
        access.under(Notice.enterprise, region.code, region.level),  # type: ignore[arg-type]
        Notice.status == NoticeStatus.current)
    where = [access.under(ControlPoint.enterprise, region.code, region.level),  # type: ignore[arg-type]
             ControlPoint.id.not_in(current)]
    query = ControlPoint.select(
        ControlPoint.id, ControlPoint.name, ControlPoint.kind, ControlPoint.location,
        ControlPoint.enterprise.as_alias("enterprise_id"), ControlPoint.enterprise.name.as_alias("enterprise_name"),
        ControlPoint.enterprise.next_due_on.as_alias("next_due_on"),
    ).where(*where)
    order = (ControlPoint.enterprise.next_due_on, ControlPoint.enterprise.name, ControlPoint.enterprise, ControlPoint.id)
    rows, next_cursor = await _keyset(query, order, page, ("uncovered", region.code),
                                      ("next_due_on", "enterprise_name", "enterprise_id", "id"), nulls_last=True)
    return UncoveredPointPage(items=[msgspec.convert(r, UncoveredPoint) for r in rows], next_cursor=next_cursor,
                              total=await ControlPoint.count().where(*where))


async def _region(scope: Scope, region_code: str | None) -> RegionOut:
    if (code := region_code or scope.region_code) is None:
        raise Invalid("Name the region to cover.", "region", code="region_missing")
    return await regions.get_region(scope, code, field="region")


async def _keyset(query: Any, order: tuple[Any, ...], page: Page, filters: tuple, fields: tuple[str, ...],
                  nulls_last: bool) -> tuple[list[dict], str | None]:
    """One page of ``query`` in ascending ``order`` (the urgency, a name and the id; see
    pagination.page for ``nulls_last``); the cursor serves only the filters it was made for."""
    return await pagination.page(query.output(load_json=True), order, page.limit, page.cursor, page.cursors,
                                 kind=pagination.kind_of("coverage-urgency", filters), fields=fields,
                                 nulls_last=nulls_last)

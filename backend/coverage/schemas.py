from datetime import date, datetime
from uuid import UUID

import msgspec

from backend.inspections.schemas import VisitSummary


class InspectorVisits(msgspec.Struct):
    user_id: UUID
    display_name: str
    visits: int


class CoverageOut(msgspec.Struct, kw_only=True):
    region_code: str
    period_start: date
    period_end: date
    enterprises: int
    due_in_period: int  # next due date falls in the period
    overdue: int  # next due date already past today
    visited: int  # enterprises with a visit started in the period
    visits: int
    visits_awaiting_review: int  # filed visits not yet accepted or returned, now
    visits_per_inspector: list[InspectorVisits]
    findings_opened: int
    findings_closed: int
    findings_open: int  # open now
    median_days_to_close: float | None
    # Of the enterprises with findings from visits in the period, the share that had a
    # follow-up visit in the period or since.
    return_visit_rate: float | None
    return_visit_target: float = 0.5
    review_median_hours: float | None  # upload to decision
    review_p95_hours: float | None
    # Notice coverage, now (not over the period): the region's control points, and those
    # without a current warning notice.
    control_points: int
    control_points_without_notice: int


class CoverageFinding(msgspec.Struct, kw_only=True):
    """A finding as the drill-down from the findings figures lists it."""

    id: UUID
    visit_id: UUID
    enterprise_id: UUID
    enterprise_name: str
    item_key: str
    severity: str
    description: str
    found_at: datetime
    deadline: date | None
    status: str
    closed_at: datetime | None


class FindingPage(msgspec.Struct, kw_only=True):
    items: list[CoverageFinding]
    next_cursor: str | None
    total: int  # the rows of the whole list, every page


class CoverageVisit(VisitSummary, kw_only=True):
    """A visit as the drill-down lists it: with its enterprise's next due date (the most
    overdue enterprise's visit first)."""

    next_due_on: date | None


class CoverageVisitPage(msgspec.Struct, kw_only=True):
    items: list[CoverageVisit]
    next_cursor: str | None
    total: int


class UncoveredPoint(msgspec.Struct, kw_only=True):
    """A control point without a current warning notice."""

    id: UUID
    name: str
    kind: str
    location: str
    enterprise_id: UUID
    enterprise_name: str
    next_due_on: date | None  # the enterprise's next visit: the most overdue first


class UncoveredPointPage(msgspec.Struct, kw_only=True):
    items: list[UncoveredPoint]
    next_cursor: str | None
    total: int

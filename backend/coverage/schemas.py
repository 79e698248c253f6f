from datetime import date
from uuid import UUID

import msgspec


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

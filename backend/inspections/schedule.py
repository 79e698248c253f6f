"""The risk-based schedule: when each enterprise is next due for a visit.

Next due = the last visit + its risk grade's visit interval (an enterprise never visited
is due from its registration), but no later than the earliest deadline among its open
findings: a follow-up confirms the rectification. Stored on the enterprise, so that due
and overdue lists and coverage are indexed comparisons; refresh() runs after anything
that moves it (a visit filed, a finding closed, the grade changed).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Mapping

from backend import db
from backend.clock import BUREAU_TIME
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import Finding, Visit, VisitStatus

VISITED = [VisitStatus.submitted, VisitStatus.accepted, VisitStatus.returned]


def next_due(grade: str, last_visited_on: date | None, registered_on: date, open_deadline: date | None,
             intervals: Mapping[str, int]) -> date:
    due = last_visited_on + timedelta(days=intervals[grade]) if last_visited_on else registered_on
    return min(due, open_deadline) if open_deadline else due


async def refresh(enterprise_id: Any, intervals: Mapping[str, int]) -> None:
    """Recompute one enterprise's last visit and next due date (in the caller's transaction)."""
    firm = await Enterprise.select(Enterprise.risk_grade, Enterprise.created_at).where(Enterprise.id == enterprise_id).first()
    last = await Visit.select(Visit.started_at).where(
        Visit.enterprise == enterprise_id, Visit.status.is_in(VISITED), Visit.started_at.is_not_null()
    ).order_by(Visit.started_at, ascending=False).first()
    deadline = await Finding.select(Finding.deadline).where(
        Finding.enterprise == enterprise_id, Finding.status == "open", Finding.deadline.is_not_null()
    ).order_by(Finding.deadline).first()
    last_on = last["started_at"].astimezone(BUREAU_TIME).date() if last else None
    due = next_due(firm["risk_grade"], last_on, firm["created_at"].astimezone(BUREAU_TIME).date(),
                   deadline["deadline"] if deadline else None, intervals)
    await Enterprise.update({Enterprise.last_visited_on: last_on, Enterprise.next_due_on: due}).where(
        Enterprise.id == enterprise_id)


async def refresh_all(intervals: Mapping[str, int]) -> None:
    """refresh() for every enterprise at once, in set-based SQL (after a bulk load)."""
    visited = ", ".join(f"'{status.value}'" for status in VISITED)
    await set_latest("last_visited_on", "visit", "started_at", f"status IN ({visited}) AND started_at IS NOT NULL")
    grades = " ".join(f"WHEN '{grade}' THEN {db.plus_days('last_visited_on', days)}" for grade, days in intervals.items())
    due = f"CASE WHEN last_visited_on IS NULL THEN {db.bureau_day('created_at')} ELSE CASE risk_grade {grades} END END"
    await Enterprise.raw(f"UPDATE enterprise SET next_due_on = {due} WHERE next_due_on IS DISTINCT FROM {due}")
    await Enterprise.raw(
        "UPDATE enterprise SET next_due_on = open.deadline FROM (SELECT enterprise, min(deadline) AS deadline "
        "FROM finding WHERE status = 'open' GROUP BY enterprise) AS open "
        "WHERE open.enterprise = enterprise.id AND open.deadline < enterprise.next_due_on")


async def set_latest(column: str, table: str, timestamp: str, condition: str) -> None:
    """Set every enterprise's ``column`` to the bureau day of its latest ``timestamp``
    among the rows of ``table`` meeting ``condition`` (NULL without one). Rows already
    right are not rewritten."""
    latest = (f"SELECT enterprise, {db.bureau_day(f'max({timestamp})')} AS day FROM {table} WHERE {condition} "
              f"GROUP BY enterprise")
    await Enterprise.raw(
        f"UPDATE enterprise SET {column} = latest.day FROM ({latest}) AS latest "
        f"WHERE latest.enterprise = enterprise.id AND enterprise.{column} IS DISTINCT FROM latest.day")
    await Enterprise.raw(f"UPDATE enterprise SET {column} = NULL WHERE {column} IS NOT NULL AND NOT EXISTS "
                         f"(SELECT 1 FROM {table} WHERE {table}.enterprise = enterprise.id AND {condition})")

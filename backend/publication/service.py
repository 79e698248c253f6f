"""Publication (一公开) of random-draw results: what is due (accepted, not yet published;
due on the 20th working day after acceptance), the act of publishing (one result, a
batch, or everything due), and the lists: published results for staff, and for anyone
those published in the last five years. Knows nothing of HTTP.

A published row copies what the public sees (enterprise, plan, bureau, result, dates),
so the public list reads one table, newest first by its serial id, with a USCC index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import Where

from backend import access, clock, db, pagination
from backend.access import Scope
from backend.audit import service as audit
from backend.clock import BUREAU_TIME
from backend.documents.context import LABELS
from backend.errors import Conflict, Invalid, NotFound
from backend.inspections.tables import VisitStatus
from backend.plans.tables import PlanDraw
from backend.publication import workdays
from backend.publication.schemas import (
    DueOut, DuePage, PublicPage, PublicResult, PublishedCount, PublishedOut, PublishedPage,
)
from backend.publication.tables import Publication
from backend.publication.workdays import Calendar, add_working_days
from backend.regions import service as regions

DEADLINE_WORKING_DAYS = 20  # published within 20 working days of acceptance
SHOWN_YEARS = 5  # withdrawn from the public five years after publication
CHUNK = 200  # results published per transaction when publishing everything due
RESULTS = LABELS["conclusions"]

_USCC_TERM = re.compile(r"[0-9A-Za-z]+")
_USCC_LENGTH = 18
USCC_PREFIX = 10  # the shortest start of a USCC searched as one: past its type (2) and region (6)

# What the due list and the act of publishing read of a drawn visit.
DRAWN_COLUMNS = (
    PlanDraw.visit.as_alias("visit_id"), PlanDraw.plan.as_alias("plan_id"),
    PlanDraw.enterprise.as_alias("enterprise_id"), PlanDraw.plan.title.as_alias("plan_title"),
    PlanDraw.plan.year.as_alias("plan_year"), PlanDraw.plan.period.as_alias("plan_period"),
    PlanDraw.plan.region.name.as_alias("bureau_region"), PlanDraw.enterprise.name.as_alias("enterprise_name"),
    PlanDraw.enterprise.uscc.as_alias("uscc"), PlanDraw.visit.status.as_alias("status"),
    PlanDraw.visit.started_at.as_alias("started_at"), PlanDraw.visit.planned_date.as_alias("planned_date"),
    PlanDraw.visit.conclusion.as_alias("conclusion"), PlanDraw.visit.reviewed_at.as_alias("reviewed_at"),
    PlanDraw.visit.province_code.as_alias("province_code"), PlanDraw.visit.city_code.as_alias("city_code"),
    PlanDraw.visit.county_code.as_alias("county_code"),
)
FACTS = (Publication.plan_title, Publication.plan_year, Publication.plan_period, Publication.enterprise_name,
         Publication.uscc, Publication.visit_date, Publication.result, Publication.bureau)
PUBLIC_COLUMNS = (*FACTS, Publication.published_on)
STAFF_COLUMNS = (*FACTS, Publication.id, Publication.visit.as_alias("visit_id"), Publication.plan.as_alias("plan_id"),
                 Publication.enterprise.as_alias("enterprise_id"), Publication.accepted_on, Publication.due_on,
                 Publication.published_at, Publication.published_on, Publication.withdraw_on)


@dataclass(frozen=True)
class Page:
    limit: int
    cursor: str | None
    cursors: pagination.CursorCodec


def bureau_name(region_name: str) -> str:
    """The issuing bureau of a plan of ``region_name`` (惠民县 -> 惠民县市场监督管理局)."""
    return f"{region_name}市场监督管理局"


def withdraw_on(published_on: date) -> date:
    """Five years after publication (from 29 February: the 28th)."""
    try:
        return published_on.replace(year=published_on.year + SHOWN_YEARS)
    except ValueError:
        return published_on.replace(year=published_on.year + SHOWN_YEARS, day=28)


def bureau_day(instant: datetime) -> date:
    return instant.astimezone(BUREAU_TIME).date()


def deadline(reviewed_at: datetime, calendar: Calendar) -> tuple[date, date]:
    """The bureau's day of an acceptance, and the 20th working day after it."""
    accepted_on = bureau_day(reviewed_at)
    return accepted_on, add_working_days(accepted_on, DEADLINE_WORKING_DAYS, calendar)


# ---------------------------------------------------------------------------- due


def _awaiting(scope: Scope) -> list[Any]:
    """The conditions on drawn visits of ``scope`` that are accepted and whose result is
    not published."""
    return [PlanDraw.visit.status == VisitStatus.accepted, PlanDraw.visit.reviewed_at.is_not_null(),
            PlanDraw.visit.not_in(Publication.select(Publication.visit)), *access.in_region(scope, PlanDraw.visit)]


async def _region(scope: Scope, code: str | None) -> list[Where]:
    """The filter of an optional region of the caller's jurisdiction (404 outside it)."""
    if code is None:
        return []
    region = await regions.get_region(scope, code, field="region")
    return [access.under(PlanDraw.visit, region.code, region.level)]


def late_before(today: date, calendar: Calendar) -> datetime:
    """The instant before which an acceptance is late today (its deadline has passed):
    midnight, bureau time, of the first day whose deadline is today or later. Deadlines
    never run backwards, so this one instant splits late from not late."""
    first = today
    while add_working_days(first - timedelta(days=1), DEADLINE_WORKING_DAYS, calendar) >= today:
        first -= timedelta(days=1)
    return datetime.combine(first, time(), BUREAU_TIME)


async def due(scope: Scope, region_code: str | None, late: bool | None, page: Page, today: date) -> DuePage:
    """Results awaiting publication, the longest waiting (so the most overdue) first,
    each with its due date; ``late``: only those past it (True) or not (False)."""
    calendar = await workdays.calendar()
    region = await _region(scope, region_code)
    cutoff = late_before(today, calendar)
    reviewed = PlanDraw.visit.reviewed_at
    condition = [] if late is None else [reviewed < cutoff if late else reviewed >= cutoff]
    where = [*_awaiting(scope), *region, *condition]
    rows, next_cursor = await pagination.page(
        PlanDraw.select(*DRAWN_COLUMNS).where(*where), (reviewed, PlanDraw.visit.id), page.limit, page.cursor, page.cursors,
        kind=pagination.kind_of("publication-due", (region_code, late)), fields=("reviewed_at", "visit_id"))
    total = await PlanDraw.count().where(*where)
    overdue = await PlanDraw.count().where(*where, reviewed < cutoff)
    items = [_due_item(row, calendar, today) for row in rows]
    years = sorted({y for item in items for y in calendar.incomplete_between(item.accepted_on, item.due_on)})
    return DuePage(items=items, next_cursor=next_cursor, total=total, late=overdue, incomplete_years=years)


def _facts(row: dict) -> dict[str, Any]:
    started = row["started_at"]
    return {"plan_title": row["plan_title"], "plan_year": row["plan_year"], "plan_period": row["plan_period"],
            "enterprise_name": row["enterprise_name"], "uscc": row["uscc"],
            "visit_date": bureau_day(started) if started else row["planned_date"], "result": row["conclusion"] or "",
            "bureau": bureau_name(row["bureau_region"])}


def _due_item(row: dict, calendar: Calendar, today: date) -> DueOut:
    accepted_on, due_on = deadline(row["reviewed_at"], calendar)
    facts = _facts(row)
    return DueOut(**facts, result_label=RESULTS.get(facts["result"], ""), visit_id=row["visit_id"],
                  plan_id=row["plan_id"], enterprise_id=row["enterprise_id"], accepted_on=accepted_on, due_on=due_on,
                  late=due_on < today, calendar_incomplete=bool(calendar.incomplete_between(accepted_on, due_on)))


# ---------------------------------------------------------------------------- publishing


async def publish(scope: Scope, visit_ids: Sequence[UUID], today: date) -> tuple[list[PublishedOut], bool]:
    """Publish the results of these accepted random-draw visits of the caller's
    jurisdiction; those published already stay as they are. True when this request
    published any: sent again (or eight times at once), each result is published once,
    with one audit event."""
    ids = list(dict.fromkeys(visit_ids))
    calendar = await workdays.calendar()
    async with db.transaction():
        rows = await PlanDraw.select(*DRAWN_COLUMNS).where(PlanDraw.visit.is_in(ids),
                                                          *access.in_region(scope, PlanDraw.visit))
        found = {row["visit_id"]: row for row in rows}
        if missing := [str(i) for i in ids if i not in found]:
            raise NotFound(f"No random-draw visit {', '.join(missing)} in your jurisdiction.", "visit_ids")
        if waiting := [f"{i} ({found[i]['status']})" for i in ids if found[i]["status"] != VisitStatus.accepted]:
            raise Conflict(f"Only an accepted visit's result is published; not yet accepted: {', '.join(waiting)}.",
                           "visit_ids")
        published = await _insert(scope, [found[i] for i in ids], calendar, today)
    results = await Publication.select(*STAFF_COLUMNS).where(Publication.visit.is_in(ids)).order_by(Publication.id)
    return [_published_item(row, today) for row in results], bool(published)


async def publish_due(scope: Scope, region_code: str | None, today: date) -> PublishedCount:
    """Publish every result awaiting publication in the caller's jurisdiction (or one
    region of it), the longest waiting first, a chunk per transaction."""
    calendar = await workdays.calendar()
    region = await _region(scope, region_code)
    published: list[dict] = []
    while True:
        async with db.transaction():
            rows = await PlanDraw.select(*DRAWN_COLUMNS).where(*_awaiting(scope), *region).order_by(
                PlanDraw.visit.reviewed_at, PlanDraw.visit.id).limit(CHUNK)
            published += await _insert(scope, rows, calendar, today)
        if len(rows) < CHUNK:
            break
    return PublishedCount(published=len(published), late=sum(row["due_on"] < today for row in published))


async def _insert(scope: Scope, rows: list[dict], calendar: Calendar, today: date) -> list[dict]:
    """Publish ``rows`` (accepted drawn visits) in one statement that skips any published
    meanwhile, and record an event for each row it wrote; the rows written."""
    if not rows:
        return []
    now = clock.now()
    values = {}
    # Acceptance order: ids follow it, and every writer takes its row locks in one order.
    for row in sorted(rows, key=lambda r: (r["reviewed_at"], str(r["visit_id"]))):
        accepted_on, due_on = deadline(row["reviewed_at"], calendar)
        values[row["visit_id"]] = {
            **_facts(row), "visit": row["visit_id"], "plan": row["plan_id"], "enterprise": row["enterprise_id"],
            "province_code": row["province_code"], "city_code": row["city_code"], "county_code": row["county_code"],
            "accepted_on": accepted_on, "due_on": due_on,
            "published_at": now, "published_on": today, "withdraw_on": withdraw_on(today),
            "published_by": scope.user_id}
    written = await Publication.insert(*(Publication(**v) for v in values.values())).on_conflict(
        target=Publication.visit, action="DO NOTHING").returning(Publication.visit)
    done = [values[UUID(str(row["visit"]))] for row in written]
    for v in done:
        await audit.record(scope, "result.published", "visit", v["visit"], {
            "plan": str(v["plan"]), "enterprise_name": v["enterprise_name"], "uscc": v["uscc"], "result": v["result"],
            "accepted_on": v["accepted_on"], "due_on": v["due_on"], "late": v["due_on"] < today},
            audit.Place(v["province_code"], v["city_code"], v["county_code"], v["enterprise"]))
    return done


# ---------------------------------------------------------------------------- lists


def search(q: str | None) -> list[Where]:
    """``q``: a USCC (18 letters and digits: that code; 10 to 17: the codes that start
    with them, an index range) or part of an enterprise's name (anything else). A shorter
    start of a code (its type and region) would match a whole county: it searches names."""
    if q is None:
        return []
    term = q.replace("%", "").replace("_", "").replace("\\", "").strip()
    if not term:
        raise Invalid("Type part of an enterprise's name, or its unified social credit code.", "q")
    if _USCC_TERM.fullmatch(term) and len(term) >= USCC_PREFIX:
        code = term.upper()
        if len(code) >= _USCC_LENGTH:
            return [Publication.uscc == code]
        # Codes are 18 of 0-9 and A-Y: every code starting with ``code`` lies between
        # it and it padded with Z, in any collation that sorts digits before letters.
        return [Publication.uscc >= code, Publication.uscc <= code.ljust(_USCC_LENGTH, "Z")]
    return [Publication.enterprise_name.like(f"%{term}%")]


async def public_results(q: str | None, page: Page, today: date) -> PublicPage:
    """Results published in the last five years, newest first: what anyone may read."""
    query = Publication.select(*PUBLIC_COLUMNS, Publication.id).where(Publication.withdraw_on > today, *search(q))
    rows, next_cursor = await pagination.page(query, (Publication.id,), page.limit, page.cursor, page.cursors,
                                              kind=pagination.kind_of("public-results", q and q.strip()),
                                              descending=True)
    return PublicPage(items=[msgspec.convert({**row, "result_label": RESULTS.get(row["result"], "")}, PublicResult)
                             for row in rows], next_cursor=next_cursor)


async def published(scope: Scope, region_code: str | None, q: str | None, page: Page, today: date) -> PublishedPage:
    """The published results of the caller's jurisdiction (withdrawn ones too), newest first."""
    where = access.in_region(scope, Publication)
    if region_code is not None:
        region = await regions.get_region(scope, region_code, field="region")
        where.append(access.under(Publication, region.code, region.level))
    rows, next_cursor = await pagination.page(
        Publication.select(*STAFF_COLUMNS).where(*where, *search(q)), (Publication.id,), page.limit, page.cursor,
        page.cursors, kind=pagination.kind_of("published", (region_code, q and q.strip())), descending=True)
    return PublishedPage(items=[_published_item(row, today) for row in rows], next_cursor=next_cursor)


def _published_item(row: dict, today: date) -> PublishedOut:
    return msgspec.convert({**row, "result_label": RESULTS.get(row["result"], ""), "late": row["published_on"] > row["due_on"],
                            "withdrawn": row["withdraw_on"] <= today}, PublishedOut)

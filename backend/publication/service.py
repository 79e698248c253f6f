"""Publication (一公开) of random-draw results: what is due (accepted, not yet published;
due on the 20th working day after acceptance), the act of publishing (one result, a
batch, or everything due), and the lists: published results for staff, and for anyone
those published in the last five years. Knows nothing of HTTP.

A drawn visit may be corrected by an amendment (a later visit that ``amends`` it), and
an amendment by another: a chain. Its result is that of the newest accepted visit of the
chain (the one filed last), accepted on that visit's day. An amendment accepted after
publication makes the result due again, from its own acceptance, with the same 20
working days: publishing it corrects the published row in place and says so to the
public (``corrected_on``), while the audit chain keeps what was shown before.

A published row copies what the public sees (enterprise, plan, bureau, result, dates),
so the public list reads one table, newest first by its serial id, with a USCC index.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns.combination import Where
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from backend import access, clock, db, pagination
from backend.access import Scope
from backend.audit import service as audit
from backend.clock import BUREAU_TIME
from backend.glossary import LABELS
from backend.errors import Conflict, Invalid, NotFound
from backend.inspections.tables import Visit, VisitStatus
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
TRIGRAM = 3  # the shortest name term a trigram index serves
RARE = 2000  # names holding a term, at most, for the trigram index to find them (SQLite)
USCC_PREFIX = 10  # the shortest start of a USCC searched as one: past its type (2) and region (6)

# What publication reads of a drawn visit (a chain's first visit) ...
DRAWN_COLUMNS = (
    PlanDraw.visit.as_alias("visit_id"), PlanDraw.plan.as_alias("plan_id"),
    PlanDraw.enterprise.as_alias("enterprise_id"), PlanDraw.plan.title.as_alias("plan_title"),
    PlanDraw.plan.year.as_alias("plan_year"), PlanDraw.plan.period.as_alias("plan_period"),
    PlanDraw.plan.region.name.as_alias("bureau_region"), PlanDraw.enterprise.name.as_alias("enterprise_name"),
    PlanDraw.enterprise.uscc.as_alias("uscc"), PlanDraw.visit.status.as_alias("status"),
    PlanDraw.visit.province_code.as_alias("province_code"), PlanDraw.visit.city_code.as_alias("city_code"),
    PlanDraw.visit.county_code.as_alias("county_code"),
)
# ... and of the visit whose result it publishes (the newest accepted of the chain).
RESULT_COLUMNS = (Visit.id.as_alias("result_visit_id"), Visit.started_at, Visit.planned_date, Visit.conclusion,
                  Visit.reviewed_at)
FACTS = (Publication.plan_title, Publication.plan_year, Publication.plan_period, Publication.enterprise_name,
         Publication.uscc, Publication.visit_date, Publication.result, Publication.bureau)
PUBLIC_COLUMNS = (*FACTS, Publication.published_on, Publication.corrected_on)
STAFF_COLUMNS = (*FACTS, Publication.id, Publication.visit.as_alias("visit_id"),
                 Publication.result_visit.as_alias("result_visit_id"), Publication.plan.as_alias("plan_id"),
                 Publication.enterprise.as_alias("enterprise_id"), Publication.accepted_on, Publication.due_on,
                 Publication.published_at, Publication.published_on, Publication.corrected_at, Publication.corrected_on,
                 Publication.withdraw_on)


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


# ---------------------------------------------------------------------------- chains


def _newest(roots: QueryString) -> QueryString:
    """SQL that names, as ``newest(root, id)``, the newest accepted visit of the chain
    of each drawn visit ``roots`` selects: the one filed last, and of two filed in the
    same instant the later in the chain (then the greater id). Visits are accepted
    once and for good, so a chain's newest only ever moves forward. (The chain carries
    each visit's state: joining visit again after the walk, SQLite scans all of it; and
    ``amends IS NOT NULL`` lets PostgreSQL read amendments only, by their index, where it
    would hash every visit.)"""
    return QueryString(
        "WITH RECURSIVE chain(root, id, depth, status, submitted_at, reviewed_at) AS ("
        "SELECT v.id, v.id, 0, v.status, v.submitted_at, v.reviewed_at FROM visit v WHERE v.id IN ({}) UNION ALL "
        "SELECT chain.root, v.id, chain.depth + 1, v.status, v.submitted_at, v.reviewed_at "
        "FROM visit v JOIN chain ON v.amends = chain.id WHERE v.amends IS NOT NULL), "
        "newest AS (SELECT root, id FROM (SELECT root, id, ROW_NUMBER() OVER (PARTITION BY root "
        "ORDER BY submitted_at DESC, depth DESC, id DESC) AS n FROM chain "
        f"WHERE status = '{VisitStatus.accepted.value}' AND reviewed_at IS NOT NULL) ranked WHERE n = 1) ", roots)


def _ids(ids: Collection[UUID]) -> QueryString:
    return Visit.select(Visit.id).where(Visit.id.is_in(list(ids))).querystrings[0]


async def _newest_of(roots: Collection[UUID]) -> dict[UUID, UUID]:
    """The newest accepted visit of each of these drawn visits' chains, by drawn visit
    (none for a chain with no accepted visit)."""
    rows = await Visit.raw("{}SELECT root, id FROM newest", _newest(_ids(roots))) if roots else []
    return {UUID(str(row["root"])): UUID(str(row["id"])) for row in rows}


async def _roots(visit_ids: Collection[UUID]) -> dict[UUID, UUID]:
    """The first visit of each of these visits' chains (itself, unless it amends one)."""
    rows = await Visit.raw(
        "WITH RECURSIVE up(id, at, parent) AS (SELECT v.id, v.id, v.amends FROM visit v WHERE v.id IN ({}) UNION ALL "
        "SELECT up.id, v.id, v.amends FROM up JOIN visit v ON v.id = up.parent) "
        "SELECT id, at FROM up WHERE parent IS NULL", _ids(visit_ids)) if visit_ids else []
    return {UUID(str(row["id"])): UUID(str(row["at"])) for row in rows}


def _awaiting(roots: Select) -> list[Any]:
    """The conditions on visits whose result awaits publication: each the newest
    accepted visit of the chain of a drawn visit ``roots`` selects, not yet what the
    public sees of it. Only chains with amendments are walked: any other drawn visit
    awaits if accepted and unpublished."""
    scoped = roots.querystrings[0]
    awaiting = QueryString(
        "{}SELECT newest.id FROM newest WHERE NOT EXISTS (SELECT 1 FROM publication p WHERE p.visit = newest.root "
        "AND COALESCE(p.result_visit, p.visit) = newest.id) "
        "UNION ALL SELECT s.visit FROM ({}) s WHERE NOT EXISTS (SELECT 1 FROM visit a WHERE a.amends = s.visit) "
        "AND NOT EXISTS (SELECT 1 FROM publication p WHERE p.visit = s.visit)",
        _newest(QueryString("SELECT a.amends FROM visit a WHERE a.amends IN ({})", scoped)),
        scoped)
    return [Visit.status == VisitStatus.accepted, Visit.reviewed_at.is_not_null(),
            QueryString('"visit"."id" IN ({})', awaiting)]


async def _drawn_in(scope: Scope, region_code: str | None) -> Select:
    """The drawn visits of the caller's jurisdiction, or of one region of it (404
    outside it)."""
    where = access.in_region(scope, PlanDraw.visit)
    if region_code is not None:
        region = await regions.get_region(scope, region_code, field="region")
        where.append(access.under(PlanDraw.visit, region.code, region.level))
    return PlanDraw.select(PlanDraw.visit).where(*where)


async def _drawn(scope: Scope, visit_ids: Collection[UUID]) -> dict[UUID, dict]:
    """These drawn visits of the caller's jurisdiction, by id."""
    rows = await PlanDraw.select(*DRAWN_COLUMNS).where(
        PlanDraw.visit.is_in(list(visit_ids)), *access.in_region(scope, PlanDraw.visit)) if visit_ids else []
    return {row["visit_id"]: row for row in rows}


async def _shown(visit_ids: Collection[UUID]) -> dict[UUID, dict]:
    """What the public sees of these drawn visits, if published: the result and its
    visit, by drawn visit."""
    rows = await Publication.select(Publication.visit, Publication.result_visit, Publication.result).where(
        Publication.visit.is_in(list(visit_ids))) if visit_ids else []
    return {UUID(str(r["visit"])): {**r, "result_visit": r["result_visit"] or r["visit"]} for r in rows}


# ---------------------------------------------------------------------------- due


def late_before(today: date, calendar: Calendar) -> datetime:
    """The instant before which an acceptance is late today (its deadline has passed):
    midnight, bureau time, of the first day whose deadline is today or later. Deadlines
    never run backwards, so this one instant splits late from not late."""
    first = today
    while add_working_days(first - timedelta(days=1), DEADLINE_WORKING_DAYS, calendar) >= today:
        first -= timedelta(days=1)
    return datetime.combine(first, time(), BUREAU_TIME)


async def due(scope: Scope, region_code: str | None, late: bool | None, page: Page, today: date) -> DuePage:
    """Results awaiting publication (or correction), the longest waiting (so the most
    overdue) first, each with its due date; ``late``: only those past it (True) or not
    (False)."""
    calendar = await workdays.calendar()
    roots = await _drawn_in(scope, region_code)
    cutoff = late_before(today, calendar)
    condition = [] if late is None else [Visit.reviewed_at < cutoff if late else Visit.reviewed_at >= cutoff]
    where = [*_awaiting(roots), *condition]
    rows, next_cursor = await pagination.page(
        Visit.select(*RESULT_COLUMNS).where(*where), (Visit.reviewed_at, Visit.id), page.limit, page.cursor,
        page.cursors, kind=pagination.kind_of("publication-due", (region_code, late)),
        fields=("reviewed_at", "result_visit_id"))
    total = await Visit.count().where(*where)
    overdue = await Visit.count().where(*where, Visit.reviewed_at < cutoff)
    first = await _roots([row["result_visit_id"] for row in rows])
    drawn, shown = await _drawn(scope, set(first.values())), await _shown(set(first.values()))
    items = [_due_item({**drawn[root], **row}, shown.get(root), calendar, today)
             for row in rows for root in (first[row["result_visit_id"]],)]
    years = sorted({y for item in items for y in calendar.incomplete_between(item.accepted_on, item.due_on)})
    return DuePage(items=items, next_cursor=next_cursor, total=total, late=overdue, incomplete_years=years)


def _facts(row: dict) -> dict[str, Any]:
    started = row["started_at"]
    return {"plan_title": row["plan_title"], "plan_year": row["plan_year"], "plan_period": row["plan_period"],
            "enterprise_name": row["enterprise_name"], "uscc": row["uscc"],
            "visit_date": bureau_day(started) if started else row["planned_date"], "result": row["conclusion"] or "",
            "bureau": bureau_name(row["bureau_region"])}


def _due_item(row: dict, shown: dict | None, calendar: Calendar, today: date) -> DueOut:
    accepted_on, due_on = deadline(row["reviewed_at"], calendar)
    facts = _facts(row)
    return DueOut(**facts, result_label=RESULTS.get(facts["result"], ""), visit_id=row["visit_id"],
                  result_visit_id=row["result_visit_id"], plan_id=row["plan_id"], enterprise_id=row["enterprise_id"],
                  correction=shown is not None, published_result_label=RESULTS.get(shown["result"], "") if shown else "",
                  accepted_on=accepted_on, due_on=due_on, late=due_on < today,
                  calendar_incomplete=bool(calendar.incomplete_between(accepted_on, due_on)))


# ---------------------------------------------------------------------------- publishing


async def publish(scope: Scope, visit_ids: Sequence[UUID], today: date) -> tuple[list[PublishedOut], bool]:
    """Publish the results of these random-draw visits of the caller's jurisdiction
    (drawn visits, each with its newest accepted visit's result), or correct them where
    an amendment accepted since has a newer one; those published as they stand stay.
    True when this request wrote any: sent again (or eight times at once), each result
    is published, or corrected, once, with one audit event."""
    ids = list(dict.fromkeys(visit_ids))
    calendar = await workdays.calendar()
    async with db.transaction():
        drawn = await _drawn(scope, ids)
        if missing := [str(i) for i in ids if i not in drawn]:
            raise NotFound(f"No random-draw visit {', '.join(missing)} in your jurisdiction.", "visit_ids", code="visit_not_found", params={"id": ", ".join(missing)})
        chains = await _chains(drawn)
        if waiting := [f"{i} ({drawn[i]['status']})" for i in ids if i not in chains]:
            raise Conflict(f"Only an accepted visit's result is published; not yet accepted: {', '.join(waiting)}.",
                           "visit_ids", code="publish_not_accepted", params={"ids": waiting})
        written = await _write(scope, list(chains.values()), calendar, today)
    results = await Publication.select(*STAFF_COLUMNS).where(Publication.visit.is_in(ids)).order_by(Publication.id)
    return [_published_item(row, today) for row in results], bool(written)


async def publish_due(scope: Scope, region_code: str | None, today: date) -> PublishedCount:
    """Publish (or correct) every result awaiting it in the caller's jurisdiction (or
    one region of it), the longest waiting first, a chunk per transaction."""
    calendar = await workdays.calendar()
    roots = await _drawn_in(scope, region_code)
    written: list[dict] = []
    while True:
        async with db.transaction():
            rows = await Visit.select(Visit.id).where(*_awaiting(roots)).order_by(
                Visit.reviewed_at, Visit.id).limit(CHUNK)
            first = await _roots([row["id"] for row in rows])
            chains = await _chains(await _drawn(scope, set(first.values())))
            chunk = await _write(scope, list(chains.values()), calendar, today)
        written += chunk
        if len(rows) < CHUNK or not chunk:  # none written: another request is publishing these
            break
    return PublishedCount(published=len(written), late=sum(v["due_on"] < today for v in written),
                          corrected=sum(v["corrects"] is not None for v in written))


async def _chains(drawn: dict[UUID, dict]) -> dict[UUID, dict]:
    """The drawn visits ``drawn`` (their rows, by id) whose chain has an accepted visit,
    each with that chain's newest accepted visit's facts and ``shown`` (what the public
    sees now, None before publication), by drawn visit."""
    shown = await _shown(drawn)  # read before the chains: what they find is then as new as what is shown, or newer
    newest = await _newest_of(drawn)
    results = {row["result_visit_id"]: row for row in await Visit.select(*RESULT_COLUMNS).where(
        Visit.id.is_in(list(newest.values())))} if newest else {}
    return {root: {**drawn[root], **results[result], "shown": shown.get(root)} for root, result in newest.items()}


def _result_values(row: dict, calendar: Calendar) -> dict[str, Any]:
    """The columns of a published row that follow its result (a chain's, from _chains)."""
    accepted_on, due_on = deadline(row["reviewed_at"], calendar)
    return {**_facts(row), "result_visit": row["result_visit_id"], "accepted_on": accepted_on, "due_on": due_on}


async def _write(scope: Scope, rows: list[dict], calendar: Calendar, today: date) -> list[dict]:
    """Publish the chains ``rows`` (from _chains) never published, and correct those
    whose newest result is not the one shown, each in one statement that skips a row
    another request published or corrected meanwhile; record an event for each row
    written. The values written, each with ``corrects``: what the public saw before
    (None for a first publication)."""
    now = clock.now()
    # Acceptance order: ids follow it, and every writer takes its row locks in one order.
    rows = [row for row in sorted(rows, key=lambda r: (r["reviewed_at"], str(r["visit_id"])))
            if row["shown"] is None or row["shown"]["result_visit"] != row["result_visit_id"]]
    new = {row["visit_id"]: {
        **_result_values(row, calendar), "visit": row["visit_id"], "plan": row["plan_id"],
        "enterprise": row["enterprise_id"], "province_code": row["province_code"], "city_code": row["city_code"],
        "county_code": row["county_code"], "published_at": now, "published_on": today,
        "withdraw_on": withdraw_on(today), "published_by": scope.user_id} for row in rows if row["shown"] is None}
    written = await Publication.insert(*(Publication(**v) for v in new.values())).on_conflict(
        target=Publication.visit, action="DO NOTHING").returning(Publication.visit) if new else []
    inserted = {UUID(str(r["visit"])) for r in written}
    done = []
    for row in rows:
        if row["shown"] is None:
            if row["visit_id"] in inserted:
                done.append((row, new[row["visit_id"]]))
            continue
        values = {**_result_values(row, calendar), "corrected_at": now, "corrected_on": today}
        if await Publication.update({getattr(Publication, k): v for k, v in values.items()}).where(
                Publication.visit == row["visit_id"],
                QueryString('COALESCE("publication"."result_visit", "publication"."visit") = {}',
                            row["shown"]["result_visit"])).returning(Publication.visit):
            done.append((row, values))
    for row, values in done:
        facts = {"plan": str(row["plan_id"]), "enterprise_name": values["enterprise_name"], "uscc": values["uscc"],
                 "result": values["result"], "result_visit": str(values["result_visit"]),
                 "accepted_on": values["accepted_on"], "due_on": values["due_on"], "late": values["due_on"] < today}
        if (shown := row["shown"]) is not None:
            facts = {**facts, "previous_result": shown["result"], "previous_result_visit": str(shown["result_visit"])}
        await audit.record(scope, "result.published" if shown is None else "result.corrected", "visit",
                           row["visit_id"], facts,
                           audit.Place(row["province_code"], row["city_code"], row["county_code"], row["enterprise_id"]))
    return [{**values, "corrects": row["shown"]} for row, values in done]


# ---------------------------------------------------------------------------- lists


async def search(q: str | None) -> list[Where | QueryString]:
    """``q``: a USCC (18 letters and digits: that code; 10 to 17: the codes that start
    with them, an index range) or part of an enterprise's name (anything else). A shorter
    start of a code (its type and region) would match a whole county: it searches names."""
    if q is None:
        return []
    term = q.replace("%", "").replace("_", "").replace("\\", "").strip()
    if not term:
        raise Invalid("Type part of an enterprise's name, or its unified social credit code.", "q", code="search_text_missing")
    if _USCC_TERM.fullmatch(term) and len(term) >= USCC_PREFIX:
        code = term.upper()
        if len(code) >= _USCC_LENGTH:
            return [Publication.uscc == code]
        # Codes are 18 of 0-9 and A-Y: every code starting with ``code`` lies between
        # it and it padded with Z, in any collation that sorts digits before letters.
        return [Publication.uscc >= code, Publication.uscc <= code.ljust(_USCC_LENGTH, "Z")]
    contains = Publication.enterprise_name.like(f"%{term}%")
    if len(term) < TRIGRAM or db.kind(db.current()) != "sqlite" or not await _rare_on_sqlite(term):
        return [contains]  # PostgreSQL: its trigram index serves LIKE; short or common terms: a walk, newest first
    # The few names holding a rare term come from the trigram table (migration
    # publication_2026_12_02t10…), not from a scan of every name.
    phrase = '"' + term.replace('"', '""') + '"'
    return [QueryString('"publication"."id" IN (SELECT id FROM publication_search WHERE publication_search MATCH {})',
                        phrase), contains]


async def _rare_on_sqlite(term: str) -> bool:
    """Are at most RARE names holding ``term``, as far as its rarest trigram tells? (Then
    fetching and sorting them beats a walk, which passes about every name to find them;
    a common term is found at once by a walk.)"""
    trigrams = {term[i:i + TRIGRAM].lower() for i in range(len(term) - TRIGRAM + 1)}
    marks = ", ".join(["{}"] * len(trigrams))
    row = (await Publication.raw(f"SELECT count(*) AS known, min(doc) AS names FROM publication_search_terms "
                                 f"WHERE term IN ({marks})", *trigrams))[0]
    return row["known"] < len(trigrams) or row["names"] <= RARE


async def public_results(q: str | None, page: Page, today: date) -> PublicPage:
    """Results published in the last five years, newest first: what anyone may read."""
    query = Publication.select(*PUBLIC_COLUMNS, Publication.id).where(Publication.withdraw_on > today, *await search(q))
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
        Publication.select(*STAFF_COLUMNS).where(*where, *await search(q)), (Publication.id,), page.limit, page.cursor,
        page.cursors, kind=pagination.kind_of("published", (region_code, q and q.strip())), descending=True)
    return PublishedPage(items=[_published_item(row, today) for row in rows], next_cursor=next_cursor)


def _published_item(row: dict, today: date) -> PublishedOut:
    return msgspec.convert({**row, "result_label": RESULTS.get(row["result"], ""),
                            "result_visit_id": row["result_visit_id"] or row["visit_id"],
                            "late": (row["corrected_on"] or row["published_on"]) > row["due_on"],
                            "withdrawn": row["withdraw_on"] <= today}, PublishedOut)

"""Random-draw plans (抽查计划): drafts, which change freely, and the reading of locked ones
(their draw and their progress). Locking, drawing and redrawing are in lock.py, the
algorithm in draw.py. Knows nothing of HTTP."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from backend import access, clock, db
from backend.access import Scope
from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.enterprises import service as enterprises
from backend.enterprises.tables import Enterprise
from backend.errors import Conflict, Invalid, NotFound
from backend.inspections.tables import VisitStatus
from backend.plans import items as item_rules
from backend.plans.schemas import (
    DrawInputs, DrawnOut, DrawOut, OfficerOut, PlanIn, PlanOut, PlanPatch, ProgressItem, ProgressOut, StratumOut,
)
from backend.plans.tables import InspectionItem, Plan, PlanDraw, PlanStatus
from backend.accounts.tables import User
from backend.regions import service as regions
from backend.regions.schemas import RegionOut
from backend.regions.tables import Region

PLAN_COLUMNS = (
    Plan.id, Plan.title, Plan.year, Plan.period, Plan.region.as_alias("bureau_code"),
    Plan.region.name.as_alias("bureau_name"), Plan.province_code, Plan.city_code, Plan.county_code,
    Plan.items.as_alias("item_ids"), Plan.pool, Plan.sampling, Plan.window_start, Plan.window_end, Plan.team_size,
    Plan.status, Plan.created_at, Plan.updated_at, Plan.locked_at, Plan.pool_size, Plan.drawn, Plan.seed,
    Plan.algorithm, Plan.lock_event,
)


# ---------------------------------------------------------------------------- drafts


async def create_plan(scope: Scope, data: PlanIn, today: date) -> PlanOut:
    values = await _validated(scope, data, today)
    plan_id = uuid.uuid4()
    async with db.transaction():
        await Plan.insert(Plan(id=plan_id, created_by=scope.user_id, **values))
        await audit.record(scope, "plan.created", "plan", plan_id, msgspec.to_builtins(data), place(values))
    return await get_plan(scope, plan_id)


async def update_plan(scope: Scope, plan_id: UUID, patch: PlanPatch, today: date) -> PlanOut:
    """Change a draft; a locked plan refuses any change (Conflict naming the field)."""
    changes = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}
    if not changes:
        raise Invalid("Send at least one field to change.", "body", code="patch_empty")
    async with db.transaction():
        row = await plan_row(scope, plan_id)
        _draft(row, next(iter(changes)))
        current = {"title": row["title"], "year": row["year"], "period": row["period"], "bureau_code": row["bureau_code"],
                   "item_ids": row["item_ids"], "pool": row["pool"], "sampling": row["sampling"],
                   "window_start": row["window_start"], "window_end": row["window_end"], "team_size": row["team_size"]}
        data = msgspec.convert({**current, **msgspec.to_builtins(changes)}, PlanIn)
        values = await _validated(scope, data, today)
        if not await Plan.update({getattr(Plan, k): v for k, v in values.items()}).where(
                Plan.id == plan_id, Plan.status == PlanStatus.draft).returning(Plan.id):
            raise locked(next(iter(changes)))  # locked meanwhile
        await audit.record(scope, "plan.updated", "plan", plan_id, msgspec.to_builtins(changes), place(values))
    return await get_plan(scope, plan_id)


async def delete_plan(scope: Scope, plan_id: UUID) -> None:
    async with db.transaction():
        row = await plan_row(scope, plan_id)
        _draft(row, "plan_id")
        await Plan.delete().where(Plan.id == plan_id, Plan.status == PlanStatus.draft)
        await audit.record(scope, "plan.deleted", "plan", plan_id, {"title": row["title"]}, place(row))


def _draft(row: dict, field: str) -> None:
    if row["status"] != PlanStatus.draft:
        raise locked(field)


def locked(field: str) -> Conflict:
    return Conflict(f"The plan is locked and drawn: {field} can no longer change (a team changes by a recorded "
                    "redraw).", field, code="plan_locked", params={"field": field})


async def _validated(scope: Scope, data: PlanIn, today: date) -> dict[str, Any]:
    """A draft's row from its body, once every rule holds (Invalid naming the field)."""
    bureau = await regions.get_region(scope, data.bureau_code, "bureau_code")
    covered = await _item_categories(data.item_ids, bureau)
    if data.pool.region is not None:
        region = await regions.get_region(scope, data.pool.region, "pool.region")
        if getattr(region, access.LEVEL_COLUMNS[bureau.level]) != bureau.code:
            raise Invalid(f"Region {region.code} ({region.name}) is not under the bureau {bureau.code} ({bureau.name}).",
                          "pool.region", code="region_outside_bureau", params={"region": region.name, "bureau": bureau.name})
    for i, category in enumerate(data.pool.categories):
        if category.value not in covered:
            raise Invalid(f"No item of the plan applies to {category.value}; add one or leave the category out.",
                          f"pool.categories[{i}]", code="plan_category_no_item", params={"category": category.value})
    strata = set()
    for i, rule in enumerate(data.sampling):
        if rule.stratum in strata:
            raise Invalid(f"Stratum {rule.stratum} has two rules; give it one.", f"sampling[{i}].stratum", code="stratum_two_rules", params={"stratum": rule.stratum})
        strata.add(rule.stratum)
        if (rule.ratio is None) == (rule.count is None):
            raise Invalid("Give the stratum a ratio (0-100 %) or a count, not both.", f"sampling[{i}].ratio", code="stratum_ratio_or_count")
    check_window(data.window_start, data.window_end, today)
    pool = msgspec.to_builtins(data.pool)
    pool = {"region": None, "categories": [], "risk_grades": [], "licence": None, **pool}
    if not await Enterprise.exists().where(*await pool_conditions(pool, bureau, covered, today)):
        raise Invalid("No enterprise of the registry is in the pool today: widen the region, categories, risk grades "
                      "or licence state.", "pool", code="pool_empty")
    return {"title": data.title.strip(), "year": data.year, "period": data.period.strip(), "region": bureau.code,
            **item_rules.codes(bureau), "items": [str(i) for i in data.item_ids], "pool": pool,
            "sampling": msgspec.to_builtins(data.sampling), "window_start": data.window_start,
            "window_end": data.window_end, "team_size": data.team_size, "updated_at": clock.now()}


def check_window(start: date, end: date, today: date) -> None:
    if start < today:
        raise Invalid(f"The window starts on {start}, in the past: visits are planned from today ({today}) on.",
                      "window_start", code="window_start_past", params={"start": start, "today": today})
    if end < start:
        raise Invalid(f"The window ends on {end}, before it starts ({start}).", "window_end", code="window_reversed", params={"start": start, "end": end})


async def _item_categories(item_ids: list[UUID], bureau: RegionOut) -> set[str]:
    """The categories the items cover; each must be an item the bureau may use."""
    rows = {str(r["id"]): r for r in await InspectionItem.select(InspectionItem.id, InspectionItem.region,
                                                                  InspectionItem.categories).where(
        InspectionItem.id.is_in([str(i) for i in item_ids])).output(load_json=True)}
    usable = item_rules.usable_by(bureau)
    if len(set(item_ids)) != len(item_ids):
        raise Invalid("An item is named twice; name each once.", "item_ids", code="plan_item_twice")
    for i, item_id in enumerate(item_ids):
        row = rows.get(str(item_id))
        if row is None or row["region"] not in usable:
            raise Invalid(f"No inspection item {item_id} of this bureau or a bureau above it.", f"item_ids[{i}]", code="inspection_item_not_found", params={"id": item_id})
    return {c for r in rows.values() for c in r["categories"]}


async def pool_conditions(pool: dict[str, Any], bureau: RegionOut, covered: set[str], today: date) -> list[Any]:
    """The registry filter of a plan's pool: region subtree, categories (by default those
    its items cover), risk grades, licence state."""
    region = bureau if pool["region"] is None else msgspec.convert(
        await Region.select().where(Region.code == pool["region"]).first(), RegionOut)
    conditions = [access.under(Enterprise, region.code, region.level),
                  Enterprise.category.is_in(sorted(pool["categories"] or covered))]
    if pool["risk_grades"]:
        conditions.append(Enterprise.risk_grade.is_in(pool["risk_grades"]))
    if pool["licence"] is not None:
        conditions.append(enterprises.licence_condition(pool["licence"], today))
    return conditions


# ---------------------------------------------------------------------------- reading


def place(row: dict) -> audit.Place:
    """Where a plan's events happen: its bureau."""
    return audit.Place(row["province_code"], row["city_code"], row["county_code"])


async def plan_row(scope: Scope, plan_id: UUID) -> dict[str, Any]:
    row = await Plan.select(*PLAN_COLUMNS).where(Plan.id == plan_id, *access.in_region(scope, Plan)).output(
        load_json=True).first()
    if row is None:
        raise NotFound(f"No plan {plan_id} in your jurisdiction.", code="plan_not_found", params={"id": plan_id})
    return row


async def get_plan(scope: Scope, plan_id: UUID) -> PlanOut:
    return msgspec.convert(await plan_row(scope, plan_id), PlanOut)


async def list_plans(scope: Scope, year: int | None, status: PlanStatus | None) -> list[PlanOut]:
    """The plans of bureaus in the caller's jurisdiction, newest first."""
    query = Plan.select(*PLAN_COLUMNS).where(*access.in_region(scope, Plan))
    if year is not None:
        query = query.where(Plan.year == year)
    if status is not None:
        query = query.where(Plan.status == status)
    rows = await query.order_by(Plan.created_at, ascending=False).order_by(Plan.id).output(load_json=True)
    return msgspec.convert(rows, list[PlanOut])


async def drawn_row(scope: Scope, plan_id: UUID) -> dict[str, Any]:
    """A locked plan's row (NotFound while it is a draft: nothing is drawn yet)."""
    row = await plan_row(scope, plan_id)
    if row["status"] != PlanStatus.locked:
        raise NotFound(f"Plan {plan_id} is a draft: nothing is drawn until it is locked.", code="plan_draft_not_drawn", params={"id": plan_id})
    return row


async def events_of(plan_id: UUID) -> dict[str, dict[str, Any]]:
    """The lock's and the draw's audit events of a plan, by action."""
    rows = await AuditEvent.select().where(AuditEvent.target_type == "plan", AuditEvent.target_id == str(plan_id),
                                           AuditEvent.action.is_in(["plan.locked", "plan.drawn"]))
    return {r["action"]: {**r, "text": r["details"], "details": json.loads(r["details"])} for r in rows}


DRAWN_COLUMNS = (
    PlanDraw.position, PlanDraw.enterprise.as_alias("enterprise_id"), PlanDraw.enterprise.name.as_alias("enterprise_name"),
    PlanDraw.enterprise.uscc.as_alias("uscc"), PlanDraw.stratum, PlanDraw.rank_key, PlanDraw.item.as_alias("item_id"),
    PlanDraw.visit.as_alias("visit_id"), PlanDraw.planned_date, PlanDraw.team, PlanDraw.drawn_team, PlanDraw.redraws,
)


async def drawn(plan_id: UUID, *where: Any) -> list[DrawnOut]:
    rows = await PlanDraw.select(*DRAWN_COLUMNS).where(PlanDraw.plan == plan_id, *where).order_by(
        PlanDraw.position).output(load_json=True)
    return msgspec.convert(rows, list[DrawnOut])


async def get_draw(scope: Scope, plan_id: UUID) -> DrawOut:
    """The draw's inputs (their hashes), seed, algorithm and result."""
    row = await drawn_row(scope, plan_id)
    events = await events_of(plan_id)
    lock, done = events["plan.locked"], events["plan.drawn"]["details"]
    result = await drawn(plan_id)
    rules = {r["stratum"]: r for r in row["sampling"]}
    strata = [StratumOut(stratum=s, pool=n, drawn=k, ratio=rules.get(s, {}).get("ratio"), count=rules.get(s, {}).get("count"))
              for s, (n, k) in lock["details"]["strata"].items()]
    members = sorted({str(u) for d in result for u in [*d.team, *d.drawn_team]})
    officers = await User.select(User.id, User.display_name, User.certificate_no).where(
        User.id.is_in(members)).order_by(User.id) if members else []
    return DrawOut(plan_id=plan_id, algorithm=row["algorithm"], locked_at=row["locked_at"],
                   inputs=msgspec.convert({**lock["details"], "chain_head": lock["hash"], "lock_event_id": lock["id"]},
                                          DrawInputs),
                   seed=row["seed"], result_hash=done["result_hash"], strata=strata, result=result,
                   officers=msgspec.convert(officers, list[OfficerOut]))


async def progress(scope: Scope, plan_id: UUID, today: date) -> ProgressOut:
    """Each drawn enterprise's visit: done (submitted or accepted), due, overdue, returned."""
    await drawn_row(scope, plan_id)
    rows = await PlanDraw.select(
        PlanDraw.enterprise.as_alias("enterprise_id"), PlanDraw.enterprise.name.as_alias("enterprise_name"),
        PlanDraw.visit.as_alias("visit_id"), PlanDraw.visit.planned_date.as_alias("planned_date"),
        PlanDraw.visit.team.as_alias("team"), PlanDraw.visit.status.as_alias("status"),
    ).where(PlanDraw.plan == plan_id).order_by(PlanDraw.visit.planned_date).order_by(PlanDraw.position).output(
        load_json=True)
    items = [msgspec.convert({**r, "state": _state(r["status"], r["planned_date"], today)}, ProgressItem) for r in rows]
    counts = {state: sum(1 for i in items if i.state == state) for state in ("done", "due", "overdue", "returned")}
    return ProgressOut(plan_id=plan_id, drawn=len(items), items=items, **counts)


def _state(status: str, planned_date: date, today: date) -> str:
    if status in (VisitStatus.submitted, VisitStatus.accepted):
        return "done"
    if status == VisitStatus.returned:
        return "returned"
    return "overdue" if planned_date < today else "due"

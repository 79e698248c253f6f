"""Locking a plan, which draws it; redrawing one enterprise's team; the draw's record (the
exported plan file) and its verification. Knows nothing of HTTP.

Lock and draw are one act, in one transaction: a conditional UPDATE takes the plan from
draft to locked (of requests sent at once, one does it; the others find it drawn), the
inputs are read and every refusal that depends on them is made (an empty pool, a stratum
without a rule, nothing to draw, an enterprise with too few eligible officers, a window
gone by), the audit chain records the inputs' hashes (``plan.locked``), the seed comes
from that event's hash, and the draw plans its visits and is recorded (``plan.drawn``).
No refusal depends on the seed, so a refusal can never be used to draw again with another
one; and there is no state "locked but not drawn" to get stuck in.
"""

from __future__ import annotations

import uuid
from datetime import date, timezone
from typing import Any
from uuid import UUID

import msgspec
from piccolo.columns import Varchar
from piccolo.query.functions import Cast

from backend import access, clock, db
from backend.access import FIELD_TEAM, Scope
from backend.accounts.tables import User
from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.enterprises.tables import Enterprise
from backend.errors import Conflict, Invalid, NotFound
from backend.inspections import checklists
from backend.inspections import service as inspections
from backend.inspections.schemas import VisitPlan
from backend.inspections.tables import Visit, VisitStatus, VisitType
from backend.plans import draw, service
from backend.plans.items import usable_by
from backend.plans.schemas import DrawnOut, PlanOut, RedrawIn
from backend.plans.tables import InspectionItem, OfficerConflict, Plan, PlanDraw, PlanRedraw, PlanStatus
from backend.regions.schemas import RegionOut
from backend.regions.tables import Region

DRAW_COLUMNS = ("plan", "enterprise", "position", "stratum", "rank_key", "item", "visit", "planned_date", "drawn_team",
                "team", "redraws")


async def lock(scope: Scope, plan_id: UUID, today: date) -> tuple[PlanOut, bool]:
    """Lock the plan and draw it: the plan, locked, and True if this request did (False:
    it was drawn already). The draw itself is read with service.get_draw."""
    async with db.transaction():
        await service.plan_row(scope, plan_id)  # 404 outside scope
        claimed = await Plan.update({Plan.status: PlanStatus.locked, Plan.locked_by: scope.user_id,
                                     Plan.locked_at: clock.now()}).where(
            Plan.id == plan_id, Plan.status == PlanStatus.draft).returning(Plan.id)
        if claimed:
            await _draw(scope, await service.plan_row(scope, plan_id), today)
    return await service.get_plan(scope, plan_id), bool(claimed)


async def _draw(scope: Scope, row: dict[str, Any], today: date) -> None:
    plan_id, place = row["id"], service.place(row)
    bureau = msgspec.convert(await Region.select().where(Region.code == row["bureau_code"]).first(), RegionOut)
    plan = await _plan(row, bureau, today)
    pool = await _pool(plan, bureau, today)
    roster = await _roster(bureau)
    inputs = draw.Inputs(plan=plan, pool=pool, roster=roster, **await _recusals(bureau, pool, roster))
    quotas = draw.quotas(plan, pool)
    if not sum(k for _, k in quotas.values()):
        raise Invalid(f"The sampling draws no enterprise from a pool of {len(pool)}: raise a ratio or count.", "sampling", code="sampling_draws_none", params={"pool": len(pool)})
    await _refuse_shortfalls(inputs)
    hashes = draw.input_hashes(inputs)
    await audit.record(scope, "plan.locked", "plan", plan_id, {
        **hashes, "algorithm": draw.ALGORITHM, "pool_size": len(pool), "roster_size": len(roster), "strata": quotas}, place)
    event = await AuditEvent.select(AuditEvent.id, AuditEvent.hash).where(
        AuditEvent.action == "plan.locked", AuditEvent.target_id == str(plan_id)).order_by(
        AuditEvent.id, ascending=False).first()
    seed = draw.derive_seed(event["hash"], hashes["plan_hash"])
    result = draw.draw(inputs, seed)
    checklist_of = {item["id"]: UUID(item["checklist_id"]) for item in plan["items"]}
    visits = [visit_id(plan_id, d.enterprise_id) for d in result]
    await inspections.plan_visits(scope, [VisitPlan(
        id=visit, enterprise_id=UUID(d.enterprise_id), checklist_id=checklist_of[d.item_id], visit_type=VisitType.routine,
        planned_date=d.planned_date, team=[UUID(o) for o in d.team]) for d, visit in zip(result, visits)],
        f"plan {plan_id}", place)
    await db.insert_rows(PlanDraw, DRAW_COLUMNS, [
        (str(plan_id), d.enterprise_id, i, d.stratum, d.rank_key, d.item_id, str(visit), d.planned_date,
         team := msgspec.json.encode(d.team).decode(), team, 0) for i, (d, visit) in enumerate(zip(result, visits))])
    await Plan.update({Plan.inputs: msgspec.json.encode(inputs).decode(), Plan.algorithm: draw.ALGORITHM,
                       Plan.lock_event: event["id"], Plan.seed: seed, Plan.pool_size: len(pool),
                       Plan.drawn: len(result)}).where(Plan.id == plan_id)
    await audit.record(scope, "plan.drawn", "plan", plan_id, {"seed": seed, "chain_head": event["hash"],
                                                              "result_hash": draw.digest(result), "drawn": len(result)},
                       place)


def visit_id(plan_id: Any, enterprise_id: str) -> UUID:
    """A drawn enterprise's visit id, derived from the plan's and its own."""
    return uuid.uuid5(UUID(str(plan_id)), enterprise_id)


async def _plan(row: dict[str, Any], bureau: RegionOut, today: date) -> dict[str, Any]:
    """The plan as locked: its items with the newest version of each checklist template."""
    service.check_window(row["window_start"], row["window_end"], today)
    newest: dict[str, Any] = {}
    for version in await checklists.list_checklists():
        if version.code not in newest or version.version > newest[version.code].version:
            newest[version.code] = version
    found = {str(r["id"]): r for r in await InspectionItem.select().where(
        InspectionItem.id.is_in(row["item_ids"]), InspectionItem.region.is_in(usable_by(bureau))).output(load_json=True)}
    items = []
    for i, item_id in enumerate(row["item_ids"]):
        item = found.get(item_id)
        version = newest.get(item["checklist_code"]) if item else None
        if version is None:
            raise Invalid(f"Inspection item {item_id} or its checklist template is gone.", f"item_ids[{i}]", code="plan_item_gone", params={"id": item_id})
        items.append({"id": item_id, "name": item["name"], "legal_basis": item["legal_basis"],
                      "categories": item["categories"], "checklist_code": version.code,
                      "checklist_id": str(version.id), "checklist_version": version.version})
    pool = {**row["pool"], "region": row["pool"]["region"] or bureau.code,
            "categories": sorted(row["pool"]["categories"] or {c for item in items for c in item["categories"]})}
    return {"id": str(row["id"]), "title": row["title"], "year": row["year"], "period": row["period"],
            "bureau": {"code": bureau.code, "name": bureau.name, "level": bureau.level.value}, "items": items,
            "pool": pool, "sampling": row["sampling"], "window_start": row["window_start"].isoformat(),
            "window_end": row["window_end"].isoformat(), "team_size": row["team_size"], "algorithm": draw.ALGORITHM}


async def _pool(plan: dict[str, Any], bureau: RegionOut, today: date) -> list[tuple]:
    conditions = await service.pool_conditions(plan["pool"], bureau, set(plan["pool"]["categories"]), today)
    # As few columns as will do, the ids as text: a province's pool is 100,000 rows.
    rows = await Enterprise.select(Cast(Enterprise.id, Varchar(), alias="id"), Enterprise.risk_grade,
                                   Enterprise.credit_class, Enterprise.category, Enterprise.county_code).where(*conditions)
    if not rows:
        raise Invalid("No enterprise of the registry is in the pool today: widen it.", "pool", code="pool_empty")
    above = {r["code"]: (r["province_code"], r["city_code"]) for r in await Region.select(
        Region.code, Region.province_code, Region.city_code).where(Region.level == "county")}
    # tuples of text, which the cyclic garbage collector leaves alone (100,000 lists cost it a third of a second)
    return sorted((r["id"], draw.stratum_of(r["risk_grade"], r["credit_class"]), r["category"], *above[r["county_code"]],
                   r["county_code"]) for r in rows)


async def _roster(bureau: RegionOut) -> list[list]:
    """Active inspectors and supervisors with an enforcement certificate in the bureau's jurisdiction."""
    rows = await User.select(User.id, User.region_code, User.region_code.level.as_alias("level"), User.display_name,
                             User.certificate_no).where(
        User.active == True, User.role.is_in(list(FIELD_TEAM)), User.certificate_no != "",  # noqa: E712
        access.under(User.region_code, bureau.code, bureau.level))
    return sorted([str(r["id"]), r["region_code"], r["level"], r["display_name"], r["certificate_no"].strip()]
                  for r in rows if r["certificate_no"].strip())


async def _recusals(bureau: RegionOut, pool: list[tuple], roster: list[list]) -> dict[str, list]:
    """Declared conflicts between the roster and the pool, and the team of each pool
    enterprise's latest filed visit."""
    in_pool, on_roster = {e[0] for e in pool}, {o[0] for o in roster}
    conflicts = sorted({(str(r["officer"]), str(r["enterprise"])) for r in await OfficerConflict.select(
        OfficerConflict.officer, OfficerConflict.enterprise).where(access.under(OfficerConflict, bureau.code, bureau.level))
        if str(r["enterprise"]) in in_pool and str(r["officer"]) in on_roster})
    column = access.LEVEL_COLUMNS[bureau.level]
    rows = await Visit.raw(
        "SELECT v.enterprise, v.team, v.id FROM visit v JOIN (SELECT enterprise, MAX(started_at) AS at FROM visit "
        "WHERE status <> 'planned' AND started_at IS NOT NULL AND EXISTS (SELECT 1 FROM enterprise "
        f"WHERE enterprise.id = visit.enterprise AND enterprise.{column} = {{}}) GROUP BY enterprise) latest "
        "ON v.enterprise = latest.enterprise AND v.started_at = latest.at WHERE v.status <> 'planned'", bureau.code)
    latest: dict[str, tuple[str, list[str]]] = {}
    for r in rows:
        enterprise, team = str(r["enterprise"]), r["team"] if isinstance(r["team"], list) else msgspec.json.decode(r["team"])
        if enterprise in in_pool and (enterprise not in latest or str(r["id"]) > latest[enterprise][0]):
            latest[enterprise] = (str(r["id"]), sorted(str(u) for u in team))
    return {"conflicts": [list(c) for c in conflicts],
            "previous_teams": [[e, team] for e, (_, team) in sorted(latest.items())]}


async def _refuse_shortfalls(inputs: draw.Inputs) -> None:
    short = draw.shortfalls(inputs)
    if not short:
        return
    names = {str(r["id"]): r["name"] for r in await Enterprise.select(Enterprise.id, Enterprise.name).where(
        Enterprise.id.is_in([e for e, _ in short[:3]]))}
    examples = "; ".join(f"{names.get(e, e)} ({e}) has {n}" for e, n in short[:3])
    raise Invalid(f"{len(short)} enterprises of the pool have fewer eligible officers than a team of "
                  f"{inputs.plan['team_size']} (certified, covering them, not recused): {examples}. Certify more "
                  "officers, review the recusals or lower team_size.", "team_size", code="officers_too_few", params={"count": len(short), "team_size": inputs.plan['team_size'], "examples": examples})


# ---------------------------------------------------------------------------- redraw


async def redraw(scope: Scope, plan_id: UUID, data: RedrawIn) -> tuple[DrawnOut, bool]:
    """A new team for one drawn enterprise whose visit is still planned, with a recorded
    reason (step 5 of the algorithm). Sent again with the same id, it is done once."""
    reason = data.reason.strip()
    if not reason:
        raise Invalid("Say why the team is redrawn: the reason is recorded.", "reason", code="redraw_reason_missing")
    async with db.transaction():
        row = await service.drawn_row(scope, plan_id)
        await db.serialise(f"plan {plan_id}")
        done = await PlanRedraw.select().where(PlanRedraw.id == data.id).first()
        if done is not None:
            if (str(done["plan"]), str(done["enterprise"]), done["reason"]) != (str(plan_id), str(data.enterprise_id), reason):
                raise Conflict("This redraw id was used for another redraw; make a new id.", "id", code="id_reused")
            return await _one(plan_id, data.enterprise_id), False
        drawn = await PlanDraw.select(PlanDraw.team, PlanDraw.redraws, PlanDraw.visit,
                                      PlanDraw.visit.status.as_alias("status")).where(
            PlanDraw.plan == plan_id, PlanDraw.enterprise == data.enterprise_id).output(load_json=True).first()
        if drawn is None:
            raise NotFound(f"Enterprise {data.enterprise_id} was not drawn in this plan.", "enterprise_id", code="enterprise_not_drawn", params={"id": data.enterprise_id})
        if drawn["status"] != VisitStatus.planned:
            raise Conflict(f"The visit was already {drawn['status']}: its team stays.", "enterprise_id", code="visit_team_fixed", params={"status": drawn['status']})
        inputs = await _inputs(plan_id)
        entry = next(e for e in inputs.pool if e[0] == str(data.enterprise_id))
        officers = draw.Officers(inputs)
        excluded = sorted(set(drawn["team"]) | await _unavailable(inputs, officers.eligible(entry), data.enterprise_id))
        n = drawn["redraws"] + 1
        team = draw.redraw_team(inputs, officers, row["seed"], entry, n, excluded)
        if len(team) < inputs.plan["team_size"]:
            raise Conflict(f"Only {len(team)} eligible officers are left for this enterprise once the team it replaces "
                           f"and the unavailable are excluded; a team needs {inputs.plan['team_size']}.", "enterprise_id", code="redraw_officers_too_few", params={"left": len(team), "team_size": inputs.plan['team_size']})
        await inspections.reassign(scope, drawn["visit"], [UUID(o) for o in team], reason)
        await PlanDraw.update({PlanDraw.team: team, PlanDraw.redraws: n}).where(
            PlanDraw.plan == plan_id, PlanDraw.enterprise == data.enterprise_id, PlanDraw.redraws == n - 1)
        await PlanRedraw.insert(PlanRedraw(id=data.id, plan=plan_id, enterprise=data.enterprise_id, n=n, reason=reason,
                                           excluded=excluded, previous_team=drawn["team"], team=team, at=clock.now(),
                                           by=scope.user_id))
        await audit.record(scope, "plan.redrawn", "plan", plan_id, {
            "enterprise": str(data.enterprise_id), "n": n, "reason": reason, "excluded": excluded,
            "previous_team": drawn["team"], "team": team}, service.place(row))
    return await _one(plan_id, data.enterprise_id), True


async def _inputs(plan_id: UUID) -> draw.Inputs:
    text = (await Plan.select(Plan.inputs).where(Plan.id == plan_id).first())["inputs"]
    return msgspec.json.decode(text, type=draw.Inputs)


async def _unavailable(inputs: draw.Inputs, eligible: list[str], enterprise_id: UUID) -> set[str]:
    """Officers eligible at the lock who are not now: deactivated, without a certificate,
    moved, or with a conflict declared since."""
    recorded = {o[0]: o[1] for o in inputs.roster}
    now = {str(r["id"]): r for r in await User.select(User.id, User.active, User.role, User.certificate_no,
                                                       User.region_code).where(User.id.is_in(eligible))} if eligible else {}
    conflicted = {str(r["officer"]) for r in await OfficerConflict.select(OfficerConflict.officer).where(
        OfficerConflict.enterprise == enterprise_id)}
    return {o for o in eligible if o in conflicted or not ((r := now.get(o)) and r["active"] and r["role"] in FIELD_TEAM
                                                           and r["certificate_no"].strip() and r["region_code"] == recorded[o])}


async def _one(plan_id: UUID, enterprise_id: UUID) -> DrawnOut:
    return (await service.drawn(plan_id, PlanDraw.enterprise == enterprise_id))[0]


# ---------------------------------------------------------------------------- the record


async def record_of(scope: Scope, plan_id: UUID) -> draw.Record:
    """Everything needed to check the draw without the database: the exported plan file."""
    row = await service.drawn_row(scope, plan_id)
    inputs = await _inputs(plan_id)
    events = await service.events_of(plan_id)
    event = events["plan.locked"]
    result = await service.drawn(plan_id)
    redraws = await PlanRedraw.select().where(PlanRedraw.plan == plan_id).order_by(PlanRedraw.enterprise).order_by(
        PlanRedraw.n).output(load_json=True)
    return draw.Record(
        **msgspec.structs.asdict(inputs), format=draw.FORMAT, algorithm=row["algorithm"],
        lock_event=draw.LockEvent(**{
            **{k: event[k] for k in ("id", "actor_name", "action", "target_type", "target_id", "province_code",
                                     "city_code", "county_code", "digest", "prev_hash", "hash")},
            "at": event["at"].astimezone(timezone.utc).isoformat(), "details": event["text"],
            "actor": _text(event["actor"]), "enterprise": _text(event["enterprise"])}),
        chain_head=event["hash"], seed=row["seed"], result_hash=events["plan.drawn"]["details"]["result_hash"],
        result=[draw.Drawn(enterprise_id=str(d.enterprise_id), stratum=d.stratum, rank_key=d.rank_key,
                           team=[str(u) for u in d.drawn_team], planned_date=d.planned_date, item_id=str(d.item_id))
                for d in result],
        redraws=[draw.Redraw(enterprise_id=str(r["enterprise"]), n=r["n"], reason=r["reason"], excluded=r["excluded"],
                             team=r["team"]) for r in redraws],
        teams={str(d.enterprise_id): [str(u) for u in d.team] for d in result},
        enterprises={str(d.enterprise_id): {"name": d.enterprise_name, "uscc": d.uscc} for d in result})


def _text(value: Any) -> str | None:
    return None if value is None else str(value)

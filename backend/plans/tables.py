"""The tables of random-draw plans: what may be inspected, the plans, each drawn
enterprise with its team and planned visit, redraws, and officers' declared conflicts."""

from enum import Enum

from piccolo.columns import JSON, UUID, BigInt, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.accounts.tables import User
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import Visit
from backend.regions.tables import Region


class PlanStatus(str, Enum):
    draft = "draft"  # may change
    locked = "locked"  # locked and drawn in one act: never changes again


class InspectionItem(Table, tablename="inspection_item"):
    """抽查事项: what a bureau (``region``) may inspect, on which enterprise categories,
    with which checklist template. The region codes repeat the bureau's (scope filters)."""

    id = UUID(primary_key=True)
    region = ForeignKey(references=Region, on_delete=OnDelete.restrict, index=True)
    province_code = Varchar(length=6, index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, null=True, default=None, index=True)
    name = Varchar(length=200)
    legal_basis = Varchar(length=500)
    categories = JSON(default=[])  # enterprise categories it applies to
    checklist_code = Varchar(length=50)  # a checklist template; visits pin its newest version at the lock
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Plan(Table, tablename="inspection_plan"):
    """抽查计划. A draft changes freely; locking records its inputs (``inputs``: the plan,
    pool, roster and recusals as canonical JSON, their hashes in the audit chain), derives
    the seed from the lock event and draws, in one transaction (backend/plans/draw.py)."""

    id = UUID(primary_key=True)
    title = Varchar(length=200)
    year = Integer()
    period = Varchar(length=50)  # e.g. 2026年第四季度
    region = ForeignKey(references=Region, on_delete=OnDelete.restrict, index=True)  # the issuing bureau
    province_code = Varchar(length=6, index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, null=True, default=None, index=True)
    items = JSON(default=[])  # inspection item ids, in order: an enterprise takes the first that fits its category
    pool = JSON(default={})  # {"region", "categories", "risk_grades", "licence"}
    sampling = JSON(default=[])  # [{"stratum": "risk:A" | "credit:D", "ratio" | "count"}]
    window_start = Date()
    window_end = Date()
    team_size = Integer(default=2)
    status = Varchar(length=8, choices=PlanStatus, default=PlanStatus.draft, index=True)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    locked_by = UUID(null=True, default=None)
    locked_at = Timestamptz(null=True, default=None)
    algorithm = Varchar(length=8, default="")
    lock_event = BigInt(null=True, default=None)  # the audit event of the lock: its hash is the chain head
    seed = Varchar(length=64, default="")
    pool_size = Integer(default=0)
    drawn = Integer(default=0)
    inputs = Text(default="")  # canonical JSON: plan, pool, roster, conflicts, previous_teams


class PlanDraw(Table, tablename="plan_draw"):
    """One drawn enterprise of a plan: its stratum, rank key, team (as drawn, and as it
    stands after redraws) and its planned visit. Unique (plan, enterprise)."""

    plan = ForeignKey(references=Plan, on_delete=OnDelete.restrict)  # indexed by the unique (plan, enterprise)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    position = Integer()  # draw order: strata by name, then rank key
    stratum = Varchar(length=10)
    rank_key = Varchar(length=64)
    item = UUID()
    visit = ForeignKey(references=Visit, on_delete=OnDelete.restrict, unique=True)  # its planned visit
    planned_date = Date()
    drawn_team = JSON(default=[])
    team = JSON(default=[])
    redraws = Integer(default=0)


class PlanRedraw(Table, tablename="plan_redraw"):
    """A new team drawn for one enterprise of a locked plan, with its reason; ``id`` is
    the client's (sent twice, done once). Unique (plan, enterprise, n)."""

    id = UUID(primary_key=True)
    plan = ForeignKey(references=Plan, on_delete=OnDelete.restrict, index=True)
    enterprise = UUID()
    n = Integer()  # 1 for the enterprise's first redraw
    reason = Text()
    excluded = JSON(default=[])  # the replaced team and officers no longer eligible
    previous_team = JSON(default=[])
    team = JSON(default=[])
    at = Timestamptz()
    by = UUID(null=True, default=None)


class OfficerConflict(Table, tablename="officer_conflict"):
    """A declared conflict of interest: the officer never goes to the enterprise in a
    draw. Unique (officer, enterprise); the region codes are the enterprise's."""

    id = UUID(primary_key=True)
    officer = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    province_code = Varchar(length=6, index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, default="", index=True)
    reason = Varchar(length=500)
    declared_by = UUID(null=True, default=None)
    declared_at = Timestamptz(default=TimestamptzNow())

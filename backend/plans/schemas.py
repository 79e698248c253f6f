"""Request and response bodies of inspection items, plans, draws, redraws and conflicts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from backend.enterprises.tables import Category, RiskGrade
from backend.fields import SIX_DIGITS, Strict, text
from backend.inspections.tables import VisitStatus
from backend.plans.tables import PlanStatus

RegionCode = Annotated[str, Meta(pattern=SIX_DIGITS, description="6-digit GB/T 2260 region code")]
Categories = Annotated[list[Category], Meta(min_length=1, max_length=4)]
ItemName = text(200, 1)
LegalBasis = text(500, 1)
ChecklistCode = text(50, 1, "A checklist template's code; visits pin its newest version at the lock")
Stratum = Annotated[str, Meta(pattern=r"^(risk|credit):[A-D]$",
                              description="risk:A-D (enterprises without a credit class, by risk grade) or credit:A-D")]
Ratio = Annotated[float, Meta(ge=0, le=100, description="Per cent of the stratum drawn (rounded up)")]
Count = Annotated[int, Meta(ge=0, le=1_000_000, description="How many of the stratum are drawn (all, if fewer)")]
Title = text(200, 1)
Period = text(50, 1, "e.g. 2026年第四季度")
Year = Annotated[int, Meta(ge=2000, le=2100)]
ItemIds = Annotated[list[UUID], Meta(min_length=1, max_length=50,
                                     description="Inspection items in order: an enterprise takes the first that fits")]
TeamSize = Annotated[int, Meta(ge=2, le=10, description="Officers per visit (the law asks for two or more)")]
Reason = text(500, 1)


# ---------------------------------------------------------------------------- items


class ItemIn(Strict, kw_only=True):
    region_code: Annotated[RegionCode, Meta(description="The bureau whose item it is")]
    name: ItemName
    legal_basis: LegalBasis
    categories: Categories
    checklist_code: ChecklistCode


class ItemPatch(Strict, kw_only=True):
    name: ItemName | UnsetType = UNSET
    legal_basis: LegalBasis | UnsetType = UNSET
    categories: Categories | UnsetType = UNSET
    checklist_code: ChecklistCode | UnsetType = UNSET


class ItemOut(msgspec.Struct, kw_only=True):
    id: UUID
    region_code: str
    name: str
    legal_basis: str
    categories: list[Category]
    checklist_code: str
    created_at: datetime
    updated_at: datetime


# ---------------------------------------------------------------------------- plans


class PoolIn(Strict, kw_only=True, omit_defaults=True):
    """Which enterprises of the registry may be drawn."""

    region: Annotated[RegionCode | None, Meta(description="A region under the bureau; default: the bureau's")] = None
    categories: Annotated[list[Category], Meta(max_length=4, description="Default: those the plan's items cover")] = []
    risk_grades: Annotated[list[RiskGrade], Meta(max_length=4, description="Default: every grade")] = []
    licence: Annotated[Literal["valid", "missing", "expiring"] | None,
                       Meta(description="valid: holds a licence valid today; missing: none; expiring: one ending "
                                        "within 30 days")] = None


class SamplingRule(Strict, kw_only=True, omit_defaults=True):
    """How many of one stratum are drawn: a ratio or a count, not both."""

    stratum: Stratum
    ratio: Ratio | None = None
    count: Count | None = None


Sampling = Annotated[list[SamplingRule], Meta(min_length=1, max_length=8)]


class PlanIn(Strict, kw_only=True):
    title: Title
    year: Year
    period: Period
    bureau_code: Annotated[RegionCode, Meta(description="The issuing bureau: a region of your jurisdiction")]
    item_ids: ItemIds
    pool: PoolIn = msgspec.field(default_factory=PoolIn)
    sampling: Sampling
    window_start: Annotated[date, Meta(description="First day visits may happen: today or later")]
    window_end: date
    team_size: TeamSize = 2


class PlanPatch(Strict, kw_only=True):
    title: Title | UnsetType = UNSET
    year: Year | UnsetType = UNSET
    period: Period | UnsetType = UNSET
    bureau_code: RegionCode | UnsetType = UNSET
    item_ids: ItemIds | UnsetType = UNSET
    pool: PoolIn | UnsetType = UNSET
    sampling: Sampling | UnsetType = UNSET
    window_start: date | UnsetType = UNSET
    window_end: date | UnsetType = UNSET
    team_size: TeamSize | UnsetType = UNSET


class PlanOut(msgspec.Struct, kw_only=True):
    id: UUID
    title: str
    year: int
    period: str
    bureau_code: str
    bureau_name: str
    item_ids: list[UUID]
    pool: PoolIn
    sampling: list[SamplingRule]
    window_start: date
    window_end: date
    team_size: int
    status: PlanStatus
    created_at: datetime
    updated_at: datetime
    locked_at: datetime | None
    pool_size: int  # at the lock
    drawn: int


# ---------------------------------------------------------------------------- the draw


class DrawInputs(msgspec.Struct, kw_only=True):
    plan_hash: str
    pool_hash: str
    pool_size: int
    roster_hash: str
    roster_size: int
    recusal_hash: str
    chain_head: str  # the hash of the lock's audit event
    lock_event_id: int


class StratumOut(msgspec.Struct, kw_only=True):
    stratum: str
    pool: int
    drawn: int
    ratio: float | None = None
    count: int | None = None


class OfficerOut(msgspec.Struct, kw_only=True):
    id: UUID
    display_name: str
    certificate_no: str


class DrawnOut(msgspec.Struct, kw_only=True):
    position: int  # draw order, from 0
    enterprise_id: UUID
    enterprise_name: str
    uscc: str
    stratum: str
    rank_key: str
    item_id: UUID
    visit_id: UUID
    planned_date: date
    team: list[UUID]  # as it stands
    drawn_team: list[UUID]  # as drawn
    redraws: int


class DrawOut(msgspec.Struct, kw_only=True):
    plan_id: UUID
    algorithm: str
    locked_at: datetime
    inputs: DrawInputs
    seed: str
    result_hash: str
    strata: list[StratumOut]
    result: list[DrawnOut]
    officers: list[OfficerOut]  # everyone on a team, with names and certificate numbers


class RedrawIn(Strict, kw_only=True):
    id: Annotated[UUID, Meta(description="The client's id of this redraw: sent twice, done once")]
    enterprise_id: UUID
    reason: Reason


class ProgressItem(msgspec.Struct, kw_only=True):
    enterprise_id: UUID
    enterprise_name: str
    visit_id: UUID
    planned_date: date
    team: list[UUID]
    status: VisitStatus
    state: Literal["done", "due", "overdue", "returned"]


class ProgressOut(msgspec.Struct, kw_only=True):
    plan_id: UUID
    drawn: int
    done: int  # submitted or accepted
    due: int  # planned for today or later
    overdue: int  # planned for a day gone by and not yet filed
    returned: int  # filed and returned by the reviewer
    items: list[ProgressItem]


# ---------------------------------------------------------------------------- conflicts


class ConflictIn(Strict, kw_only=True):
    officer_id: UUID
    enterprise_id: UUID
    reason: Reason


class ConflictOut(msgspec.Struct, kw_only=True):
    id: UUID
    officer_id: UUID
    officer_name: str
    enterprise_id: UUID
    enterprise_name: str
    reason: str
    declared_at: datetime
    declared_by: UUID | None

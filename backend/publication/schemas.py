"""Request and response bodies of publication: results due and published, the public
feed, and working-day adjustments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from msgspec import Meta

from backend.fields import SIX_DIGITS, Strict, text


class PublishIn(Strict):
    visit_ids: Annotated[list[UUID], Meta(min_length=1, max_length=500,
                                          description="Accepted random-draw visits whose results to publish")]


class PublishDueIn(Strict):
    region: Annotated[str, Meta(pattern=SIX_DIGITS, description="Only this region (default: your jurisdiction)")] | None = None


class PublishedCount(msgspec.Struct):
    published: int  # results this request published (corrections included)
    late: int  # of them, published after their due date
    corrected: int = 0  # of them, corrections of a result published before (an amendment's)


class ResultFacts(msgspec.Struct, kw_only=True):
    """What the public sees of a result."""

    plan_title: str
    plan_year: int
    plan_period: str
    enterprise_name: str
    uscc: str
    visit_date: date
    result: str  # pass | pass_with_rectification | fail
    result_label: str  # 符合 | 基本符合（限期整改） | 不符合
    bureau: str  # 惠民县市场监督管理局


class PublicResult(ResultFacts, kw_only=True):
    published_on: date
    corrected_on: date | None = None  # when an amendment's result replaced the one first published


class PublicPage(msgspec.Struct):
    items: list[PublicResult]
    next_cursor: str | None


class PublishedOut(ResultFacts, kw_only=True):
    id: int
    visit_id: UUID  # the drawn visit
    result_visit_id: UUID  # the visit whose result is shown: the drawn visit, or an amendment of it
    plan_id: UUID
    enterprise_id: UUID
    accepted_on: date  # of result_visit
    due_on: date
    published_at: datetime
    published_on: date
    corrected_at: datetime | None  # the last correction (an amendment accepted after publication)
    corrected_on: date | None
    late: bool  # published (or last corrected) after its due date
    withdraw_on: date
    withdrawn: bool  # no longer shown to the public


class PublishedPage(msgspec.Struct):
    items: list[PublishedOut]
    next_cursor: str | None


class DueOut(ResultFacts, kw_only=True):
    visit_id: UUID  # the drawn visit: what publishing names
    result_visit_id: UUID  # the newest accepted visit of its chain (the drawn visit, or an amendment of it)
    plan_id: UUID
    enterprise_id: UUID
    correction: bool  # published already: publishing it again corrects what the public sees
    published_result_label: str  # what the public sees now ("" before the first publication)
    accepted_on: date  # of result_visit
    due_on: date  # the 20th working day after acceptance
    late: bool  # due_on has passed
    calendar_incomplete: bool  # a year up to due_on has no holiday calendar yet: due_on may move


class DuePage(msgspec.Struct, kw_only=True):
    items: list[DueOut]
    next_cursor: str | None
    total: int  # results awaiting publication or correction (with the filters, but ``late``)
    late: int  # of them, past their due date
    incomplete_years: list[int]  # years of the listed due dates whose holidays nobody has entered


class AdjustmentIn(Strict):
    working: bool  # True: a working day (调休上班); False: a rest day (a holiday)
    note: text(200, description="e.g. 元旦 or 春节调休") = ""


class AdjustmentOut(msgspec.Struct):
    day: date
    working: bool
    note: str

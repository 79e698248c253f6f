from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from backend.fields import AwareDatetime, Strict, text
from backend.inspections.tables import Conclusion, VisitStatus, VisitType

ItemKey = Annotated[str, Meta(pattern=r"^[A-Z][0-9]{1,3}$", description="An item's key in the pinned checklist")]
LongText = text(2000)
ShortText = text(100)


class ChecklistOut(msgspec.Struct, kw_only=True):
    id: UUID
    code: str
    title: str
    title_en: str
    version: int
    content_hash: str
    sections: list[dict[str, Any]]
    rules: dict[str, Any] | None = None  # ChecklistRules, when the version has any


ItemClass = Literal["key", "general"]  # 重点项, 一般项


class ChecklistItemIn(Strict, kw_only=True, omit_defaults=True):
    """An item of a new checklist version; the standard templates pass the same checks."""

    key: ItemKey
    text: text(300, 1)
    kind: Literal["pass_fail", "number", "text", "choice"]
    severity: Literal["critical", "major", "minor"]  # how serious a failure is: its finding's severity
    legal_basis: text(200, 1)
    photo_required_on_fail: bool
    # key (重点项) or general (一般项); without it, as in versions published before classes
    # existed, checklists.item_class reads a critical item as key
    item_class: ItemClass | None = msgspec.field(default=None, name="class")
    unit: text(20) | None = None  # number only
    min: int | float | None = None  # number only
    max: int | float | None = None  # number only
    choices: Annotated[list[text(100, 1)], Meta(max_length=30)] | None = None  # choice only: two or more


class ChecklistSectionIn(Strict, kw_only=True):
    title: text(100, 1)
    items: Annotated[list[ChecklistItemIn], Meta(min_length=1, max_length=200)]


class RuleCondition(Strict, kw_only=True, omit_defaults=True):
    """Holds when at least ``at_least`` answers have ``result`` among items of ``class``
    (of any class when absent)."""

    result: Literal["pass", "fail", "na"]
    item_class: ItemClass | None = msgspec.field(default=None, name="class")
    at_least: Annotated[int, Meta(ge=1, le=500)] = 1


class ConclusionLine(Strict, kw_only=True, omit_defaults=True):
    """A line of a conclusion rule: the first line whose condition holds gives the
    conclusion; the last line has no condition and applies when none above does."""

    when: RuleCondition | None = None
    then: Conclusion


class CoverageRule(Strict, kw_only=True, omit_defaults=True):
    """How many key items, and items in all, each visit examines (合理缺项 does not count)."""

    key_items: Annotated[int, Meta(ge=0, le=1000)] = 0
    items: Annotated[int, Meta(ge=0, le=1000)] = 0
    visit_types: Annotated[list[VisitType], Meta(min_length=1)] | None = None  # the visits it binds; all when absent


class ChecklistRules(Strict, kw_only=True, omit_defaults=True):
    """A version's rules, as data: checklists.assess applies them (and pwa/src/rules.js,
    its mirror, on the phone). A version without rules leaves the conclusion to the team."""

    coverage: CoverageRule | None = None
    na_needs_reason: bool = False  # 合理缺项 (result na) says why, in the answer's note
    conclusion: Annotated[list[ConclusionLine], Meta(min_length=1, max_length=20)] | None = None


class ChecklistVersionIn(Strict, kw_only=True, omit_defaults=True):
    sections: Annotated[list[ChecklistSectionIn], Meta(min_length=1, max_length=50)]
    rules: ChecklistRules | None = None


class VisitPlan(Strict, kw_only=True):
    id: UUID  # made by the phone or the planner; also the idempotency key
    enterprise_id: UUID
    checklist_id: UUID  # a published checklist version
    visit_type: VisitType
    planned_date: date
    team: Annotated[list[UUID], Meta(max_length=10)]
    amends: UUID | None = None  # the submitted visit this one corrects


class AnswerIn(Strict, kw_only=True):
    item: ItemKey
    result: Literal["pass", "fail", "na"] | None = None
    number: float | None = None
    text: LongText | None = None
    choice: ShortText | None = None
    note: LongText = ""
    media: Annotated[list[UUID], Meta(max_length=20)] = []


class FindingIn(Strict, kw_only=True):
    id: UUID
    item: ItemKey
    description: LongText = ""
    deadline: date | None = None  # the rectification order's deadline


class SignatureIn(Strict, kw_only=True):
    signer: Literal["inspector", "enterprise"]
    user_id: UUID | None = None  # for an inspector of the team
    name: text(50, 1)
    media_id: UUID | None = None  # the drawn signature, uploaded as media (category signature)
    refused: bool = False  # the enterprise's representative refused to sign…
    witness_note: text(500) = ""  # …witnessed by


class VerificationIn(Strict, kw_only=True):
    """A follow-up's verdict on an earlier open finding of the enterprise: rectified
    (closed), or carried on, saying why, to a new deadline."""

    finding_id: UUID
    outcome: Literal["closed", "carried_on"]
    reason: text(500) = ""  # why it is carried on (required then); a closure's note
    deadline: date | None = None  # carried on: the new rectification deadline (required then)
    media_id: UUID | None = None  # a photo of what the team saw (uploaded to the dossier first)


class Submission(Strict, kw_only=True):
    """A whole visit, as a phone sends it after working offline."""

    visit: VisitPlan
    started_at: AwareDatetime
    start_latitude: Annotated[float, Meta(ge=-90, le=90)] | None = None
    start_longitude: Annotated[float, Meta(ge=-180, le=180)] | None = None
    answers: Annotated[list[AnswerIn], Meta(max_length=500)]
    findings: Annotated[list[FindingIn], Meta(max_length=200)] = []
    signatures: Annotated[list[SignatureIn], Meta(max_length=12)]
    conclusion: Conclusion
    # a follow-up's verdicts on the enterprise's earlier open findings, applied with the filing
    verifications: Annotated[list[VerificationIn], Meta(max_length=200)] = []


class FindingOut(msgspec.Struct, kw_only=True):
    id: UUID
    item_key: str
    severity: str
    legal_basis: str
    description: str
    deadline: date | None
    status: str
    closed_at: datetime | None = None
    closed_via: str | None = None
    closure_note: str = ""
    follow_up_note: str = ""  # why a follow-up carried it on


class RectificationOut(FindingOut, kw_only=True):
    """A finding with its rectification order as the dossier shows it."""

    visit_id: UUID
    enterprise_id: UUID
    overdue: bool
    evidence: list[UUID]


class AwaitingOut(RectificationOut, kw_only=True):
    """A finding whose enterprise's rectification evidence waits for the team's decision (待处理)."""

    enterprise_name: str
    pending_evidence: list[UUID]  # the uploads still undecided, oldest first


class FindingDecision(Strict, kw_only=True):
    """Close a finding (on evidence or after a follow-up visit), or reject the evidence."""

    decision: Literal["close", "reject"]
    via: Literal["evidence", "follow_up"] = "evidence"
    evidence_id: UUID | None = None  # the rectification upload decided on
    note: LongText = ""


class MemberOut(msgspec.Struct, kw_only=True):
    """An officer of a visit's team, as its record prints them."""

    id: UUID
    display_name: str
    certificate_no: str  # 执法证号


class VisitOut(msgspec.Struct, kw_only=True):
    id: UUID
    enterprise_id: UUID
    checklist_id: UUID
    visit_type: VisitType
    planned_date: date
    team: list[UUID]
    status: VisitStatus
    amends: UUID | None
    started_at: datetime | None
    conclusion: Conclusion | None
    answers: list[dict[str, Any]]
    signatures: list[dict[str, Any]]
    content_hash: str | None
    submitted_at: datetime | None
    review_reason: str
    reviewed_at: datetime | None
    findings: list[FindingOut] = []
    verifications: list[dict[str, Any]] = []  # a follow-up's verdicts on earlier findings
    amended_by: list[UUID] = []  # later visits that correct this one, oldest first
    members: list[MemberOut] = []  # the team, in its order, with names and certificate numbers


class VisitSummary(msgspec.Struct, kw_only=True):
    """A visit as lists show it: an inspector's day, a review queue, a dossier's timeline."""

    id: UUID
    enterprise_id: UUID
    enterprise_name: str
    county_code: str
    checklist_id: UUID
    visit_type: VisitType
    planned_date: date
    team: list[UUID]
    status: VisitStatus
    amends: UUID | None
    started_at: datetime | None
    conclusion: Conclusion | None
    submitted_at: datetime | None
    review_reason: str


class VisitPage(msgspec.Struct, kw_only=True):
    items: list[VisitSummary]
    next_cursor: str | None


class VisitReviewIn(Strict, kw_only=True):
    decision: Literal["accept", "return"]
    reason: text(500) = ""

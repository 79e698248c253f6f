from enum import Enum

from piccolo.columns import JSON, UUID, Date, DoublePrecision, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.enterprises.tables import Enterprise


class VisitType(str, Enum):
    routine = "routine"  # 日常检查
    licence_verification = "licence_verification"  # 许可现场核查
    follow_up = "follow_up"  # 回访/复查
    complaint = "complaint"  # 投诉举报
    special_campaign = "special_campaign"  # 专项整治


class VisitStatus(str, Enum):
    planned = "planned"
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


class Conclusion(str, Enum):
    passed = "pass"
    pass_with_rectification = "pass_with_rectification"
    fail = "fail"


class ChecklistTemplate(Table, tablename="checklist_template"):
    id = UUID(primary_key=True)
    code = Varchar(length=50, unique=True)
    title = Varchar(length=100)
    title_en = Varchar(length=100, default="")


class ChecklistVersion(Table, tablename="checklist_version"):
    """A published version never changes; a visit pins the version it answers."""

    id = UUID(primary_key=True)
    template = ForeignKey(references=ChecklistTemplate, on_delete=OnDelete.restrict, index=True)
    version = Integer()
    content = JSON()  # {"sections": [{"title", "items": [{"key", "text", "kind", …}]}]}
    content_hash = Varchar(length=64)
    published_at = Timestamptz(default=TimestamptzNow())


class Visit(Table):
    """One inspection at one enterprise by a team. Its id is the phone's UUID. The region
    codes are the enterprise's at the time of the visit, so coverage of a region filters
    this table alone."""

    id = UUID(primary_key=True)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    province_code = Varchar(length=6, default="", index=True)
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, default="", index=True)
    checklist = ForeignKey(references=ChecklistVersion, on_delete=OnDelete.restrict)
    visit_type = Varchar(length=24, choices=VisitType)
    planned_date = Date(index=True)
    team = JSON(default=[])  # user ids of the inspectors
    status = Varchar(length=12, choices=VisitStatus, default=VisitStatus.planned, index=True)
    amends = UUID(null=True, default=None, index=True)  # the submitted visit this one corrects
    started_at = Timestamptz(null=True, default=None)
    start_latitude = DoublePrecision(null=True, default=None)
    start_longitude = DoublePrecision(null=True, default=None)
    answers = JSON(default=[])
    signatures = JSON(default=[])
    verifications = JSON(default=[])  # a follow-up's verdicts on earlier open findings (VerificationIn)
    conclusion = Varchar(length=24, null=True, default=None, choices=Conclusion)
    content_hash = Varchar(length=64, null=True, default=None)
    created_by = UUID(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None, index=True)
    submitted_by = UUID(null=True, default=None)
    review_reason = Text(default="")
    reviewed_by = UUID(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)


class Finding(Table):
    """A failed item, with its severity, legal basis and rectification deadline."""

    id = UUID(primary_key=True)
    visit = ForeignKey(references=Visit, on_delete=OnDelete.restrict, index=True)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    province_code = Varchar(length=6, default="", index=True)  # the visit's, as on Visit
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, default="", index=True)
    # when its visit was submitted (empty only on findings filed before this column existed)
    found_at = Timestamptz(null=True, default=None, index=True)
    item_key = Varchar(length=20)
    severity = Varchar(length=10)
    legal_basis = Varchar(length=200, default="")
    description = Text(default="")
    deadline = Date(null=True, default=None)
    status = Varchar(length=10, default="open", index=True)  # open | closed
    closed_at = Timestamptz(null=True, default=None, index=True)
    days_to_close = DoublePrecision(null=True, default=None)  # closed_at - found_at, for medians in SQL
    closed_by = UUID(null=True, default=None)
    closed_via = Varchar(length=12, null=True, default=None)  # evidence | follow_up
    closure_note = Text(default="")
    follow_up_note = Text(default="")  # why a follow-up carried it on (with a new deadline)


class VisitMember(Table, tablename="visit_member"):
    """One inspector of one filed visit: counts visits per inspector with a GROUP BY.
    ``started_at`` repeats the visit's, so periods filter without a join."""

    visit = ForeignKey(references=Visit, on_delete=OnDelete.cascade, index=True)
    user = UUID(index=True)
    started_at = Timestamptz(index=True)
    province_code = Varchar(length=6, default="", index=True)  # the visit's, as on Visit
    city_code = Varchar(length=6, null=True, default=None, index=True)
    county_code = Varchar(length=6, default="", index=True)

from enum import Enum

from piccolo.columns import (
    JSON,
    UUID,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from backend.regions.tables import Region


class Category(str, Enum):
    """Industry category: which licensing and inspection regime applies."""

    food_production = "food_production"  # 食品生产
    food_related_products = "food_related_products"  # 食品相关产品
    special_equipment = "special_equipment"  # 特种设备
    industrial_products = "industrial_products"  # 工业产品


class RiskGrade(str, Enum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class CreditClass(str, Enum):
    """信用风险分类: A the least risky; an enterprise may have none yet."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class LicenceStatus(str, Enum):
    valid = "valid"  # 有效
    suspended = "suspended"  # 暂停
    revoked = "revoked"  # 吊销
    cancelled = "cancelled"  # 注销


class ControlPointKind(str, Enum):
    raw_material_intake = "raw_material_intake"  # 原料进货查验
    storage = "storage"  # 贮存
    processing = "processing"  # 生产加工
    sterilisation = "sterilisation"  # 杀菌
    packing = "packing"  # 包装
    factory_exit_inspection = "factory_exit_inspection"  # 出厂检验
    other = "other"  # 其他


class Enterprise(Table):
    """The dossier's root. ``province_code``/``city_code`` repeat the county's ancestors
    (see Region) so that region-subtree filters are one indexed equality.

    Every registry sort walks an index: (name, id, uscc, address), uscc, (risk_grade, id),
    (created_at, id), and each again after county_code and after city_code, so that a
    county's or city's page is an index walk too; text search has trigram indexes (FTS5
    on SQLite). All are raw SQL in migrations/enterprises (Piccolo declares
    single-column indexes only)."""

    id = UUID(primary_key=True)
    name = Varchar(length=200)  # indexed with uscc and address, see the migration
    uscc = Varchar(length=18, unique=True)
    address = Varchar(length=300)
    county_code = ForeignKey(references=Region, null=False, on_delete=OnDelete.restrict)
    city_code = Varchar(length=6, null=True, default=None)
    province_code = Varchar(length=6, index=True)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    category = Varchar(length=32, choices=Category, index=True)
    risk_grade = Varchar(length=1, choices=RiskGrade)
    credit_class = Varchar(length=1, null=True, default=None, choices=CreditClass, index=True)
    contacts = JSON(default=[])
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # The risk-based schedule (backend/inspections/schedule.py keeps these current).
    last_visited_on = Date(null=True, default=None)
    # Coverage facts (backend/coverage/rollups.py): the last day a finding was recorded
    # here and the last follow-up visit, so "enterprises with …" counts are indexed.
    last_finding_on = Date(null=True, default=None)
    last_follow_up_on = Date(null=True, default=None)
    # Notice coverage of a region is the sum of these: how many control points the
    # enterprise has, how many carry a current warning notice (kept by the services that
    # add points and post or remove notices; recounted by backend.notices.service.recount).
    control_points = Integer(default=0)
    current_notices = Integer(default=0)
    next_due_on = Date(null=True, default=None, index=True)


class Licence(Table):
    """A production licence (食品生产许可证, 工业产品生产许可证, 特种设备生产许可证…).
    Indexed by (enterprise, status, valid_to, valid_from) and by (valid_to, status,
    valid_from, enterprise): see migrations/enterprises."""

    id = UUID(primary_key=True)
    enterprise = ForeignKey(references=Enterprise)
    number = Varchar(length=64)
    scope = Text()
    valid_from = Date()
    valid_to = Date()
    status = Varchar(length=16, choices=LicenceStatus)


class ControlPoint(Table, tablename="control_point"):
    """A named place or step in the plant where a warning notice may be posted."""

    id = UUID(primary_key=True)
    enterprise = ForeignKey(references=Enterprise, index=True)
    name = Varchar(length=100)
    kind = Varchar(length=32, choices=ControlPointKind)
    location = Varchar(length=200, default="")
    position = Integer(default=0)

"""``dossier demo``: a realistic, deterministic data set after ../shared/DOMAIN.md.

Shandong's real cities and counties; enterprises of the four industry categories with
valid USCCs, licences (some expiring soon, some lapsed) and control points; and Huimin
County (惠民县), where, as in the source documents, 280 rope-net makers work and only 39
hold a production licence. About two in five control points carry a current warning
notice (posted within the last year; one of them replaced an older notice). The same seed
and the same day give the same data.
``--enterprises N`` scales to a million through the drivers' bulk paths.

With the enterprises comes their history (``History``): each enterprise's last visit,
filed by its county's inspectors on the pinned standard checklist and signed; in Huimin
also earlier visits whose findings were rectified, open findings (some overdue), a
returned visit, visits awaiting review, photos of premises, licences and evidence, the
photo of each current notice in place (posted on the enterprise's last visit), and visits
planned for the coming days. It is written as the service would have written it,
and the schedule and coverage rollups are then rebuilt from it.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator, Sequence

import msgspec
from PIL import Image, ImageDraw

from backend import db
from backend.accounts import service as accounts
from backend.accounts.schemas import InvitationIn
from backend.accounts.scope import SYSTEM
from backend.accounts.tables import Role, User
from backend.clock import BUREAU_TIME, bureau_today
from backend.coverage import rollups
from backend.enterprises import schedule, uscc
from backend.enterprises.tables import Category, ControlPoint, ControlPointKind, Enterprise, Licence
from backend.inspections import service as inspections
from backend.inspections.schemas import AnswerIn, SignatureIn, VisitPlan
from backend.inspections.tables import ChecklistVersion, Finding, Visit, VisitMember, VisitStatus
from backend.media import images
from backend.media.service import bands
from backend.media.store import LocalMediaStore, MediaStore
from backend.media.tables import Blob, MediaItem, ReviewStatus
from backend.notices import service as notice_service
from backend.notices.service import CODE_ALPHABET, CODE_LENGTH
from backend.notices.tables import Notice, NoticeStatus, NoticeTemplate
from backend.regions import service as regions
from backend.regions.schemas import RegionOut
from backend.regions.shandong import CITIES, PROVINCE
from backend.regions.tables import RegionLevel
from backend.settings import DEFAULT_VISIT_INTERVALS, get_settings

DEFAULT_ENTERPRISES = 600
ROPE_NET_COUNTY = "371621"  # 惠民县
ROPE_NET_MAKERS = 280
ROPE_NET_LICENSED = 39
CHUNK = 20_000

# Approximate centres of the prefecture-level cities (latitude, longitude).
CITY_CENTRES = {
    "3701": (36.65, 117.12), "3702": (36.07, 120.38), "3703": (36.81, 118.05), "3704": (34.81, 117.32),
    "3705": (37.43, 118.67), "3706": (37.46, 121.45), "3707": (36.71, 119.16), "3708": (35.41, 116.59),
    "3709": (36.20, 117.09), "3710": (37.51, 122.12), "3711": (35.42, 119.53), "3713": (35.10, 118.36),
    "3714": (37.43, 116.36), "3715": (36.46, 115.99), "3716": (37.38, 117.97), "3717": (35.23, 115.48),
}
HUIMIN_CENTRE = (37.49, 117.51)

BRAND = "鲁鑫华泰丰源恒盛兴隆福康嘉宏瑞金海天信德聚润昌顺安"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅志"
ROADS = ("建设路", "人民路", "工业路", "新华路", "黄河路", "泰山路", "府前街", "解放路", "开发区大道", "振兴街")
PARKS = ("工业园", "经济开发区", "高新技术产业园", "食品产业园", "")


@dataclass(frozen=True)
class Trade:
    category: Category
    products: tuple[str, ...]
    licence_share: float
    licence_prefix: str
    licence_years: int
    points: tuple[tuple[str, ControlPointKind, str], ...]


TRADES = (
    Trade(
        Category.food_production,
        ("食品", "面粉", "粮油", "肉制品", "乳业", "饮品", "酿造", "调味品", "糕点", "速冻食品", "花生制品", "海产品"),
        0.92, "SC", 5,
        (
            ("原料进货查验", ControlPointKind.raw_material_intake, "原料库"),
            ("原料贮存", ControlPointKind.storage, "原料库冷藏间"),
            ("配料投料", ControlPointKind.processing, "生产车间一楼"),
            ("杀菌", ControlPointKind.sterilisation, "杀菌工段"),
            ("内包装", ControlPointKind.packing, "洁净包装间"),
            ("出厂检验", ControlPointKind.factory_exit_inspection, "化验室"),
        ),
    ),
    Trade(
        Category.food_related_products,
        ("塑料包装", "纸制品", "餐具", "包装制品", "食品用洗涤剂"),
        0.75, "QS", 5,
        (
            ("原料进货查验", ControlPointKind.raw_material_intake, "原料仓库"),
            ("成型加工", ControlPointKind.processing, "注塑车间"),
            ("包装", ControlPointKind.packing, "成品库"),
            ("出厂检验", ControlPointKind.factory_exit_inspection, "检验室"),
        ),
    ),
    Trade(
        Category.industrial_products,
        ("电线电缆", "化肥", "水泥", "建材", "安全帽", "轮胎", "钢管", "危险化学品"),
        0.7, "XK", 5,
        (
            ("原材料进厂检验", ControlPointKind.raw_material_intake, "原料堆场"),
            ("生产工序", ControlPointKind.processing, "生产车间"),
            ("出厂检验", ControlPointKind.factory_exit_inspection, "质检室"),
        ),
    ),
    Trade(
        Category.special_equipment,
        ("锅炉", "压力容器", "起重机械", "电梯", "气瓶", "叉车"),
        0.85, "TS", 4,
        (
            ("材料验收", ControlPointKind.raw_material_intake, "材料库"),
            ("焊接", ControlPointKind.processing, "焊接工位"),
            ("耐压试验", ControlPointKind.factory_exit_inspection, "试验站"),
        ),
    ),
)
TRADE_WEIGHTS = (45, 15, 25, 15)
ROPE_NETS = Trade(
    Category.industrial_products,
    ("绳网", "安全网", "渔网", "化纤绳缆"),
    0.0, "XK", 5,
    (
        ("原料进厂检验", ControlPointKind.raw_material_intake, "原料仓库"),
        ("编织", ControlPointKind.processing, "编织车间"),
        ("出厂检验", ControlPointKind.factory_exit_inspection, "检验室"),
    ),
)
GRADES, GRADE_WEIGHTS = ("A", "B", "C", "D"), (25, 45, 22, 8)

ENTERPRISE_COLUMNS = (
    "id", "name", "uscc", "address", "county_code", "city_code", "province_code", "latitude", "longitude",
    "category", "risk_grade", "contacts", "created_at", "updated_at", "last_visited_on", "next_due_on",
)
LICENCE_COLUMNS = ("id", "enterprise", "number", "scope", "valid_from", "valid_to", "status")
POINT_COLUMNS = ("id", "enterprise", "name", "kind", "location", "position")
NOTICE_COLUMNS = ("id", "code", "enterprise", "control_point", "template", "status", "posted_at", "ended_at",
                  "replaced_by", "removed_reason")
NOTICE_SHARE = 0.4  # of control points with a current notice


# One person of each role, for `make run` to print enrolment links.
DEMO_PEOPLE = (
    ("admin", "省局系统管理员", "370000"),
    ("supervisor", "滨州市局质监科长", "371600"),
    ("reviewer", "惠民县局内勤审核员", "371621"),
    ("inspector", "惠民县局检查员张伟", "371621"),
)


async def invitations(public_url: str, today: date) -> list[tuple[str, str, str]]:
    """Invitation links for the demo people, and for a Huimin rope-net maker."""
    people = [InvitationIn(role=Role(role), display_name=name, region_code=region) for role, name, region in DEMO_PEOPLE]
    maker = await Enterprise.select(Enterprise.id, Enterprise.name).where(
        Enterprise.county_code == ROPE_NET_COUNTY
    ).order_by(Enterprise.name).first()
    if maker is not None:
        people.append(InvitationIn(role=Role.enterprise, display_name=f"{maker['name']}联系人", enterprise_id=maker["id"]))
    links = []
    for data in people:
        invitation = await accounts.invite(SYSTEM, data, public_url, today)
        links.append((data.role.value, data.display_name, invitation.link))
    return links


def region_rows() -> list[RegionOut]:
    province, _, _ = PROVINCE
    rows = [RegionOut(code=province, name=PROVINCE[1], name_en=PROVINCE[2], level=RegionLevel.province,
                      province_code=province, city_code=None, county_code=None)]
    for code, name, name_en, counties in CITIES:
        rows.append(RegionOut(code=code, name=name, name_en=name_en, level=RegionLevel.city,
                              province_code=province, city_code=code, county_code=None))
        rows.extend(
            RegionOut(code=c, name=n, name_en=e, level=RegionLevel.county,
                      province_code=province, city_code=code, county_code=c)
            for c, n, e in counties
        )
    return rows


class Generator:
    """Deterministic rows for ``count`` enterprises, in chunks of plain tuples."""

    def __init__(self, count: int, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.count = count
        self.today = today
        self.rope_nets = min(ROPE_NET_MAKERS, count // 2)
        self.rope_licensed = set(self.rng.sample(range(self.rope_nets), min(ROPE_NET_LICENSED, self.rope_nets)))
        self.counties = [(c, n, city) for city, cn, _, cs in CITIES for c, n, _ in cs]
        self.city_names = {city: cn for city, cn, _, _ in CITIES}
        self.county_names = {c: n for c, n, _ in self.counties}
        self._salt = self.rng.randrange(31**9)
        # Notices draw from their own stream, so enterprises and points stay as they were.
        self.notice_rng = random.Random(f"{seed}:notices")
        self.notice_codes: set[str] = set()
        self.replaced_one = False

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def chunks(self) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
        for start in range(0, self.count, CHUNK):
            enterprises, licences, points = [], [], []
            for i in range(start, min(start + CHUNK, self.count)):
                self._one(i, enterprises, licences, points)
            yield enterprises, licences, points

    def _one(self, i: int, enterprises: list, licences: list, points: list) -> None:
        rng = self.rng
        rope = i < self.rope_nets
        if rope:
            county, trade, (lat0, lon0), jitter = ROPE_NET_COUNTY, ROPE_NETS, HUIMIN_CENTRE, 0.08
        else:
            county = rng.choice(self.counties)[0]
            trade = rng.choices(TRADES, TRADE_WEIGHTS)[0]
            (lat0, lon0), jitter = CITY_CENTRES[county[:4]], 0.25
        city = county[:4] + "00"
        place = self._place(county, city)
        product = rng.choice(trade.products)
        name = f"{place}{rng.choice(BRAND)}{rng.choice(BRAND)}{product}" + rng.choices(
            ("有限公司", "有限责任公司", "股份有限公司", "厂"), (60, 25, 8, 7))[0]
        address = (
            f"山东省{self.city_names[city]}{self.county_names[county]}"
            f"{rng.choice(PARKS)}{rng.choice(ROADS)}{rng.randint(1, 999)}号"
        )
        enterprise_id = self._uuid()
        created = datetime.combine(self.today, datetime.min.time(), timezone.utc) - timedelta(
            minutes=rng.randrange(3 * 365 * 24 * 60))
        contacts = [{"name": self._person(), "role": "法定代表人", "phone": self._phone()}]
        if rng.random() < 0.6:
            contacts.append({"name": self._person(), "role": "质量负责人", "phone": self._phone()})
        grade = rng.choices(GRADES, GRADE_WEIGHTS)[0]
        # Most were visited within about 1.3 intervals, so some are now overdue.
        interval = DEFAULT_VISIT_INTERVALS[grade]
        last = self.today - timedelta(days=rng.randrange(int(interval * 1.3))) if rng.random() < 0.85 else None
        due = schedule.next_due(grade, last, created.date(), None, DEFAULT_VISIT_INTERVALS)
        enterprises.append((
            enterprise_id, name, self._uscc(i, county), address, county, city, "370000",
            round(lat0 + rng.uniform(-jitter, jitter), 6), round(lon0 + rng.uniform(-jitter, jitter), 6),
            trade.category.value, grade, json.dumps(contacts, ensure_ascii=False), created, created, last, due,
        ))
        licensed = (i in self.rope_licensed) if rope else rng.random() < trade.licence_share
        if licensed:
            licences.append(self._licence(enterprise_id, trade, county, i, product, current=rope))
        chosen = sorted(rng.sample(range(len(trade.points)), rng.randint(min(3, len(trade.points)), len(trade.points))))
        for position, k in enumerate(chosen):
            point_name, kind, location = trade.points[k]
            points.append((self._uuid(), enterprise_id, point_name, kind.value, location, position))

    def notices(self, points: list[tuple], templates: dict[str, dict]) -> list[tuple]:
        """Current notices at a share of ``points`` (rows as POINT_COLUMNS), each from the
        template of the point's kind or else the general one. They were recorded without the
        app (no visit, photo or poster); the first also replaced an older notice."""
        rng, rows = self.notice_rng, []
        for point_id, enterprise_id, _, kind, _, _ in points:
            if not templates or rng.random() >= NOTICE_SHARE:
                continue
            template = templates.get(kind) or templates[ControlPointKind.other.value]
            posted = datetime.combine(self.today, datetime.min.time(), timezone.utc) - timedelta(
                days=rng.randrange(1, 365), hours=rng.randint(-7, 2), minutes=rng.randrange(60))
            notice_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            if not self.replaced_one:
                self.replaced_one = True
                rows.append(self._notice(uuid.UUID(int=rng.getrandbits(128), version=4), enterprise_id, point_id, template,
                                         posted - timedelta(days=rng.randint(200, 500)), NoticeStatus.replaced, posted,
                                         notice_id))
            rows.append(self._notice(notice_id, enterprise_id, point_id, template, posted, NoticeStatus.current))
        return rows

    def _notice(self, notice_id: uuid.UUID, enterprise_id: uuid.UUID, point_id: uuid.UUID, template: dict,
                posted: datetime, status: NoticeStatus, ended: datetime | None = None,
                replaced_by: uuid.UUID | None = None) -> tuple:
        while (code := "".join(self.notice_rng.choices(CODE_ALPHABET, k=CODE_LENGTH))) in self.notice_codes:
            pass
        self.notice_codes.add(code)
        return (notice_id, code, enterprise_id, point_id, template["id"], status.value, posted, ended, replaced_by, "")

    def _licence(self, enterprise_id: uuid.UUID, trade: Trade, county: str, i: int, product: str, current: bool) -> tuple:
        rng = self.rng
        years = trade.licence_years
        roll = 1.0 if current else rng.random()
        if roll < 0.06:  # expires within the next two months
            valid_to = self.today + timedelta(days=rng.randint(0, 60))
        elif roll < 0.10:  # lapsed without renewal
            valid_to = self.today - timedelta(days=rng.randint(1, 400))
        else:
            valid_to = self.today + timedelta(days=rng.randint(61, years * 365))
        valid_from = valid_to - timedelta(days=years * 365)
        serial = f"{i % 100000:05d}"
        if trade.licence_prefix == "SC":
            number = f"SC{rng.choice(('101', '104', '106', '111', '117', '121'))}37{county[2:6]}{serial[1:]}{rng.randint(0, 9)}"
        elif trade.licence_prefix == "TS":
            number = f"TS{rng.randint(1, 3)}{rng.randint(10, 99)}37{serial}-{valid_to.year}"
        else:
            number = f"(鲁){trade.licence_prefix}{rng.randint(10, 30)}-{rng.randint(100, 999)}-{serial}"
        return (self._uuid(), enterprise_id, number, f"{product}（生产）", valid_from, valid_to, "valid")

    def _place(self, county: str, city: str) -> str:
        name = self.county_names[county]
        if name.endswith("区"):  # urban districts trade under the city's name
            name = self.city_names[city]
        return name[:-1] if len(name) > 2 else name

    def _uscc(self, i: int, county: str) -> str:
        # Registration authority 9 (market regulation), type 1 (company), the county's
        # code, then a 9-character identifier unique per index (an affine bijection mod 31^9).
        n = (i * 1_000_003 + self._salt) % 31**9
        body = "".join(uscc.ALPHABET[(n // 31**k) % 31] for k in range(8, -1, -1))
        first17 = f"91{county}{body}"
        return first17 + uscc.check_character(first17)

    def _person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.randint(1, 2)))

    def _phone(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"


# ---------------------------------------------------------------------------- history

HUIMIN_STAFF = (("inspector", "张伟"), ("inspector", "李娜"), ("inspector", "王强"), ("inspector", "赵敏"),
                ("reviewer", "王芳"))
CHECKLIST_OF = {
    Category.food_production.value: "food-routine", Category.special_equipment.value: "special-equipment",
    Category.industrial_products.value: "industrial-routine", Category.food_related_products.value: "industrial-routine",
}
REVIEW_AFTER_DAYS = 3  # visits of the last days still wait for the reviewer
PLANNED_VISITS = 8  # Huimin's most urgent enterprises, over the next four days
SIGNATURE_POOL = 12  # enterprise signatures outside Huimin share these drawings
VISIT_COLUMNS = ("id", "enterprise", "province_code", "city_code", "county_code", "checklist", "visit_type",
                 "planned_date", "team", "status", "started_at", "start_latitude", "start_longitude", "answers",
                 "signatures", "conclusion", "content_hash", "created_by", "submitted_at", "submitted_by",
                 "review_reason", "reviewed_by", "reviewed_at")
FINDING_COLUMNS = ("id", "visit", "enterprise", "province_code", "city_code", "county_code", "found_at", "item_key",
                   "severity", "legal_basis", "description", "deadline", "status", "closed_at", "closed_by",
                   "closed_via", "days_to_close", "closure_note")
MEMBER_COLUMNS = ("visit", "user", "started_at", "province_code", "city_code", "county_code")
USER_COLUMNS = ("id", "display_name", "role", "region_code", "active", "created_at")
BLOB_COLUMNS = ("sha256", "size", "mime", "width", "height", "phash", "band0", "band1", "band2", "band3")
MEDIA_COLUMNS = ("id", "enterprise", "blob", "category", "caption", "original_name", "visit", "captured_at",
                 "captured_at_source", "latitude", "longitude", "location_source", "flags", "taken_at", "uploaded_by",
                 "uploaded_at", "status", "review_reason", "reviewed_by", "reviewed_at", "review_seconds")
PHOTO_COLOURS = {"premises": (120, 140, 110), "licence": (200, 60, 50), "evidence": (150, 120, 90),
                 "notice": (225, 195, 60)}


@dataclass
class Firm:
    """What the history needs of a generated enterprise."""

    id: uuid.UUID
    county: str
    city: str
    province: str
    latitude: float
    longitude: float
    category: str
    grade: str
    registered_on: date
    last_visit: date | None
    licensed: bool
    notices: list[uuid.UUID]  # its current warning notices

    @classmethod
    def all_of(cls, enterprises: list[tuple], licences: list[tuple], notices: list[tuple]) -> list[Firm]:
        """The firms of a generated chunk (rows as ENTERPRISE_, LICENCE_ and NOTICE_COLUMNS)."""
        licensed = {row[1] for row in licences}
        current: dict[uuid.UUID, list[uuid.UUID]] = {}
        for row in notices:
            if row[5] == NoticeStatus.current.value:
                current.setdefault(row[2], []).append(row[0])
        return [cls(firm_id, county, city, province, lat, lon, category, grade, created.date(), last,
                    firm_id in licensed, current.get(firm_id, []))
                for (firm_id, _, _, _, county, city, province, lat, lon, category, grade, _, created, _, last, _)
                in enterprises]

    @property
    def codes(self) -> tuple[str, str, str]:
        return self.province, self.city, self.county


@dataclass
class Rows:
    """The history's rows, in column order, and the images they refer to (by SHA-256)."""

    users: list[tuple] = field(default_factory=list)
    visits: list[tuple] = field(default_factory=list)
    members: list[tuple] = field(default_factory=list)
    findings: list[tuple] = field(default_factory=list)
    media: list[tuple] = field(default_factory=list)
    notice_photos: list[tuple] = field(default_factory=list)  # (notice, photo, visit, posted_by, posted_at)
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)


class History:
    """Deterministic visits, findings, signatures and photos for generated enterprises."""

    def __init__(self, firms: list[Firm], checklists: dict[str, dict], seed: int, today: date) -> None:
        self.rng = random.Random(seed * 7919 + 1)
        self.firms, self.checklists, self.today = firms, checklists, today
        self.rows = Rows()
        self.staff: dict[str, dict[str, list[tuple[uuid.UUID, str]]]] = {}
        self.signatures: dict[str, str] = {}  # drawn signature (by signer) -> sha256
        self.returned = False

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def build(self) -> Rows:
        counties = sorted({f.county for f in self.firms if f.last_visit} | {ROPE_NET_COUNTY})
        for county in counties:
            self._county_staff(county)
        # In a fixed order (by last visit, then id): the same seed gives the same history.
        for firm in sorted((f for f in self.firms if f.last_visit), key=lambda f: (f.last_visit, str(f.id))):
            self._firm_history(firm)
        self._planned_visits()
        return self.rows

    # -- people

    def _county_staff(self, county: str) -> None:
        people = HUIMIN_STAFF if county == ROPE_NET_COUNTY else (
            ("inspector", self._name()), ("inspector", self._name()), ("reviewer", self._name()))
        staff: dict[str, list[tuple[uuid.UUID, str]]] = {"inspector": [], "reviewer": []}
        for role, name in people:
            user_id = self._uuid()
            staff[role].append((user_id, name))
            self.rows.users.append((user_id, name, role, county, True, datetime(2025, 1, 6, tzinfo=timezone.utc)))
        self.staff[county] = staff

    def _name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.randint(1, 2)))

    # -- visits

    def _firm_history(self, firm: Firm) -> None:
        huimin = firm.county == ROPE_NET_COUNTY
        earlier = firm.last_visit - timedelta(days=self.rng.randint(60, 200))
        if huimin and self.rng.random() < 0.4 and earlier > firm.registered_on:
            # A finding on an earlier visit, rectified on evidence or confirmed by this follow-up.
            visit_at = self._instant(earlier)
            _, findings = self._visit(firm, visit_at, "routine", fail=True)
            via = self.rng.choice(("evidence", "follow_up"))
            self._close(firm, findings, via, self._instant(firm.last_visit) + timedelta(hours=2) if via == "follow_up"
                        else None)
            kind = "follow_up" if via == "follow_up" else "routine"
        else:
            kind = "routine"
        started_at = self._instant(firm.last_visit)
        _, findings = self._visit(firm, started_at, kind, fail=self.rng.random() < (0.3 if huimin else 0.1),
                                  notices=firm.notices if huimin else [])
        # Most orders of more than a month and a half ago were put right on evidence; the rest are overdue.
        if findings and started_at.date() < self.today - timedelta(days=45) and self.rng.random() < 0.75:
            self._close(firm, findings, "evidence", None)
        else:
            self._file_findings(findings)

    def _close(self, firm: Firm, findings: list[dict], via: str, at: datetime | None) -> None:
        """File ``findings`` closed: at a follow-up visit, or on evidence some days later."""
        for finding in findings:
            closed_at = at or finding["found_at"] + timedelta(days=self.rng.randint(5, 25), hours=self.rng.randint(1, 6))
            finding.update(status="closed", closed_at=closed_at, closed_via=via,
                           closed_by=self.staff[firm.county]["inspector"][0][0],
                           closure_note="整改到位，复查合格" if via == "follow_up" else "整改照片审核通过",
                           days_to_close=(closed_at - finding["found_at"]).total_seconds() / 86400)
        self._file_findings(findings)

    def _instant(self, day: date) -> datetime:
        return datetime.combine(day, time(self.rng.randint(8, 15), self.rng.randrange(60)), BUREAU_TIME)

    def _visit(self, firm: Firm, started_at: datetime, visit_type: str, fail: bool,
               notices: Sequence[uuid.UUID] = ()) -> tuple[uuid.UUID, list[dict]]:
        """One filed visit: answers to every item, a finding for a failed one, every
        signature; photos in Huimin, among them one of each of ``notices`` posted on it.
        Returns its id and its findings (not yet filed)."""
        rng, huimin, staff = self.rng, firm.county == ROPE_NET_COUNTY, self.staff[firm.county]
        visit_id = self._uuid()
        checklist = self.checklists[CHECKLIST_OF[firm.category]]
        items = [i for section in checklist["content"]["sections"] for i in section["items"]]
        team = rng.sample(staff["inspector"], 2)
        uploaded_at = started_at + timedelta(minutes=rng.randint(20, 90))
        media: dict[str, str] = {}

        def photo(category: str, caption: str, sha256: str, cited: bool = True) -> str:
            media_id = self._media(firm, visit_id, category, caption, sha256, uploaded_at, team[0][0])
            if cited:  # by an answer or a signature: its bytes are part of the visit's content hash
                media[str(media_id)] = sha256
            return str(media_id)

        failing = rng.choice([i for i in items if i["kind"] == "pass_fail" and i["photo_required_on_fail"]]) if fail else None
        answers, findings = [], []
        for item in items:
            if item is failing:
                evidence = photo("evidence", f"{item['text']}：现场问题", self._photo("evidence"))
                answers.append(AnswerIn(item=item["key"], result="fail", note="现场发现问题，已拍照取证", media=[evidence]))
                findings.append({"id": self._uuid(), "item_key": item["key"], "severity": item["severity"],
                                 "legal_basis": item["legal_basis"], "description": f"不符合：{item['text']}",
                                 "deadline": started_at.date() + timedelta(days=30)})
            elif item["kind"] == "pass_fail":
                answers.append(AnswerIn(item=item["key"], result="pass"))
            elif item["kind"] == "number":
                answers.append(AnswerIn(item=item["key"], number=round(rng.uniform(item["min"], item["max"]) / 2, 1)))
            elif item["kind"] == "choice":
                answers.append(AnswerIn(item=item["key"], choice=item["choices"][0]))
            else:
                answers.append(AnswerIn(item=item["key"], text="未发现问题" if not fail else "已责令限期整改"))
        if huimin:
            photo("premises", "厂区全景", self._photo("premises"), cited=False)
            if firm.licensed:
                photo("licence", "生产许可证正本", self._photo("licence"), cited=False)
            self.rows.notice_photos += [(notice, photo("notice", "警示告知张贴照片", self._photo("notice"), cited=False),
                                         visit_id, team[0][0], uploaded_at) for notice in notices]
        signatures = [SignatureIn(signer="inspector", user_id=user, name=name,
                                  media_id=photo("signature", f"{name}签名", self._signature(name)))
                      for user, name in team]
        representative = f"{firm.id}" if huimin else f"pool{rng.randrange(SIGNATURE_POOL)}"
        signatures.append(SignatureIn(signer="enterprise", name="企业负责人",
                                      media_id=photo("signature", "企业负责人签名", self._signature(representative))))

        plan = VisitPlan(id=visit_id, enterprise_id=firm.id, checklist_id=checklist["id"], visit_type=visit_type,
                         planned_date=started_at.date(), team=[u for u, _ in team])
        answer_rows = [msgspec.to_builtins(a) for a in answers]
        signature_rows = [{**msgspec.to_builtins(sig), "sha256": media[str(sig.media_id)]} for sig in signatures]
        conclusion = "pass_with_rectification" if findings else "pass"
        content_hash = inspections.digest(plan, started_at, answer_rows, findings, signature_rows, conclusion,
                                          media)
        submitted_at = started_at + timedelta(hours=rng.randint(1, 4))
        status, reason, reviewer, reviewed_at = self._review(firm, started_at, submitted_at)
        self.rows.visits.append((
            visit_id, firm.id, *firm.codes, checklist["id"], visit_type, started_at.date(),
            json.dumps([str(u) for u, _ in team]), status, started_at,
            round(firm.latitude + rng.uniform(-0.0005, 0.0005), 6), round(firm.longitude + rng.uniform(-0.0005, 0.0005), 6),
            json.dumps(answer_rows, ensure_ascii=False), json.dumps(msgspec.to_builtins(signature_rows), ensure_ascii=False),
            conclusion, content_hash, team[0][0], submitted_at, team[0][0], reason, reviewer, reviewed_at))
        self.rows.members += [(visit_id, user, started_at, *firm.codes) for user, _ in team]
        for finding in findings:
            finding.update(visit=visit_id, enterprise=firm.id, province_code=firm.province, city_code=firm.city,
                           county_code=firm.county, found_at=submitted_at, status="open", closed_at=None,
                           closed_by=None, closed_via=None, days_to_close=None, closure_note="")
        return visit_id, findings

    def _review(self, firm: Firm, started_at: datetime, submitted_at: datetime) -> tuple:
        """Accepted by the county's reviewer, except the last days' visits (waiting) and
        one Huimin visit returned for a signature."""
        if started_at.date() > self.today - timedelta(days=REVIEW_AFTER_DAYS):
            return VisitStatus.submitted.value, "", None, None
        reviewer = self.staff[firm.county]["reviewer"][0][0]
        reviewed_at = submitted_at + timedelta(hours=self.rng.randint(2, 30))
        if firm.county == ROPE_NET_COUNTY and not self.returned and started_at.date() >= self.today - timedelta(days=20):
            self.returned = True
            return VisitStatus.returned.value, "企业负责人签名不清晰，请重新签字确认", reviewer, reviewed_at
        return VisitStatus.accepted.value, "", reviewer, reviewed_at

    def _file_findings(self, findings: list[dict]) -> None:
        self.rows.findings += [tuple(f[c] for c in FINDING_COLUMNS) for f in findings]

    def _planned_visits(self) -> None:
        """Huimin's most urgent enterprises (by their schedule), planned over the next days."""
        firms = [f for f in self.firms if f.county == ROPE_NET_COUNTY]
        due = {f.id: schedule.next_due(f.grade, f.last_visit, f.registered_on, None, DEFAULT_VISIT_INTERVALS) for f in firms}
        inspectors = self.staff[ROPE_NET_COUNTY]["inspector"]
        for n, firm in enumerate(sorted(firms, key=lambda f: (due[f.id], str(f.id)))[:PLANNED_VISITS]):
            team = inspectors[:2] if n % 2 == 0 else inspectors[2:]
            self.rows.visits.append((
                self._uuid(), firm.id, *firm.codes, self.checklists[CHECKLIST_OF[firm.category]]["id"], "routine",
                self.today + timedelta(days=n // 2), json.dumps([str(u) for u, _ in team]), VisitStatus.planned.value,
                None, None, None, "[]", "[]", None, None, team[0][0], None, None, "", None, None))

    # -- media

    def _media(self, firm: Firm, visit_id: uuid.UUID, category: str, caption: str, sha256: str, uploaded_at: datetime,
               uploaded_by: uuid.UUID) -> uuid.UUID:
        """A photo or signature in the dossier: reviewed after a while, else pending."""
        media_id = self._uuid()
        if uploaded_at.date() < self.today - timedelta(days=REVIEW_AFTER_DAYS):
            reviewed_at = uploaded_at + timedelta(hours=self.rng.randint(1, 40), minutes=self.rng.randrange(60))
            review = (ReviewStatus.accepted.value, "", self.staff[firm.county]["reviewer"][0][0], reviewed_at,
                      int((reviewed_at - uploaded_at).total_seconds()))
        else:
            review = (ReviewStatus.pending.value, "", None, None, None)
        captured_at = uploaded_at - timedelta(minutes=self.rng.randint(1, 15))
        self.rows.media.append((
            media_id, firm.id, sha256, category, caption, f"{category}.{'png' if category == 'signature' else 'jpg'}",
            visit_id, captured_at, "device", firm.latitude, firm.longitude, "device", "[]", captured_at, uploaded_by,
            uploaded_at, *review))
        return media_id

    def _photo(self, category: str) -> str:
        """A small generated JPEG: a coloured scene of a few blocks."""
        rng = self.rng
        image = Image.new("RGB", (320, 240), tuple(min(255, c + rng.randint(-30, 30)) for c in PHOTO_COLOURS[category]))
        draw = ImageDraw.Draw(image)
        for _ in range(6):
            x, y = rng.randrange(280), rng.randrange(200)
            draw.rectangle((x, y, x + rng.randint(20, 120), y + rng.randint(15, 90)),
                           fill=tuple(rng.randrange(256) for _ in range(3)))
        return self._image(image, "JPEG", "image/jpeg")

    def _signature(self, signer: str) -> str:
        """A drawn signature, the same each time the same person signs."""
        if signer not in self.signatures:
            rng = random.Random(signer)
            image = Image.new("L", (240, 80), 255)
            ImageDraw.Draw(image).line([(20 + 25 * k + rng.randint(-8, 8), rng.randint(15, 65)) for k in range(9)],
                                       fill=0, width=3)
            self.signatures[signer] = self._image(image, "PNG", "image/png")
        return self.signatures[signer]

    def _image(self, image: Image.Image, kind: str, mime: str) -> str:
        out = io.BytesIO()
        image.save(out, kind, quality=80) if kind == "JPEG" else image.save(out, kind)
        data = out.getvalue()
        sha256 = hashlib.sha256(data).hexdigest()
        self.rows.images[sha256] = (data, mime)
        return sha256


async def load_history(firms: list[Firm], seed: int, today: date, store: MediaStore) -> Rows:
    """Write the history of ``firms``: images into the store, rows through the bulk
    paths; then rebuild the schedule and the coverage rollups from them."""
    checklists = {r["code"]: r for r in await ChecklistVersion.select(
        ChecklistVersion.id, ChecklistVersion.content, ChecklistVersion.template.code.as_alias("code")
    ).where(ChecklistVersion.version == 1).output(load_json=True)}
    rows = History(firms, checklists, seed, today).build()
    await db.bulk_insert(User, USER_COLUMNS, rows.users)
    await db.bulk_insert(Blob, BLOB_COLUMNS, await asyncio.to_thread(_store_images, store, rows.images))
    await db.bulk_insert(MediaItem, MEDIA_COLUMNS, rows.media)
    await db.bulk_insert(Visit, VISIT_COLUMNS, rows.visits)
    await db.bulk_insert(VisitMember, MEMBER_COLUMNS, rows.members)
    await db.bulk_insert(Finding, FINDING_COLUMNS, rows.findings)
    async with db.transaction():
        for notice, photo, visit, posted_by, posted_at in rows.notice_photos:
            await Notice.update({Notice.photo: photo, Notice.visit: visit, Notice.posted_by: posted_by,
                                 Notice.posted_at: posted_at}).where(Notice.id == notice)
            await Notice.update({Notice.ended_at: posted_at}).where(Notice.replaced_by == notice)
    await rollups.rebuild(get_settings().visit_intervals)
    return rows


def _store_images(store: MediaStore, found: dict[str, tuple[bytes, str]]) -> list[tuple]:
    """Keep the images (in parallel: each write waits for its fsync); their Blob rows."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda item: _store_image(store, item[0], *item[1]), found.items()))


def _store_image(store: MediaStore, sha256: str, data: bytes, mime: str) -> tuple:
    """Keep an image as an upload is kept: the original under its hash, its derivatives."""
    temp = store.new_temp()
    temp.write_bytes(data)
    derived = images.derive(temp, mime)
    store.commit_original(temp, sha256)
    for variant in ("thumbnail", "preview"):
        if (variant_data := getattr(derived, variant)) is not None:
            store.put_derivative(sha256, variant, variant_data)
    b = bands(derived.phash)
    return (sha256, len(data), mime, derived.width, derived.height, b["phash"], b["band0"], b["band1"], b["band2"],
            b["band3"])


class DemoRefused(Exception):
    """Demo data would mix with existing data, or the request makes no sense."""


async def load(count: int = DEFAULT_ENTERPRISES, seed: int = 2260, if_empty: bool = False, today: date | None = None,
               history: bool = True, store: MediaStore | None = None) -> str:
    """Load the demo data set into the bound database; it must hold no enterprises yet.
    Without ``history`` only regions, enterprises, licences and control points (for the
    benchmarks, which bring their own visits). Photos go to ``store`` (by default the
    configured media root)."""
    if count < 1:
        raise DemoRefused("--enterprises must be at least 1")
    existing = await Enterprise.count()
    if existing:
        if if_empty:
            return f"Demo data not loaded: the database already holds {existing} enterprises."
        raise DemoRefused(
            f"the database already holds {existing} enterprises; demo data goes into an "
            "empty database (use --if-empty to skip quietly)."
        )
    today = today or bureau_today()
    await regions.insert_regions(region_rows())
    templates = {t["control_point_kind"]: t for t in await NoticeTemplate.select().order_by(NoticeTemplate.code)}
    licences = points = notices = 0
    firms: list[Firm] = []
    generator = Generator(count, seed, today)
    for e_rows, l_rows, p_rows in generator.chunks():
        n_rows = generator.notices(p_rows, templates)
        await db.bulk_insert(Enterprise, ENTERPRISE_COLUMNS, e_rows)
        await db.bulk_insert(Licence, LICENCE_COLUMNS, l_rows)
        await db.bulk_insert(ControlPoint, POINT_COLUMNS, p_rows)
        await db.bulk_insert(Notice, NOTICE_COLUMNS, n_rows)
        licences += len(l_rows)
        points += len(p_rows)
        notices += len(n_rows)
        if history:
            firms += Firm.all_of(e_rows, l_rows, n_rows)
    await notice_service.recount()
    summary = (f"Loaded {count} enterprises, {licences} licences, {points} control points and {notices} warning notices "
               "in Shandong")
    if history:
        rows = await load_history(firms, seed, today, store or LocalMediaStore(get_settings().media_root))
        summary += (f"; {len(rows.visits)} visits, {len(rows.findings)} findings, {len(rows.media)} photos and "
                    f"signatures by {len(rows.users)} staff")
    await db.analyze()
    return summary + "."

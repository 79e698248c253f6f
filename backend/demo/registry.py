"""The registry of the demo: Shandong's regions, and enterprises with their licences,
control points and warning notices, as plain rows in the tables' column order.

Enterprises are of the four industry categories, with valid USCCs, licences (some
expiring soon, some lapsed) and control points; in Huimin County (惠民县), as in the
source documents, 280 rope-net makers work and only 39 hold a production licence. About
two in five control points carry a current warning notice (posted within the last year;
one of them replaced an older notice). The same seed and the same day give the same rows.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterator

from backend.enterprises import uscc
from backend.inspections import schedule
from backend.enterprises.tables import Category, ControlPointKind
from backend.notices.service import CODE_ALPHABET, CODE_LENGTH
from backend.notices.tables import NoticeStatus
from backend.regions.schemas import RegionOut
from backend.regions.shandong import CITIES, PROVINCE
from backend.regions.tables import RegionLevel
from backend.settings import DEFAULT_VISIT_INTERVALS

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
        contacts = [{"name": person_name(rng), "role": "法定代表人", "phone": self._phone()}]
        if rng.random() < 0.6:
            contacts.append({"name": person_name(rng), "role": "质量负责人", "phone": self._phone()})
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

    def _phone(self) -> str:
        return f"1{self.rng.choice('35789')}{self.rng.randrange(10**9):09d}"



def person_name(rng: random.Random) -> str:
    """A Chinese name: a surname and one or two given characters."""
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))

"""The history of the demo's enterprises, written as the service would have written it.

Each enterprise's last visit, filed by its county's inspectors on the pinned standard
checklist and signed; in Huimin also earlier visits whose findings were rectified, open
findings (some overdue), a returned visit, visits awaiting review, photos of premises,
licences and evidence, the photo of each current notice in place (posted on the
enterprise's last visit), and visits planned for the coming days. The schedule and
coverage rollups are then rebuilt from it. The same seed and the same day give the same
history.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Sequence

import msgspec

from backend import db
from backend.accounts.tables import User
from backend.clock import BUREAU_TIME
from backend.coverage import rebuild
from backend.demo import images
from backend.demo.registry import ROPE_NET_COUNTY, person_name
from backend.inspections import schedule
from backend.enterprises.tables import Category
from backend.inspections import service as inspections
from backend.inspections.schemas import AnswerIn, SignatureIn, VisitPlan
from backend.inspections.tables import ChecklistVersion, Finding, Visit, VisitMember, VisitStatus
from backend.media.store import MediaStore
from backend.media.tables import Blob, MediaItem, ReviewStatus
from backend.notices.tables import Notice, NoticeStatus
from backend.settings import DEFAULT_VISIT_INTERVALS, get_settings

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
USER_COLUMNS = ("id", "display_name", "role", "region_code", "active", "created_at", "certificate_no")
MEDIA_COLUMNS = ("id", "enterprise", "blob", "category", "caption", "original_name", "visit", "captured_at",
                 "captured_at_source", "latitude", "longitude", "location_source", "flags", "taken_at", "uploaded_by",
                 "uploaded_at", "status", "review_reason", "reviewed_by", "reviewed_at", "review_seconds")


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
        """The firms of a generated chunk (rows as the registry's ENTERPRISE_, LICENCE_ and NOTICE_COLUMNS)."""
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
        people = HUIMIN_STAFF if county == ROPE_NET_COUNTY else tuple(
            (role, person_name(self.rng)) for role in ("inspector", "inspector", "reviewer"))
        staff: dict[str, list[tuple[uuid.UUID, str]]] = {"inspector": [], "reviewer": []}
        for n, (role, name) in enumerate(people, 1):
            user_id = self._uuid()
            staff[role].append((user_id, name))
            certificate = f"{county}{n:05d}" if role == "inspector" else ""  # 执法证号, printed on the documents
            self.rows.users.append((user_id, name, role, county, True, datetime(2025, 1, 6, tzinfo=timezone.utc),
                                    certificate))
        self.staff[county] = staff

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
        """A generated photo of ``category``; its SHA-256."""
        return self._keep(*images.photo(self.rng, category))

    def _signature(self, signer: str) -> str:
        """The signature of ``signer``, drawn once; its SHA-256."""
        if signer not in self.signatures:
            self.signatures[signer] = self._keep(*images.signature(signer))
        return self.signatures[signer]

    def _keep(self, data: bytes, mime: str) -> str:
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
    await db.bulk_insert(Blob, images.BLOB_COLUMNS, await asyncio.to_thread(images.store_images, store, rows.images))
    await db.bulk_insert(MediaItem, MEDIA_COLUMNS, rows.media)
    await db.bulk_insert(Visit, VISIT_COLUMNS, rows.visits)
    await db.bulk_insert(VisitMember, MEMBER_COLUMNS, rows.members)
    await db.bulk_insert(Finding, FINDING_COLUMNS, rows.findings)
    async with db.transaction():
        for notice, photo, visit, posted_by, posted_at in rows.notice_photos:
            await Notice.update({Notice.photo: photo, Notice.visit: visit, Notice.posted_by: posted_by,
                                 Notice.posted_at: posted_at}).where(Notice.id == notice)
            await Notice.update({Notice.ended_at: posted_at}).where(Notice.replaced_by == notice)
    await rebuild.rebuild(get_settings().visit_intervals)
    return rows

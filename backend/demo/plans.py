"""The demo's random-draw plan (双随机、一公开), made and carried out by the services a bureau
uses, so that what the screens show of it is what the product itself would have recorded.

Huimin County's bureau keeps an inspection item (抽查事项) for each of its trades. Its
plan was drafted and locked on the day its window opened, three weeks before the demo's
day: the draft and the lock run as of that day (a window may not open before the day it
is locked on), and the lock draws through the real lock, so `dossier verify-draw` agrees
with it. Its visits are spread over six weeks. Those planned before the demo's day were
filed by their drawn teams through the inspection service, with their signatures (and, on
some, a failed item with its photo and order to correct), whose uploads are written as
the history writes its photos; the county's reviewer accepted those of more than three
days ago (and their photos), and the older half of the accepted results were published
(the public page /gs shows them) while the rest wait for publication. Those planned from
the demo's day on wait in their teams' 今日任务. It is one transaction, and the audit
trail records each act at the moment the demo was loaded.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from backend import clock, db
from backend.access import SYSTEM
from backend.accounts import service as accounts
from backend.accounts.tables import User
from backend.clock import BUREAU_TIME
from backend.coverage import rollups
from backend.demo import images
from backend.demo.history import REVIEW_AFTER_DAYS
from backend.demo.registry import ROPE_NET_COUNTY
from backend.documents.issue import Issuer
from backend.enterprises.tables import Category, Enterprise
from backend.inspections import checklists
from backend.inspections import service as inspections
from backend.inspections.schemas import (
    AnswerIn, ChecklistOut, FindingIn, SignatureIn, Submission, VisitPlan, VisitReviewIn,
)
from backend.inspections.tables import Conclusion, Visit, VisitType
from backend.media.store import MediaStore
from backend.media.tables import Blob, MediaItem, ReviewStatus
from backend.plans import items as plan_items
from backend.plans import lock
from backend.plans import service as plans
from backend.plans.schemas import DrawnOut, ItemIn, PlanIn, SamplingRule
from backend.publication import service as publication
from backend.settings import get_settings

BUREAU = ROPE_NET_COUNTY  # 惠民县
ITEMS = (  # name, legal basis, categories, checklist template
    ("工业产品生产许可获证企业监督检查", "《中华人民共和国工业产品生产许可证管理条例》《中华人民共和国产品质量法》",
     [Category.industrial_products, Category.food_related_products], "industrial-routine"),
    ("食品生产企业监督检查", "《中华人民共和国食品安全法》第一百一十条", [Category.food_production],
     "food-supervision"),
    ("特种设备生产单位监督检查", "《中华人民共和国特种设备安全法》第五十七条", [Category.special_equipment],
     "special-equipment"),
)
SAMPLING = (("risk:A", 2), ("risk:B", 4), ("risk:C", 8), ("risk:D", 20))  # per cent of each risk grade drawn
OPENED_DAYS_AGO = 21  # the window opened (and the plan was locked) three weeks before the demo's day
OPEN_DAYS_AHEAD = 20  # and stays open three weeks after it
FAILS = {1: "general", 4: "key"}  # the n-th visit filed (from 0) fails one item of this class
CONCLUSION = {None: Conclusion.passed, "general": Conclusion.pass_with_rectification,  # as food-supervision's rule says
              "key": Conclusion.fail}


async def load_plan(today: date, store: MediaStore, seed: int) -> str:
    """Huimin's plan, drawn and partly carried out; a clause for the demo's summary
    (empty when the registry holds no Huimin enterprise to draw)."""
    if not await Enterprise.exists().where(Enterprise.county_code == BUREAU):
        return ""
    async with db.transaction():  # one act: all of it or none, and one commit
        item_ids = [(await plan_items.create_item(SYSTEM, ItemIn(
            region_code=BUREAU, name=name, legal_basis=basis, categories=categories, checklist_code=code))).id
            for name, basis, categories, code in ITEMS]
        opened = today - timedelta(days=OPENED_DAYS_AGO)
        plan = await plans.create_plan(SYSTEM, PlanIn(
            title=f"惠民县{opened.year}年产品质量安全“双随机、一公开”监督检查", year=opened.year,
            period=f"第{'一二三四'[(opened.month - 1) // 3]}季度", bureau_code=BUREAU, item_ids=item_ids,
            sampling=[SamplingRule(stratum=stratum, ratio=ratio) for stratum, ratio in SAMPLING],
            window_start=opened, window_end=today + timedelta(days=OPEN_DAYS_AHEAD), team_size=2), opened)
        plan, _ = await lock.lock(SYSTEM, plan.id, opened)
        drawn = await plans.drawn(plan.id)
        filed = sorted((d for d in drawn if d.planned_date < today), key=lambda d: (d.planned_date, d.position))
        accepted = [d.visit_id for d in filed if d.planned_date < today - timedelta(days=REVIEW_AFTER_DAYS)]
        reviewer = await User.select(User.id).where(User.role == "reviewer", User.region_code == BUREAU).first()
        await _file(filed, Uploads(set(accepted), reviewer["id"]), store, random.Random(f"{seed}:plan"), today)
        reviewing = await accounts.scope_of_user(reviewer["id"])
        for visit_id in accepted:
            await inspections.review_visit(reviewing, visit_id, VisitReviewIn(decision="accept"))
        published = accepted[:(len(accepted) + 1) // 2]
        if published:
            await publication.publish(SYSTEM, published, today)
    return (f"; plan {plan.id} locked and drawn: {len(drawn)} of {plan.pool_size} Huimin enterprises, "
            f"{len(filed)} visited, {len(accepted)} accepted, {len(published)} published")


class Uploads:
    """What the phones upload before they submit: the images by SHA-256 and their rows,
    those of the visits the reviewer accepts accepted with them, as in the history."""

    def __init__(self, accepted: set[UUID], reviewer: UUID) -> None:
        self.accepted, self.reviewer = accepted, reviewer
        self.images: dict[str, tuple[bytes, str]] = {}
        self.rows: list[MediaItem] = []

    def add(self, d: DrawnOut, firm: dict[str, Any], at: datetime, category: str, caption: str,
            image: tuple[bytes, str], by: UUID) -> UUID:
        sha256 = hashlib.sha256(image[0]).hexdigest()
        self.images[sha256] = image
        media_id = uuid.uuid5(d.visit_id, f"{category}:{caption}")
        taken, now = at + timedelta(minutes=20 + 5 * len(self.rows) % 40), clock.now()
        review = {"status": ReviewStatus.accepted, "reviewed_by": self.reviewer, "reviewed_at": now,
                  "review_seconds": 0} if d.visit_id in self.accepted else {}
        self.rows.append(MediaItem(
            id=media_id, enterprise=d.enterprise_id, blob=sha256, category=category, caption=caption,
            original_name=f"{category}.{'png' if category == 'signature' else 'jpg'}", visit=d.visit_id,
            captured_at=taken, captured_at_source="device", latitude=firm["latitude"], longitude=firm["longitude"],
            location_source="device", taken_at=taken, uploaded_by=by, uploaded_at=now, **review))
        return media_id

    async def store(self, store: MediaStore) -> None:
        """Keep the images not kept yet (signatures of the history's people are), then the rows."""
        if not self.rows:
            return
        kept = {r["sha256"] for r in await Blob.select(Blob.sha256).where(Blob.sha256.is_in(list(self.images)))}
        new = {sha256: image for sha256, image in self.images.items() if sha256 not in kept}
        rows = await asyncio.to_thread(images.store_images, store, new)
        if rows:
            await Blob.insert(*(Blob(**dict(zip(images.BLOB_COLUMNS, row))) for row in rows))
        await MediaItem.insert(*self.rows)


async def _file(drawn: list[DrawnOut], uploads: Uploads, store: MediaStore, rng: random.Random, today: date) -> None:
    """The drawn teams file their visits: the signatures and photos first, then each visit
    on the checklist version the lock pinned."""
    if not drawn:
        return
    versions = {c.id: c for c in await checklists.list_checklists()}
    pinned = {r["id"]: versions[r["checklist"]] for r in await Visit.select(Visit.id, Visit.checklist).where(
        Visit.id.is_in([d.visit_id for d in drawn]))}
    firms = {r["id"]: r for r in await Enterprise.select(Enterprise.id, Enterprise.latitude, Enterprise.longitude).where(
        Enterprise.id.is_in([d.enterprise_id for d in drawn]))}
    names = {r["id"]: r["display_name"] for r in await User.select(User.id, User.display_name).where(
        User.id.is_in(sorted({u for d in drawn for u in d.team})))}
    submissions = [_submission(d, pinned[d.visit_id], firms[d.enterprise_id], n, uploads, names, rng, today)
                   for n, d in enumerate(drawn)]
    await uploads.store(store)
    intervals, paper = get_settings().visit_intervals, Issuer()
    for submission in submissions:
        member = await accounts.scope_of_user(submission.visit.team[0])
        await inspections.submit(member, submission, today, intervals, rollups, paper)


def _submission(d: DrawnOut, version: ChecklistOut, firm: dict[str, Any], n: int, uploads: Uploads,
                names: dict[UUID, str], rng: random.Random, today: date) -> Submission:
    """The n-th drawn visit as its team's phone sends it: every item answered, one failed
    (with its photo and order to correct) when FAILS names a class for it."""
    started = datetime.combine(d.planned_date, time(9 + n % 6, 5 * (n % 12)), BUREAU_TIME)
    items = [item for section in version.sections for item in section["items"]]
    failing = next((item for item in items if item["kind"] == "pass_fail" and item.get("photo_required_on_fail")
                    and checklists.item_class(item) == FAILS.get(n)), None)
    findings, evidence = [], None
    if failing is not None:
        evidence = uploads.add(d, firm, started, "evidence", f"{failing['text']}：现场问题",
                               images.photo(rng, "evidence"), d.team[0])
        findings.append(FindingIn(id=uuid.uuid5(d.visit_id, "finding"), item=failing["key"],
                                  description=f"不符合：{failing['text']}",
                                  deadline=max(d.planned_date, today) + timedelta(days=30)))
    answers = [AnswerIn(item=item["key"], result="fail", note="现场发现问题，已拍照取证", media=[evidence])
               if item is failing else _answer(item) for item in items]
    signatures = [SignatureIn(signer="inspector", user_id=u, name=names[u], media_id=uploads.add(
        d, firm, started, "signature", f"{names[u]}签名", images.signature(names[u]), u)) for u in d.team]
    # keyed as the history keys a Huimin representative: the same hand on every visit to the firm
    signatures.append(SignatureIn(signer="enterprise", name="企业负责人", media_id=uploads.add(
        d, firm, started, "signature", "企业负责人签名", images.signature(str(d.enterprise_id)), d.team[0])))
    return Submission(
        visit=VisitPlan(id=d.visit_id, enterprise_id=d.enterprise_id, checklist_id=version.id, visit_type=VisitType.routine,
                        planned_date=d.planned_date, team=d.team),
        started_at=started, start_latitude=firm["latitude"], start_longitude=firm["longitude"], answers=answers,
        findings=findings, signatures=signatures, conclusion=CONCLUSION[FAILS.get(n) if failing else None])


def _answer(item: dict[str, Any]) -> AnswerIn:
    """A passing answer of any kind of item."""
    kind = item["kind"]
    return AnswerIn(item=item["key"], result="pass" if kind == "pass_fail" else None,
                    number=round((item["min"] + item["max"]) / 4, 1) if kind == "number" else None,
                    choice=item["choices"][0] if kind == "choice" else None,
                    text="未发现问题" if kind == "text" else None)

"""The demo data set: real regions, valid USCCs, Huimin's rope-net makers; deterministic."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from httpx import AsyncClient

from backend import demo
from backend.access import SYSTEM
from backend.accounts import service as accounts
from backend.clock import bureau_today
from backend.coverage import rebuild
from backend.enterprises import uscc
from backend.enterprises.tables import ControlPoint, Enterprise, Licence
from backend.inspections import service as inspections
from backend.inspections.tables import ChecklistVersion, Finding, Visit, VisitStatus
from backend.media.storage import media_store
from backend.media.tables import MediaItem
from backend.notices.tables import Notice
from backend.pagination import CursorCodec
from backend.plans import draw, lock
from backend.plans.tables import Plan, PlanDraw
from backend.settings import Settings
from tests.api.test_visits import rollup_state
from tests.conftest import SignIn, fetched

TODAY = date(2026, 11, 24)


async def all_items(client: AsyncClient, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = (await client.get("/api/enterprises", params={"limit": 200, **params} | ({"cursor": cursor} if cursor else {}))).json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


async def test_demo_data_set_follows_the_domain(client: AsyncClient, settings: Settings) -> None:
    # As of the day the API answers on: which licences are valid is a matter of that day.
    summary = await demo.load(today=bureau_today(), store=media_store(settings))
    assert summary.startswith("Loaded 600 enterprises")
    assert await Enterprise.count() == 600

    codes = [row["uscc"] for row in await Enterprise.select(Enterprise.uscc)]
    assert len(set(codes)) == 600 and all(uscc.validate(c) == c for c in codes)

    huimin = await all_items(client, region=demo.ROPE_NET_COUNTY)
    rope = [e for e in huimin if any(p in e["name"] for p in demo.ROPE_NETS.products)]
    assert len(rope) == demo.ROPE_NET_MAKERS
    assert sum(e["licence_state"] != "missing" for e in rope) == demo.ROPE_NET_LICENSED

    categories = {e["category"] for e in await all_items(client)}
    assert categories == {"food_production", "food_related_products", "special_equipment", "industrial_products"}
    # Some licences run out soon, so the "expiring" filter has something to show.
    assert await all_items(client, licence="expiring", within_days=60)
    counts = await ControlPoint.count(), await Licence.count()
    assert counts[0] >= 3 * 600 and counts[1] > 250  # most of the 320 others hold one

    # Warning notices: about two in five control points carry a current one; one was replaced.
    notices = await Notice.select(Notice.id, Notice.code, Notice.control_point, Notice.status, Notice.replaced_by)
    current = [n for n in notices if n["status"] == "current"]
    replaced = [n for n in notices if n["status"] == "replaced"]
    assert 0.3 * counts[0] < len(current) < 0.5 * counts[0] and len(replaced) == 1
    assert len({n["control_point"] for n in current}) == len(current) and len({n["code"] for n in notices}) == len(notices)
    successor = next(n for n in current if n["id"] == replaced[0]["replaced_by"])
    assert successor["control_point"] == replaced[0]["control_point"]
    assert "真实有效" in (await client.get(f"/v/{successor['code']}")).text
    assert "已失效" in (await client.get(f"/v/{replaced[0]['code']}")).text
    coverage = (await client.get("/api/coverage", params={"region": demo.ROPE_NET_COUNTY})).json()
    assert 0 < coverage["control_points_without_notice"] < coverage["control_points"]


async def test_demo_refuses_to_mix_with_existing_data(client: AsyncClient) -> None:
    await demo.load(count=5, today=TODAY, history=False)
    assert "already holds 5 enterprises" in await demo.load(if_empty=True)
    with pytest.raises(demo.DemoRefused, match="already holds 5"):
        await demo.load()
    assert await Enterprise.count() == 5


async def test_demo_history_gives_every_screen_something(client: AsyncClient, settings: Settings,
                                                         sign_in: SignIn) -> None:
    summary = await demo.load(today=TODAY, store=media_store(settings))
    assert "; 600 visits, 173 findings, 2618 photos and signatures by 344 staff; plan " in summary
    assert summary.endswith(" locked and drawn: 19 of 283 Huimin enterprises, 10 visited, 9 accepted, 5 published.")
    # The history, without the random-draw plan's visits (test_the_demo_plan_is_drawn_fairly_and_carried_on)
    history = Visit.id.not_in(PlanDraw.select(PlanDraw.visit))
    statuses = {s: await Visit.count().where(Visit.status == s, history)
                for s in ("planned", "submitted", "accepted", "returned")}
    assert statuses == {"planned": 8, "submitted": 3, "accepted": 588, "returned": 1}
    planned = await Visit.select(Visit.planned_date, Visit.county_code).where(Visit.status == "planned", history)
    assert {p["county_code"] for p in planned} == {demo.ROPE_NET_COUNTY}
    assert sum(p["planned_date"] == TODAY for p in planned) == 2  # an inspector's today
    open_findings = await Finding.select(Finding.deadline).where(Finding.status == "open", Finding.visit.is_in(
        Visit.select(Visit.id).where(history)))
    overdue = sum(f["deadline"] < TODAY for f in open_findings)
    assert (len(open_findings), overdue, await Finding.count().where(Finding.status == "closed")) == (37, 23, 136)
    # Every filed visit answers the pinned checklist of its enterprise's trade.
    codes = {str(r["id"]): r["code"] for r in await ChecklistVersion.select(
        ChecklistVersion.id, ChecklistVersion.template.code.as_alias("code"))}
    pairs = {(codes[str(v["checklist"])], v["category"]) for v in await Visit.select(
        Visit.checklist, Visit.enterprise.category.as_alias("category")).where(history)}
    assert pairs == {(demo.CHECKLIST_OF[category], category) for _, category in pairs}

    media = {c: await MediaItem.count().where(MediaItem.category == c, MediaItem.visit.is_in(
        Visit.select(Visit.id).where(history))) for c in ("premises", "evidence", "licence", "notice", "signature")}
    assert media == {"premises": 324, "evidence": 173, "licence": 36, "notice": 309, "signature": 1776}
    # Each notice photo shows a current Huimin notice in place, taken on the visit that posted it.
    posted = await Notice.select(Notice.visit, Notice.photo.visit.as_alias("photo_visit"), Notice.status,
                                 Notice.enterprise.county_code.as_alias("county")).where(Notice.photo.is_not_null())
    assert len(posted) == media["notice"]
    assert all(n["visit"] == n["photo_visit"] and n["status"] == "current" and n["county"] == demo.ROPE_NET_COUNTY
               for n in posted)
    pending = await MediaItem.count().where(MediaItem.status == "pending")
    assert 0 < pending < await MediaItem.count().where(MediaItem.status == "accepted")

    # The schedule and the coverage rollups are what the visits and findings make them.
    kept = await rollup_state()
    await rebuild.rebuild(settings.visit_intervals)
    assert await rollup_state() == kept

    # Through the API: a supervisor's coverage, a visit, an order, a photo and the review queue.
    supervisor = await sign_in("supervisor", "371600", name="滨州科长")
    coverage = (await supervisor.get("/api/coverage", params={
        "region": demo.ROPE_NET_COUNTY, "start": "2025-11-25", "end": TODAY.isoformat()})).json()
    assert {i["display_name"] for i in coverage["visits_per_inspector"]} == {"张伟", "李娜", "王强", "赵敏"}
    assert coverage["visits"] > 200 and coverage["findings_closed"] > 0 and coverage["return_visit_rate"] is not None
    assert coverage["median_days_to_close"] is not None and coverage["review_median_hours"] is not None
    returned = await Visit.select(Visit.id, Visit.enterprise).where(Visit.status == "returned").first()
    visit = (await supervisor.get(f"/api/visits/{returned['id']}")).json()
    assert visit["review_reason"] and len(visit["signatures"]) == 3 and visit["content_hash"]
    order = await Finding.select(Finding.id).where(Finding.status == "open", Finding.deadline < TODAY,
                                                   Finding.county_code == demo.ROPE_NET_COUNTY).first()
    assert (await supervisor.get(f"/api/findings/{order['id']}")).json()["overdue"] is True
    photo = await MediaItem.select(MediaItem.id).where(MediaItem.category == "premises").first()
    thumbnail = await fetched(supervisor, f"/api/media/{photo['id']}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.content.startswith(b"\xff\xd8")
    reviewer = await sign_in("reviewer", demo.ROPE_NET_COUNTY, name="审核员")
    assert (await reviewer.get("/api/media/review-queue")).json()["items"]


async def test_the_demo_plan_is_drawn_fairly_and_carried_on(settings: Settings, sign_in: SignIn) -> None:
    summary = await demo.load(80, today=TODAY, store=media_store(settings))
    plan = await Plan.select(Plan.id, Plan.status, Plan.window_start, Plan.window_end).first()
    assert f"; plan {plan['id']} locked and drawn: " in summary and plan["status"] == "locked"
    assert plan["window_start"] < TODAY < plan["window_end"]
    # Drawn by the real lock: `dossier verify-draw` recomputes the draw from its record.
    assert draw.verify(await lock.record_of(SYSTEM, plan["id"])) == []

    # The visits of the days gone by were filed and accepted, the older half published
    # (the public page shows them), the rest wait for publication, none late yet.
    supervisor = await sign_in("supervisor", "371600", name="滨州科长")
    progress = (await supervisor.get(f"/api/plans/{plan['id']}/progress")).json()
    assert (progress["drawn"], progress["done"], progress["due"], progress["overdue"]) == (4, 2, 2, 0)
    due = (await supervisor.get("/api/publication/due")).json()
    public = (await supervisor.get("/api/public/results")).json()["items"]
    assert (due["total"], due["late"], len(public)) == (1, 0, 1)
    page = await supervisor.get("/gs")
    assert page.status_code == 200 and public[0]["enterprise_name"] in page.text and public[0]["uscc"] in page.text

    # The visits to come are their drawn teams' (今日任务 lists those of the next seven days).
    cursors = CursorCodec(settings.secret_key)
    to_come = [i for i in progress["items"] if i["state"] == "due"]
    for officer in {member for item in to_come for member in item["team"]}:
        mine = await inspections.list_visits(await accounts.scope_of_user(officer), inspections.VisitFilter(
            status=VisitStatus.planned, member=UUID(officer)), 100, None, cursors, TODAY)
        assert {str(v.id) for v in mine.items} >= {i["visit_id"] for i in to_come if officer in i["team"]}


def test_same_seed_same_data_other_seed_other_data() -> None:
    def rows(seed: int) -> list[tuple]:
        return [e for chunk, _, _ in demo.Generator(300, seed, TODAY).chunks() for e in chunk]

    assert rows(7) == rows(7)

    def notices(seed: int) -> list[tuple]:
        generator = demo.Generator(300, seed, TODAY)
        template = {"id": "t"}
        return [n for _, _, points in generator.chunks() for n in generator.notices(points, {"other": template})]

    assert notices(7) == notices(7) and notices(7) != notices(8)
    assert [r[2] for r in rows(7)] != [r[2] for r in rows(8)]


def test_every_county_code_matches_its_city() -> None:
    regions = demo.region_rows()
    codes = [r.code for r in regions]
    assert len(codes) == len(set(codes))
    assert all(r.code[:4] == r.city_code[:4] for r in regions if r.level == "county")


async def test_same_seed_same_history(client: AsyncClient) -> None:
    checklists = {r["code"]: r for r in await ChecklistVersion.select(
        ChecklistVersion.id, ChecklistVersion.content, ChecklistVersion.template.code.as_alias("code")
    ).output(load_json=True)}

    def history(seed: int) -> demo.Rows:
        firms = [firm for rows, licences, _ in demo.Generator(60, seed, TODAY).chunks()
                 for firm in demo.Firm.all_of(rows, licences, [])]
        return demo.History(firms, checklists, seed, TODAY).build()

    assert history(7) == history(7)
    assert history(7).visits != history(8).visits

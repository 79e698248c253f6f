"""Publication (一公开) of random-draw results: Chinese working days (the library's holidays
and adjusted weekends, an admin's adjustments for a year it does not know), what is due
and what is late, publishing exactly once (one result, or everything due in one click),
the public page and feed without sign-in (search, paging, withdrawal after five years),
the jurisdiction of the staff routes, and results corrected by amendments (the newest
accepted visit of a drawn visit's chain of amendments is the one published).

Accepted random-draw visits come from the plans API (a plan of one county drawn at 100 %,
its certified inspectors inserted as users); the drawn visits are then marked accepted in
the database, at the acceptance instants each test needs, instead of being filed from a
phone and reviewed."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from unittest.mock import patch

import pytest
import time_machine
from httpx import AsyncClient

from backend.accounts.tables import User
from backend.audit.tables import AuditEvent
from backend.clock import BUREAU_TIME, bureau_today
from backend.inspections.tables import Visit
from backend.plans.tables import PlanDraw
from backend.publication.tables import Publication, WorkdayAdjustment
from backend.publication.workdays import LIBRARY, Calendar, add_working_days
from tests.conftest import SignIn, at_once
from tests.factories import HUIMIN, LIXIA, enterprise_body, make_uscc

NAMES = ("惠民县鑫达绳网制品厂", "惠民县福源面粉有限公司", "惠民县金穗食品有限公司", "惠民县康乐饮品有限公司")


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=BUREAU_TIME)


async def events(action: str) -> int:
    return await AuditEvent.count().where(AuditEvent.action == action)


async def draw_plan(admin: AsyncClient, county: str, names: tuple[str, ...], first: int) -> dict[str, str]:
    """A county's plan drawn at 100 % over ``names`` (new enterprises of grade B): the
    drawn visit of each enterprise, by name."""
    firms = {}
    for n, name in enumerate(names, first):
        response = await admin.post("/api/enterprises", json=enterprise_body(n, county, name=name, risk_grade="B"))
        assert response.status_code == 201, response.text
        firms[response.json()["id"]] = name
    for i in range(2):
        await User.insert(User(id=uuid.uuid4(), display_name=f"{county}检查员{i}", role="inspector", region_code=county,
                               certificate_no=f"{county}0000{i}", active=True))
    item = await admin.post("/api/plan-items", json={
        "region_code": county, "name": "日常监督检查", "legal_basis": "《产品质量法》第十五条",
        "categories": ["industrial_products"], "checklist_code": "food-routine"})
    assert item.status_code == 201, item.text
    today = bureau_today()
    plan = await admin.post("/api/plans", json={
        "title": "2026年第四季度双随机抽查", "year": today.year, "period": "第四季度", "bureau_code": county,
        "item_ids": [item.json()["id"]], "sampling": [{"stratum": "risk:B", "ratio": 100}],
        "window_start": today.isoformat(), "window_end": (today + timedelta(days=30)).isoformat()})
    assert plan.status_code == 201, plan.text
    drawn = await admin.post(f"/api/plans/{plan.json()['id']}/lock")
    assert drawn.status_code == 201, drawn.text
    rows = await PlanDraw.select(PlanDraw.enterprise, PlanDraw.visit).where(PlanDraw.plan == plan.json()["id"])
    return {firms[str(row["enterprise"])]: str(row["visit"]) for row in rows}


async def accept(visit_id: str, when: datetime, conclusion: str = "pass") -> None:
    await Visit.update({Visit.status: "accepted", Visit.conclusion: conclusion, Visit.started_at: when - timedelta(days=1),
                        Visit.submitted_at: when - timedelta(days=1), Visit.reviewed_at: when}).where(Visit.id == visit_id)


async def amend(original: str, filed: datetime) -> str:
    """A submitted amendment of ``original`` (filed at ``filed``), as a team sends one."""
    row = await Visit.select(Visit.enterprise, Visit.province_code, Visit.city_code, Visit.county_code, Visit.checklist,
                             Visit.team).where(Visit.id == original).first()
    amendment = uuid.uuid4()
    await Visit.insert(Visit(id=amendment, **row, visit_type="routine", planned_date=filed.date(), status="submitted",
                             amends=original, started_at=filed, submitted_at=filed))
    return str(amendment)


async def accept_amendment(original: str, when: datetime, conclusion: str) -> str:
    """An amendment of ``original`` filed the day before ``when`` and accepted at ``when``."""
    amendment = await amend(original, when - timedelta(days=1))
    await accept(amendment, when, conclusion)
    return amendment


@pytest.fixture
async def scene(client: AsyncClient, sign_in: SignIn) -> dict:
    """Four drawn visits in Huimin, one in Lixia (Jinan); Huimin's supervisor."""
    huimin = await draw_plan(client, HUIMIN, NAMES, 1)
    lixia = await draw_plan(client, LIXIA, ("济南历下泉城食品有限公司",), 11)
    return {"visits": huimin, "lixia": lixia["济南历下泉城食品有限公司"], "admin": client,
            "supervisor": await sign_in("supervisor", HUIMIN, name="惠民科长")}


# ---------------------------------------------------------------------------- working days


def test_working_days_skip_national_day_and_count_the_adjusted_saturday() -> None:
    """2026: 1-7 October are holidays; Saturday 10 October and Sunday 20 September are
    working days (调休), Sunday 11 October is not."""
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # the adjusted Saturday counts
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert add_working_days(date(2026, 9, 30), 20) == date(2026, 11, 3)
    assert add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)  # a working Sunday
    # a year the library does not know: weekends only, and said to be incomplete
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert LIBRARY.incomplete(2027) and not LIBRARY.incomplete(2026)
    adjusted = Calendar({date(2027, 1, 1): False, date(2027, 1, 2): True})
    assert add_working_days(date(2026, 12, 31), 1, adjusted) == date(2027, 1, 2)
    assert not adjusted.incomplete(2027)


async def test_an_admin_adjustment_for_2027_moves_a_deadline(scene: dict) -> None:
    admin, supervisor = scene["admin"], scene["supervisor"]
    await accept(scene["visits"][NAMES[0]], at("2026-12-30"))

    def due(response) -> tuple:
        item = response.json()["items"][0]
        return item["due_on"], item["calendar_incomplete"], response.json()["incomplete_years"]

    # 31 Dec and 1 Jan (a Friday) count, 2027 being weekends only
    assert due(await supervisor.get("/api/publication/due")) == ("2027-01-27", True, [2027])

    responses = await at_once(8, lambda: admin.put("/api/workday-adjustments/2027-01-01",
                                                   json={"working": False, "note": "元旦"}))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert (await WorkdayAdjustment.count(), await events("workday.adjusted")) == (1, 1)

    assert due(await supervisor.get("/api/publication/due")) == ("2027-01-28", False, [])
    listed = await admin.get("/api/workday-adjustments", params={"year": 2027})
    assert listed.json() == [{"day": "2027-01-01", "working": False, "note": "元旦"}]
    assert (await admin.put("/api/workday-adjustments/2027-01-01", json={"working": True})).status_code == 200
    assert await events("workday.adjusted") == 2  # a change is a new event
    assert (await admin.delete("/api/workday-adjustments/2027-01-01")).status_code == 204
    assert (await admin.delete("/api/workday-adjustments/2027-01-01")).status_code == 404
    assert due(await supervisor.get("/api/publication/due")) == ("2027-01-27", True, [2027])

    assert (await supervisor.put("/api/workday-adjustments/2027-01-01", json={"working": False})).status_code == 403
    refused = await admin.put("/api/workday-adjustments/1999-01-01", json={"working": False})
    assert refused.status_code == 400 and refused.json()["extra"][0]["key"] == "day"


# ---------------------------------------------------------------------------- due and late


async def test_due_lists_the_longest_waiting_first_with_late_flags(scene: dict) -> None:
    """Today is Tuesday 24 November 2026: accepted on 26 October, the 20th working day
    was yesterday (late); on the 27th, it is today (not late yet)."""
    visits, supervisor = scene["visits"], scene["supervisor"]
    await accept(visits[NAMES[2]], at("2026-11-20"), "fail")
    await accept(visits[NAMES[0]], at("2026-10-26"))
    await accept(visits[NAMES[1]], at("2026-10-27", hour=23), "pass_with_rectification")  # 23:00 Beijing time: still the 27th
    await accept(scene["lixia"], at("2026-10-01"))  # another jurisdiction

    response = await supervisor.get("/api/publication/due")

    assert response.status_code == 200, response.text
    page = response.json()
    assert [(i["enterprise_name"], i["accepted_on"], i["due_on"], i["late"]) for i in page["items"]] == [
        (NAMES[0], "2026-10-26", "2026-11-23", True), (NAMES[1], "2026-10-27", "2026-11-24", False),
        (NAMES[2], "2026-11-20", "2026-12-18", False)]
    assert (page["total"], page["late"], page["incomplete_years"]) == (3, 1, [])
    first = page["items"][0]
    assert (first["bureau"], first["result"], first["result_label"], first["visit_date"]) == (
        "惠民县市场监督管理局", "pass", "符合", "2026-10-25")
    assert page["items"][2]["result_label"] == "不符合"
    late = (await supervisor.get("/api/publication/due", params={"late": "true"})).json()
    assert [i["enterprise_name"] for i in late["items"]] == [NAMES[0]] and late["total"] == 1
    assert len((await supervisor.get("/api/publication/due", params={"late": "false"})).json()["items"]) == 2
    paged = (await supervisor.get("/api/publication/due", params={"limit": 2})).json()
    rest = (await supervisor.get("/api/publication/due", params={"limit": 2, "cursor": paged["next_cursor"]})).json()
    assert [i["enterprise_name"] for i in paged["items"] + rest["items"]] == list(NAMES[:3])

    with time_machine.travel(at("2026-11-25", hour=9), tick=False):
        later = (await supervisor.get("/api/publication/due")).json()
    assert [i["late"] for i in later["items"]] == [True, True, False] and later["late"] == 2


# ---------------------------------------------------------------------------- publishing


async def test_a_result_sent_8_times_at_once_is_published_once(scene: dict) -> None:
    visit, supervisor = scene["visits"][NAMES[0]], scene["supervisor"]
    await accept(visit, at("2026-10-26"))

    responses = await at_once(8, lambda: supervisor.post("/api/publication", json={"visit_ids": [visit]}))

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert (await Publication.count(), await events("result.published")) == (1, 1)
    result = responses[0].json()[0]
    assert {k: result[k] for k in ("visit_id", "enterprise_name", "uscc", "bureau", "result_label", "accepted_on",
                                   "due_on", "published_on", "late", "withdraw_on", "withdrawn")} == {
        "visit_id": visit, "enterprise_name": NAMES[0], "uscc": make_uscc(1), "bureau": "惠民县市场监督管理局",
        "result_label": "符合", "accepted_on": "2026-10-26", "due_on": "2026-11-23", "published_on": "2026-11-24",
        "late": True, "withdraw_on": "2031-11-24", "withdrawn": False}
    assert (await supervisor.get("/api/publication/due")).json()["total"] == 0


async def test_only_accepted_drawn_visits_of_the_jurisdiction_are_published(scene: dict, sign_in: SignIn) -> None:
    visits, supervisor = scene["visits"], scene["supervisor"]
    await accept(visits[NAMES[0]], at("2026-11-20"))
    await accept(scene["lixia"], at("2026-11-20"))

    planned = await supervisor.post("/api/publication", json={"visit_ids": [visits[NAMES[0]], visits[NAMES[1]]]})
    assert planned.status_code == 409 and planned.json()["extra"][0]["key"] == "visit_ids", planned.text
    elsewhere = await supervisor.post("/api/publication", json={"visit_ids": [scene["lixia"]]})
    assert elsewhere.status_code == 404 and elsewhere.json()["extra"][0]["key"] == "visit_ids"
    assert (await supervisor.post("/api/publication", json={"visit_ids": [str(uuid.uuid4())]})).status_code == 404
    assert (await Publication.count(), await events("result.published")) == (0, 0)  # nothing written

    assert (await supervisor.get("/api/publication/due", params={"region": LIXIA})).status_code == 404
    assert (await supervisor.post("/api/publication/due", json={"region": LIXIA})).status_code == 404
    assert (await supervisor.post("/api/publication/due", json={})).json() == {"published": 1, "late": 0, "corrected": 0}
    await scene["admin"].post("/api/publication", json={"visit_ids": [scene["lixia"]]})  # the province's admin may
    mine = (await supervisor.get("/api/publication/published")).json()["items"]
    assert [i["enterprise_name"] for i in mine] == [NAMES[0]]

    firm = (await Visit.select(Visit.enterprise).where(Visit.id == visits[NAMES[0]]).first())["enterprise"]
    enterprise_user = await sign_in("enterprise", enterprise_id=firm)
    inspector = await sign_in("inspector", HUIMIN)
    for path in ("/api/publication/due", "/api/publication/published"):
        assert (await enterprise_user.get(path)).status_code == 403
    assert (await inspector.get("/api/publication/published")).status_code == 200
    assert (await inspector.post("/api/publication/due", json={})).status_code == 403


async def test_publishing_everything_due_is_one_click_done_once(scene: dict) -> None:
    visits, supervisor = scene["visits"], scene["supervisor"]
    for name, day in zip(NAMES[:3], ("2026-10-20", "2026-10-27", "2026-11-23")):
        await accept(visits[name], at(day))

    responses = await at_once(8, lambda: supervisor.post("/api/publication/due", json={}))

    assert {r.status_code for r in responses} == {200}
    assert sum(r.json()["published"] for r in responses) == 3 and sum(r.json()["late"] for r in responses) == 1
    assert (await Publication.count(), await events("result.published")) == (3, 3)
    assert (await supervisor.get("/api/publication/due")).json() == {
        "items": [], "next_cursor": None, "total": 0, "late": 0, "incomplete_years": []}
    published = (await supervisor.get("/api/publication/published")).json()["items"]
    assert [(i["enterprise_name"], i["late"]) for i in published] == [
        (NAMES[2], False), (NAMES[1], False), (NAMES[0], True)]  # newest first: published in acceptance order


# ---------------------------------------------------------------------------- the public


async def test_anyone_reads_published_results_and_searches_them(scene: dict, anon: AsyncClient) -> None:
    visits, supervisor = scene["visits"], scene["supervisor"]
    for name, conclusion in zip(NAMES, ("pass", "pass_with_rectification", "fail", "pass")):
        await accept(visits[name], at("2026-11-20"), conclusion)
    for name in NAMES[:3]:  # the fourth stays unpublished
        await supervisor.post("/api/publication", json={"visit_ids": [visits[name]]})

    feed = await anon.get("/api/public/results")

    assert feed.status_code == 200, feed.text
    assert feed.headers["cache-control"] == "public, max-age=60"
    items = feed.json()["items"]
    assert [i["enterprise_name"] for i in items] == [NAMES[2], NAMES[1], NAMES[0]]
    assert items[0] == {"plan_title": "2026年第四季度双随机抽查", "plan_year": 2026, "plan_period": "第四季度",
                        "enterprise_name": NAMES[2], "uscc": make_uscc(3), "visit_date": "2026-11-19", "result": "fail",
                        "result_label": "不符合", "bureau": "惠民县市场监督管理局", "published_on": "2026-11-24",
                        "corrected_on": None}

    def names(response) -> list[str]:
        assert response.status_code == 200, response.text
        return [i["enterprise_name"] for i in response.json()["items"]]

    assert names(await anon.get("/api/public/results", params={"q": "面粉"})) == [NAMES[1]]
    assert names(await anon.get("/api/public/results", params={"q": "食品有限"})) == [NAMES[2]]
    assert names(await anon.get("/api/public/results", params={"q": "康乐"})) == []  # accepted, not published
    assert names(await anon.get("/api/public/results", params={"q": "惠民县"})) == [NAMES[2], NAMES[1], NAMES[0]]
    with patch("backend.publication.service.RARE", 2):  # now common: walked, not looked up (same answer)
        assert names(await anon.get("/api/public/results", params={"q": "惠民县"})) == [NAMES[2], NAMES[1], NAMES[0]]
        assert names(await anon.get("/api/public/results", params={"q": "面粉有限"})) == [NAMES[1]]
    assert names(await anon.get("/api/public/results", params={"q": '面粉"有限'})) == []  # a quote is a character
    assert names(await anon.get("/api/public/results", params={"q": make_uscc(1)})) == [NAMES[0]]
    assert names(await anon.get("/api/public/results", params={"q": make_uscc(2).lower()})) == [NAMES[1]]
    assert names(await anon.get("/api/public/results", params={"q": make_uscc(1)[:10]})) == [NAMES[2], NAMES[1], NAMES[0]]
    assert names(await anon.get("/api/public/results", params={"q": make_uscc(1)[:17]})) == [NAMES[0]]
    assert names(await anon.get("/api/public/results", params={"q": make_uscc(1)[:8]})) == []  # a region: names only
    first = await anon.get("/api/public/results", params={"limit": 2})
    rest = await anon.get("/api/public/results", params={"limit": 2, "cursor": first.json()["next_cursor"]})
    assert names(first) + names(rest) == [NAMES[2], NAMES[1], NAMES[0]] and rest.json()["next_cursor"] is None
    assert (await anon.get("/api/public/results", params={"q": "%"})).json()["extra"][0]["key"] == "q"

    html = await anon.get("/gs")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert all(name in html.text for name in NAMES[:3]) and NAMES[3] not in html.text
    assert "基本符合（限期整改）" in html.text and 'name="viewport"' in html.text and "<script" not in html.text
    searched = await anon.get("/gs", params={"q": "鑫达"})
    assert NAMES[0] in searched.text and NAMES[1] not in searched.text and 'value="鑫达"' in searched.text
    assert "没有找到" in (await anon.get("/gs", params={"q": "不存在的企业"})).text
    bad = await anon.get("/gs", params={"q": "%%"})
    assert bad.status_code == 400 and "请输入企业名称" in bad.text
    assert "请从第一页" in (await anon.get("/gs", params={"cursor": "forged"})).text


async def test_results_are_withdrawn_five_years_after_publication(scene: dict, anon: AsyncClient) -> None:
    visit = scene["visits"][NAMES[0]]
    await accept(visit, at("2026-11-20"))
    published = await scene["supervisor"].post("/api/publication", json={"visit_ids": [visit]})
    assert published.json()[0]["withdraw_on"] == "2031-11-24"

    with time_machine.travel(at("2031-11-23", hour=23), tick=False):
        assert len((await anon.get("/api/public/results")).json()["items"]) == 1
        assert NAMES[0] in (await anon.get("/gs")).text
    with time_machine.travel(at("2031-11-24", hour=0), tick=False):
        assert (await anon.get("/api/public/results")).json()["items"] == []
        assert NAMES[0] not in (await anon.get("/gs")).text
    assert await Publication.count() == 1  # withdrawn from view, kept on record


async def test_the_public_routes_are_rate_limited_per_address(anon: AsyncClient) -> None:
    statuses = [(await anon.get("/gs" if n % 2 else "/api/public/results")).status_code for n in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429


# ---------------------------------------------------------------------------- corrections by amendments


async def test_an_amendment_accepted_after_publication_corrects_the_result_once(scene: dict, anon: AsyncClient) -> None:
    """Published 符合; an amendment accepted later says 不符合: the result is due again,
    from the amendment's acceptance, and publishing it (eight times at once) corrects the
    row once, shown to the public as corrected; an amendment of the amendment, again."""
    visits, supervisor = scene["visits"], scene["supervisor"]
    drawn = visits[NAMES[0]]
    await accept(drawn, at("2026-10-26"))
    assert (await supervisor.post("/api/publication", json={"visit_ids": [drawn]})).status_code == 201
    pending = await amend(drawn, at("2026-11-02"))  # submitted, not accepted: nothing due
    assert (await supervisor.get("/api/publication/due")).json()["total"] == 0
    await accept(visits[NAMES[1]], at("2026-11-19"))  # another result, first published
    await accept(pending, at("2026-11-20"), "fail")

    page = (await supervisor.get("/api/publication/due")).json()
    assert [(i["enterprise_name"], i["visit_id"], i["result_visit_id"], i["correction"], i["published_result_label"],
             i["result_label"], i["accepted_on"], i["due_on"], i["late"]) for i in page["items"]] == [
        (NAMES[1], visits[NAMES[1]], visits[NAMES[1]], False, "", "符合", "2026-11-19", "2026-12-17", False),
        (NAMES[0], drawn, pending, True, "符合", "不符合", "2026-11-20", "2026-12-18", False)]
    assert page["items"][1]["visit_date"] == "2026-11-19" and page["total"] == 2
    second = (await supervisor.get("/api/publication/due", params={"limit": 1, "cursor": (await supervisor.get(
        "/api/publication/due", params={"limit": 1})).json()["next_cursor"]})).json()
    assert [i["result_visit_id"] for i in second["items"]] == [pending] and second["next_cursor"] is None

    responses = await at_once(8, lambda: supervisor.post("/api/publication", json={"visit_ids": [drawn]}))

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert (await Publication.count(), await events("result.published"), await events("result.corrected")) == (1, 1, 1)
    row = responses[0].json()[0]
    assert {k: row[k] for k in ("visit_id", "result_visit_id", "result", "result_label", "accepted_on", "due_on",
                                "published_on", "corrected_on", "late", "withdraw_on")} == {
        "visit_id": drawn, "result_visit_id": pending, "result": "fail", "result_label": "不符合",
        "accepted_on": "2026-11-20", "due_on": "2026-12-18", "published_on": "2026-11-24", "corrected_on": "2026-11-24",
        "late": False, "withdraw_on": "2031-11-24"}
    event = json.loads((await AuditEvent.select(AuditEvent.details).where(
        AuditEvent.action == "result.corrected").first())["details"])
    assert {k: event[k] for k in ("result", "previous_result", "result_visit", "previous_result_visit")} == {
        "result": "fail", "previous_result": "pass", "result_visit": pending, "previous_result_visit": drawn}
    assert [i["enterprise_name"] for i in (await supervisor.get("/api/publication/due")).json()["items"]] == [NAMES[1]]
    public = (await anon.get("/api/public/results", params={"q": NAMES[0]})).json()["items"]
    assert [(i["result"], i["published_on"], i["corrected_on"]) for i in public] == [("fail", "2026-11-24", "2026-11-24")]
    html = (await anon.get("/gs", params={"q": NAMES[0]})).text
    assert "不符合" in html and "已更正" in html

    # an amendment of the amendment: due again; everything due is published in one click
    again = await accept_amendment(pending, at("2026-11-23"), "pass_with_rectification")
    counts = await at_once(8, lambda: supervisor.post("/api/publication/due", json={}))
    assert sorted((r.json()["published"], r.json()["corrected"]) for r in counts) == [(0, 0)] * 7 + [(2, 1)]
    assert (await Publication.count(), await events("result.published"), await events("result.corrected")) == (2, 2, 2)
    mine = (await supervisor.get("/api/publication/published", params={"q": NAMES[0]})).json()["items"]
    assert [(i["result_visit_id"], i["result"], i["accepted_on"]) for i in mine] == [
        (again, "pass_with_rectification", "2026-11-23")]


async def test_the_newest_filed_accepted_visit_of_a_chain_is_the_result(scene: dict) -> None:
    """A drawn visit returned, then amended twice: nothing is published until an
    amendment is accepted; the amendment filed last wins even when accepted first, and
    an older one accepted afterwards changes nothing."""
    visits, supervisor = scene["visits"], scene["supervisor"]
    drawn = visits[NAMES[2]]
    await accept(drawn, at("2026-11-02"))
    await Visit.update({Visit.status: "returned"}).where(Visit.id == drawn)
    older, newer = await amend(drawn, at("2026-11-03")), await amend(drawn, at("2026-11-05"))

    refused = await supervisor.post("/api/publication", json={"visit_ids": [drawn]})
    assert refused.status_code == 409 and "(returned)" in refused.text and refused.json()["extra"][0]["key"] == "visit_ids"
    await accept(newer, at("2026-11-10"), "fail")
    await Visit.update({Visit.submitted_at: at("2026-11-05")}).where(Visit.id == newer)
    published = await supervisor.post("/api/publication", json={"visit_ids": [drawn]})
    assert published.status_code == 201, published.text
    assert [(r["result_visit_id"], r["result"], r["accepted_on"]) for r in published.json()] == [
        (newer, "fail", "2026-11-10")]

    await accept(older, at("2026-11-12"), "pass")  # filed before the one published
    await Visit.update({Visit.submitted_at: at("2026-11-03")}).where(Visit.id == older)
    assert (await supervisor.get("/api/publication/due")).json()["total"] == 0
    again = await supervisor.post("/api/publication", json={"visit_ids": [drawn]})
    assert again.status_code == 200 and again.json()[0]["result"] == "fail"
    assert (await events("result.published"), await events("result.corrected")) == (1, 0)

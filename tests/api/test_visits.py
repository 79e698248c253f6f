"""Visits through the HTTP API: plan, offline batch submission, locking, review,
amendment; and every rule refused with nothing written."""

from __future__ import annotations

import asyncio
import copy
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from httpx import AsyncClient

from backend import clock
from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.clock import BUREAU_TIME, bureau_today
from backend.coverage.tables import CoverageDay, InspectorDay, InspectorMonth
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import Finding, Visit
from backend.settings import Settings
from tests.conftest import SignIn, dossier
from tests.factories import HUIMIN, LIXIA, enterprise_body, pdf, photo, png


def bureau_now() -> datetime:
    return clock.now().astimezone(BUREAU_TIME)


def exif(instant: datetime) -> str:
    """``instant`` as a phone writes it in EXIF: the bureau's wall clock, no zone."""
    return instant.astimezone(BUREAU_TIME).strftime("%Y:%m:%d %H:%M:%S")


def month_end(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


async def upload(client: AsyncClient, enterprise_id: str, content: bytes, category: str, name: str = "p.jpg") -> str:
    response = await client.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": enterprise_id,
                                                     "category": category},
                                 files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture
async def scene(client: AsyncClient, sign_in: SignIn) -> dict:
    """A food producer in Huimin, two Huimin inspectors with their photos and signatures
    uploaded, a reviewer, and the food routine checklist; their visit started half an
    hour ago (at midnight, if today is younger than that)."""
    started = max(bureau_now() - timedelta(minutes=30), datetime.combine(bureau_today(), time(0), BUREAU_TIME))
    firm = (await client.post("/api/enterprises", json=enterprise_body(1, category="food_production"))).json()
    zhang, li = await sign_in("inspector", HUIMIN, name="张伟"), await sign_in("inspector", HUIMIN, name="李娜")
    ids = [(await u.get("/api/me")).json()["id"] for u in (zhang, li)]
    checklist = next(c for c in (await zhang.get("/api/checklists")).json() if c["code"] == "food-routine")
    evidence = await upload(zhang, firm["id"], photo(seed=1, when=exif(started + timedelta(minutes=10))), "evidence")
    signatures = [await upload(zhang, firm["id"], png((0, 0, s * 60)), "signature", "s.png") for s in range(3)]
    return {"firm": firm, "zhang": zhang, "li": li, "ids": ids, "checklist": checklist, "evidence": evidence,
            "signatures": signatures, "reviewer": await sign_in("reviewer", HUIMIN, name="王芳"), "started": started}


def submission(scene: dict, visit_id: str | None = None, **changes) -> dict:
    deadline = (bureau_today() + timedelta(days=30)).isoformat()
    body = {
        "visit": {"id": visit_id or str(uuid.uuid4()), "enterprise_id": scene["firm"]["id"],
                  "checklist_id": scene["checklist"]["id"], "visit_type": "routine",
                  "planned_date": scene["started"].date().isoformat(), "team": scene["ids"]},
        "started_at": scene["started"].isoformat(), "start_latitude": 37.49, "start_longitude": 117.51,
        "answers": [
            {"item": "A1", "result": "pass"},
            {"item": "B3", "result": "fail", "note": "使用了超范围添加剂", "media": [scene["evidence"]]},
            {"item": "B4", "number": 4.5},
            {"item": "F1", "choice": "部分缺失"},
            {"item": "F2", "text": "缺少出厂检验记录台账"},
        ],
        "findings": [{"id": str(uuid.uuid4()), "item": "B3", "description": "超范围使用食品添加剂", "deadline": deadline}],
        "signatures": [
            {"signer": "inspector", "user_id": scene["ids"][0], "name": "张伟", "media_id": scene["signatures"][0]},
            {"signer": "inspector", "user_id": scene["ids"][1], "name": "李娜", "media_id": scene["signatures"][1]},
            {"signer": "enterprise", "name": "企业负责人", "media_id": scene["signatures"][2]},
        ],
        "conclusion": "pass_with_rectification",
    }
    body.update(changes)
    return body


async def file_follow_up(scene: dict, started: datetime | None = None) -> dict:
    """A follow-up visit to the scene's enterprise by the same team (everything passes),
    started ``started`` (by default now: after anything found so far)."""
    body = submission(scene, findings=[], started_at=(started or bureau_now()).isoformat())
    body["visit"]["visit_type"] = "follow_up"
    body["answers"][1]["result"] = "pass"
    response = await scene["li"].post("/api/visits/submissions", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_checklists_are_the_standard_templates(scene: dict) -> None:
    checklists = (await scene["zhang"].get("/api/checklists")).json()
    assert {c["code"]: c["title"] for c in checklists} == {
        "food-routine": "食品生产企业日常监督检查表",
        "food-supervision": "食品生产监督检查要点表",
        "licence-verification": "食品生产许可现场核查表",
        "special-equipment": "特种设备安全监督检查表",
        "industrial-routine": "工业产品生产企业日常监督检查表",
    }
    items = [i for s in scene["checklist"]["sections"] for i in s["items"]]
    assert {i["kind"] for i in items} == {"pass_fail", "number", "text", "choice"}
    assert {i["severity"] for i in items} == {"critical", "major", "minor"}
    assert all(i["legal_basis"] for i in items) and len(scene["checklist"]["content_hash"]) == 64


async def test_visit_lifecycle(scene: dict) -> None:
    zhang, reviewer = scene["zhang"], scene["reviewer"]
    body = submission(scene)
    visit_id = body["visit"]["id"]
    planned = await zhang.post("/api/visits", json=body["visit"])
    assert planned.status_code == 201 and planned.json()["status"] == "planned"
    assert (await zhang.post("/api/visits", json=body["visit"])).status_code == 200

    first = await zhang.post("/api/visits/submissions", json=body, headers={"Idempotency-Key": visit_id})
    again = await zhang.post("/api/visits/submissions", json=body, headers={"Idempotency-Key": visit_id})
    assert (first.status_code, again.status_code) == (201, 200), first.text
    visit = first.json()
    assert again.json() == visit and visit["status"] == "submitted" and len(visit["content_hash"]) == 64
    assert await Visit.count() == 1 and await Finding.count() == 1
    assert visit["findings"][0]["severity"] == "critical" and "第三十四条" in visit["findings"][0]["legal_basis"]
    submitted = await AuditEvent.select(AuditEvent.details).where(AuditEvent.action == "visit.submitted").first()
    assert visit["content_hash"] in submitted["details"]

    changed = submission(scene, visit_id, conclusion="pass")
    locked = await zhang.post("/api/visits/submissions", json=changed)
    assert locked.status_code == 409 and "amendment" in locked.json()["detail"]

    returned = await reviewer.post(f"/api/visits/{visit_id}/review", json={"decision": "return", "reason": "缺少企业负责人签名日期"})
    assert returned.json()["status"] == "returned" and returned.json()["review_reason"] == "缺少企业负责人签名日期"
    amendment = submission(scene, findings=[])
    amendment["visit"]["amends"] = visit_id
    amendment["answers"][1]["result"] = "pass"
    amended = await scene["li"].post("/api/visits/submissions", json=amendment)
    assert amended.status_code == 201 and amended.json()["amends"] == visit_id
    accepted = await reviewer.post(f"/api/visits/{amendment['visit']['id']}/review", json={"decision": "accept"})
    assert accepted.json()["status"] == "accepted"
    original = (await zhang.get(f"/api/visits/{visit_id}")).json()
    assert original["content_hash"] == visit["content_hash"]  # unchanged, and shown as amended
    assert original["amended_by"] == [amendment["visit"]["id"]]
    assert (await audit.verify()).ok


def drop_signature(body: dict, signer: str) -> None:
    body["signatures"] = [s for s in body["signatures"] if s["signer"] != signer]


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        (lambda b, s: b["visit"].update(team=s["ids"][:1]), 400, "visit.team"),
        (lambda b, s: b["answers"].append({"item": "Z9", "result": "pass"}), 400, "answers[5].item"),
        (lambda b, s: b["answers"].append({"item": "A1", "result": "fail"}), 400, "answers[5].item"),
        (lambda b, s: b["answers"][1].update(media=[]), 400, "answers[1].media"),
        (lambda b, s: b["answers"][2].update(number=None), 400, "answers[2].number"),
        (lambda b, s: b["answers"][3].update(choice="也许"), 400, "answers[3].choice"),
        (lambda b, s: b["findings"][0].update(deadline="2020-01-01"), 400, "findings[0].deadline"),
        (lambda b, s: b["findings"][0].update(item="A1"), 400, "findings[0].item"),
        (lambda b, s: drop_signature(b, "enterprise"), 400, "signatures"),
        (lambda b, s: b["signatures"][2].update(media_id=None, refused=True), 400, "signatures[2].witness_note"),
        (lambda b, s: b["signatures"][0].update(media_id=s["evidence"]), 400, "signatures[0].media_id"),
        (lambda b, s: b.update(conclusion="maybe"), 400, "conclusion"),
    ],
)
async def test_rules_refuse_and_write_nothing(scene: dict, change, status: int, field: str) -> None:
    body = copy.deepcopy(submission(scene))
    change(body, scene)
    before = await AuditEvent.count()
    response = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert response.status_code == status, response.text
    assert field in {e["key"] for e in response.json().get("extra", [])}, response.json()
    assert await Visit.count() == 0 and await Finding.count() == 0 and await AuditEvent.count() == before


async def test_refusal_witnessed_is_accepted(scene: dict) -> None:
    body = submission(scene)
    body["signatures"][2] = {"signer": "enterprise", "name": "企业负责人", "refused": True, "witness_note": "村委会主任赵强见证"}
    assert (await scene["zhang"].post("/api/visits/submissions", json=body)).status_code == 201


async def test_an_inspectors_signature_is_filed_under_their_name_on_record(scene: dict) -> None:
    body = submission(scene)
    body["signatures"][1]["name"] = "王五"  # typed on a phone: the paper names the team member all the same
    response = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert response.status_code == 201, response.text
    visit = (await scene["zhang"].get(f"/api/visits/{response.json()['id']}")).json()
    assert [s["name"] for s in visit["signatures"]] == ["张伟", "李娜", "企业负责人"]


async def test_a_pdf_is_not_a_signature(scene: dict) -> None:
    body = submission(scene)
    body["signatures"][2]["media_id"] = await upload(scene["zhang"], scene["firm"]["id"], pdf(), "signature", "s.pdf")
    response = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "signatures[2].media_id"


async def test_team_must_cover_the_enterprise(scene: dict, sign_in: SignIn) -> None:
    stranger = await sign_in("inspector", LIXIA, name="历下检查员")
    body = submission(scene)
    body["visit"]["team"] = [scene["ids"][0], (await stranger.get("/api/me")).json()["id"]]
    response = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert response.status_code == 400 and "jurisdiction" in response.json()["detail"]
    assert (await stranger.post("/api/visits/submissions", json=submission(scene))).status_code == 404


async def test_photos_far_from_the_visit_time_are_flagged(scene: dict) -> None:
    started = scene["started"]
    old = await upload(scene["zhang"], scene["firm"]["id"], photo(seed=2, when=exif(started - timedelta(days=4))), "evidence")
    body = submission(scene)
    body["answers"][1]["media"] = [scene["evidence"], old]
    assert (await scene["zhang"].post("/api/visits/submissions", json=body)).status_code == 201
    flags = {m: (await scene["zhang"].get(f"/api/media/{m}")).json()["flags"] for m in (scene["evidence"], old)}
    assert flags == {scene["evidence"]: [], old: ["far_from_visit_time"]}

    late = await scene["zhang"].post("/api/media", data={
        "id": str(uuid.uuid4()), "enterprise_id": scene["firm"]["id"], "category": "evidence",
        "visit_id": body["visit"]["id"]},
        files={"file": ("p.jpg", photo(seed=3, when=exif(started + timedelta(days=2))), "image/jpeg")})
    assert late.json()["flags"] == ["far_from_visit_time"]


async def test_rectification_loop(scene: dict, sign_in: SignIn) -> None:
    zhang = scene["zhang"]
    visit = (await zhang.post("/api/visits/submissions", json=submission(scene))).json()
    finding = visit["findings"][0]["id"]
    owner = await sign_in("enterprise", enterprise_id=scene["firm"]["id"], name="企业负责人")
    orders = (await owner.get(f"/api/enterprises/{scene['firm']['id']}/findings")).json()
    assert [(o["id"], o["status"], o["overdue"], o["evidence"]) for o in orders] == [(finding, "open", False, [])]

    async def evidence(category: str = "rectification", order: str = finding) -> tuple[int, dict]:
        response = await owner.post("/api/media", data={
            "id": str(uuid.uuid4()), "enterprise_id": scene["firm"]["id"], "category": category, "rectification_id": order},
            files={"file": ("fix.jpg", photo(seed=60 + len(order)), "image/jpeg")})
        return response.status_code, response.json()

    assert (await evidence(order=str(uuid.uuid4())))[0] == 400
    first_status, first = await evidence()
    assert first_status == 201
    rejected = await zhang.post(f"/api/findings/{finding}/decision",
                                json={"decision": "reject", "evidence_id": first["id"], "note": "标签仍未更正"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "open"
    returned = (await owner.get("/api/media/mine", params={"status": "returned"})).json()["items"]
    assert [(m["id"], m["review_reason"]) for m in returned] == [(first["id"], "标签仍未更正")]

    _, second = await evidence()
    closed = await zhang.post(f"/api/findings/{finding}/decision",
                              json={"decision": "close", "evidence_id": second["id"], "note": "已整改"})
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["closed_via"]) == ("closed", "evidence")
    assert closed.json()["evidence"] == [first["id"], second["id"]]
    assert (await owner.get(f"/api/media/{second['id']}")).json()["status"] == "accepted"
    again = await zhang.post(f"/api/findings/{finding}/decision", json={"decision": "close", "via": "follow_up"})
    assert again.status_code == 409
    assert (await evidence())[0] == 400  # no evidence against a closed order


async def test_overdue_orders_and_follow_up_closure(scene: dict) -> None:
    visit = (await scene["zhang"].post("/api/visits/submissions", json=submission(scene))).json()
    finding = visit["findings"][0]["id"]
    await Finding.update({Finding.deadline: bureau_today() - timedelta(days=1)}).where(Finding.id == finding)
    order = (await scene["zhang"].get(f"/api/findings/{finding}")).json()
    assert order["overdue"] is True
    await file_follow_up(scene)
    closed = await scene["zhang"].post(f"/api/findings/{finding}/decision",
                                       json={"decision": "close", "via": "follow_up", "note": "回访确认已整改"})
    assert (closed.json()["status"], closed.json()["closed_via"], closed.json()["overdue"]) == ("closed", "follow_up", False)
    no_evidence = await scene["zhang"].post(f"/api/findings/{finding}/decision", json={"decision": "reject"})
    assert no_evidence.status_code == 409


async def test_schedule_follows_visits_and_findings(scene: dict, client: AsyncClient) -> None:
    firm = scene["firm"]
    today = bureau_today()
    fresh = (await client.get(f"/api/enterprises/{firm['id']}")).json()
    registered_on = datetime.fromisoformat(firm["created_at"]).astimezone(BUREAU_TIME).date().isoformat()
    assert (fresh["last_visited_on"], fresh["next_due_on"]) == (None, registered_on)

    visit = (await scene["zhang"].post("/api/visits/submissions", json=submission(scene))).json()
    deadline = visit["findings"][0]["deadline"]
    after_visit = (await client.get(f"/api/enterprises/{firm['id']}")).json()
    assert after_visit["last_visited_on"] == scene["started"].date().isoformat()
    assert after_visit["next_due_on"] == deadline  # the follow-up comes before the grade's 180 days

    follow_up = await file_follow_up(scene)
    last_visit = datetime.fromisoformat(follow_up["started_at"]).astimezone(BUREAU_TIME).date()
    await scene["zhang"].post(f"/api/findings/{visit['findings'][0]['id']}/decision",
                              json={"decision": "close", "via": "follow_up"})
    closed = (await client.get(f"/api/enterprises/{firm['id']}")).json()
    assert closed["next_due_on"] == (last_visit + timedelta(days=180)).isoformat()  # grade B
    regraded = (await client.patch(f"/api/enterprises/{firm['id']}", json={"risk_grade": "D"})).json()
    due = last_visit + timedelta(days=90)
    assert regraded["next_due_on"] == due.isoformat()

    window = (due - today).days
    due_soon = (await client.get("/api/enterprises", params={"due": "due", "within_days": window})).json()["items"]
    assert firm["id"] in {e["id"] for e in due_soon}
    assert firm["id"] not in {e["id"] for e in (await client.get("/api/enterprises", params={"due": "overdue"})).json()["items"]}
    await Enterprise.update({Enterprise.next_due_on: today - timedelta(days=1)}).where(Enterprise.id == firm["id"])
    assert firm["id"] in {e["id"] for e in (await client.get("/api/enterprises", params={"due": "overdue"})).json()["items"]}


async def test_coverage_matches_hand_counted_figures(scene: dict, sign_in: SignIn) -> None:
    zhang, reviewer = scene["zhang"], scene["reviewer"]
    first = (await zhang.post("/api/visits/submissions", json=submission(scene))).json()
    await file_follow_up(scene)
    await zhang.post(f"/api/findings/{first['findings'][0]['id']}/decision", json={"decision": "close", "via": "follow_up"})
    await reviewer.post(f"/api/media/{scene['evidence']}/review", json={"decision": "accept"})

    supervisor = await sign_in("supervisor", "371600", name="滨州科长")
    period = {"start": scene["started"].date().replace(day=1).isoformat(),
              "end": (bureau_today() + timedelta(days=30)).isoformat()}
    figures = (await supervisor.get("/api/coverage", params={"region": HUIMIN, **period})).json()
    per_inspector = {i["display_name"]: i["visits"] for i in figures.pop("visits_per_inspector")}
    assert per_inspector == {"张伟": 2, "李娜": 2}
    assert figures["median_days_to_close"] < 0.1 and figures["review_median_hours"] < 0.1
    assert {k: figures[k] for k in ("region_code", "enterprises", "visited", "visits", "findings_opened",
                                      "findings_closed", "findings_open", "return_visit_rate", "overdue")} == {
        "region_code": HUIMIN, "enterprises": 1, "visited": 1, "visits": 2, "findings_opened": 1,
        "findings_closed": 1, "findings_open": 0, "return_visit_rate": 1.0, "overdue": 0,
    }
    elsewhere = await supervisor.get("/api/coverage", params={"region": LIXIA, **period})
    assert elsewhere.status_code == 404
    assert (await scene["zhang"].get("/api/coverage")).status_code == 403


async def test_visit_lists(scene: dict, sign_in: SignIn, client: AsyncClient) -> None:
    """An inspector's day (mine, planned, earliest first), a review queue, a dossier's timeline."""
    zhang, firm = scene["zhang"], scene["firm"]
    other = (await client.post("/api/enterprises", json=enterprise_body(2))).json()
    wang = await sign_in("inspector", HUIMIN, name="王强")
    wang_id = (await wang.get("/api/me")).json()["id"]
    plans = []
    for day, enterprise, team in [(3, firm, scene["ids"]), (1, firm, scene["ids"]), (2, other, [scene["ids"][1], wang_id])]:
        plan = {"id": str(uuid.uuid4()), "enterprise_id": enterprise["id"], "checklist_id": scene["checklist"]["id"],
                "visit_type": "routine", "planned_date": (bureau_today() + timedelta(days=day)).isoformat(), "team": team}
        assert (await zhang.post("/api/visits", json=plan)).status_code == 201
        plans.append(plan)
    submitted = (await zhang.post("/api/visits/submissions", json=submission(scene))).json()

    mine = (await zhang.get("/api/visits", params={"mine": "true", "status": "planned", "ascending": "true"})).json()
    assert [v["id"] for v in mine["items"]] == [plans[1]["id"], plans[0]["id"]]
    assert mine["items"][0]["enterprise_name"] == firm["name"] and mine["next_cursor"] is None

    # two pages of one, earliest first, for the other team member
    li = scene["li"]
    first = (await li.get("/api/visits", params={"mine": "true", "status": "planned", "ascending": "true", "limit": 1})).json()
    second = (await li.get("/api/visits", params={"mine": "true", "status": "planned", "ascending": "true", "limit": 1,
                                                  "cursor": first["next_cursor"]})).json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [plans[1]["id"], plans[2]["id"]]

    queue = (await scene["reviewer"].get("/api/visits", params={"status": "submitted"})).json()
    assert [v["id"] for v in queue["items"]] == [submitted["id"]]

    owner = await sign_in("enterprise", enterprise_id=firm["id"])  # a planned inspection is not announced
    timeline = (await owner.get("/api/visits")).json()["items"]
    assert [v["id"] for v in timeline] == [submitted["id"]]
    assert (await owner.get("/api/visits", params={"status": "planned"})).json()["items"] == []
    assert (await owner.get(f"/api/visits/{plans[0]['id']}")).status_code == 404
    assert (await owner.get(f"/api/visits/{submitted['id']}")).status_code == 200
    assert (await owner.get("/api/visits", params={"enterprise_id": other["id"]})).status_code == 404

    lixia = await sign_in("inspector", LIXIA)
    assert (await lixia.get("/api/visits")).json()["items"] == []
    bad = await zhang.get("/api/visits", params={"from": "2026-12-02", "to": "2026-12-01"})
    assert bad.status_code == 400 and bad.json()["extra"][0]["key"] == "to"


async def rollup_state() -> dict:
    """Every rollup row and every enterprise's schedule and coverage facts, comparable."""
    def rows(records: list[dict]) -> list[tuple]:
        return sorted(tuple(str(v) for k, v in sorted(r.items()) if k != "id") for r in records)

    return {
        "coverage_day": rows(await CoverageDay.select()), "inspector_day": rows(await InspectorDay.select()),
        "inspector_month": rows(await InspectorMonth.select()),
        "enterprises": rows(await Enterprise.select(
            Enterprise.id, Enterprise.last_visited_on, Enterprise.next_due_on, Enterprise.last_finding_on,
            Enterprise.last_follow_up_on, Enterprise.control_points, Enterprise.current_notices)),
    }


async def test_rollups_count_each_visit_once_and_rebuild_to_the_same_state(scene: dict, sign_in: SignIn,
                                                                          settings: Settings) -> None:
    zhang, li, reviewer, firm = scene["zhang"], scene["li"], scene["reviewer"], scene["firm"]["id"]
    today = bureau_today()
    early = datetime.combine(today.replace(day=1) - timedelta(days=2), time(10), BUREAU_TIME)  # late last month
    first = submission(scene)
    assert (await zhang.post("/api/visits/submissions", json=first)).status_code == 201
    assert (await zhang.post("/api/visits/submissions", json=first)).status_code == 200  # sent again: nothing new
    await reviewer.post(f"/api/visits/{first['visit']['id']}/review", json={"decision": "return", "reason": "签名不清"})
    amendment = submission(scene)  # the returned visit corrected, with its finding again
    amendment["visit"]["amends"] = first["visit"]["id"]
    amended = (await li.post("/api/visits/submissions", json=amendment)).json()
    await reviewer.post(f"/api/visits/{amended['id']}/review", json={"decision": "accept"})
    await file_follow_up(scene, early)  # of an earlier matter: it closes nothing found today
    owner = await sign_in("enterprise", enterprise_id=firm, name="企业负责人")
    order = amended["findings"][0]["id"]
    fixed = await owner.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": firm, "category": "rectification",
                                                 "rectification_id": order}, files={"file": ("fix.jpg", photo(seed=61), "image/jpeg")})
    closed = await zhang.post(f"/api/findings/{order}/decision",
                              json={"decision": "close", "evidence_id": fixed.json()["id"]})
    assert closed.status_code == 200, closed.text

    # Against a direct count of the records: two visits (the amendment is the first one
    # again), each by both inspectors; two findings recorded today, one closed today.
    visit_days = (early.date(), scene["started"].date())
    assert (await Finding.count(), await Finding.count().where(Finding.status == "closed")) == (2, 1)
    expected = {day: [1, 0, 0] for day in visit_days}
    expected.setdefault(today, [0, 0, 0])[1:] = [2, 1]
    assert {r["day"]: [r["visits"], r["findings_opened"], r["findings_closed"]] for r in await CoverageDay.select().where(
        CoverageDay.province_code == "370000", CoverageDay.city_code == "371600", CoverageDay.county_code == HUIMIN)
    } == expected
    assert {(str(r["user"]), r["day"], r["visits"]) for r in await InspectorDay.select()} == {
        (user, day, 1) for user in scene["ids"] for day in visit_days}
    assert {(str(r["user"]), r["month"], r["visits"]) for r in await InspectorMonth.select()} == {
        (user, day.replace(day=1), 1) for user in scene["ids"] for day in visit_days}
    facts = await Enterprise.select(Enterprise.last_finding_on, Enterprise.last_follow_up_on).first()
    assert (facts["last_finding_on"], facts["last_follow_up_on"]) == (today, early.date())

    supervisor = await sign_in("supervisor", "371600", name="滨州科长")

    async def figures(start: date, end: date) -> tuple:
        body = (await supervisor.get("/api/coverage", params={"region": HUIMIN, "start": start.isoformat(),
                                                              "end": end.isoformat()})).json()
        return (body["visits"], body["visited"], body["findings_opened"], body["findings_closed"],
                body["return_visit_rate"], {i["display_name"]: i["visits"] for i in body["visits_per_inspector"]})

    both = (2, 1, 2, 1, 1.0, {"张伟": 2, "李娜": 2})
    last_month, this_month = early.date().replace(day=1), today.replace(day=1)
    assert await figures(last_month, month_end(today)) == both  # whole months
    assert await figures(early.date() - timedelta(days=1), month_end(today) + timedelta(days=10)) == both  # ragged ends
    assert await figures(early.date() - timedelta(days=1), today) == both  # days (and this month, on its last day)
    assert await figures(this_month, month_end(today)) == (1, 1, 2, 1, 0.0, {"张伟": 1, "李娜": 1})  # no follow-up since
    assert await figures(last_month, month_end(last_month)) == (1, 1, 0, 0, None, {"张伟": 1, "李娜": 1})  # visited before the last visit

    kept = await rollup_state()
    await Enterprise.update({Enterprise.last_visited_on: None, Enterprise.last_finding_on: None,
                             Enterprise.next_due_on: None}, force=True)
    await CoverageDay.update({CoverageDay.visits: 99}, force=True)
    rebuilt = await asyncio.to_thread(dossier, settings, "rebuild-rollups")
    assert rebuilt.returncode == 0 and "rebuilt" in rebuilt.stdout, rebuilt.stderr
    assert await rollup_state() == kept

"""Visits and findings exactly once: every transition sent 8 times at once has one effect
(one row, one audit event, one increment of every rollup, which a rebuild from the
records reproduces), the other requests answering as a retry does; and every refusal
writes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient, Response

from backend.audit.tables import AuditEvent
from backend.clock import bureau_today
from backend.coverage import rebuild
from backend.coverage.tables import CoverageDay
from backend.inspections.tables import Finding, Visit, VisitMember
from backend.settings import Settings
from tests.api.test_visits import bureau_now, file_follow_up, rollup_state, scene, submission, upload  # noqa: F401
from tests.conftest import SignIn, at_once
from tests.factories import HUIMIN, enterprise_body, photo, png


async def events(action: str) -> int:
    return await AuditEvent.count().where(AuditEvent.action == action)


async def closures() -> int:
    return sum(r["findings_closed"] for r in await CoverageDay.select(CoverageDay.findings_closed))


async def assert_rollups_recount(settings: Settings) -> None:
    """The rollups kept as the records changed are what a recount of the records gives."""
    kept = await rollup_state()
    await rebuild.rebuild(settings.visit_intervals)
    assert await rollup_state() == kept


def statuses(responses: list[Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def field_of(response: Response) -> set[str]:
    return {e["key"] for e in response.json().get("extra", [])}


async def submitted(scene: dict, **changes: Any) -> dict:  # noqa: F811
    response = await scene["zhang"].post("/api/visits/submissions", json=submission(scene, **changes))
    assert response.status_code == 201, response.text
    return response.json()


# ---------------------------------------------------------------------------- 8 at once


@pytest.mark.parametrize("planned", [False, True], ids=["first-time", "of-a-planned-visit"])
async def test_a_submission_sent_8_times_at_once_files_one_visit(scene: dict, settings: Settings,  # noqa: F811
                                                                 planned: bool) -> None:
    body = submission(scene)
    if planned:
        assert (await scene["zhang"].post("/api/visits", json=body["visit"])).status_code == 201
    responses = await at_once(8, lambda: scene["zhang"].post("/api/visits/submissions", json=body))
    assert statuses(responses) == [200] * 7 + [201], [r.text for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)  # the losers answer as a retry does
    assert (await Visit.count(), await Finding.count(), await VisitMember.count()) == (1, 1, 2)
    assert await events("visit.submitted") == 1
    assert [r["visits"] for r in await CoverageDay.select(CoverageDay.visits)] == [1]
    await assert_rollups_recount(settings)


@pytest.mark.parametrize(("decision", "status"), [({"decision": "accept"}, "accepted"),
                                                  ({"decision": "return", "reason": "签名不清"}, "returned")])
async def test_a_review_sent_8_times_at_once_decides_once(scene: dict, settings: Settings, decision: dict,  # noqa: F811
                                                          status: str) -> None:
    visit = await submitted(scene)
    responses = await at_once(8, lambda: scene["reviewer"].post(f"/api/visits/{visit['id']}/review", json=decision))
    assert statuses(responses) == [200] * 8, [r.text for r in responses]
    assert {r.json()["status"] for r in responses} == {status}
    assert await events(f"visit.{status}") == 1
    await assert_rollups_recount(settings)


async def test_a_closure_on_follow_up_sent_8_times_at_once_closes_once(scene: dict, settings: Settings) -> None:  # noqa: F811
    finding = (await submitted(scene))["findings"][0]["id"]
    await file_follow_up(scene)
    responses = await at_once(8, lambda: scene["zhang"].post(f"/api/findings/{finding}/decision",
                                                             json={"decision": "close", "via": "follow_up"}))
    assert statuses(responses) == [200] * 8, [r.text for r in responses]
    assert {(r.json()["status"], r.json()["closed_at"]) for r in responses} == {("closed", responses[0].json()["closed_at"])}
    assert (await events("finding.closed"), await closures()) == (1, 1)
    await assert_rollups_recount(settings)


async def rectification(scene: dict, sign_in: SignIn, finding: str) -> str:  # noqa: F811
    """The enterprise's evidence for ``finding``, uploaded by its own user."""
    owner = await sign_in("enterprise", enterprise_id=scene["firm"]["id"], name="企业负责人")
    response = await owner.post("/api/media", data={
        "id": str(uuid.uuid4()), "enterprise_id": scene["firm"]["id"], "category": "rectification",
        "rectification_id": finding}, files={"file": ("fix.jpg", photo(seed=80), "image/jpeg")})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(("decision", "media_action"), [
    ({"decision": "close"}, "media.accepted"), ({"decision": "reject", "note": "标签仍未更正"}, "media.returned")])
async def test_a_decision_on_evidence_sent_8_times_at_once_is_taken_once(
        scene: dict, sign_in: SignIn, settings: Settings, decision: dict, media_action: str) -> None:  # noqa: F811
    finding = (await submitted(scene))["findings"][0]["id"]
    evidence = await rectification(scene, sign_in, finding)
    responses = await at_once(8, lambda: scene["zhang"].post(f"/api/findings/{finding}/decision",
                                                             json={**decision, "evidence_id": evidence}))
    # One decides; the others answer as a retry would (200) or say the upload was decided (409).
    assert 200 in statuses(responses) and set(statuses(responses)) <= {200, 409}, [r.text for r in responses]
    closed = decision["decision"] == "close"
    assert (await Finding.select(Finding.status).first())["status"] == ("closed" if closed else "open")
    assert (await events(media_action), await events("finding.closed"), await closures()) == (1, int(closed), int(closed))
    await assert_rollups_recount(settings)


# ---------------------------------------------------------------------------- refusals write nothing


async def assert_nothing_filed(audit_events: int) -> None:
    assert (await Visit.count(), await Finding.count(), await VisitMember.count()) == (0, 0, 0)
    assert await AuditEvent.count() == audit_events and await CoverageDay.count() == 0


async def test_a_team_naming_an_inspector_twice_is_refused(scene: dict) -> None:  # noqa: F811
    body = submission(scene)
    body["visit"]["team"] = [scene["ids"][0], *scene["ids"]]
    before = await AuditEvent.count()
    for path, json in (("/api/visits", body["visit"]), ("/api/visits/submissions", body)):
        response = await scene["zhang"].post(path, json=json)
        assert response.status_code == 400 and field_of(response) == {"visit.team"}, response.text
        assert "twice" in response.json()["detail"]
    await assert_nothing_filed(before)


def moved(days: float = 0, minutes: float = 0) -> str:
    return (bureau_now() + timedelta(days=days, minutes=minutes)).isoformat()


@pytest.mark.parametrize(("change", "field"), [
    (lambda b: b.update(started_at=moved(minutes=30)), "started_at"),  # beyond a phone clock's drift
    (lambda b: b.update(started_at="1999-12-31T10:00:00+08:00"), "started_at"),
    (lambda b: b["findings"][0].update(deadline="2101-01-01"), "findings[0].deadline"),
    (lambda b: b["findings"][0].update(deadline=(bureau_today() - timedelta(days=1)).isoformat()), "findings[0].deadline"),
    (lambda b: b["visit"].update(planned_date="2101-01-01"), "visit.planned_date"),
    (lambda b: b["findings"].append({**b["findings"][0]}), "findings[1].id"),
], ids=["started-in-the-future", "started-before-2000", "deadline-after-2100", "deadline-past", "planned-after-2100",
        "finding-id-twice"])
async def test_insane_times_and_reused_ids_are_refused(scene: dict, change, field: str) -> None:  # noqa: F811
    body = submission(scene)
    change(body)
    before = await AuditEvent.count()
    response = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert response.status_code == 400 and field_of(response) == {field}, response.text
    await assert_nothing_filed(before)


async def test_a_phone_clock_a_few_minutes_fast_is_allowed(scene: dict) -> None:  # noqa: F811
    response = await scene["zhang"].post("/api/visits/submissions", json=submission(scene, started_at=moved(minutes=5)))
    assert response.status_code == 201, response.text


async def test_a_finding_id_of_another_visit_is_refused(scene: dict) -> None:  # noqa: F811
    first = await submitted(scene)
    body = submission(scene)
    body["findings"][0]["id"] = first["findings"][0]["id"]
    before = (await AuditEvent.count(), await rollup_state())
    response = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert response.status_code == 409 and field_of(response) == {"findings[0].id"}, response.text
    assert (await Visit.count(), await VisitMember.count()) == (1, 2)
    assert (await AuditEvent.count(), await rollup_state()) == before


async def test_nobody_reviews_a_visit_they_were_on(scene: dict, sign_in: SignIn) -> None:  # noqa: F811
    chief = await sign_in("supervisor", HUIMIN, name="县局科长")
    chief_id = (await chief.get("/api/me")).json()["id"]
    body = submission(scene)
    body["visit"]["team"] = [scene["ids"][0], chief_id]
    body["signatures"][1]["user_id"] = chief_id
    assert (await scene["zhang"].post("/api/visits/submissions", json=body)).status_code == 201
    before = await AuditEvent.count()
    for decision in ({"decision": "accept"}, {"decision": "return", "reason": "我自己的检查"}):
        response = await chief.post(f"/api/visits/{body['visit']['id']}/review", json=decision)
        assert response.status_code == 403 and "team" in response.json()["detail"], response.text
    assert (await Visit.select(Visit.status).first())["status"] == "submitted" and await AuditEvent.count() == before
    assert (await scene["reviewer"].post(f"/api/visits/{body['visit']['id']}/review",
                                         json={"decision": "accept"})).status_code == 200


async def test_a_decision_taken_is_not_taken_again_the_other_way(scene: dict) -> None:  # noqa: F811
    visit = await submitted(scene)
    reviewer = scene["reviewer"]
    assert (await reviewer.post(f"/api/visits/{visit['id']}/review", json={"decision": "accept"})).status_code == 200
    before = await AuditEvent.count()
    other_way = await reviewer.post(f"/api/visits/{visit['id']}/review", json={"decision": "return", "reason": "再看看"})
    assert other_way.status_code == 409 and "accepted" in other_way.json()["detail"], other_way.text
    plan = {**submission(scene)["visit"], "planned_date": (bureau_today() + timedelta(days=3)).isoformat()}
    assert (await scene["zhang"].post("/api/visits", json=plan)).status_code == 201
    planned = await reviewer.post(f"/api/visits/{plan['id']}/review", json={"decision": "accept"})
    assert planned.status_code == 409 and "planned" in planned.json()["detail"], planned.text
    assert await AuditEvent.count() == before + 1  # the plan's, nothing more
    assert (await Visit.select(Visit.status).where(Visit.id == visit["id"]).first())["status"] == "accepted"


async def visit_elsewhere(scene: dict, client: AsyncClient) -> None:  # noqa: F811
    """A follow-up visit by the same team to another enterprise of the county, filed now."""
    other = (await client.post("/api/enterprises", json=enterprise_body(2))).json()["id"]
    signs = [await upload(scene["zhang"], other, png((0, 60 * n, 0)), "signature", "s.png") for n in range(2)]
    body = {"visit": {"id": str(uuid.uuid4()), "enterprise_id": other, "checklist_id": scene["checklist"]["id"],
                      "visit_type": "follow_up", "planned_date": bureau_today().isoformat(), "team": scene["ids"]},
            "started_at": bureau_now().isoformat(), "answers": [{"item": "A1", "result": "pass"}], "conclusion": "pass",
            "signatures": [{"signer": "inspector", "user_id": user, "name": "检查员", "media_id": media}
                           for user, media in zip(scene["ids"], signs)]
            + [{"signer": "enterprise", "name": "负责人", "refused": True, "witness_note": "两名检查员见证"}]}
    response = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("follow_up", ["none", "before the finding", "still planned", "to another enterprise"])
async def test_closing_on_a_follow_up_needs_one_after_the_finding(scene: dict, client: AsyncClient,  # noqa: F811
                                                                  follow_up: str) -> None:
    if follow_up == "before the finding":
        await file_follow_up(scene, scene["started"] - timedelta(days=3))
    finding = (await submitted(scene))["findings"][0]["id"]
    if follow_up == "still planned":
        plan = {**submission(scene)["visit"], "visit_type": "follow_up", "planned_date": bureau_today().isoformat()}
        assert (await scene["zhang"].post("/api/visits", json=plan)).status_code == 201
    if follow_up == "to another enterprise":
        await visit_elsewhere(scene, client)
    before = (await AuditEvent.count(), await rollup_state())
    response = await scene["zhang"].post(f"/api/findings/{finding}/decision", json={"decision": "close", "via": "follow_up"})
    assert response.status_code == 400 and field_of(response) == {"via"}, response.text
    assert (await Finding.select(Finding.status).first())["status"] == "open"
    assert (await AuditEvent.count(), await rollup_state()) == before


async def test_enterprise_users_never_see_a_planned_visit(scene: dict, sign_in: SignIn) -> None:  # noqa: F811
    plan = {**submission(scene)["visit"], "planned_date": (bureau_today() + timedelta(days=2)).isoformat()}
    assert (await scene["zhang"].post("/api/visits", json=plan)).status_code == 201
    owner = await sign_in("enterprise", enterprise_id=scene["firm"]["id"])
    for params in ({}, {"enterprise_id": scene["firm"]["id"]}, {"status": "planned"}):
        assert (await owner.get("/api/visits", params=params)).json()["items"] == [], params
    assert (await owner.get(f"/api/visits/{plan['id']}")).status_code == 404
    assert (await scene["zhang"].get(f"/api/visits/{plan['id']}")).status_code == 200  # the team sees it

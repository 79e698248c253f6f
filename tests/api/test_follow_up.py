"""A follow-up verifies the enterprise's earlier open findings (issue 17, item 4): each
closed, or carried on with a reason to a new deadline, in the visit's submission, applied
once with it; the schedule follows. And 待处理: the rectification evidence awaiting the
decision of the team whose visit found the matter."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from httpx import AsyncClient

from backend.audit.tables import AuditEvent
from backend.clock import bureau_today
from backend.enterprises.tables import Enterprise
from backend.inspections import schedule
from backend.inspections.tables import Finding, Visit
from backend.settings import DEFAULT_VISIT_INTERVALS
from tests.api.test_visits import bureau_now, scene, submission  # noqa: F401  (scene is a fixture)
from tests.conftest import SignIn, at_once
from tests.factories import HUIMIN, enterprise_body, photo


def follow_up(scene: dict, verifications: list[dict], visit_type: str = "follow_up") -> dict:
    """A follow-up by the same team, started now (after the findings it verifies), where everything passes."""
    body = submission(scene, findings=[], started_at=bureau_now().isoformat(), verifications=verifications)
    body["visit"]["visit_type"] = visit_type
    body["answers"][1]["result"] = "pass"
    return body


async def events(action: str) -> int:
    return await AuditEvent.count().where(AuditEvent.action == action)


@pytest.fixture
async def overdue(scene: dict, client: AsyncClient) -> dict:
    """Two earlier visits, each with a finding whose deadline passed yesterday: the enterprise is overdue."""
    findings = []
    for _ in range(2):
        visit = (await scene["zhang"].post("/api/visits/submissions", json=submission(scene))).json()
        findings.append(visit["findings"][0]["id"])
    await Finding.update({Finding.deadline: bureau_today() - timedelta(days=1)}, force=True)
    await schedule.refresh(scene["firm"]["id"], DEFAULT_VISIT_INTERVALS)
    overdue = (await client.get("/api/enterprises", params={"due": "overdue"})).json()["items"]
    assert scene["firm"]["id"] in {e["id"] for e in overdue}
    return {**scene, "findings": findings, "new_deadline": (bureau_today() + timedelta(days=20)).isoformat()}


def verdicts(scene: dict) -> list[dict]:
    closed, carried = scene["findings"]
    return [{"finding_id": closed, "outcome": "closed", "reason": "现场核实已整改"},
            {"finding_id": carried, "outcome": "carried_on", "reason": "整改设备未到货", "deadline": scene["new_deadline"]}]


async def test_a_follow_up_closes_and_carries_on_earlier_findings_and_the_schedule_follows(
        overdue: dict, client: AsyncClient) -> None:
    body = follow_up(overdue, verdicts(overdue))
    response = await overdue["li"].post("/api/visits/submissions", json=body)
    assert response.status_code == 201, response.text
    assert [(v["finding_id"], v["outcome"]) for v in response.json()["verifications"]] == [
        (overdue["findings"][0], "closed"), (overdue["findings"][1], "carried_on")]
    closed, carried = [(await overdue["zhang"].get(f"/api/findings/{f}")).json() for f in overdue["findings"]]
    assert (closed["status"], closed["closed_via"], closed["closure_note"]) == ("closed", "follow_up", "现场核实已整改")
    assert (carried["status"], carried["deadline"], carried["follow_up_note"], carried["overdue"]) == (
        "open", overdue["new_deadline"], "整改设备未到货", False)
    firm = (await client.get(f"/api/enterprises/{overdue['firm']['id']}")).json()
    assert firm["next_due_on"] == overdue["new_deadline"]  # the carried-on deadline comes before the grade's interval
    listed = (await client.get("/api/enterprises", params={"due": "overdue"})).json()["items"]
    assert overdue["firm"]["id"] not in {e["id"] for e in listed}
    assert (await events("finding.closed"), await events("finding.carried_on")) == (1, 1)


async def test_a_follow_up_sent_8_times_at_once_verifies_once(overdue: dict) -> None:
    body = follow_up(overdue, verdicts(overdue))
    responses = await at_once(8, lambda: overdue["li"].post("/api/visits/submissions", json=body))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201], [r.text for r in responses]
    assert (await events("finding.closed"), await events("finding.carried_on")) == (1, 1)
    assert await Visit.count().where(Visit.id == body["visit"]["id"]) == 1


async def test_a_verdict_on_a_finding_closed_meanwhile_changes_nothing(overdue: dict) -> None:
    """The phone was offline while the finding was closed on the enterprise's evidence:
    the visit is filed, the closure stands, the other verdict applies."""
    first = overdue["findings"][0]
    await Finding.update({Finding.found_at: bureau_now() - timedelta(minutes=2)}, force=True)
    await Finding.update({Finding.status: "closed", Finding.closed_via: "evidence",
                          Finding.closed_at: bureau_now()}).where(Finding.id == first)
    body = follow_up(overdue, verdicts(overdue))
    body["started_at"] = (bureau_now() - timedelta(minutes=1)).isoformat()  # before the closure
    response = await overdue["li"].post("/api/visits/submissions", json=body)
    assert response.status_code == 201, response.text
    assert (await overdue["zhang"].get(f"/api/findings/{first}")).json()["closed_via"] == "evidence"
    assert (await events("finding.closed"), await events("finding.carried_on")) == (0, 1)


async def test_bad_verdicts_are_refused_and_nothing_is_filed(overdue: dict, client: AsyncClient) -> None:
    closed, carried = overdue["findings"]
    deadline = overdue["new_deadline"]
    neighbour = (await client.post("/api/enterprises", json=enterprise_body(2))).json()
    elsewhere = (await overdue["zhang"].post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": neighbour["id"],
                                                                "category": "evidence"},
                                            files={"file": ("p.jpg", photo(seed=77), "image/jpeg")})).json()["id"]
    cases = [
        (follow_up(overdue, [{"finding_id": closed, "outcome": "closed"}], "routine"), "verifications"),
        (follow_up(overdue, [{"finding_id": str(uuid.uuid4()), "outcome": "closed"}]), "verifications[0].finding_id"),
        (follow_up(overdue, [{"finding_id": closed, "outcome": "closed"}] * 2), "verifications[1].finding_id"),
        (follow_up(overdue, [{"finding_id": carried, "outcome": "carried_on", "deadline": deadline}]),
         "verifications[0].reason"),
        (follow_up(overdue, [{"finding_id": carried, "outcome": "carried_on", "reason": "未到货"}]),
         "verifications[0].deadline"),
        (follow_up(overdue, [{"finding_id": carried, "outcome": "carried_on", "reason": "未到货",
                              "deadline": (bureau_today() - timedelta(days=1)).isoformat()}]), "verifications[0].deadline"),
        (follow_up(overdue, [{"finding_id": closed, "outcome": "closed", "deadline": deadline}]), "verifications[0].deadline"),
        (follow_up(overdue, [{"finding_id": closed, "outcome": "closed", "media_id": elsewhere}]), "verifications[0].media_id"),
        (follow_up(overdue, [{"finding_id": closed, "outcome": "maybe"}]), "verifications[0].outcome"),
    ]
    for body, key in cases:
        response = await overdue["li"].post("/api/visits/submissions", json=body)
        assert (response.status_code, response.json()["extra"][0]["key"]) == (400, key), response.text
    assert await Visit.count() == 2 and await Finding.count().where(Finding.status == "open") == 2
    assert await events("finding.closed") == 0


# ---------------------------------------------------------------------------- 待处理


async def test_awaiting_decision_lists_the_evidence_on_findings_of_my_visits(scene: dict, sign_in: SignIn) -> None:
    visit = (await scene["zhang"].post("/api/visits/submissions", json=submission(scene))).json()
    finding = visit["findings"][0]["id"]
    assert (await scene["zhang"].get("/api/findings/awaiting-decision")).json() == []  # no evidence yet
    owner = await sign_in("enterprise", enterprise_id=scene["firm"]["id"], name="企业负责人")
    evidence = (await owner.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": scene["firm"]["id"],
                                                     "category": "rectification", "rectification_id": finding},
                                 files={"file": ("r.jpg", photo(seed=61), "image/jpeg")})).json()["id"]
    for member in ("zhang", "li"):
        waiting = (await scene[member].get("/api/findings/awaiting-decision")).json()
        assert [(w["id"], w["enterprise_name"], w["pending_evidence"]) for w in waiting] == [
            (finding, scene["firm"]["name"], [evidence])]
    outsider = await sign_in("inspector", HUIMIN, name="赵六")  # same county, not on the visit
    assert (await outsider.get("/api/findings/awaiting-decision")).json() == []
    assert (await scene["reviewer"].get("/api/findings/awaiting-decision")).status_code == 403
    assert (await owner.get("/api/findings/awaiting-decision")).status_code == 403

    rejected = await scene["zhang"].post(f"/api/findings/{finding}/decision",
                                         json={"decision": "reject", "evidence_id": evidence, "note": "标签仍未更换"})
    assert rejected.status_code == 200, rejected.text
    assert (await scene["li"].get("/api/findings/awaiting-decision")).json() == []  # decided

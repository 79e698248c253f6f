"""Planning visits in the app (issue 17): the roster a team is picked from, and who may
plan what — a supervisor anywhere in their jurisdiction, an inspector in their county,
with a team of active officers who cover the enterprise."""

from __future__ import annotations

import uuid

from httpx import AsyncClient

from backend.audit.tables import AuditEvent
from backend.clock import bureau_today
from backend.inspections.tables import Visit
from tests.conftest import SignIn, at_once
from tests.factories import HUIMIN, LIXIA, enterprise_body


async def me(client: AsyncClient) -> str:
    return (await client.get("/api/me")).json()["id"]


async def plan_body(client: AsyncClient, enterprise_id: str, team: list[str], **changes) -> dict:
    checklist = (await client.get("/api/checklists")).json()[0]
    return {"id": str(uuid.uuid4()), "enterprise_id": enterprise_id, "checklist_id": checklist["id"],
            "visit_type": "routine", "planned_date": bureau_today().isoformat(), "team": team, **changes}


def field_of(response) -> str:
    return response.json()["extra"][0]["key"]


async def test_the_roster_is_the_active_officers_of_the_jurisdiction(client: AsyncClient, sign_in: SignIn) -> None:
    firm = (await client.post("/api/enterprises", json=enterprise_body(3, HUIMIN))).json()
    people = {"张伟": ("inspector", HUIMIN), "李娜": ("inspector", HUIMIN), "惠民科长": ("supervisor", HUIMIN),
              "王芳": ("reviewer", HUIMIN), "历下检查员": ("inspector", LIXIA), "滨州科长": ("supervisor", "371600"),
              "离职检查员": ("inspector", HUIMIN)}
    users = {name: await sign_in(role, region, name=name) for name, (role, region) in people.items()}
    await sign_in("enterprise", enterprise_id=firm["id"], name="惠民企业")
    gone = await me(users["离职检查员"])
    assert (await client.patch(f"/api/users/{gone}", json={"active": False})).status_code == 200

    def names(response) -> list[str]:
        assert response.status_code == 200, response.text
        return [o["display_name"] for o in response.json()]

    # an inspector reads their county's officers (names, ids, jurisdiction, certificate number), nothing more
    roster = await users["张伟"].get("/api/officers")
    assert names(roster) == sorted(["张伟", "李娜", "惠民科长"])
    assert set(roster.json()[0]) == {"id", "display_name", "role", "region_code", "region_level", "certificate_no"}
    assert {(o["region_code"], o["region_level"]) for o in roster.json()} == {(HUIMIN, "county")}
    assert set(names(await users["滨州科长"].get("/api/officers"))) == {"张伟", "李娜", "惠民科长", "滨州科长"}
    assert names(await users["历下检查员"].get("/api/officers")) == ["历下检查员"]
    assert (await users["王芳"].get("/api/officers")).status_code == 403  # reviewers are never on a team


async def test_inspector_and_supervisor_plan_visits_that_reach_the_teams_phones(client: AsyncClient,
                                                                               sign_in: SignIn) -> None:
    firms = [(await client.post("/api/enterprises", json=enterprise_body(n, HUIMIN))).json() for n in (4, 5)]
    zhang, li = await sign_in("inspector", HUIMIN, name="张伟"), await sign_in("inspector", HUIMIN, name="李娜")
    supervisor = await sign_in("supervisor", "371600", name="滨州科长")
    team = [await me(zhang), await me(li)]
    by_supervisor = await supervisor.post("/api/visits", json=await plan_body(supervisor, firms[0]["id"], team))
    assert by_supervisor.status_code == 201, by_supervisor.text
    by_inspector = await zhang.post("/api/visits", json=await plan_body(zhang, firms[1]["id"], team))
    assert by_inspector.status_code == 201, by_inspector.text
    assert [m["display_name"] for m in by_inspector.json()["members"]] == ["张伟", "李娜"]
    mine = (await li.get("/api/visits?mine=true&status=planned")).json()["items"]
    assert {v["enterprise_id"] for v in mine} == {firms[0]["id"], firms[1]["id"]}


async def test_an_inspector_plans_only_in_their_county_with_officers_who_cover_it(client: AsyncClient,
                                                                                 sign_in: SignIn) -> None:
    huimin = (await client.post("/api/enterprises", json=enterprise_body(6, HUIMIN))).json()
    lixia = (await client.post("/api/enterprises", json=enterprise_body(7, LIXIA))).json()
    zhang, li = await sign_in("inspector", HUIMIN, name="张伟"), await sign_in("inspector", HUIMIN, name="李娜")
    stranger = await sign_in("inspector", LIXIA, name="历下检查员")
    team = [await me(zhang), await me(li)]

    outside = await zhang.post("/api/visits", json=await plan_body(zhang, lixia["id"], team))
    assert outside.status_code == 404, outside.text
    foreign = await zhang.post("/api/visits", json=await plan_body(zhang, huimin["id"], [team[0], await me(stranger)]))
    assert foreign.status_code == 400 and field_of(foreign) == "visit.team", foreign.text
    assert "jurisdiction" in foreign.json()["detail"]
    assert await Visit.count() == 0


async def test_bad_plans_are_refused_naming_the_field(client: AsyncClient, sign_in: SignIn) -> None:
    firm = (await client.post("/api/enterprises", json=enterprise_body(8, HUIMIN))).json()
    zhang, li = await sign_in("inspector", HUIMIN, name="张伟"), await sign_in("inspector", HUIMIN, name="李娜")
    team = [await me(zhang), await me(li)]
    for change, field in (({"team": team[:1]}, "visit.team"), ({"team": [team[0], team[0]]}, "visit.team"),
                          ({"checklist_id": str(uuid.uuid4())}, "visit.checklist_id"),
                          ({"planned_date": "2026-13-40"}, "planned_date"), ({"visit_type": "party"}, "visit_type"),
                          ({"team": "张伟"}, "team")):
        response = await zhang.post("/api/visits", json={**await plan_body(zhang, firm["id"], team), **change})
        assert 400 <= response.status_code < 500, (change, response.text)
        assert field in response.text, (change, response.text)
    assert await Visit.count() == 0


async def test_a_plan_sent_8_times_at_once_makes_one_visit(client: AsyncClient, sign_in: SignIn) -> None:
    firm = (await client.post("/api/enterprises", json=enterprise_body(9, HUIMIN))).json()
    supervisor = await sign_in("supervisor", HUIMIN, name="惠民科长")
    zhang = await sign_in("inspector", HUIMIN, name="张伟")
    plan = await plan_body(supervisor, firm["id"], [await me(supervisor), await me(zhang)])
    answers = await at_once(8, lambda: supervisor.post("/api/visits", json=plan))
    assert sorted(r.status_code for r in answers) == [200] * 7 + [201], [r.text for r in answers]
    assert await Visit.count().where(Visit.id == plan["id"]) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "visit.planned", AuditEvent.target_id == plan["id"]) == 1

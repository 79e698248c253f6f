"""Random-draw plans (双随机) through the HTTP API: inspection items, drafts, the lock that
draws once, recusal, every refusal with nothing written, redraws, progress, the plan file
verified by `dossier verify-draw` in another process, and what an enterprise never sees."""

from __future__ import annotations

import json
import os
import random
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from httpx import AsyncClient

from backend import clock
from backend.accounts.tables import User
from backend.audit.tables import AuditEvent
from backend.clock import bureau_today
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import Visit
from backend.plans import draw
from backend.plans.tables import Plan, PlanDraw, PlanRedraw
from backend.settings import Settings
from tests.conftest import SignIn, at_once, dossier
from tests.factories import HUIMIN, LIXIA, enterprise_body

ROOT = Path(__file__).resolve().parents[2]
GRADES = "ABCD"


async def events(action: str) -> int:
    return await AuditEvent.count().where(AuditEvent.action == action)


def field_of(response) -> list[str]:
    return [e["key"] for e in response.json().get("extra", [])]


@pytest.fixture
async def bureau(client: AsyncClient, sign_in: SignIn) -> dict:
    """Huimin County's bureau: 16 enterprises (four of each risk grade, a credit class on
    every fourth), five certified inspectors, one without a certificate, one deactivated,
    one in Jinan; its supervisor, and an inspection item for food and industrial products."""
    firms = []
    for n in range(16):
        body = enterprise_body(n + 1, category="food_production" if n % 2 else "industrial_products",
                               risk_grade=GRADES[n % 4], **({"credit_class": "D"} if n % 4 == 3 else {}))
        response = await client.post("/api/enterprises", json=body)
        assert response.status_code == 201, response.text
        firms.append(response.json())
    inspectors = [await sign_in("inspector", HUIMIN, name=f"检查员{i}") for i in range(5)]
    ids = [(await c.get("/api/me")).json()["id"] for c in inspectors]
    for i, officer in enumerate(ids):
        await User.update({User.certificate_no: f"3716210000{i}"}).where(User.id == officer)
    extra = {"uncertified": (HUIMIN, "", True), "inactive": (HUIMIN, "37162100099", False),
             "elsewhere": (LIXIA, "37010200001", True)}
    for name, (region, certificate, active) in extra.items():
        await User.insert(User(id=uuid.uuid4(), display_name=name, role="inspector", region_code=region,
                               certificate_no=certificate, active=active))
    supervisor = await sign_in("supervisor", HUIMIN, name="惠民科长")
    item = await supervisor.post("/api/plan-items", json={
        "region_code": HUIMIN, "name": "食品及工业产品生产日常监督检查", "legal_basis": "《食品生产经营监督检查管理办法》第十一条",
        "categories": ["food_production", "industrial_products"], "checklist_code": "food-routine"})
    assert item.status_code == 201, item.text
    return {"firms": firms, "inspectors": inspectors, "ids": ids, "supervisor": supervisor, "item": item.json(),
            "admin": client}


def plan_body(bureau: dict, **changes) -> dict:
    today = bureau_today()
    body = {"title": "2026年第四季度双随机抽查", "year": today.year, "period": "第四季度", "bureau_code": HUIMIN,
            "item_ids": [bureau["item"]["id"]],
            "sampling": [{"stratum": "risk:A", "ratio": 50}, {"stratum": "risk:B", "count": 1},
                         {"stratum": "risk:C", "ratio": 100}, {"stratum": "credit:D", "ratio": 25}],
            "window_start": today.isoformat(), "window_end": (today + timedelta(days=20)).isoformat(), "team_size": 2}
    return body | changes


async def drafted(bureau: dict, **changes) -> dict:
    response = await bureau["supervisor"].post("/api/plans", json=plan_body(bureau, **changes))
    assert response.status_code == 201, response.text
    return response.json()


async def locked(bureau: dict, **changes) -> dict:
    """A plan locked and drawn: its draw."""
    plan = await drafted(bureau, **changes)
    response = await bureau["supervisor"].post(f"/api/plans/{plan['id']}/lock")
    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["drawn"], response.json()["pool_size"]) == ("locked", 8, 16)
    draw = await bureau["supervisor"].get(f"/api/plans/{plan['id']}/draw")
    assert draw.status_code == 200, draw.text
    return draw.json()


# ---------------------------------------------------------------------------- the draw


async def test_a_lock_sent_8_times_at_once_draws_once(bureau: dict) -> None:
    plan = await drafted(bureau)
    responses = await at_once(8, lambda: bureau["supervisor"].post(f"/api/plans/{plan['id']}/lock"))

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({json.dumps(r.json(), sort_keys=True) for r in responses}) == 1
    assert (responses[0].json()["status"], responses[0].json()["drawn"]) == ("locked", 8)
    assert (await events("plan.locked"), await events("plan.drawn"), await events("visits.planned")) == (1, 1, 1)
    result = (await bureau["supervisor"].get(f"/api/plans/{plan['id']}/draw")).json()
    # A: 2 of 4 (50 %), B: 1, C: all 4, credit D: 1 of 4 (25 %)
    assert {s["stratum"]: (s["pool"], s["drawn"]) for s in result["strata"]} == {
        "credit:D": (4, 1), "risk:A": (4, 2), "risk:B": (4, 1), "risk:C": (4, 4)}
    assert len(result["result"]) == 8 == await Visit.count() == await PlanDraw.count()
    assert result["algorithm"] == "v1" and len(result["seed"]) == 64
    assert result["inputs"]["roster_size"] == 5 and result["inputs"]["pool_size"] == 16
    certified = set(bureau["ids"])
    window = {plan["window_start"], plan["window_end"]}
    for drawn in result["result"]:
        visit = (await bureau["supervisor"].get(f"/api/visits/{drawn['visit_id']}")).json()
        assert visit["status"] == "planned" and visit["visit_type"] == "routine"
        assert visit["team"] == drawn["team"] and set(drawn["team"]) <= certified and len(drawn["team"]) == 2
        assert min(window) <= visit["planned_date"] <= max(window)
    # the drawn inspectors find their visits on 今日任务 (their planned visits)
    for inspector, officer in zip(bureau["inspectors"], bureau["ids"]):
        mine = (await inspector.get("/api/visits", params={"mine": "true", "status": "planned"})).json()["items"]
        assert {v["id"] for v in mine} == {d["visit_id"] for d in result["result"] if officer in d["team"]}


async def test_the_draw_is_recomputed_from_its_recorded_inputs(bureau: dict, settings: Settings) -> None:
    result = await locked(bureau)
    record = msgspec.json.decode((await bureau["supervisor"].get(f"/api/plans/{result['plan_id']}/export")).content,
                                 type=draw.Record)
    assert draw.verify(record) == []
    assert draw.derive_seed(record.chain_head, draw.input_hashes(record)["plan_hash"]) == result["seed"]
    # the same inputs in any order the database may give them: the same draw
    again = draw.draw(msgspec.structs.replace(record, pool=random.Random(1).sample(record.pool, len(record.pool)),
                                              roster=record.roster[::-1]), record.seed)
    assert again == record.result
    assert [d.rank_key for d in record.result] == [d["rank_key"] for d in result["result"]]

    checked = dossier(settings, "verify-draw", result["plan_id"])
    assert checked.returncode == 0 and "matches" in checked.stdout, checked.stdout + checked.stderr
    first = result["result"][0]
    await PlanDraw.update({PlanDraw.team: first["team"][::-1]}).where(PlanDraw.visit == first["visit_id"])
    checked = dossier(settings, "verify-draw", result["plan_id"])
    assert checked.returncode == 1 and "DOES NOT MATCH" in checked.stdout and first["enterprise_id"] in checked.stdout


def test_algorithm_v1_gives_the_same_draw_everywhere() -> None:
    """Pinned figures: any machine, any database, any later version of this code."""
    ids = [str(uuid.UUID(int=n)) for n in range(1, 9)]
    officers = [str(uuid.UUID(int=100 + n)) for n in range(4)]
    inputs = draw.Inputs(
        plan={"items": [{"id": "item", "categories": ["food_production"]}], "team_size": 2, "window_start": "2026-12-01",
              "window_end": "2026-12-10", "sampling": [{"stratum": "risk:A", "ratio": 50.0}, {"stratum": "credit:B", "count": 1}]},
        pool=[[e, "risk:A" if n < 6 else "credit:B", "food_production", "370000", "371600", HUIMIN] for n, e in enumerate(ids)],
        roster=[[o, HUIMIN, "county", "", "1"] for o in officers], conflicts=[[officers[0], ids[0]]],
        previous_teams=[[ids[1], [officers[1]]]])
    seed = draw.derive_seed("0" * 64, draw.digest(inputs.plan))
    result = draw.draw(inputs, seed)
    assert [(d.enterprise_id[-1], d.rank_key[:8], [o[-1] for o in d.team], d.planned_date.day) for d in result] == PINNED
    assert draw.digest(result) == PINNED_HASH


# credit:B (count 1) first, then three of risk:A's six (50 %); enterprise 1 without officer 4 (a
# conflict), enterprise 2 without officer 5 (its last team); dates by rank key over ten days.
PINNED = [("8", "bcc8839a", ["6", "5"], 8), ("2", "1598aeab", ["6", "7"], 1), ("6", "73dcb538", ["4", "7"], 3),
          ("1", "86421e86", ["6", "7"], 6)]
PINNED_HASH = "643a2d943d8743a28bb0836d7a91a6af8a825c51c27fb93a048f20c3ad883451"


async def test_recusal_keeps_conflicted_officers_and_the_last_team_away(bureau: dict) -> None:
    firm = bureau["firms"][2]  # grade C: always drawn (100 %)
    other = bureau["firms"][6]  # grade C too
    conflicted, last_team = bureau["ids"][:2], bureau["ids"][2:4]
    for officer in conflicted:
        response = await bureau["supervisor"].post("/api/conflicts", json={
            "officer_id": officer, "enterprise_id": firm["id"], "reason": "亲属在该企业任职"})
        assert response.status_code == 201, response.text
    filed = clock.now() - timedelta(days=30)
    checklist = (await bureau["supervisor"].get("/api/checklists")).json()[0]["id"]
    await Visit.insert(Visit(id=uuid.uuid4(), enterprise=other["id"], province_code="370000", city_code="371600",
                             county_code=HUIMIN, checklist=checklist, visit_type="routine", planned_date=filed.date(),
                             team=last_team, status="accepted", started_at=filed, submitted_at=filed))

    result = await locked(bureau)

    teams = {d["enterprise_id"]: d["team"] for d in result["result"]}
    assert set(teams[firm["id"]]) <= set(bureau["ids"][2:])  # two of the three left
    assert not set(teams[other["id"]]) & set(last_team)
    assert result["inputs"]["recusal_hash"] != draw.digest({"conflicts": [], "previous_teams": []})


# ---------------------------------------------------------------------------- refusals


async def assert_nothing_written(plan_id: str | None = None) -> None:
    assert (await events("plan.locked"), await Visit.count(), await PlanDraw.count()) == (0, 0, 0)
    if plan_id:
        assert (await Plan.select(Plan.status).where(Plan.id == plan_id).first())["status"] == "draft"


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"pool": {"risk_grades": ["A"], "licence": "valid"}}, "pool", "No enterprise"),
    ({"sampling": [{"stratum": "risk:A", "ratio": 101}]}, "sampling[0].ratio", "<= 100"),
    ({"sampling": [{"stratum": "risk:A", "ratio": -1}]}, "sampling[0].ratio", ">= 0"),
    ({"sampling": [{"stratum": "risk:A", "ratio": 5, "count": 1}]}, "sampling[0].ratio", "not both"),
    ({"sampling": [{"stratum": "risk:A", "ratio": 5}, {"stratum": "risk:A", "count": 1}]}, "sampling[1].stratum", "two rules"),
    ({"window_start": "2026-01-01"}, "window_start", "in the past"),
    ({"window_end": "2020-01-01"}, "window_end", None),
    ({"team_size": 1}, "team_size", ">= 2"),
    ({"bureau_code": LIXIA}, "bureau_code", None),
    ({"pool": {"region": "371602"}}, "pool.region", "No region"),  # outside the supervisor's jurisdiction
    ({"pool": {"categories": ["special_equipment"]}}, "pool.categories[0]", "No item"),
    ({"item_ids": [str(uuid.uuid4())]}, "item_ids[0]", "No inspection item"),
])
async def test_a_bad_draft_is_refused_naming_the_field(bureau: dict, changes: dict, field: str, words: str | None) -> None:
    if changes.get("window_start") == "2026-01-01":
        changes = {"window_start": (bureau_today() - timedelta(days=1)).isoformat()}
    if changes.get("window_end") == "2020-01-01":
        changes = {"window_end": (bureau_today() - timedelta(days=1)).isoformat()}
    response = await bureau["supervisor"].post("/api/plans", json=plan_body(bureau, **changes))
    assert response.status_code in (400, 404), response.text
    assert field_of(response) == [field], response.text
    if words:
        assert words in response.text
    assert await Plan.count() == 0


async def test_a_pool_lies_under_its_bureau(bureau: dict) -> None:
    response = await bureau["admin"].post("/api/plans", json=plan_body(bureau, pool={"region": "371602"}))
    assert response.status_code == 400 and field_of(response) == ["pool.region"]
    assert "not under the bureau" in response.json()["detail"]


async def refused_lock(bureau: dict, plan_id: str, field: str, words: str) -> None:
    response = await bureau["supervisor"].post(f"/api/plans/{plan_id}/lock")
    assert response.status_code == 400, response.text
    assert field_of(response) == [field] and words in response.json()["detail"], response.text
    await assert_nothing_written(plan_id)


async def test_a_lock_with_too_few_eligible_officers_says_which_enterprise(bureau: dict) -> None:
    plan = await drafted(bureau, team_size=3)
    firm = bureau["firms"][0]
    for officer in bureau["ids"][:3]:  # five certified, three recused: two left for a team of three
        await bureau["supervisor"].post("/api/conflicts", json={"officer_id": officer, "enterprise_id": firm["id"],
                                                                "reason": "曾在该企业任职"})
    await refused_lock(bureau, plan["id"], "team_size", f"{firm['name']} ({firm['id']}) has 2")


async def test_a_lock_refuses_what_changed_since_the_draft(bureau: dict) -> None:
    plan = await drafted(bureau, pool={"risk_grades": ["A", "B"]})
    await Enterprise.update({Enterprise.credit_class: "B"}).where(Enterprise.risk_grade == "B")  # a stratum without a rule
    await refused_lock(bureau, plan["id"], "sampling", "credit:B")
    await Enterprise.update({Enterprise.risk_grade: "C"}).where(Enterprise.risk_grade.is_in(["A", "B"]))
    await refused_lock(bureau, plan["id"], "pool", "No enterprise")
    await Plan.update({Plan.window_start: bureau_today() - timedelta(days=1)}).where(Plan.id == plan["id"])
    await refused_lock(bureau, plan["id"], "window_start", "in the past")


async def test_a_sampling_that_draws_nobody_is_refused(bureau: dict) -> None:
    plan = await drafted(bureau, sampling=[{"stratum": s, "ratio": 0} for s in ("risk:A", "risk:B", "risk:C", "credit:D")])
    await refused_lock(bureau, plan["id"], "sampling", "draws no enterprise")


async def test_a_draft_changes_and_a_locked_plan_does_not(bureau: dict) -> None:
    plan = await drafted(bureau)
    changed = await bureau["supervisor"].patch(f"/api/plans/{plan['id']}", json={"title": "改了标题", "team_size": 3})
    assert changed.status_code == 200 and (changed.json()["title"], changed.json()["team_size"]) == ("改了标题", 3)
    refused = await bureau["supervisor"].patch(f"/api/plans/{plan['id']}", json={"window_start": "2020-01-01"})
    assert refused.status_code == 400 and field_of(refused) == ["window_start"]
    await bureau["supervisor"].post(f"/api/plans/{plan['id']}/lock")
    before = (await bureau["supervisor"].get(f"/api/plans/{plan['id']}")).json()

    for body in ({"sampling": [{"stratum": "risk:A", "ratio": 100}]}, {"team_size": 2}, {"window_end": "2026-12-31"}):
        response = await bureau["supervisor"].patch(f"/api/plans/{plan['id']}", json=body)
        assert response.status_code == 409 and field_of(response) == list(body), response.text
        assert "locked" in response.json()["detail"]
    deleted = await bureau["supervisor"].delete(f"/api/plans/{plan['id']}")
    assert deleted.status_code == 409
    assert (await bureau["supervisor"].get(f"/api/plans/{plan['id']}")).json() == before
    assert await events("plan.updated") == 1


# ---------------------------------------------------------------------------- after the draw


async def test_a_redraw_sent_8_times_at_once_is_done_once(bureau: dict, settings: Settings, tmp_path: Path) -> None:
    result = await locked(bureau)
    drawn = result["result"][0]
    body = {"id": str(uuid.uuid4()), "enterprise_id": drawn["enterprise_id"], "reason": "检查员张伟病假"}
    url = f"/api/plans/{result['plan_id']}/redraw"
    assert (await bureau["supervisor"].post(url, json={**body, "reason": "  "})).status_code == 400

    responses = await at_once(8, lambda: bureau["supervisor"].post(url, json=body))

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201], [r.text for r in responses]
    again = responses[0].json()
    assert again["redraws"] == 1 and again["drawn_team"] == drawn["team"] and not set(again["team"]) & set(drawn["team"])
    assert (await events("plan.redrawn"), await events("visit.reassigned"), await PlanRedraw.count()) == (1, 1, 1)
    visit = (await bureau["supervisor"].get(f"/api/visits/{drawn['visit_id']}")).json()
    assert visit["team"] == again["team"]
    other = await bureau["supervisor"].post(url, json={**body, "reason": "另一个理由"})
    assert other.status_code == 409 and field_of(other) == ["id"]

    await Visit.update({Visit.status: "submitted"}).where(Visit.id == drawn["visit_id"])
    late = await bureau["supervisor"].post(url, json={**body, "id": str(uuid.uuid4())})
    assert late.status_code == 409 and field_of(late) == ["enterprise_id"]
    assert await events("plan.redrawn") == 1

    # the plan file, checked in another process with no database
    path = tmp_path / "plan.json"
    path.write_bytes((await bureau["supervisor"].get(f"/api/plans/{result['plan_id']}/export")).content)
    assert verify_file(path).returncode == 0
    record = json.loads(path.read_text())
    assert record["redraws"][0]["reason"] == "检查员张伟病假" and record["teams"][drawn["enterprise_id"]] == again["team"]


async def test_a_redraw_skips_officers_no_longer_eligible(bureau: dict, settings: Settings) -> None:
    result = await locked(bureau)
    drawn = result["result"][0]
    others = [o for o in bureau["ids"] if o not in drawn["team"]]  # three
    await User.update({User.active: False}).where(User.id == others[0])
    response = await bureau["supervisor"].post(f"/api/plans/{result['plan_id']}/redraw", json={
        "id": str(uuid.uuid4()), "enterprise_id": drawn["enterprise_id"], "reason": "原检查组回避"})
    assert response.status_code == 201, response.text
    assert set(response.json()["team"]) == set(others[1:])  # the two left
    redraw = await PlanRedraw.select().where(PlanRedraw.enterprise == drawn["enterprise_id"]).output(load_json=True).first()
    assert set(redraw["excluded"]) == {*drawn["team"], others[0]}
    checked = dossier(settings, "verify-draw", result["plan_id"])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = await bureau["supervisor"].post(f"/api/plans/{result['plan_id']}/redraw", json={
        "id": str(uuid.uuid4()), "enterprise_id": drawn["enterprise_id"], "reason": "再次回避"})
    assert again.status_code == 201 and again.json()["redraws"] == 2 and set(again.json()["team"]) == set(drawn["team"])


def verify_file(path: Path) -> subprocess.CompletedProcess:
    """`dossier verify-draw --file` in another process, with no database or settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    done = subprocess.run([str(ROOT / ".venv/bin/dossier"), "verify-draw", "--file", str(path)], cwd=path.parent, env=env,
                          capture_output=True, text=True, timeout=60)
    assert not (path.parent / "var").exists()  # nothing written
    return done


async def test_the_plan_file_verifies_and_an_edited_one_does_not(bureau: dict, tmp_path: Path) -> None:
    result = await locked(bureau)
    exported = await bureau["supervisor"].get(f"/api/plans/{result['plan_id']}/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    path = tmp_path / "plan.json"
    path.write_bytes(exported.content)
    done = verify_file(path)
    assert done.returncode == 0 and "matches" in done.stdout

    original = json.loads(exported.content)
    first = original["result"][0]["enterprise_id"]
    edits = {
        "a team": lambda r: r["teams"].__setitem__(first, r["teams"][first][::-1]),
        "the pool": lambda r: r["pool"].pop(),
        "the roster": lambda r: r["roster"][0].__setitem__(1, LIXIA),
        "a recusal": lambda r: r["conflicts"].append([r["roster"][0][0], first]),
        "the seed": lambda r: r.__setitem__("seed", "0" * 64),
        "the result": lambda r: r["result"].reverse(),
        "the plan": lambda r: r["plan"].__setitem__("team_size", 3),
        "the lock event": lambda r: r["lock_event"].__setitem__("at", "2026-01-01T00:00:00+00:00"),
    }
    for what, edit in edits.items():
        record = json.loads(exported.content)
        edit(record)
        path.write_text(json.dumps(record, ensure_ascii=False))
        done = verify_file(path)
        assert done.returncode == 1 and "DOES NOT MATCH" in done.stdout, what
    path.write_text("{not json")
    assert verify_file(path).returncode == 1


async def test_progress_counts_done_due_and_overdue(bureau: dict) -> None:
    result = await locked(bureau)
    visits = [d["visit_id"] for d in result["result"]]
    await Visit.update({Visit.status: "accepted"}).where(Visit.id == visits[0])
    await Visit.update({Visit.status: "submitted"}).where(Visit.id == visits[1])
    await Visit.update({Visit.status: "returned"}).where(Visit.id == visits[2])
    await Visit.update({Visit.planned_date: bureau_today() - timedelta(days=1)}).where(Visit.id.is_in(visits[3:5]))

    progress = (await bureau["inspectors"][0].get(f"/api/plans/{result['plan_id']}/progress")).json()

    assert (progress["drawn"], progress["done"], progress["returned"], progress["overdue"], progress["due"]) == (8, 2, 1, 2, 3)
    assert {i["visit_id"]: i["state"] for i in progress["items"]}[visits[3]] == "overdue"


async def test_an_enterprise_never_sees_a_plan_or_its_planned_visits(bureau: dict, sign_in: SignIn) -> None:
    result = await locked(bureau)
    drawn = result["result"][0]
    firm = await sign_in("enterprise", enterprise_id=drawn["enterprise_id"])
    for path in ("/api/plans", f"/api/plans/{result['plan_id']}", f"/api/plans/{result['plan_id']}/draw",
                 f"/api/plans/{result['plan_id']}/export", f"/api/plans/{result['plan_id']}/progress", "/api/plan-items",
                 "/api/conflicts"):
        assert (await firm.get(path)).status_code == 403, path
    assert (await firm.get(f"/api/visits/{drawn['visit_id']}")).status_code == 404
    assert (await firm.get("/api/visits", params={"enterprise_id": drawn["enterprise_id"]})).json()["items"] == []
    elsewhere = await sign_in("supervisor", LIXIA)
    assert (await elsewhere.get(f"/api/plans/{result['plan_id']}/draw")).status_code == 404
    assert (await elsewhere.post(f"/api/plans/{result['plan_id']}/lock")).status_code == 404
    assert (await elsewhere.get("/api/plans")).json() == []


# ---------------------------------------------------------------------------- items, conflicts, credit classes


async def test_items_are_kept_by_their_bureau(bureau: dict, sign_in: SignIn) -> None:
    item, supervisor = bureau["item"], bureau["supervisor"]
    city_item = await bureau["admin"].post("/api/plan-items", json={**{k: item[k] for k in (
        "name", "legal_basis", "categories", "checklist_code")}, "region_code": "371600"})
    assert city_item.status_code == 201
    usable = (await supervisor.get("/api/plan-items", params={"bureau": HUIMIN})).json()
    assert {i["id"] for i in usable} == {item["id"], city_item.json()["id"]}  # its own and the city's
    assert (await supervisor.patch(f"/api/plan-items/{city_item.json()['id']}", json={"name": "x"})).status_code == 403
    bad = await supervisor.post("/api/plan-items", json={**{k: item[k] for k in ("name", "legal_basis", "categories")},
                                                         "region_code": HUIMIN, "checklist_code": "nope"})
    assert bad.status_code == 400 and field_of(bad) == ["checklist_code"]
    patched = await supervisor.patch(f"/api/plan-items/{item['id']}", json={"categories": ["food_production"]})
    assert patched.status_code == 200 and patched.json()["categories"] == ["food_production"]
    await drafted(bureau, sampling=[{"stratum": "risk:A", "ratio": 10}])
    refused = await supervisor.delete(f"/api/plan-items/{item['id']}")
    assert refused.status_code == 409 and field_of(refused) == ["item_id"]
    assert (await bureau["inspectors"][0].post("/api/plan-items", json={})).status_code == 403


async def test_conflicts_are_declared_once_by_the_officer_or_a_supervisor(bureau: dict) -> None:
    me, colleague = bureau["inspectors"][0], bureau["ids"][1]
    firm = bureau["firms"][0]["id"]
    own = {"officer_id": bureau["ids"][0], "enterprise_id": firm, "reason": "配偶在该企业任职"}
    first, second = await me.post("/api/conflicts", json=own), await me.post("/api/conflicts", json=own)
    assert (first.status_code, second.status_code) == (201, 200) and first.json() == second.json()
    others = await me.post("/api/conflicts", json={**own, "officer_id": colleague})
    assert others.status_code == 403 and field_of(others) == ["officer_id"]
    listed = (await bureau["supervisor"].get("/api/conflicts", params={"enterprise_id": firm})).json()
    assert [c["officer_id"] for c in listed] == [bureau["ids"][0]]
    assert (await me.delete(f"/api/conflicts/{listed[0]['id']}")).status_code == 403
    assert (await bureau["supervisor"].delete(f"/api/conflicts/{listed[0]['id']}")).status_code == 204
    assert (await events("conflict.declared"), await events("conflict.withdrawn")) == (1, 1)


async def test_an_enterprise_carries_a_credit_class(client: AsyncClient, shandong: None) -> None:
    created = await client.post("/api/enterprises", json=enterprise_body(1, credit_class="B"))
    assert created.status_code == 201 and created.json()["credit_class"] == "B"
    await client.post("/api/enterprises", json=enterprise_body(2))
    patched = await client.patch(f"/api/enterprises/{created.json()['id']}", json={"credit_class": None})
    assert patched.status_code == 200 and patched.json()["credit_class"] is None
    await client.patch(f"/api/enterprises/{created.json()['id']}", json={"credit_class": "D"})
    listed = (await client.get("/api/enterprises", params={"credit_class": "D"})).json()["items"]
    assert [e["id"] for e in listed] == [created.json()["id"]]
    assert (await client.post("/api/enterprises", json=enterprise_body(3, credit_class="E"))).status_code == 400

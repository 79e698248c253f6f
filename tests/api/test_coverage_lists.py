"""The lists behind the coverage figures (the dashboard's drill-down): each holds as many
rows as its figure counts, follows review as the figure does, and stays in scope."""

from __future__ import annotations

from datetime import timedelta

import uuid

from httpx import AsyncClient

from backend.clock import bureau_today, now
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import Finding
from tests.api.test_visits import bureau_now, scene, submission, upload  # noqa: F401  (the fixture and the body of a visit)
from tests.conftest import SignIn
from tests.factories import HUIMIN, LIXIA, enterprise_body, png


async def pages(client: AsyncClient, path: str, params: dict) -> list[dict]:
    """Every item of a paged list, one row a page (so that the cursors are exercised)."""
    items, cursor = [], None
    while True:
        page = (await client.get(path, params={**params, "limit": 1, **({"cursor": cursor} if cursor else {})})).json()
        items += page["items"]
        if (cursor := page["next_cursor"]) is None:
            return items


async def test_lists_match_their_figures_and_follow_review(scene: dict, sign_in: SignIn) -> None:  # noqa: F811
    zhang, li, reviewer = scene["zhang"], scene["li"], scene["reviewer"]
    first = (await zhang.post("/api/visits/submissions", json=submission(scene))).json()
    second = submission(scene, findings=[])
    second["started_at"] = bureau_now().isoformat()  # a follow-up, after the first
    second["visit"]["visit_type"] = "follow_up"
    second["answers"][1]["result"] = "pass"
    assert (await li.post("/api/visits/submissions", json=second)).status_code == 201

    point = await zhang.post(f"/api/enterprises/{scene['firm']['id']}/control-points", json={"name": "杀菌", "kind": "sterilisation"})
    assert point.status_code == 201, point.text

    supervisor = await sign_in("supervisor", "371600", name="滨州科长")
    period = {"region": HUIMIN, "start": (bureau_today() - timedelta(days=30)).isoformat(),
              "end": (bureau_today() + timedelta(days=30)).isoformat()}
    figures = (await supervisor.get("/api/coverage", params=period)).json()
    assert figures["visits_awaiting_review"] == 2
    awaiting = await pages(supervisor, "/api/coverage/visits", {"region": HUIMIN, "awaiting_review": "true"})
    assert [v["id"] for v in awaiting] == [first["id"], second["visit"]["id"]]  # the longest waiting first

    visits = await pages(supervisor, "/api/coverage/visits", period)
    assert len(visits) == figures["visits"] == 2
    for inspector in figures["visits_per_inspector"]:
        theirs = await pages(supervisor, "/api/coverage/visits", {**period, "inspector": inspector["user_id"]})
        assert len(theirs) == inspector["visits"] == 2
    open_findings = await pages(supervisor, "/api/coverage/findings", {**period, "status": "open"})
    assert [f["id"] for f in open_findings] == [first["findings"][0]["id"]] and figures["findings_open"] == 1
    assert open_findings[0]["enterprise_name"] == scene["firm"]["name"] and open_findings[0]["severity"] == "critical"
    opened = await pages(supervisor, "/api/coverage/findings", {**period, "status": "opened"})
    assert [f["id"] for f in opened] == [first["findings"][0]["id"]] and figures["findings_opened"] == 1
    due = await pages(supervisor, "/api/enterprises", {"region": HUIMIN, "due_from": period["start"], "due_to": period["end"]})
    assert len(due) == figures["due_in_period"] > 0
    uncovered = await pages(supervisor, "/api/coverage/uncovered-points", {"region": HUIMIN})
    assert [p["name"] for p in uncovered] == ["杀菌"] and figures["control_points_without_notice"] == 1

    # Accepting a visit takes it off "awaiting review" (figure and list); it still counts as a visit.
    assert (await reviewer.post(f"/api/visits/{first['id']}/review", json={"decision": "accept"})).status_code == 200
    await zhang.post(f"/api/findings/{first['findings'][0]['id']}/decision", json={"decision": "close", "via": "follow_up"})
    after = (await supervisor.get("/api/coverage", params=period)).json()
    assert (after["visits_awaiting_review"], after["visits"], after["findings_open"]) == (1, 2, 0)
    assert [v["id"] for v in await pages(supervisor, "/api/coverage/visits", {"region": HUIMIN, "awaiting_review": "true"})] == [
        second["visit"]["id"]]
    closed = await pages(supervisor, "/api/coverage/findings", {**period, "status": "closed"})
    assert [f["id"] for f in closed] == [first["findings"][0]["id"]] and after["findings_closed"] == 1
    assert await pages(supervisor, "/api/coverage/findings", {**period, "status": "open"}) == []
    assert len(await pages(supervisor, "/api/coverage/findings", {**period, "status": "opened"})) == after["findings_opened"] == 1

    # A period that ends before the visits lists none of them.
    before = {**period, "start": "2026-01-01", "end": "2026-10-31"}
    assert (await supervisor.get("/api/coverage/visits", params=before)).json()["items"] == []


async def test_lists_refuse_bad_input_and_other_regions(sign_in: SignIn) -> None:
    supervisor = await sign_in("supervisor", HUIMIN)
    for path, params in (("/api/coverage/visits", {}), ("/api/coverage/findings", {"status": "open"}),
                         ("/api/coverage/uncovered-points", {})):
        outside = await supervisor.get(path, params={**params, "region": LIXIA})
        assert outside.status_code == 404 and outside.json()["extra"][0]["key"] == "region", outside.text
        assert (await supervisor.get(path, params={**params, "cursor": "forged.cursor"})).status_code == 400
    backwards = await supervisor.get("/api/coverage/visits", params={"start": "2026-02-01", "end": "2026-01-01"})
    assert backwards.status_code == 400 and backwards.json()["extra"][0]["key"] == "end"
    assert (await supervisor.get("/api/coverage/findings", params={"status": "maybe"})).status_code == 400
    inspector = await sign_in("inspector", HUIMIN)
    assert (await inspector.get("/api/coverage/visits")).status_code == 403


async def test_lists_show_their_total_and_the_most_overdue_first(scene: dict, client: AsyncClient,  # noqa: F811
                                                                 sign_in: SignIn) -> None:
    """Every list: its total on each page, and the most urgent first across pages (the
    earliest next due date or deadline; none last; ties by name)."""
    zhang = scene["zhang"]
    firms = [scene["firm"]] + [(await client.post("/api/enterprises", json=enterprise_body(n, name=name))).json()
                               for n, name in ((7, "惠民县B厂"), (8, "惠民县A厂"), (9, "惠民县C厂"))]
    visits = []
    for firm in firms:
        own = {**scene, "firm": firm, "evidence": await upload(zhang, firm["id"], png((9, 9, 9)), "evidence"),
               "signatures": [await upload(zhang, firm["id"], png((0, s, 0)), "signature", "s.png") for s in range(3)]}
        body = submission(own)
        body["findings"][0]["deadline"] = None
        assert (response := await zhang.post("/api/visits/submissions", json=body)).status_code == 201, response.text
        visits.append(response.json())
        assert (await zhang.post(f"/api/enterprises/{firm['id']}/control-points",
                                 json={"name": "包装", "kind": "packing"})).status_code == 201
    today = bureau_today()
    # firm 0: no due date; B and A both overdue by ten days (a tie, by name: A first); C due later
    for firm, due in zip(firms, (None, today - timedelta(days=10), today - timedelta(days=10), today + timedelta(days=5))):
        await Enterprise.update({Enterprise.next_due_on: due}).where(Enterprise.id == firm["id"])
    expected_firms = [firms[2]["id"], firms[1]["id"], firms[3]["id"], firms[0]["id"]]
    # findings: their deadlines as set here (the submitted ones have none: last, by name)
    visit = visits[0]
    deadlines = {}
    for days, firm in ((3, firms[3]), (-20, firms[1]), (3, firms[2])):
        fid = str(uuid.uuid4())
        deadlines[fid] = (days, firm["name"])
        await Finding.insert(Finding(id=fid, visit=visit["id"], enterprise=firm["id"], province_code="370000",
                                     city_code="371600", county_code=HUIMIN, found_at=now(), item_key="B3",
                                     severity="major", deadline=today + timedelta(days=days)))

    supervisor = await sign_in("supervisor", "371600", name="滨州科长")
    period = {"region": HUIMIN, "start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    listed = await pages(supervisor, "/api/coverage/visits", period)
    assert [v["enterprise_id"] for v in listed] == expected_firms
    assert listed[0]["next_due_on"] == (today - timedelta(days=10)).isoformat() and listed[-1]["next_due_on"] is None
    first = (await supervisor.get("/api/coverage/visits", params={**period, "limit": 2})).json()
    second = (await supervisor.get("/api/coverage/visits", params={**period, "limit": 2, "cursor": first["next_cursor"]})).json()
    assert first["total"] == second["total"] == 4 and len(first["items"]) == len(second["items"]) == 2

    found = await pages(supervisor, "/api/coverage/findings", {**period, "status": "open"})
    assert len(found) == 7
    dated = [(f["deadline"], f["enterprise_name"]) for f in found[:3]]
    assert dated == [((today + timedelta(days=d)).isoformat(), n) for d, n in sorted(deadlines.values())]
    undated = [f["enterprise_name"] for f in found[3:]]
    assert all(f["deadline"] is None for f in found[3:]) and undated == sorted(undated)
    assert (await supervisor.get("/api/coverage/findings", params={**period, "status": "open", "limit": 3})).json()["total"] == 7

    points = await pages(supervisor, "/api/coverage/uncovered-points", {"region": HUIMIN})
    assert [p["enterprise_id"] for p in points] == expected_firms
    assert (await supervisor.get("/api/coverage/uncovered-points", params={"region": HUIMIN, "limit": 1})).json()["total"] == 4

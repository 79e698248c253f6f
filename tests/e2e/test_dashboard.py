"""A supervisor's coverage dashboard in Chromium: the figures of their jurisdiction, which
move when a reviewer accepts a visit, and the lists behind them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import httpx
from playwright.sync_api import Page, expect

from backend import clock, db
from backend.clock import BUREAU_TIME
from tests.conftest import enrol as enrol_client
from tests.conftest import invitation_token, run_async
from tests.e2e.conftest import DATABASES, enrol, screenshot
from tests.factories import png
from tests.softauthn import SoftAuthenticator

HUIMIN = "371621"  # where the demo's enterprises are; Binzhou City (371600) is the supervisor's


def api_user(origin: str, role: str, name: str) -> httpx.AsyncClient:
    """A client of the live server enrolled as a new user in Huimin, as a phone's app is."""

    async def csrf(request: httpx.Request) -> None:
        if request.method != "GET" and (token := client.cookies.get("dossier_csrf")):
            request.headers["x-csrf-token"] = token

    client = httpx.AsyncClient(base_url=origin, event_hooks={"request": [csrf]})

    async def make() -> httpx.AsyncClient:
        async with db.connected(DATABASES[origin]):
            token = await invitation_token(role, HUIMIN, None, name)
        await client.get("/api/health")
        response = await enrol_client(client, SoftAuthenticator(), token, origin=origin)
        assert response.status_code == 201, response.text
        return client

    return make()


async def submitted_visit(origin: str) -> str:
    """A visit to a Huimin enterprise filed through the API by a team of two (the
    enterprise's representative refused to sign, with a witness note)."""
    zhang, li = await api_user(origin, "inspector", "检查员甲"), await api_user(origin, "inspector", "检查员乙")
    team = [(await c.get("/api/me")).json()["id"] for c in (zhang, li)]
    firm = (await zhang.get("/api/enterprises", params={"region": HUIMIN, "limit": 1})).json()["items"][0]
    checklist = next(c for c in (await zhang.get("/api/checklists")).json() if c["code"] == "food-routine")
    signatures = []
    for n, (client, user) in enumerate(zip((zhang, li), team)):
        upload = await client.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": firm["id"], "category": "signature"},
                                   files={"file": ("s.png", png((0, 0, 60 * n)), "image/png")})
        assert upload.status_code == 201, upload.text
        signatures.append({"signer": "inspector", "user_id": user, "name": f"检查员{n}", "media_id": upload.json()["id"]})
    signatures.append({"signer": "enterprise", "name": "企业负责人", "refused": True, "witness_note": "检查员甲、乙在场见证"})
    started = clock.now().astimezone(BUREAU_TIME) - timedelta(minutes=30)
    body = {"visit": {"id": str(uuid.uuid4()), "enterprise_id": firm["id"], "checklist_id": checklist["id"],
                      "visit_type": "routine", "planned_date": started.date().isoformat(), "team": team},
            "started_at": started.isoformat(), "answers": [{"item": "A1", "result": "pass"}], "findings": [],
            "signatures": signatures, "conclusion": "pass"}
    filed = await zhang.post("/api/visits/submissions", json=body)
    assert filed.status_code == 201, filed.text
    return filed.json()["id"]


async def accept(origin: str, visit_id: str) -> int:
    reviewer = await api_user(origin, "reviewer", "审核员")
    return (await reviewer.post(f"/api/visits/{visit_id}/review", json={"decision": "accept"})).status_code


def figure(page: Page, name: str):
    return page.locator(f'[data-figure="{name}"] .figure-value')


def test_figures_move_when_a_visit_is_accepted(page: Page, live_server: str) -> None:
    visit_id = run_async(submitted_visit(live_server))
    enrol(page, live_server, role="supervisor", region="371600")
    expect(page).to_have_url(f"{live_server}/dashboard?region=371600&period=year")
    expect(page.get_by_role("heading", name="覆盖情况")).to_be_visible()
    awaiting = int(figure(page, "awaiting").inner_text())
    visits = int(figure(page, "visits").inner_text())
    assert awaiting >= 1 and visits >= 1
    expect(page.locator(".chart canvas").first).to_be_visible()
    expect(page.locator(".dash-table").get_by_role("button", name="惠民县")).to_be_visible()  # the counties, side by side
    screenshot(page, "dashboard")

    assert run_async(accept(live_server, visit_id)) == 200
    page.reload()
    expect(figure(page, "awaiting")).to_have_text(str(awaiting - 1))
    expect(figure(page, "visits")).to_have_text(str(visits))  # accepted or not, a filed visit counts

    # Drill-down: the number links to the list behind it, and back returns to the dashboard.
    page.locator('[data-figure="visits"]').click()
    expect(page.get_by_role("heading", name="检查记录")).to_be_visible()
    expect(page.locator(".card")).to_have_count(min(visits, 50))
    expect(page.locator(".card", has_text="已通过").first).to_be_visible()
    screenshot(page, "dashboard-visits")
    page.go_back()
    expect(figure(page, "overdue")).to_be_visible()
    overdue = int(figure(page, "overdue").inner_text())
    page.locator('[data-figure="overdue"]').click()
    expect(page).to_have_url(f"{live_server}/enterprises?due=overdue&region=371600")
    expect(page.get_by_role("button", name="逾期未检")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".card")).to_have_count(overdue)


def test_period_region_and_the_other_lists(page: Page, live_server: str) -> None:
    enrol(page, live_server, role="supervisor", region="371600")
    expect(figure(page, "enterprises")).to_have_text(re.compile(r"^[1-9]\d*$"))
    city = figure(page, "enterprises").inner_text()
    page.get_by_role("combobox", name=re.compile(r"^地区")).select_option(HUIMIN)
    expect(page).to_have_url(f"{live_server}/dashboard?region={HUIMIN}&period=year")
    expect(page.locator(".dash-columns[aria-busy=false]")).to_be_visible()
    huimin = int(figure(page, "enterprises").inner_text())
    assert 0 < huimin < int(city)
    page.get_by_role("button", name="本月").click()
    expect(page).to_have_url(f"{live_server}/dashboard?region={HUIMIN}&period=month")
    expect(figure(page, "enterprises")).to_have_text(str(huimin))  # enterprises do not depend on the period

    open_findings = int(figure(page, "findings-open").inner_text())
    page.locator('[data-figure="findings-open"]').click()
    expect(page.get_by_role("heading", name="未整改的问题")).to_be_visible()
    expect(page.locator(".card")).to_have_count(min(open_findings, 50))
    page.go_back()
    opened = int(figure(page, "findings-opened").inner_text())
    page.locator('[data-figure="findings-opened"]').click()
    expect(page.get_by_role("heading", name="期内新发现的问题")).to_be_visible()
    expect(page.locator(".card")).to_have_count(min(opened, 50))
    page.go_back()
    due = int(figure(page, "due").inner_text())
    page.locator('[data-figure="due"]').click()
    expect(page).to_have_url(re.compile(rf"/enterprises\?region={HUIMIN}&due_from=\d{{4}}-\d\d-01&due_to="))
    expect(page.get_by_role("button", name=re.compile("^下次检查到期"))).to_be_visible()
    expect(page.locator(".card")).to_have_count(min(due, 30))
    page.go_back()
    page.get_by_role("link", name="未张贴警示语的控制点").click()
    expect(page.get_by_role("heading", name="未张贴警示语的控制点")).to_be_visible()
    expect(page.locator(".card").first).to_be_visible()
    screenshot(page, "dashboard-points")

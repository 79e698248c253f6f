"""Browser tests: the real server in its own process, Debian's Chromium driven by
Playwright, passkeys answered by Chromium's virtual authenticator. Never skipped: a
missing browser or an unbuilt app is a failure with a message saying how to fix it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator
from uuid import UUID, uuid4

import httpx
import pytest
from playwright.sync_api import APIResponse, Browser, Page, expect, sync_playwright

from backend.access import Role, SYSTEM
from backend import clock, db, demo
from backend.accounts import service as accounts
from backend.accounts.schemas import InvitationIn
from backend.accounts.tables import User
from backend.clock import BUREAU_TIME, bureau_today
from backend.enterprises.tables import ControlPoint, Enterprise
from backend.inspections import service as inspections
from backend.inspections.schemas import VisitPlan
from backend.inspections.tables import ChecklistVersion, VisitType
from backend.media.store import LocalMediaStore
from backend.settings import Settings
from backend.webapp import DIST
from tests.conftest import run_async
from tests.factories import photo, png

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
DATABASES: dict[str, str] = {}  # live server origin -> its database URL
SERVERS: dict[str, int] = {}  # live server origin -> the pid of its `dossier serve` (granian's main process)
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs it (apt-get install chromium)"
    assert (DIST / "index.html").exists(), "The PWA is not built: `make test` builds it (npm ci && npm run build in pwa/)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(database_url: str, settings: Settings) -> Iterator[str]:
    """`dossier serve` on a free port over this test's database and media root, with 30
    demo enterprises. The origin is http://localhost:PORT: a passkey needs a domain name, not an IP."""
    run_async(_seed(database_url, settings.media_root))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DOSSIER_DATABASE_URL": database_url, "DOSSIER_MEDIA_ROOT": settings.media_root,
           "DOSSIER_PORT": str(port), "DOSSIER_SECRET_KEY": "e2e"}
    server = subprocess.Popen([sys.executable, "-m", "tests.e2e.serve_at", clock.now().isoformat()], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # On PostgreSQL derivatives are made by `dossier worker` (on SQLite the app makes them).
    worker = subprocess.Popen([sys.executable, "-m", "tests.e2e.serve_at", clock.now().isoformat(), "worker"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL) if database_url.startswith("postgres") else None
    origin = f"http://localhost:{port}"
    DATABASES[origin] = database_url
    SERVERS[origin] = server.pid
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{origin}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"the server did not start: {server.stderr.read().decode() if server.stderr else ''}")
        yield origin
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(10)
        del DATABASES[origin]
        del SERVERS[origin]


async def _seed(database_url: str, media_root: str) -> None:
    async with db.connected(database_url):
        await demo.load(30, store=LocalMediaStore(media_root))


def _phone(browser: Browser) -> Page:
    """A phone-sized page (390x844, zh-CN) in a browser context of its own, holding a
    virtual passkey authenticator with user verification (fingerprint) that always succeeds."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", device_scale_factor=2)
    context.clock.set_system_time(clock.now())  # the page's Date is the suite's clock (tests/conftest.py); timers stay real
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})
    return page


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone of its own (see _phone)."""
    page = _phone(browser)
    yield page
    page.context.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """More phones, each a separate browser context (another person on another device)."""
    pages: list[Page] = []

    def make() -> Page:
        pages.append(_phone(browser))
        return pages[-1]

    yield make
    for page in pages:
        page.context.close()


def screenshot(page: Page, name: str) -> None:
    """Each main screen at 390x844, kept as a test artifact; none has a badge or a button cut off."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)
    assert clipped(page) == [], name


CLIPPED = """() => {
  const cut = [];
  for (const el of document.querySelectorAll('.badge, .count, .chip, button, .thumb-remove')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.closest('.chips, nav.tabs')) continue;  // those rows scroll sideways
    let edge = r.left < -0.5 || r.right > innerWidth + 0.5 ? 'the screen' : el.scrollWidth > el.clientWidth + 1 && !el.querySelector('img, video, canvas') ? 'itself' : '';
    for (let a = el.parentElement; a && !edge; a = a.parentElement) {
      const style = getComputedStyle(a), box = a.getBoundingClientRect();
      const hides = (o) => o === 'hidden' || o === 'clip';
      if ((hides(style.overflowX) && (r.left < box.left - 0.5 || r.right > box.right + 0.5))
          || (hides(style.overflowY) && (r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5))) edge = a.className || a.tagName;
    }
    if (edge) cut.push(`${el.className || el.tagName} "${el.textContent.trim().slice(0, 20)}" cut by ${edge}`);
  }
  return cut;
}"""


def clipped(page: Page) -> list[str]:
    """Badges, counts and buttons on the screen cut off by its edge, by a box that hides what
    overflows it, or too narrow for their own words (a 重点项 badge clipped at a card's edge)."""
    return page.evaluate(CLIPPED)


ROLE_NAMES = {"inspector": "检查人员", "reviewer": "审核人员", "supervisor": "局领导", "enterprise": "企业", "admin": "管理员"}
PEOPLE = {"inspector": "张伟", "reviewer": "王芳", "supervisor": "李强", "enterprise": "企业联系人", "admin": "刘洋"}


def invitation(database_url: str, role: str, name: str, region: str | None = None,
               enterprise_id: UUID | str | None = None) -> str:
    """A fresh invitation's token, made by the system (as `dossier invite` does)."""
    async def make() -> str:
        async with db.connected(database_url):
            data = InvitationIn(role=Role(role), display_name=name, region_code=region,
                                enterprise_id=UUID(str(enterprise_id)) if enterprise_id else None)
            return (await accounts.invite(SYSTEM, data, "http://localhost", bureau_today())).link.rsplit("/", 1)[1]

    return run_async(make())


def enrol(page: Page, origin: str, role: str = "inspector", region: str | None = "370000",
          enterprise_id: UUID | str | None = None, name: str | None = None) -> str:
    """Invite a user of `role` on the live server at `origin`, enrol them with this page's
    passkey and wait until they are signed in. Returns their display name."""
    name = name or PEOPLE[role]
    token = invitation(DATABASES[origin], role, name, None if enterprise_id else region, enterprise_id)
    page.goto(f"{origin}/enrol/{token}")
    page.get_by_role("button", name="创建通行密钥").click()
    expect(page.get_by_text(f"{name} · {ROLE_NAMES[role]}")).to_be_visible()
    return name


def call(page: Page, method: str, path: str, **kwargs: Any) -> APIResponse:
    """The API as the page's signed-in user: its session cookie and its CSRF token."""
    origin = "/".join(page.url.split("/", 3)[:3])
    csrf = next((c["value"] for c in page.context.cookies() if c["name"] == "dossier_csrf"), "")
    return page.request.fetch(f"{origin}{path}", method=method, headers={"X-CSRF-Token": csrf}, **kwargs)


def upload(page: Page, enterprise_id: str, content: bytes, name: str = "photo.jpg", **fields: Any) -> dict:
    """Upload a file as the page's user, as the app does (multipart: fields + one file)."""
    form = {"id": str(uuid4()), "enterprise_id": enterprise_id, "category": "evidence", **fields}
    response = call(page, "POST", "/api/media", multipart={
        **{k: str(v) for k, v in form.items()}, "file": {"name": name, "mimeType": "image/jpeg", "buffer": content}})
    assert response.status == 201, response.text()
    return response.json()


def submit_visit(page: Page, enterprise_id: str, deadlines: tuple[date, ...] = ()) -> dict:
    """The page's inspector submits a visit to an enterprise of their county with one of
    the demo's inspectors of that county: each deadline is a failed item with a photo and
    a rectification order. Returns the visit."""
    me = call(page, "GET", "/api/me").json()
    colleague = run_async(_colleague(DATABASES["/".join(page.url.split("/", 3)[:3])], me))
    checklist = call(page, "GET", "/api/checklists").json()[0]
    items = [i["key"] for s in checklist["sections"] for i in s["items"] if i["kind"] == "pass_fail"]
    signatures = [upload(page, enterprise_id, png((0, 0, 60 * s)), "s.png", category="signature")["id"] for s in range(3)]
    failed = items[1:1 + len(deadlines)]
    started = clock.now().astimezone(BUREAU_TIME) - timedelta(minutes=30)
    answers = [{"item": items[0], "result": "pass"}] + [
        {"item": item, "result": "fail", "note": "现场发现问题",
         "media": [upload(page, enterprise_id, photo(seed=70 + n), caption=f"{item} 问题照片")["id"]]}
        for n, item in enumerate(failed)]
    response = call(page, "POST", "/api/visits/submissions", data={
        "visit": {"id": str(uuid4()), "enterprise_id": enterprise_id, "checklist_id": checklist["id"],
                  "visit_type": "routine", "planned_date": started.date().isoformat(), "team": [me["id"], colleague]},
        "started_at": started.isoformat(),
        "answers": answers,
        "findings": [{"id": str(uuid4()), "item": item, "description": f"{item} 不符合要求", "deadline": deadline.isoformat()}
                     for item, deadline in zip(failed, deadlines)],
        "signatures": [{"signer": "inspector", "user_id": me["id"], "name": me["display_name"], "media_id": signatures[0]},
                       {"signer": "inspector", "user_id": colleague, "name": "同事", "media_id": signatures[1]},
                       {"signer": "enterprise", "name": "企业负责人", "media_id": signatures[2]}],
        "conclusion": "pass_with_rectification" if deadlines else "pass",
    })
    assert response.status == 201, response.text()
    return response.json()


async def _colleague(database_url: str, me: dict) -> str:
    async with db.connected(database_url):
        row = await User.select(User.id).where(User.role == "inspector", User.region_code == me["region_code"],
                                                User.id != me["id"]).first()
    assert row, f"the demo has no other inspector in {me['region_code']}"
    return str(row["id"])


HUIMIN = "371621"
CHECKLIST_OF = {"food_production": "food-routine", "special_equipment": "special-equipment"}


def plan_visit(database_url: str, inspector_id: str) -> dict:
    """Today's visit for the new inspector and 张伟 (a demo inspector of Huimin) at a Huimin
    enterprise with control points."""
    async def plan() -> dict:
        async with db.connected(database_url):
            colleague = await User.select(User.id).where(User.display_name == "张伟", User.region_code == HUIMIN).first()
            points = await ControlPoint.select(ControlPoint.enterprise, ControlPoint.name).where(
                ControlPoint.enterprise.county_code == HUIMIN).order_by(ControlPoint.position)
            enterprise = await Enterprise.select(Enterprise.id, Enterprise.name, Enterprise.category).where(
                Enterprise.id == points[0]["enterprise"]).first()
            code = CHECKLIST_OF.get(enterprise["category"], "industrial-routine")
            checklist = await ChecklistVersion.select(ChecklistVersion.id).where(ChecklistVersion.template.code == code).first()
            plan = VisitPlan(id=uuid4(), enterprise_id=enterprise["id"], checklist_id=checklist["id"],
                             visit_type=VisitType.routine, planned_date=bureau_today(),
                             team=[UUID(inspector_id), colleague["id"]])
            await inspections.plan_visit(SYSTEM, plan, bureau_today())
            return {"id": str(plan.id), "enterprise": enterprise["name"], "point": points[0]["name"]}

    return run_async(plan())


def todays_visit(page: Page, live_server: str, database_url: str, name: str) -> dict:
    """Enrol an inspector of Huimin, plan today's visit, open Today online so that it is kept."""
    enrol(page, live_server, role="inspector", region=HUIMIN, name=name)
    me = call(page, "GET", "/api/me").json()
    visit = plan_visit(database_url, me["id"])
    page.goto(f"{live_server}/today")
    expect(page.locator(".visit-card", has_text=visit["enterprise"])).to_be_visible()
    expect(page.get_by_test_id("offline-ready")).to_be_visible()
    return visit

"""Every route x every role x own scope / another scope -> the expected status.

The routes come from the app's own route table: a route added without a rule here fails
``test_every_route_has_a_rule``. Jurisdictions: staff work in Huimin County (Binzhou),
the admin in Binzhou City, the enterprise user at an enterprise in Huimin; "other" is
Lixia District in Jinan, outside all of them.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Awaitable, Callable

import pytest
from httpx import AsyncClient
from litestar import Litestar

from backend.accounts.tables import User
from backend import clock
from backend.audit.tables import AuditEvent
from backend.documents.tables import Document
from backend.inspections.tables import Finding
from backend.plans.tables import PlanDraw
from tests.conftest import SignIn
from tests.factories import HUIMIN, LIXIA, PNG, enterprise_body

ROLES = ("inspector", "reviewer", "supervisor", "admin", "enterprise")
EVERYONE = set(ROLES)
STAFF = EVERYONE - {"enterprise"}
FIELD_STAFF = {"inspector", "supervisor", "admin"}
INVITERS = {"reviewer", "supervisor", "admin"}
MANAGERS = {"supervisor", "admin"}
REVIEWERS = {"reviewer", "supervisor", "admin"}
FIELD_TEAM = {"inspector", "supervisor"}
_serial = itertools.count(100)


@dataclass
class Rule:
    """Who may call a route, the request for own and other scope, and what comes back."""

    roles: set[str]
    request: Callable[[dict, str, bool], tuple[str, Any]]  # (world, role, own) -> (url, json)
    own: int = 200
    other: int | None = None  # None: the route has no scope to cross
    public: bool = False
    own_for: dict[str, int] = field(default_factory=dict)  # roles for which own scope answers otherwise


def url(template: str) -> Callable[[dict, str, bool], tuple[str, Any]]:
    return lambda w, role, own: (template.format(**w["own" if own else "other"]), None)


def with_body(template: str, body: Callable[[dict, str, bool], Any]) -> Callable[[dict, str, bool], tuple[str, Any]]:
    return lambda w, role, own: (template.format(**w["own" if own else "other"]), body(w, role, own))


def invitation_body(w: dict, role: str, own: bool) -> dict:
    side = w["own" if own else "other"]
    if role == "reviewer":
        return {"role": "enterprise", "display_name": "企业联系人", "enterprise_id": side["enterprise"]}
    return {"role": "inspector", "display_name": "新检查员", "region_code": side["county"]}


NO_CEREMONY = {"ceremony": str(uuid.UUID(int=0)), "credential": {}}


@dataclass
class Multipart:
    data: dict
    files: dict


def visit_plan(w: dict, own: bool) -> dict:
    side = w["own" if own else "other"]
    return {"id": str(uuid.uuid4()), "enterprise_id": side["enterprise"], "checklist_id": w["own"]["checklist"],
            "visit_type": "routine", "planned_date": "2026-12-01", "team": [side["user"], side["user2"]]}


def upload_body(w: dict, role: str, own: bool) -> Multipart:
    side = w["own" if own else "other"]
    return Multipart({"id": str(uuid.uuid4()), "enterprise_id": side["enterprise"], "category": "rectification"},
                     {"file": ("p.png", PNG, "image/png")})

@dataclass
class Tus:
    """A tus request: its headers and bytes."""
    headers: dict
    content: bytes = b""


TUS_CHUNK = Tus({"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"},
                PNG)


def tus_creation(w: dict, role: str, own: bool) -> Tus:
    side = w["own" if own else "other"]
    fields = {"id": str(uuid.uuid4()), "enterprise_id": side["enterprise"], "category": "rectification",
              "sha256": hashlib.sha256(PNG).hexdigest()}
    return Tus({"Tus-Resumable": "1.0.0", "Upload-Length": str(len(PNG)), "Upload-Metadata": ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())})


def export_rules() -> dict[tuple[str, str], Rule]:
    """Each list's export, as CSV and as XLSX: the list's roles, the list's request."""
    lists = {"visits": (EVERYONE, "enterprise_id={enterprise}"), "findings": (EVERYONE, "enterprise_id={enterprise}"),
             "notices": (EVERYONE, "enterprise_id={enterprise}"), "coverage-visits": (MANAGERS, "region={county}"),
             "coverage-findings": (MANAGERS, "status=open&region={county}"),
             "uncovered-points": (MANAGERS, "region={county}")}
    rules = {}
    for kind in ("csv", "xlsx"):
        registry = f"/api/exports/enterprises.{kind}"
        rules[("GET", registry)] = Rule(EVERYONE, lambda w, role, own, path=registry: (
            path if own else f"{path}?region={w['other']['county']}", None), other=404)
        for name, (allowed, query) in lists.items():
            rules[("GET", f"/api/exports/{name}.{kind}")] = Rule(allowed, url(f"/api/exports/{name}.{kind}?{query}"),
                                                                  other=404)
    return rules


RULES: dict[tuple[str, str], Rule] = {
    ("GET", "/api/health"): Rule(EVERYONE, url("/api/health"), public=True),
    ("GET", "/"): Rule(EVERYONE, url("/"), public=True),
    ("GET", "/{path:path}"): Rule(EVERYONE, url("/enrol/some-token"), public=True),
    ("GET", "/api/auth/invitations/{token:str}"): Rule(EVERYONE, url("/api/auth/invitations/nope"), own=404, public=True),
    ("POST", "/api/auth/enrol/options"): Rule(EVERYONE, with_body("/api/auth/enrol/options", lambda *_: {"invitation": "x"}), own=404, public=True),
    ("POST", "/api/auth/enrol"): Rule(EVERYONE, with_body("/api/auth/enrol", lambda *_: NO_CEREMONY), own=401, public=True),
    ("POST", "/api/auth/sign-in/options"): Rule(EVERYONE, with_body("/api/auth/sign-in/options", lambda *_: None), own=201, public=True),
    ("POST", "/api/auth/sign-in"): Rule(EVERYONE, with_body("/api/auth/sign-in", lambda *_: NO_CEREMONY), own=401, public=True),
    ("GET", "/api/me"): Rule(EVERYONE, url("/api/me")),
    ("GET", "/api/me/sessions"): Rule(EVERYONE, url("/api/me/sessions")),
    ("DELETE", "/api/me/sessions/{session_id:uuid}"): Rule(EVERYONE, url(f"/api/me/sessions/{uuid.uuid4()}"), own=404),
    ("GET", "/api/me/passkeys"): Rule(EVERYONE, url("/api/me/passkeys")),
    ("POST", "/api/me/passkeys/options"): Rule(EVERYONE, with_body("/api/me/passkeys/options", lambda *_: None), own=201),
    ("POST", "/api/me/passkeys"): Rule(EVERYONE, with_body("/api/me/passkeys", lambda *_: NO_CEREMONY), own=401),
    ("DELETE", "/api/me/passkeys/{passkey_id:str}"): Rule(EVERYONE, url("/api/me/passkeys/not-mine"), own=404),
    ("POST", "/api/me/sign-out"): Rule(EVERYONE, with_body("/api/me/sign-out", lambda *_: None), own=204),
    ("POST", "/api/invitations"): Rule(INVITERS, with_body("/api/invitations", invitation_body), own=201, other=404),
    ("GET", "/api/invitations"): Rule(INVITERS, url("/api/invitations")),
    ("DELETE", "/api/invitations/{invitation_id:uuid}"): Rule(INVITERS, url(f"/api/invitations/{uuid.uuid4()}"), own=404),
    ("GET", "/api/users"): Rule(MANAGERS, url("/api/users")),
    ("GET", "/api/officers"): Rule(FIELD_TEAM, url("/api/officers")),
    ("PATCH", "/api/users/{user_id:uuid}"): Rule(MANAGERS, with_body("/api/users/{user}", lambda *_: {"active": True}), other=404),
    ("GET", "/api/audit"): Rule(MANAGERS, url("/api/audit?enterprise={enterprise}"), other=200),
    ("GET", "/api/regions"): Rule(STAFF, url("/api/regions?under={county}"), other=404),
    ("GET", "/api/regions/{code:str}"): Rule(STAFF, url("/api/regions/{county}"), other=404),
    ("GET", "/api/risk-grades"): Rule(EVERYONE, url("/api/risk-grades")),
    ("GET", "/api/enterprises"): Rule(
        EVERYONE, lambda w, role, own: ("/api/enterprises" if own else f"/api/enterprises?region={w['other']['county']}", None),
        other=404,
    ),
    ("POST", "/api/enterprises"): Rule(
        FIELD_STAFF,
        with_body("/api/enterprises", lambda w, r, own: enterprise_body(next(_serial), w["own" if own else "other"]["county"])),
        own=201, other=400,
    ),
    ("GET", "/api/enterprises/{enterprise_id:uuid}"): Rule(EVERYONE, url("/api/enterprises/{enterprise}"), other=404),
    ("PATCH", "/api/enterprises/{enterprise_id:uuid}"): Rule(
        FIELD_STAFF, with_body("/api/enterprises/{enterprise}", lambda *_: {"risk_grade": "C"}), other=404
    ),
    ("POST", "/api/enterprises/{enterprise_id:uuid}/licences"): Rule(
        FIELD_STAFF,
        with_body("/api/enterprises/{enterprise}/licences",
                  lambda *_: {"number": "SC1", "valid_from": "2025-01-01", "valid_to": "2030-01-01"}),
        own=201, other=404,
    ),
    ("PATCH", "/api/enterprises/{enterprise_id:uuid}/licences/{licence_id:uuid}"): Rule(
        FIELD_STAFF, with_body("/api/enterprises/{enterprise}/licences/{licence}", lambda *_: {"scope": "面粉"}), other=404
    ),
    ("POST", "/api/enterprises/{enterprise_id:uuid}/control-points"): Rule(
        FIELD_STAFF,
        with_body("/api/enterprises/{enterprise}/control-points", lambda *_: {"name": "杀菌", "kind": "sterilisation"}),
        own=201, other=404,
    ),
    ("POST", "/api/media"): Rule(EVERYONE, with_body("/api/media", upload_body), own=201, other=404),
    ("GET", "/api/media/mine"): Rule(EVERYONE, url("/api/media/mine")),
    ("GET", "/api/media/returned"): Rule(EVERYONE, url("/api/media/returned")),
    ("POST", "/api/uploads"): Rule(EVERYONE, with_body("/api/uploads", tus_creation), own=201, other=404),
    ("PATCH", "/api/uploads/{upload_id:str}"): Rule(  # an upload's id is bound to its creator: anyone else's is unknown
        EVERYONE, with_body(f"/api/uploads/{uuid.uuid4().hex}", lambda *_: TUS_CHUNK), own=404),
    ("DELETE", "/api/uploads/{upload_id:str}"): Rule(
        EVERYONE, with_body(f"/api/uploads/{uuid.uuid4().hex}", lambda *_: Tus({"Tus-Resumable": "1.0.0"})), own=404),
    ("GET", "/api/media/review-queue"): Rule(REVIEWERS, url("/api/media/review-queue?region={county}"), other=404),
    ("GET", "/api/media/{media_id:uuid}"): Rule(EVERYONE, url("/api/media/{media}"), other=404),
    ("POST", "/api/media/{media_id:uuid}/review"): Rule(
        REVIEWERS, with_body("/api/media/{media}/review", lambda *_: {"decision": "accept"}), other=404
    ),
    ("GET", "/api/media/{media_id:uuid}/{variant:str}"): Rule(EVERYONE, url("/api/media/{media}/thumbnail"), other=404),
    ("GET", "/api/enterprises/{enterprise_id:uuid}/media"): Rule(EVERYONE, url("/api/enterprises/{enterprise}/media"), other=404),
    ("GET", "/api/enterprises/{enterprise_id:uuid}/package.zip"): Rule(
        EVERYONE, url("/api/enterprises/{enterprise}/package.zip"), other=404
    ),
    ("GET", "/api/checklists"): Rule(STAFF, url("/api/checklists")),
    ("GET", "/api/checklists/{checklist_id:uuid}"): Rule(EVERYONE, url("/api/checklists/{checklist}")),
    ("GET", "/api/visits"): Rule(EVERYONE, url("/api/visits?enterprise_id={enterprise}"), other=404),
    ("POST", "/api/visits"): Rule(FIELD_TEAM, with_body("/api/visits", lambda w, r, own: visit_plan(w, own)), own=201, other=404),
    ("POST", "/api/visits/submissions"): Rule(
        FIELD_TEAM,  # the caller is not in the team: admitted, then refused by the rules (400)
        with_body("/api/visits/submissions", lambda w, r, own: {
            "visit": visit_plan(w, own), "started_at": "2026-11-24T09:00:00+08:00", "answers": [],
            "signatures": [], "conclusion": "pass"}),
        own=400, other=404,
    ),
    ("GET", "/api/visits/{visit_id:uuid}"): Rule(  # the visit is planned: not announced to the enterprise
        EVERYONE, url("/api/visits/{visit}"), other=404, own_for={"enterprise": 404}),
    ("GET", "/api/visits/{visit_id:uuid}/media"): Rule(  # the visit is planned: not announced to the enterprise
        EVERYONE, url("/api/visits/{visit}/media"), other=404, own_for={"enterprise": 404}),
    ("POST", "/api/visits/{visit_id:uuid}/review"): Rule(
        REVIEWERS, with_body("/api/visits/{visit}/review", lambda *_: {"decision": "accept"}), own=409, other=404
    ),
    ("GET", "/api/coverage"): Rule(MANAGERS, url("/api/coverage?region={county}"), other=404),
    ("GET", "/api/coverage/visits"): Rule(MANAGERS, url("/api/coverage/visits?region={county}"), other=404),
    ("GET", "/api/coverage/findings"): Rule(MANAGERS, url("/api/coverage/findings?status=open&region={county}"), other=404),
    ("GET", "/api/coverage/uncovered-points"): Rule(MANAGERS, url("/api/coverage/uncovered-points?region={county}"),
                                                    other=404),
    **export_rules(),
    ("POST", "/api/exports/jobs"): Rule(EVERYONE, with_body("/api/exports/jobs", lambda *_: {
        "id": str(uuid.uuid4()), "list": "enterprises", "format": "csv", "query": {}}), own=202),
    # a job is its requester's alone: anyone else's id is unknown
    ("GET", "/api/exports/jobs/{job_id:uuid}"): Rule(EVERYONE, url(f"/api/exports/jobs/{uuid.uuid4()}"), own=404),
    ("GET", "/api/exports/jobs/{job_id:uuid}/file"): Rule(EVERYONE, url(f"/api/exports/jobs/{uuid.uuid4()}/file"),
                                                          own=404),
    ("POST", "/api/checklists/{code:str}/versions"): Rule(  # admitted, then refused for want of items (400)
        {"admin"}, with_body("/api/checklists/food-routine/versions", lambda *_: {"sections": []}), own=400,
    ),
    ("GET", "/api/findings/awaiting-decision"): Rule(FIELD_TEAM, url("/api/findings/awaiting-decision")),
    ("GET", "/api/findings/{finding_id:uuid}"): Rule(EVERYONE, url("/api/findings/{finding}"), other=404),
    ("POST", "/api/findings/{finding_id:uuid}/decision"): Rule(  # admitted, then refused: no follow-up visit yet (400)
        FIELD_TEAM, with_body("/api/findings/{finding}/decision", lambda *_: {"decision": "close", "via": "follow_up"}),
        own=400, other=404,
    ),
    ("GET", "/api/enterprises/{enterprise_id:uuid}/findings"): Rule(
        EVERYONE, url("/api/enterprises/{enterprise}/findings"), other=404
    ),
    ("PATCH", "/api/enterprises/{enterprise_id:uuid}/control-points/{point_id:uuid}"): Rule(
        FIELD_STAFF, with_body("/api/enterprises/{enterprise}/control-points/{point}", lambda *_: {"position": 2}),
        other=404,
    ),
    ("GET", "/api/notice-templates"): Rule(STAFF, url("/api/notice-templates")),
    ("POST", "/api/notices"): Rule(
        FIELD_TEAM,  # the caller is not in the visit's team (and the photo is no notice): admitted, then refused (400)
        with_body("/api/notices", lambda w, r, own: notice_body(w["own" if own else "other"], str(uuid.uuid4()),
                                                                w["own" if own else "other"]["media"])),
        own=400, other=404,
    ),
    ("GET", "/api/notices/{notice_id:uuid}"): Rule(EVERYONE, url("/api/notices/{notice}"), other=404),
    ("POST", "/api/notices/{notice_id:uuid}/photo"): Rule(  # admitted, then refused: it has its photo already
        FIELD_TEAM, with_body("/api/notices/{notice}/photo", lambda w, *_: {"photo_id": w["own"]["media"]}), own=409,
        other=404,
    ),
    ("POST", "/api/notices/{notice_id:uuid}/removal"): Rule(  # admitted, then refused for want of a reason
        FIELD_TEAM, with_body("/api/notices/{notice}/removal", lambda *_: {"reason": " "}), own=400, other=404,
    ),
    ("GET", "/api/notices/{notice_id:uuid}/print.png"): Rule(EVERYONE, url("/api/notices/{notice}/print.png"), other=404),
    ("GET", "/api/notices/{notice_id:uuid}/print.pdf"): Rule(EVERYONE, url("/api/notices/{notice}/print.pdf"), other=404),
    ("GET", "/api/enterprises/{enterprise_id:uuid}/notices"): Rule(
        EVERYONE, url("/api/enterprises/{enterprise}/notices"), other=404
    ),
    ("GET", "/v/{code:str}"): Rule(EVERYONE, url("/v/NOSUCH23"), own=404, public=True),
    ("GET", "/api/documents/{document_id:uuid}"): Rule(EVERYONE, url("/api/documents/{document}"), other=404),
    ("GET", "/api/documents/{document_id:uuid}/pdf"): Rule(EVERYONE, url("/api/documents/{document}/pdf"), other=404),
    ("GET", "/api/visits/{visit_id:uuid}/documents"): Rule(  # the visit is planned: not announced to the enterprise
        EVERYONE, url("/api/visits/{visit}/documents"), other=404, own_for={"enterprise": 404}),
    ("GET", "/api/enterprises/{enterprise_id:uuid}/documents"): Rule(
        EVERYONE, url("/api/enterprises/{enterprise}/documents"), other=404
    ),
    ("GET", "/api/plan-items"): Rule(STAFF, url("/api/plan-items?bureau={county}"), other=404),
    ("POST", "/api/plan-items"): Rule(MANAGERS, with_body("/api/plan-items", lambda w, r, own: plan_item_body(
        w["own" if own else "other"])), own=201, other=404),
    ("GET", "/api/plan-items/{item_id:uuid}"): Rule(STAFF, url("/api/plan-items/{item}"), other=404),
    ("PATCH", "/api/plan-items/{item_id:uuid}"): Rule(MANAGERS, with_body("/api/plan-items/{item}",
                                                                          lambda *_: {"name": "改名"}), other=404),
    ("DELETE", "/api/plan-items/{item_id:uuid}"): Rule(  # admitted, then refused: plans name it
        MANAGERS, url("/api/plan-items/{item}"), own=409, other=404),
    ("GET", "/api/plans"): Rule(STAFF, url("/api/plans")),
    ("POST", "/api/plans"): Rule(MANAGERS, with_body("/api/plans", lambda w, r, own: plan_body(w["own" if own else "other"])),
                                 own=201, other=404),
    ("GET", "/api/plans/{plan_id:uuid}"): Rule(STAFF, url("/api/plans/{plan}"), other=404),
    ("PATCH", "/api/plans/{plan_id:uuid}"): Rule(MANAGERS, with_body("/api/plans/{draft}", lambda *_: {"title": "改"}),
                                                 other=404),
    ("DELETE", "/api/plans/{plan_id:uuid}"): Rule(  # admitted, then refused: a locked plan is kept
        MANAGERS, url("/api/plans/{plan}"), own=409, other=404),
    ("POST", "/api/plans/{plan_id:uuid}/lock"): Rule(  # drawn already: the same draw
        MANAGERS, with_body("/api/plans/{plan}/lock", lambda *_: None), other=404),
    ("GET", "/api/plans/{plan_id:uuid}/draw"): Rule(STAFF, url("/api/plans/{plan}/draw"), other=404),
    ("GET", "/api/plans/{plan_id:uuid}/export"): Rule(STAFF, url("/api/plans/{plan}/export"), other=404),
    ("GET", "/api/plans/{plan_id:uuid}/progress"): Rule(STAFF, url("/api/plans/{plan}/progress"), other=404),
    ("POST", "/api/plans/{plan_id:uuid}/redraw"): Rule(  # admitted, then refused: no officer left for a new team
        MANAGERS, with_body("/api/plans/{plan}/redraw", lambda w, r, own: {
            "id": str(uuid.uuid4()), "enterprise_id": w["own" if own else "other"]["enterprise"], "reason": "病假"}),
        own=409, other=404),
    ("GET", "/api/conflicts"): Rule(STAFF, url("/api/conflicts?enterprise_id={enterprise}"), other=200),
    ("POST", "/api/conflicts"): Rule(  # an inspector declares only their own
        FIELD_STAFF, with_body("/api/conflicts", lambda w, r, own: {
            "officer_id": w["own" if own else "other"]["user2"], "enterprise_id": w["own" if own else "other"]["enterprise"],
            "reason": "曾任职"}), own=201, other=404, own_for={"inspector": 403}),
    ("DELETE", "/api/conflicts/{conflict_id:uuid}"): Rule(MANAGERS, url("/api/conflicts/{conflict}"), own=204, other=404),
    ("GET", "/api/publication/due"): Rule(MANAGERS, url("/api/publication/due?region={county}"), other=404),
    ("POST", "/api/publication/due"): Rule(  # nothing accepted yet: nothing published
        MANAGERS, with_body("/api/publication/due", lambda w, r, own: {"region": w["own" if own else "other"]["county"]}),
        other=404),
    ("POST", "/api/publication"): Rule(  # admitted, then refused: the drawn visit is not accepted yet
        MANAGERS, with_body("/api/publication", lambda w, r, own: {"visit_ids": [w["own" if own else "other"]["drawn"]]}),
        own=409, other=404),
    ("GET", "/api/publication/published"): Rule(STAFF, url("/api/publication/published?region={county}"), other=404),
    ("GET", "/api/workday-adjustments"): Rule({"admin"}, url("/api/workday-adjustments")),
    ("PUT", "/api/workday-adjustments/{day:date}"): Rule(
        {"admin"}, with_body("/api/workday-adjustments/2027-01-01", lambda *_: {"working": False, "note": "元旦"}), own=201),
    ("DELETE", "/api/workday-adjustments/{day:date}"): Rule({"admin"}, url("/api/workday-adjustments/2027-01-02"), own=404),
    ("GET", "/gs"): Rule(EVERYONE, url("/gs"), public=True),
    ("GET", "/api/public/results"): Rule(EVERYONE, url("/api/public/results"), public=True),
}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if not route.path.startswith("/schema")
        for handler in getattr(route, "route_handlers", [])
        for method in handler.http_methods
        if method not in ("OPTIONS", "HEAD")
    }


def test_every_route_has_a_rule(app: Litestar) -> None:
    routes = app_routes(app)
    assert routes - RULES.keys() == set(), "routes without an access rule in this matrix"
    assert RULES.keys() - routes == set(), "rules for routes that no longer exist"


@pytest.fixture
async def world(client: AsyncClient, sign_in: SignIn, settle: Callable[[], Awaitable[None]]) -> dict[str, Any]:
    sides = {}
    for side, county, n in (("own", HUIMIN, 1), ("other", LIXIA, 2)):
        body = enterprise_body(n, county, licences=[{"number": f"SC{n}", "valid_from": "2025-01-01", "valid_to": "2030-01-01"}],
                               control_points=[{"name": "出厂检验", "kind": "factory_exit_inspection"}])
        enterprise = (await client.post("/api/enterprises", json=body)).json()
        colleague = await sign_in("inspector", county, name=f"{side} inspector")
        partner = await sign_in("inspector", county, name=f"{side} partner")
        photo = await client.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": enterprise["id"],
                                                      "category": "premises"}, files={"file": ("p.png", PNG, "image/png")})
        assert photo.status_code == 201, photo.text
        sides[side] = {
            "county": county, "enterprise": enterprise["id"],
            "licence": enterprise["licences"][0]["id"], "point": enterprise["control_points"][0]["id"],
            "user": (await colleague.get("/api/me")).json()["id"], "media": photo.json()["id"],
            "user2": (await partner.get("/api/me")).json()["id"], "poster": colleague,
        }
    await settle()  # the photos' thumbnails, made by a job
    checklist = (await client.get("/api/checklists")).json()[0]["id"]
    planner = await sign_in("supervisor", "370000", name="province planner")
    for side in sides.values():
        side["checklist"] = checklist
        planned = await planner.post("/api/visits", json=visit_plan(sides | {"own": side}, own=True))
        assert planned.status_code == 201, planned.text
        side["visit"] = planned.json()["id"]
        side["finding"] = str(uuid.uuid4())
        await Finding.insert(Finding(id=side["finding"], visit=side["visit"], enterprise=side["enterprise"], item_key="A1",
                                     severity="critical"))
        side["notice"] = await post_notice(client, side.pop("poster"), side)
        side["document"] = str(uuid.uuid4())
        await Document.insert(Document(id=side["document"], kind="record", subject=side["visit"], visit=side["visit"],
                                       enterprise=side["enterprise"], bureau_code=side["county"], year=2026, serial=1,
                                       number="惠民市监现记〔2026〕1号", code=side["document"][:8].upper(),
                                       content_hash="0" * 64, issued_at=clock.now()))
        await plan_world(client, planner, side)
    return sides


async def plan_world(admin: AsyncClient, planner: AsyncClient, side: dict) -> None:
    """An inspection item of the side's county, a draft plan, a locked (drawn) plan whose
    pool is the side's enterprise and whose roster its two inspectors, and a conflict."""
    await User.update({User.certificate_no: "37000000001"}).where(User.id.is_in([side["user"], side["user2"]]))
    item = await admin.post("/api/plan-items", json=plan_item_body(side))
    assert item.status_code == 201, item.text
    side["item"] = item.json()["id"]
    side["draft"] = (await planner.post("/api/plans", json=plan_body(side))).json()["id"]
    side["plan"] = (await planner.post("/api/plans", json=plan_body(side))).json()["id"]
    assert (await planner.post(f"/api/plans/{side['plan']}/lock")).status_code == 201
    side["drawn"] = str((await PlanDraw.select(PlanDraw.visit).where(PlanDraw.plan == side["plan"]).first())["visit"])
    conflict = await planner.post("/api/conflicts", json={"officer_id": side["user"], "enterprise_id": side["enterprise"],
                                                          "reason": "亲属"})
    assert conflict.status_code == 201, conflict.text
    side["conflict"] = conflict.json()["id"]


def plan_item_body(side: dict) -> dict:
    return {"region_code": side["county"], "name": "日常监督检查", "legal_basis": "《产品质量法》第十五条",
            "categories": ["industrial_products"], "checklist_code": "food-routine"}


def plan_body(side: dict) -> dict:
    today = clock.bureau_today()
    return {"title": "双随机抽查", "year": today.year, "period": "第四季度", "bureau_code": side["county"],
            "item_ids": [side["item"]], "sampling": [{"stratum": "risk:B", "ratio": 100}],
            "window_start": today.isoformat(), "window_end": (today + timedelta(days=30)).isoformat()}


async def post_notice(client: AsyncClient, poster: AsyncClient, side: dict) -> str:
    """A current notice at the side's control point, posted by a member of the visit's team."""
    photo = await client.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": side["enterprise"],
                                                  "category": "notice"}, files={"file": ("n.png", PNG, "image/png")})
    template = next(t for t in (await poster.get("/api/notice-templates")).json() if t["control_point_kind"] == "other")
    notice = await poster.post("/api/notices", json=notice_body(side, template["id"], photo.json()["id"]))
    assert notice.status_code == 201, notice.text
    return notice.json()["id"]


def notice_body(side: dict, template_id: str, photo_id: str) -> dict:
    return {"id": str(uuid.uuid4()), "visit_id": side["visit"], "control_point_id": side["point"],
            "template_id": template_id, "photo_id": photo_id}


async def as_role(sign_in: SignIn, role: str, world: dict) -> AsyncClient:
    if role == "enterprise":
        return await sign_in("enterprise", enterprise_id=world["own"]["enterprise"])
    return await sign_in(role, "371600" if role == "admin" else HUIMIN)


async def call(client: AsyncClient, method: str, path: str, body: Any):
    if isinstance(body, Multipart):
        return await client.request(method, path, data=body.data, files=body.files)
    if isinstance(body, Tus):
        return await client.request(method, path, headers=body.headers, content=body.content)
    return await client.request(method, path, json=body) if body is not None else await client.request(method, path)


@pytest.mark.parametrize("role", ROLES)
async def test_access_matrix(app: Litestar, anon: AsyncClient, sign_in: SignIn, world: dict, role: str) -> None:
    user = await as_role(sign_in, role, world)
    failures = []
    # Sign-out last: it ends the session the other checks use.
    for (method, template), rule in sorted(RULES.items(), key=lambda kv: kv[0][1] == "/api/me/sign-out"):
        for own in (True, False) if rule.other is not None else (True,):
            path, body = rule.request(world, role, own)
            expected = (rule.own_for.get(role, rule.own) if own else rule.other) if role in rule.roles else 403
            response = await call(user, method, path, body)
            if response.status_code != expected:
                failures.append(f"{role} {method} {path} ({'own' if own else 'other'}): {response.status_code} != {expected} {response.text[:120]}")
            if not rule.public and own and role == ROLES[0]:
                anonymous = await call(anon, method, path, body)
                if anonymous.status_code != 401:
                    failures.append(f"anonymous {method} {path}: {anonymous.status_code} != 401")
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------- managing users


@pytest.mark.parametrize(
    ("manager", "target", "status"),
    [
        ("supervisor", "inspector", 200),
        ("supervisor", "reviewer", 200),
        ("supervisor", "enterprise", 200),
        ("supervisor", "supervisor", 403),  # not below their rank
        ("supervisor", "admin", 403),
        ("supervisor", "self", 403),
        ("supervisor", "inspector elsewhere", 404),  # outside their jurisdiction
        ("admin", "supervisor", 200),
        ("admin", "admin", 200),  # another admin: one active admin remains
        ("admin", "enterprise", 200),
        ("admin", "self", 403),
        ("admin", "admin above", 404),  # the province's admin, above a city's
    ],
)
async def test_who_may_deactivate_whom(client: AsyncClient, sign_in: SignIn, manager: str, target: str, status: int) -> None:
    """Managers in Binzhou City; the people they manage in Huimin County under it."""
    me = await sign_in(manager, "371600", name=f"滨州{manager}")
    if target == "self":
        person = me
    elif target == "enterprise":
        firm = (await client.post("/api/enterprises", json=enterprise_body(5, HUIMIN))).json()
        person = await sign_in("enterprise", enterprise_id=firm["id"])
    elif target == "inspector elsewhere":
        person = await sign_in("inspector", LIXIA)
    else:
        person = client if target == "admin above" else await sign_in(target, HUIMIN)
    person_id = (await person.get("/api/me")).json()["id"]
    events = AuditEvent.count().where(AuditEvent.action == "user.deactivated")

    response = await me.patch(f"/api/users/{person_id}", json={"active": False})

    assert response.status_code == status, response.text
    active = (await User.select(User.active).where(User.id == person_id).first())["active"]
    assert (active, await events) == ((False, 1) if status == 200 else (True, 0))
    if status == 403:  # a reason, on the field at fault
        assert response.json()["extra"][0]["key"] == "user_id"
        assert ("themselves" if target == "self" else "ask an admin") in response.json()["detail"]


async def test_users_are_listed_only_within_jurisdiction(client: AsyncClient, sign_in: SignIn) -> None:
    firm = (await client.post("/api/enterprises", json=enterprise_body(6, HUIMIN))).json()
    names = {"惠民检查员": ("inspector", HUIMIN, None), "历下检查员": ("inspector", LIXIA, None),
             "惠民企业": ("enterprise", None, firm["id"]), "滨州科长": ("supervisor", "371600", None)}
    users = {name: await sign_in(role, region, enterprise_id=firm_id, name=name)
             for name, (role, region, firm_id) in names.items()}

    def listed(response) -> set[str]:
        assert response.status_code == 200, response.text
        return {u["display_name"] for u in response.json()["items"]}

    assert listed(await users["滨州科长"].get("/api/users")) == {"惠民检查员", "惠民企业", "滨州科长"}
    huimin_supervisor = await sign_in("supervisor", HUIMIN, name="惠民科长")
    assert listed(await huimin_supervisor.get("/api/users")) == {"惠民检查员", "惠民企业", "惠民科长"}
    for name in ("惠民检查员", "惠民企业"):  # neither may list anyone, their own enterprise's users included
        assert (await users[name].get("/api/users")).status_code == 403

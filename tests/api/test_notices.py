"""Warning notices through the HTTP API: posting during a visit (idempotent, replacing the
point's current notice), every rule refused with nothing written, removal, the printable
PNG/PDF (checked by decoding the QR code and by pixel and page size), the public
verification page, enterprise users' view and notice coverage."""

from __future__ import annotations

import io
import re
import uuid

import pytest
import zxingcpp
from httpx import AsyncClient
from PIL import Image

from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.enterprises.tables import Enterprise
from backend.notices import render
from backend.notices import service as notices
from backend.documents.routes import VERIFY_PER_ADDRESS
from backend.notices.tables import Notice
from tests.api.test_visits import scene, submission, upload  # noqa: F401  (scene is a fixture)
from tests.conftest import ORIGIN, SignIn
from tests.factories import BINCHENG, HUIMIN, LIXIA, enterprise_body, pdf, photo

POINTS = (("原料库进货查验点", "raw_material_intake"), ("杀菌釜", "sterilisation"), ("成品库", "storage"),
          ("出厂检验室", "factory_exit_inspection"))


@pytest.fixture
async def world(scene: dict, client: AsyncClient) -> dict:
    """The visits scene's food producer with four control points, a planned visit by Zhang and
    Li, a photo of a notice in place, and the standard notice templates by kind."""
    firm = scene["firm"]["id"]
    points = {}
    for name, kind in POINTS:
        response = await client.post(f"/api/enterprises/{firm}/control-points", json={"name": name, "kind": kind})
        assert response.status_code == 201, response.text
        points[kind] = response.json()["id"]
    visit = submission(scene)["visit"]
    assert (await scene["zhang"].post("/api/visits", json=visit)).status_code == 201
    templates = (await scene["zhang"].get("/api/notice-templates")).json()
    return {**scene, "points": points, "visit": visit["id"], "templates": {t["control_point_kind"]: t for t in templates},
            "photo": await upload(scene["zhang"], firm, photo(seed=11), "notice")}


def notice_body(world: dict, kind: str = "sterilisation", template: str | None = None, **changes) -> dict:
    body = {"id": str(uuid.uuid4()), "visit_id": world["visit"], "control_point_id": world["points"][kind],
            "template_id": world["templates"][template or kind]["id"], "photo_id": world["photo"]}
    return {**body, **changes}


async def post(world: dict, body: dict, client: AsyncClient | None = None) -> dict:
    response = await (client or world["zhang"]).post("/api/notices", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_templates_are_standard_chinese_notices(world: dict) -> None:
    templates = world["templates"]
    assert set(templates) == {"raw_material_intake", "storage", "processing", "sterilisation", "packing",
                              "factory_exit_inspection", "other"}
    assert {t["paper_size"] for t in templates.values()} == {"A4", "A5"}
    assert all("质量安全警示" in t["title"] and "《中华人民共和国食品安全法》" in t["body"] for t in templates.values())
    assert templates["sterilisation"]["title"] == "杀菌关键控制点 质量安全警示"


async def test_post_is_idempotent_by_id(world: dict) -> None:
    body = notice_body(world)
    first = await world["zhang"].post("/api/notices", json=body)
    again = await world["zhang"].post("/api/notices", json=body)
    assert (first.status_code, again.status_code) == (201, 200), first.text
    notice = first.json()
    assert again.json() == notice
    assert {k: notice[k] for k in ("enterprise_id", "enterprise_name", "control_point_id", "control_point_name", "title",
                                   "paper_size", "status", "bureau", "visit_id", "photo_id", "replaced_by", "removed_reason")} == {
        "enterprise_id": world["firm"]["id"], "enterprise_name": world["firm"]["name"],
        "control_point_id": world["points"]["sterilisation"], "control_point_name": "杀菌釜",
        "title": "杀菌关键控制点 质量安全警示", "paper_size": "A4", "status": "current", "bureau": "惠民县市场监督管理局",
        "visit_id": world["visit"], "photo_id": world["photo"], "replaced_by": None, "removed_reason": ""}
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", notice["code"]) and notice["posted_by"] == world["ids"][0]
    assert (await world["li"].get(f"/api/notices/{notice['id']}")).json() == notice
    photo_now = (await world["zhang"].get(f"/api/media/{world['photo']}")).json()
    assert photo_now["control_point_id"] == world["points"]["sterilisation"]

    other_template = {**body, "template_id": world["templates"]["other"]["id"]}
    conflict = await world["zhang"].post("/api/notices", json=other_template)
    assert conflict.status_code == 409 and conflict.json()["extra"][0]["key"] == "id"
    assert await Notice.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "notice.posted") == 1


async def test_printed_first_then_photographed_in_place(world: dict, anon: AsyncClient) -> None:
    """The paper must carry its code, so a notice may be posted (and printed) before its
    photo exists; the photo of it on the wall follows, once."""
    notice = await post(world, notice_body(world, photo_id=None))
    assert notice["photo_id"] is None and notice["status"] == "current"
    assert (await world["zhang"].get(f"/api/notices/{notice['id']}/print.png")).status_code == 200
    assert "真实有效" in (await anon.get(f"/v/{notice['code']}")).text

    pdf_file = await upload(world["zhang"], world["firm"]["id"], pdf(), "notice", "n.pdf")
    not_image = await world["zhang"].post(f"/api/notices/{notice['id']}/photo", json={"photo_id": pdf_file})
    assert not_image.status_code == 400 and not_image.json()["extra"][0]["key"] == "photo_id"
    path = f"/api/notices/{notice['id']}/photo"
    first = await world["zhang"].post(path, json={"photo_id": world["photo"]})
    again = await world["li"].post(path, json={"photo_id": world["photo"]})
    assert (first.status_code, again.status_code) == (200, 200) and first.json()["photo_id"] == world["photo"]
    other = await upload(world["zhang"], world["firm"]["id"], photo(seed=12), "notice")
    refused = await world["zhang"].post(path, json={"photo_id": other})
    assert refused.status_code == 409 and refused.json()["extra"][0]["key"] == "photo_id"
    assert (await world["zhang"].get(f"/api/media/{world['photo']}")).json()["control_point_id"] == world["points"]["sterilisation"]
    assert await AuditEvent.count().where(AuditEvent.action == "notice.photographed") == 1


async def test_the_general_template_fits_any_control_point(world: dict) -> None:
    notice = await post(world, notice_body(world, "raw_material_intake", template="other"))
    assert notice["title"] == "关键控制点 质量安全警示" and notice["status"] == "current"


async def test_rules_refuse_and_write_nothing(world: dict, client: AsyncClient, sign_in: SignIn) -> None:
    firm = world["firm"]["id"]
    neighbour = (await client.post("/api/enterprises", json=enterprise_body(2, control_points=[
        {"name": "杀菌釜", "kind": "sterilisation"}]))).json()
    neighbour_photo = await upload(world["zhang"], neighbour["id"], photo(seed=12), "notice")
    accepted = submission(world)
    accepted["answers"], accepted["findings"] = accepted["answers"][:1], []
    assert (await world["zhang"].post("/api/visits/submissions", json=accepted)).status_code == 201
    assert (await world["reviewer"].post(f"/api/visits/{accepted['visit']['id']}/review",
                                         json={"decision": "accept"})).json()["status"] == "accepted"
    cases = [
        ("control point of another enterprise", None,
         notice_body(world, control_point_id=neighbour["control_points"][0]["id"]), 400, "control_point_id"),
        ("template for another kind of point", None, notice_body(world, template="storage"), 400, "template_id"),
        ("no such template", None, notice_body(world, template_id=str(uuid.uuid4())), 400, "template_id"),
        ("photo of another category", None, notice_body(world, photo_id=world["evidence"]), 400, "photo_id"),
        ("photo in another enterprise's dossier", None, notice_body(world, photo_id=neighbour_photo), 400, "photo_id"),
        ("a PDF, not a photo", None,
         notice_body(world, photo_id=await upload(world["zhang"], firm, pdf(), "notice", "n.pdf")), 400, "photo_id"),
        ("no such photo", None, notice_body(world, photo_id=str(uuid.uuid4())), 400, "photo_id"),
        ("not in the visit's team", await sign_in("inspector", HUIMIN, name="王强"), notice_body(world), 400, "visit_id"),
        ("outside the jurisdiction", await sign_in("inspector", LIXIA, name="历下检查员"), notice_body(world), 404, "visit_id"),
        ("accepted visit", None, notice_body(world, visit_id=accepted["visit"]["id"]), 409, "visit_id"),
        ("no such visit", None, notice_body(world, visit_id=str(uuid.uuid4())), 404, "visit_id"),
        ("unknown field", None, {**notice_body(world), "code": "AAAAAAAA"}, 400, "code"),
    ]
    before = await AuditEvent.count()
    failures = []
    for name, caller, body, status, field in cases:
        response = await (caller or world["zhang"]).post("/api/notices", json=body)
        keys = {e["key"] for e in response.json().get("extra", [])}
        if response.status_code != status or field not in keys:
            failures.append(f"{name}: {response.status_code} {keys} {response.text[:160]}")
    assert not failures, "\n".join(failures)
    assert await Notice.count() == 0 and await AuditEvent.count() == before


async def test_a_new_notice_replaces_the_current_one(world: dict, anon: AsyncClient) -> None:
    old = await post(world, notice_body(world))
    second_photo = await upload(world["li"], world["firm"]["id"], photo(seed=13), "notice")
    new = await post(world, notice_body(world, template="other", photo_id=second_photo), world["li"])
    old = (await world["zhang"].get(f"/api/notices/{old['id']}")).json()
    assert (old["status"], old["replaced_by"], new["status"]) == ("replaced", new["id"], "current")
    assert old["code"] != new["code"] and old["ended_at"] is not None

    listed = (await world["zhang"].get(f"/api/enterprises/{world['firm']['id']}/notices")).json()
    assert [n["id"] for n in listed] == [new["id"], old["id"]]

    genuine = await anon.get(f"/v/{new['code']}")
    assert genuine.status_code == 200 and genuine.headers["content-type"].startswith("text/html")
    page = genuine.text
    assert "真实有效" in page and "已失效" not in page
    for shown in (world["firm"]["name"], "杀菌釜", "惠民县市场监督管理局", new["code"], "关键控制点 质量安全警示"):
        assert shown in page
    assert new["id"] not in page and world["firm"]["id"] not in page and "张伟" not in page and "李娜" not in page
    assert 'name="viewport" content="width=device-width' in page and "<script" not in page

    void = await anon.get(f"/v/{old['code'].lower()}")
    assert void.status_code == 200 and "已失效" in void.text and "新的警示告知" in void.text
    assert "真实有效" not in void.text
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.target_id).where(
        AuditEvent.action.like("notice.%")).order_by(AuditEvent.id)
    assert [(e["action"], e["target_id"]) for e in events] == [
        ("notice.posted", old["id"]), ("notice.replaced", old["id"]), ("notice.posted", new["id"])]
    assert (await audit.verify()).ok


async def test_removal_needs_a_reason_and_voids_the_code(world: dict, anon: AsyncClient) -> None:
    notice = await post(world, notice_body(world))
    url = f"/api/notices/{notice['id']}/removal"
    for body in ({"reason": "  "}, {}):
        refused = await world["li"].post(url, json=body)
        assert refused.status_code == 400 and refused.json()["extra"][0]["key"] == "reason", refused.text
    assert (await world["zhang"].get(f"/api/notices/{notice['id']}")).json()["status"] == "current"

    removed = await world["li"].post(url, json={"reason": "车间改造，杀菌工序停用"})
    assert removed.status_code == 200
    assert (removed.json()["status"], removed.json()["removed_reason"]) == ("removed", "车间改造，杀菌工序停用")
    again = await world["li"].post(url, json={"reason": "再次撤除"})
    assert again.status_code == 409
    page = (await anon.get(f"/v/{notice['code']}")).text
    assert "已失效" in page and "撤除原因：车间改造，杀菌工序停用" in page
    assert (await world["zhang"].get(f"/api/notices/{notice['id']}/print.png")).status_code == 409
    event = await AuditEvent.select(AuditEvent.details, AuditEvent.county_code, AuditEvent.enterprise).where(
        AuditEvent.action == "notice.removed").first()
    assert "车间改造" in event["details"] and event["county_code"] == HUIMIN and str(event["enterprise"]) == world["firm"]["id"]


async def test_unknown_code_is_a_helpful_404(anon: AsyncClient) -> None:
    response = await anon.get("/v/ABCD2345")
    assert response.status_code == 404 and "未找到" in response.text and "ABCD2345" in response.text
    assert "<script" not in response.text


@pytest.mark.parametrize(("kind", "pixels", "points"), [
    ("sterilisation", (2480, 3508), (595.28, 841.89)),  # A4
    ("storage", (1748, 2480), (419.53, 595.28)),  # A5
])
async def test_printed_notice_size_and_qr_code(world: dict, kind: str, pixels: tuple[int, int],
                                               points: tuple[float, float]) -> None:
    notice = await post(world, notice_body(world, kind))
    response = await world["zhang"].get(f"/api/notices/{notice['id']}/print.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert "content-encoding" not in response.headers  # PNG is compressed already
    image = Image.open(io.BytesIO(response.content))
    assert image.size == pixels and [round(d) for d in image.info["dpi"]] == [300, 300]
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [f"{ORIGIN}/v/{notice['code']}"]

    document = await world["zhang"].get(f"/api/notices/{notice['id']}/print.pdf")
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", document.content)
    assert box is not None and document.content.count(b"/Type /Page\n") + document.content.count(b"/Type /Page ") >= 1
    width, height = float(box.group(1)), float(box.group(2))
    assert abs(width - points[0]) < 1 and abs(height - points[1]) < 1


async def test_enterprise_user_sees_its_own_notices_only(world: dict, client: AsyncClient, sign_in: SignIn) -> None:
    notice = await post(world, notice_body(world))
    owner = await sign_in("enterprise", enterprise_id=world["firm"]["id"], name="企业负责人")
    assert [n["id"] for n in (await owner.get(f"/api/enterprises/{world['firm']['id']}/notices")).json()] == [notice["id"]]
    assert (await owner.get(f"/api/notices/{notice['id']}")).json()["code"] == notice["code"]
    assert (await owner.get(f"/api/notices/{notice['id']}/print.pdf")).status_code == 200
    assert (await owner.post("/api/notices", json=notice_body(world))).status_code == 403

    neighbour = (await client.post("/api/enterprises", json=enterprise_body(2))).json()
    stranger = await sign_in("enterprise", enterprise_id=neighbour["id"], name="邻厂负责人")
    assert (await stranger.get(f"/api/enterprises/{world['firm']['id']}/notices")).status_code == 404
    for path in ("", "/print.png", "/print.pdf"):
        assert (await stranger.get(f"/api/notices/{notice['id']}{path}")).status_code == 404
    assert (await stranger.get(f"/api/enterprises/{neighbour['id']}/notices")).json() == []


async def test_notice_coverage_matches_a_hand_count(world: dict, client: AsyncClient, sign_in: SignIn) -> None:
    # Huimin: the world's four points and a neighbour's two; Bincheng (same city): one more.
    await client.post("/api/enterprises", json=enterprise_body(2, control_points=[
        {"name": "配料间", "kind": "processing"}, {"name": "包装间", "kind": "packing"}]))
    await client.post("/api/enterprises", json=enterprise_body(3, county=BINCHENG, control_points=[
        {"name": "杀菌釜", "kind": "sterilisation"}]))
    first = await post(world, notice_body(world))  # sterilisation: replaced below, still covered
    await post(world, notice_body(world, template="other"))
    removed = await post(world, notice_body(world, "storage"))
    await world["li"].post(f"/api/notices/{removed['id']}/removal", json={"reason": "库房拆除"})
    await post(world, notice_body(world, "raw_material_intake"))
    assert (await world["zhang"].get(f"/api/notices/{first['id']}")).json()["status"] == "replaced"

    supervisor = await sign_in("supervisor", "371600", name="滨州市局科长")
    county = (await supervisor.get(f"/api/coverage?region={HUIMIN}")).json()
    assert (county["control_points"], county["control_points_without_notice"]) == (6, 4)  # storage, exit, processing, packing
    city = (await supervisor.get("/api/coverage?region=371600")).json()
    assert (city["control_points"], city["control_points_without_notice"]) == (7, 5)
    # The running counts on each enterprise are what a count of the records gives.
    kept = await Enterprise.select(Enterprise.id, Enterprise.control_points, Enterprise.current_notices).order_by(Enterprise.id)
    await notices.recount()
    assert await Enterprise.select(Enterprise.id, Enterprise.control_points, Enterprise.current_notices).order_by(
        Enterprise.id) == kept


async def test_printing_without_the_cjk_font_says_how_to_fix_it(world: dict, tmp_path, monkeypatch) -> None:
    notice = await post(world, notice_body(world))
    monkeypatch.setattr(render, "FONT_DIRS", (str(tmp_path),))  # a server where fonts-noto-cjk is not installed
    render.font_file.cache_clear()
    try:
        response = await world["zhang"].get(f"/api/notices/{notice['id']}/print.png")
    finally:
        render.font_file.cache_clear()
    assert response.status_code == 503 and "fonts-noto-cjk" in response.json()["detail"]


async def test_verification_is_rate_limited(anon: AsyncClient) -> None:
    statuses = [(await anon.get("/v/ABCD2345")).status_code for _ in range(VERIFY_PER_ADDRESS[0] + 1)]
    assert statuses[:-1] == [404] * VERIFY_PER_ADDRESS[0] and statuses[-1] == 429

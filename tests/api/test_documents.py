"""The inspection's legal paper: a filed visit's on-site record and order to correct, a
closed finding's re-check record, as numbered, hashed, verifiable PDFs."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
import uuid
import zipfile

import pypdf
import pytest
import zxingcpp
from httpx import AsyncClient
from litestar import Litestar
from PIL import Image

from backend.audit.tables import AuditEvent
from backend.documents.tables import Document
from tests.api.test_visits import file_follow_up, scene, submission  # noqa: F401 (the scene fixture)
from tests.conftest import SignIn, at_once
from tests.factories import HUIMIN

A4 = (595.28, 841.89)  # points


async def documents(client: AsyncClient, visit_id: str) -> dict[str, dict]:
    response = await client.get(f"/api/visits/{visit_id}/documents")
    assert response.status_code == 200, response.text
    return {d["kind"]: d for d in response.json()}


async def filed(scene: dict, **changes) -> str:
    body = submission(scene, **changes)
    response = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert response.status_code == 201, response.text
    return body["visit"]["id"]


def pdf_text(content: bytes) -> tuple[pypdf.PdfReader, list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return reader, [page.extract_text() for page in reader.pages]


async def test_a_filed_visit_has_its_record_and_order_numbered_and_printed(scene: dict, client: AsyncClient) -> None:
    # Officers' enforcement certificate numbers, set by an admin, are printed with their names.
    for user_id, number in zip(scene["ids"], ("37162100123", "37162100456")):
        response = await client.patch(f"/api/users/{user_id}", json={"certificate_no": number})
        assert response.status_code == 200 and response.json()["certificate_no"] == number, response.text
    visit_id = await filed(scene)
    docs = await documents(scene["zhang"], visit_id)
    assert set(docs) == {"record", "order"}
    year = scene["started"].year
    assert docs["record"]["number"] == f"惠民市监现记〔{year}〕1号"
    assert docs["order"]["number"] == f"惠民市监责改〔{year}〕1号"
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", docs["record"]["code"])

    response = await scene["zhang"].get(f"/api/documents/{docs['record']['id']}/pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    content = response.content
    reader, pages = pdf_text(content)
    text = "\n".join(pages)
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.1)
    for n, page_text in enumerate(pages, 1):
        assert f"第 {n} 页 共 {len(pages)} 页" in page_text
    for expected in ("现场检查笔录", "惠民县市场监督管理局", docs["record"]["number"], scene["firm"]["name"],
                     scene["firm"]["uscc"], "张伟", "37162100123", "李娜", "37162100456", "出示执法证件",
                     "★重点项", "不符合", "超范围使用食品添加剂", "证据清单", "基本符合（限期整改）", "企业负责人",
                     "北纬 37.49000°"):
        assert expected in text, expected
    fonts = {str(f.get_object()["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("Noto-Sans-CJK-SC" in f for f in fonts), fonts
    # Every page carries the QR code of the document's verification page.
    for page in reader.pages:
        decoded = {r.text for image in page.images for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)))}
        assert f"http://localhost:8000/v/{docs['record']['code']}" in decoded, decoded

    sha256 = hashlib.sha256(content).hexdigest()
    assert response.headers["x-content-sha256"] == sha256
    events = await AuditEvent.select().where(AuditEvent.action == "document.rendered",
                                             AuditEvent.target_id == docs["record"]["id"])
    assert len(events) == 1 and f'"sha256":"{sha256}"' in events[0]["details"]
    again = await scene["li"].get(f"/api/documents/{docs['record']['id']}/pdf")
    assert again.content == content
    assert await AuditEvent.count().where(AuditEvent.action == "document.rendered",
                                          AuditEvent.target_id == docs["record"]["id"]) == 1

    order = await scene["zhang"].get(f"/api/documents/{docs['order']['id']}/pdf")
    _, order_pages = pdf_text(order.content)
    order_text = "\n".join(order_pages)
    for expected in ("责令改正通知书", docs["order"]["number"], docs["record"]["number"], "超范围使用食品添加剂",
                     "60日内", "6个月内", "人民法院", "被检查单位签收"):
        assert expected in order_text, expected


async def test_the_verification_page_shows_the_document_and_its_hash(scene: dict, anon: AsyncClient) -> None:
    visit_id = await filed(scene)
    record = (await documents(scene["zhang"], visit_id))["record"]
    pdf = await scene["zhang"].get(f"/api/documents/{record['id']}/pdf")
    page = await anon.get(f"/v/{record['code']}")
    assert page.status_code == 200
    for expected in ("真实有效", "现场检查笔录", record["number"], scene["firm"]["name"],
                     hashlib.sha256(pdf.content).hexdigest()):
        assert expected in page.text, expected

    # An amendment supersedes the record (and the order) it corrects.
    amendment = submission(scene, findings=[])
    amendment["visit"]["amends"] = visit_id
    amendment["answers"][1]["result"] = "pass"
    amendment["conclusion"] = "pass"
    assert (await scene["zhang"].post("/api/visits/submissions", json=amendment)).status_code == 201
    newer = (await documents(scene["zhang"], amendment["visit"]["id"]))["record"]
    older = await documents(scene["zhang"], visit_id)
    assert {d["status"] for d in older.values()} == {"superseded"}
    assert {d["superseded_by"] for d in older.values()} == {newer["id"]}
    page = await anon.get(f"/v/{record['code']}")
    assert "已被更正" in page.text and newer["number"] in page.text
    assert (await anon.get("/v/ZZZZ2222")).status_code == 404


async def test_numbers_are_gap_free_under_parallel_submissions(app: Litestar, scene: dict) -> None:
    await app.state.jobs.stop()  # SQLite: the app's worker renders none of these PDFs (the requests do)
    bodies = [submission(scene) for _ in range(8)]
    responses = await asyncio.gather(*(scene["zhang"].post("/api/visits/submissions", json=b) for b in bodies))
    assert [r.status_code for r in responses] == [201] * 8
    serials = sorted(r["serial"] for r in await Document.select(Document.serial).where(Document.kind == "record"))
    assert serials == list(range(1, 9))
    orders = sorted(r["serial"] for r in await Document.select(Document.serial).where(Document.kind == "order"))
    assert orders == list(range(1, 9))

    # The same visit sent 8 times at once is filed once and numbered once.
    body = submission(scene)
    responses = await at_once(8, lambda: scene["zhang"].post("/api/visits/submissions", json=body))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert await Document.count().where(Document.subject == body["visit"]["id"]) == 2
    assert await AuditEvent.count().where(AuditEvent.action == "document.numbered") == 18

    # Eight first requests for one PDF at once: one rendering recorded, one file.
    record = (await documents(scene["zhang"], body["visit"]["id"]))["record"]
    responses = await at_once(8, lambda: scene["li"].get(f"/api/documents/{record['id']}/pdf"))
    assert {r.status_code for r in responses} == {200} and len({r.content for r in responses}) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "document.rendered") == 1


async def test_a_closed_finding_gets_its_recheck_record(scene: dict) -> None:
    visit_id = await filed(scene)
    finding = (await scene["zhang"].get(f"/api/visits/{visit_id}")).json()["findings"][0]
    await file_follow_up(scene)
    response = await scene["zhang"].post(f"/api/findings/{finding['id']}/decision",
                                         json={"decision": "close", "via": "follow_up", "note": "已停止使用该添加剂"})
    assert response.status_code == 200, response.text
    recheck = (await documents(scene["zhang"], visit_id))["recheck"]
    assert recheck["number"] == f"惠民市监复查〔{scene['started'].year}〕1号"
    _, pages = pdf_text((await scene["zhang"].get(f"/api/documents/{recheck['id']}/pdf")).content)
    text = "\n".join(pages)
    for expected in ("复查记录", "现场复查", "已停止使用该添加剂", "已整改完毕", "超范围使用食品添加剂"):
        assert expected in text, expected


async def test_documents_are_read_within_scope(scene: dict, sign_in: SignIn) -> None:
    visit_id = await filed(scene)
    record = (await documents(scene["zhang"], visit_id))["record"]
    own = await sign_in("enterprise", enterprise_id=scene["firm"]["id"])
    assert (await own.get(f"/api/documents/{record['id']}/pdf")).status_code == 200
    listed = await own.get(f"/api/enterprises/{scene['firm']['id']}/documents")
    assert {d["kind"] for d in listed.json()} == {"record", "order"}
    outsider = await sign_in("inspector", "370102")
    for path in (f"/api/documents/{record['id']}", f"/api/documents/{record['id']}/pdf",
                 f"/api/visits/{visit_id}/documents", f"/api/enterprises/{scene['firm']['id']}/documents",
                 f"/api/documents/{uuid.uuid4()}/pdf"):
        assert (await outsider.get(path)).status_code == 404, path
    # A planned visit has no documents, and its enterprise does not learn of it.
    planned = submission(scene)["visit"]
    assert (await scene["zhang"].post("/api/visits", json=planned)).status_code == 201
    assert await documents(scene["zhang"], planned["id"]) == {}
    assert (await own.get(f"/api/visits/{planned['id']}/documents")).status_code == 404


async def test_certificate_numbers_on_invitation_and_by_admin_only(client: AsyncClient, sign_in: SignIn,
                                                                   scene: dict) -> None:
    invited = await client.post("/api/invitations", json={"role": "inspector", "display_name": "赵强",
                                                          "region_code": HUIMIN, "certificate_no": "37162100789"})
    assert invited.status_code == 201, invited.text
    refused = await client.post("/api/invitations", json={"role": "enterprise", "display_name": "钱经理",
                                                          "enterprise_id": scene["firm"]["id"], "certificate_no": "1234"})
    assert refused.status_code == 400 and refused.json()["extra"][0]["key"] == "certificate_no"
    supervisor = await sign_in("supervisor", HUIMIN)
    response = await supervisor.patch(f"/api/users/{scene['ids'][0]}", json={"certificate_no": "37162100999"})
    assert response.status_code == 403
    bad = await client.patch(f"/api/users/{scene['ids'][0]}", json={"certificate_no": "证号"})
    assert bad.status_code == 400
    assert (await client.patch(f"/api/users/{scene['ids'][0]}", json={})).status_code == 400


async def test_the_evidence_package_carries_the_documents(scene: dict) -> None:
    visit_id = await filed(scene)
    docs = await documents(scene["zhang"], visit_id)
    response = await scene["zhang"].get(f"/api/enterprises/{scene['firm']['id']}/package.zip")
    assert response.status_code == 200, response.text
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    papers = {name: archive.read(name) for name in archive.namelist() if name.startswith("documents/")}
    assert len(papers) == 2
    for document in docs.values():
        name = next(n for n in papers if n.endswith(f"_{document['code']}.pdf"))
        assert papers[name] == (await scene["zhang"].get(f"/api/documents/{document['id']}/pdf")).content
        assert f"{hashlib.sha256(papers[name]).hexdigest()}  {name}" in archive.read("SHA256SUMS").decode()
    manifest = json.loads(archive.read("manifest.json"))
    assert sum(1 for f in manifest["files"] if f["kind"] == "document") == 2
    photos_only = await scene["zhang"].get(f"/api/enterprises/{scene['firm']['id']}/package.zip?category=evidence")
    assert not any(n.startswith("documents/") for n in zipfile.ZipFile(io.BytesIO(photos_only.content)).namelist())

"""A filed visit as its record and the review desk read it: every photo and signature image
of the visit, in scope; the review queue's context of each photo (visit, checklist item,
control point, caption); a visit's signature images decided with the visit, once."""

from __future__ import annotations

import uuid

from httpx import AsyncClient

from backend.audit.tables import AuditEvent
from tests.api.test_visits import exif, scene, submission  # noqa: F401  (the fixture and the body of a visit)
from tests.conftest import SignIn, at_once
from tests.factories import LIXIA, photo, png


async def send(client: AsyncClient, content: bytes, **fields: str) -> str:
    media_id = str(uuid.uuid4())
    response = await client.post("/api/media", data={"id": media_id, **fields},
                                  files={"file": ("p.jpg", content, "application/octet-stream")})
    assert response.status_code == 201, response.text
    return media_id


async def filed_visit(scene: dict) -> dict:
    """A visit planned, its photos and signatures filed with it (as the phone sends them),
    then submitted: ids of the visit and of each upload."""
    zhang, firm = scene["zhang"], scene["firm"]
    body = submission(scene)
    vid = body["visit"]["id"]
    assert (await zhang.post("/api/visits", json=body["visit"])).status_code == 201
    point = (await zhang.post(f"/api/enterprises/{firm['id']}/control-points", json={"name": "杀菌", "kind": "sterilisation"})).json()
    common = {"enterprise_id": firm["id"], "visit_id": vid}
    evidence = await send(zhang, photo(seed=5, when=exif(scene["started"])), category="evidence", caption="添加剂库房货架", **common)
    premises = await send(zhang, photo(seed=6, when=exif(scene["started"])), category="premises",
                          control_point_id=point["id"], **common)
    signatures = [await send(zhang, png((s * 70, 0, 0)), category="signature", **common) for s in range(3)]
    body["answers"][1]["media"] = [evidence]
    for signature, media_id in zip(body["signatures"], signatures):
        signature["media_id"] = media_id
    assert (response := await zhang.post("/api/visits/submissions", json=body)).status_code == 201, response.text
    return {"id": vid, "evidence": evidence, "premises": premises, "signatures": signatures, "point": point}


async def test_the_review_queue_gives_each_photo_its_context_and_keeps_signatures_with_their_visit(
        scene: dict) -> None:  # noqa: F811
    visit = await filed_visit(scene)
    reviewer = scene["reviewer"]
    queue = {m["id"]: m for m in (await reviewer.get("/api/media/review-queue", params={"limit": 200})).json()["items"]}
    assert not set(visit["signatures"]) & set(queue)  # reviewed with their visit, not one by one
    evidence, premises = queue[visit["evidence"]], queue[visit["premises"]]
    assert evidence["caption"] == "添加剂库房货架" and evidence["visit_id"] == visit["id"]
    assert evidence["visit_context"] == {
        "started_at": evidence["visit_context"]["started_at"], "status": "submitted", "visit_type": "routine",
        "planned_date": evidence["visit_context"]["planned_date"], "item_key": "B3",
        "item_text": "未使用非食用物质、超范围超限量使用食品添加剂", "item_result": "fail"}
    assert evidence["visit_context"]["started_at"] is not None
    assert premises["control_point_name"] == "杀菌" and premises["visit_context"]["item_key"] is None
    assert premises["enterprise_name"] == scene["firm"]["name"]


async def test_a_visit_review_decides_its_signatures_once(scene: dict) -> None:  # noqa: F811
    visit = await filed_visit(scene)
    reviewer = scene["reviewer"]
    answers = await at_once(8, lambda: reviewer.post(f"/api/visits/{visit['id']}/review", json={"decision": "accept"}))
    assert [r.status_code for r in answers] == [200] * 8, [r.text for r in answers]
    for media_id in visit["signatures"]:
        signature = (await reviewer.get(f"/api/media/{media_id}")).json()
        assert signature["status"] == "accepted" and signature["reviewed_at"] is not None
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.target_id).where(
        AuditEvent.target_id.is_in([visit["id"], *visit["signatures"]]), AuditEvent.action.like("%.accepted"))
    assert sorted(e["action"] for e in events) == ["media.accepted"] * 3 + ["visit.accepted"]
    assert (await reviewer.get(f"/api/media/{visit['evidence']}")).json()["status"] == "pending"  # photos: one by one


async def test_a_returned_visit_returns_its_signatures_with_the_reason(scene: dict) -> None:  # noqa: F811
    visit = await filed_visit(scene)
    reviewer = scene["reviewer"]
    returned = await reviewer.post(f"/api/visits/{visit['id']}/review", json={"decision": "return", "reason": "企业签名不清"})
    assert returned.status_code == 200, returned.text
    for media_id in visit["signatures"]:
        signature = (await reviewer.get(f"/api/media/{media_id}")).json()
        assert (signature["status"], signature["review_reason"]) == ("returned", "企业签名不清")


async def test_a_visit_lists_every_photo_and_signature_to_those_in_scope(scene: dict, sign_in: SignIn) -> None:  # noqa: F811
    visit = await filed_visit(scene)
    expected = {visit["evidence"], visit["premises"], *visit["signatures"]}
    supervisor = await sign_in("supervisor", "371600", name="滨州科长")
    enterprise = await sign_in("enterprise", enterprise_id=scene["firm"]["id"])
    for reader in (scene["zhang"], scene["reviewer"], supervisor, enterprise):
        listed = await reader.get(f"/api/visits/{visit['id']}/media")
        assert listed.status_code == 200, listed.text
        assert {m["id"] for m in listed.json()} == expected
    premises = next(m for m in listed.json() if m["id"] == visit["premises"])
    assert premises["control_point_name"] == "杀菌"
    outsider = await sign_in("inspector", LIXIA)
    assert (await outsider.get(f"/api/visits/{visit['id']}/media")).status_code == 404
    assert (await outsider.get(f"/api/visits/{uuid.uuid4()}/media")).status_code == 404

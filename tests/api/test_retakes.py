"""Retaking a returned photo (issue 17, item 2): the retake names the upload it replaces and
is filed where it was (enterprise, visit, checklist item, control point), linked both ways,
the original kept; once, whatever is sent at once; only by its uploader or the visit's team."""

from __future__ import annotations

import uuid

import pytest
from httpx import AsyncClient

from backend.audit.tables import AuditEvent
from backend.media.tables import MediaItem
from tests.api.test_tus import TUS, create, send as send_chunk
from tests.api.test_visits import scene, submission  # noqa: F401  (scene is a fixture)
from tests.conftest import SignIn, at_once
from tests.factories import HUIMIN, LIXIA, photo


def retake(client: AsyncClient, content: bytes, **fields: str):
    """A retake's upload request, made anew each time it is called (for at_once)."""
    return lambda: client.post("/api/media", data={"id": str(uuid.uuid4()), "category": "evidence", **fields},
                               files={"file": ("retake.jpg", content, "image/jpeg")})


@pytest.fixture
async def returned(scene: dict) -> dict:
    """The scene's visit, planned, its photo of item B3 taken during it (as the phone sends
    it: naming the visit), filed, and that photo returned by the reviewer."""
    body = submission(scene)
    assert (await scene["zhang"].post("/api/visits", json=body["visit"])).status_code == 201
    taken = await retake(scene["zhang"], photo(seed=30), enterprise_id=scene["firm"]["id"], visit_id=body["visit"]["id"])()
    evidence = taken.json()["id"]
    body["answers"][1]["media"] = [evidence]
    assert (await scene["zhang"].post("/api/visits/submissions", json=body)).status_code == 201
    reason = "照片模糊，看不清添加剂标签，请重拍"
    decided = await scene["reviewer"].post(f"/api/media/{evidence}/review", json={"decision": "return", "reason": reason})
    assert decided.json()["status"] == "returned"
    return {**scene, "evidence": evidence, "original": decided.json(),
            "fields": {"enterprise_id": scene["firm"]["id"], "replaces_id": evidence}}


async def test_the_returned_list_names_enterprise_visit_and_item(returned: dict) -> None:
    items = (await returned["zhang"].get("/api/media/returned")).json()["items"]
    assert [(m["id"], m["enterprise_name"], m["visit_context"]["visit_type"], m["visit_context"]["item_key"],
             m["review_reason"]) for m in items] == [
        (returned["evidence"], returned["firm"]["name"], "routine", "B3", "照片模糊，看不清添加剂标签，请重拍")]
    b3 = next(i for s in returned["checklist"]["sections"] for i in s["items"] if i["key"] == "B3")
    assert items[0]["visit_context"]["item_text"] == b3["text"]
    assert items[0]["visit_context"]["planned_date"] == returned["started"].date().isoformat()
    assert (await returned["li"].get("/api/media/returned")).json()["items"] == []  # the uploader's list


async def test_a_retake_replaces_the_photo_in_its_item_and_keeps_the_original(returned: dict) -> None:
    zhang = returned["zhang"]
    response = await retake(zhang, photo(seed=31), **returned["fields"])()
    assert response.status_code == 201, response.text
    new = response.json()
    original = returned["original"]
    assert (new["replaces_id"], new["visit_id"], new["item_key"], new["category"]) == (
        original["id"], original["visit_id"], "B3", "evidence")
    kept = (await zhang.get(f"/api/media/{original['id']}")).json()
    assert (kept["status"], kept["replaced_by_id"], kept["sha256"]) == ("returned", new["id"], original["sha256"])
    assert (await zhang.get("/api/media/returned")).json()["items"] == []  # put right
    event = await AuditEvent.select(AuditEvent.details).where(AuditEvent.target_id == new["id"]).first()
    assert original["id"] in event["details"]

    # the retake returned in turn: its own retake stays in item B3
    await returned["reviewer"].post(f"/api/media/{new['id']}/review", json={"decision": "return", "reason": "仍不清楚"})
    listed = (await zhang.get("/api/media/returned")).json()["items"]
    assert [(m["id"], m["item_key"]) for m in listed] == [(new["id"], "B3")]
    third = await retake(zhang, photo(seed=32), enterprise_id=returned["firm"]["id"], replaces_id=new["id"])()
    assert (third.status_code, third.json()["item_key"]) == (201, "B3")


async def test_a_teammate_retakes_by_the_resumable_upload(returned: dict) -> None:
    content = photo(seed=33)
    created = await create(returned["li"], returned["firm"]["id"], content, replaces_id=returned["evidence"])
    assert created.status_code == 201, created.text
    done = await send_chunk(returned["li"], created.headers["location"], 0, content)
    assert done.status_code == 201, done.text
    new = done.json()
    kept = (await returned["zhang"].get(f"/api/media/{returned['evidence']}")).json()
    assert kept["replaced_by_id"] == new["id"]
    assert (new["replaces_id"], new["item_key"], new["visit_id"]) == (returned["evidence"], "B3", kept["visit_id"])


async def test_the_same_retake_sent_8_times_at_once_is_filed_once(returned: dict) -> None:
    media_id = str(uuid.uuid4())
    responses = await at_once(8, lambda: returned["zhang"].post(
        "/api/media", data={"id": media_id, "category": "evidence", **returned["fields"]},
        files={"file": ("retake.jpg", photo(seed=34), "image/jpeg")}))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201], [r.text for r in responses]
    assert await MediaItem.count().where(MediaItem.replaces == returned["evidence"]) == 1
    assert await AuditEvent.count().where(AuditEvent.action == "media.uploaded", AuditEvent.target_id == media_id) == 1


async def test_8_different_retakes_of_one_photo_at_once_replace_it_once(returned: dict) -> None:
    contents = iter([photo(seed=s) for s in range(40, 48)])
    responses = await at_once(8, lambda: retake(returned["zhang"], next(contents), **returned["fields"])())
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [r.text for r in responses]
    assert {r.json()["extra"][0]["key"] for r in responses if r.status_code == 409} == {"replaces_id"}
    winner = next(r.json() for r in responses if r.status_code == 201)
    assert await MediaItem.count().where(MediaItem.replaces == returned["evidence"]) == 1
    kept = (await returned["zhang"].get(f"/api/media/{returned['evidence']}")).json()
    assert kept["replaced_by_id"] == winner["id"]


async def test_who_may_retake_and_bad_input(returned: dict, sign_in: SignIn) -> None:
    firm, evidence = returned["firm"]["id"], returned["evidence"]
    before = await MediaItem.count()

    async def refused(client: AsyncClient, **fields: str) -> tuple[int, str]:
        response = await retake(client, photo(seed=50), **{"enterprise_id": firm, **fields})()
        return response.status_code, response.json()["extra"][0]["key"]

    outsider = await sign_in("inspector", HUIMIN, name="赵六")  # same county, not the uploader nor on the team
    assert await refused(outsider, replaces_id=evidence) == (403, "replaces_id")
    elsewhere = await sign_in("inspector", LIXIA, name="历下检查员")
    outside = await retake(elsewhere, photo(seed=50), enterprise_id=firm, replaces_id=evidence)()
    assert outside.status_code == 404  # the enterprise is outside their jurisdiction
    assert await refused(returned["zhang"], replaces_id=str(uuid.uuid4())) == (400, "replaces_id")
    assert await refused(returned["zhang"], replaces_id="not-a-uuid") == (400, "replaces_id")
    assert await refused(returned["zhang"], replaces_id=evidence, visit_id=str(uuid.uuid4())) == (400, "visit_id")
    assert await refused(returned["zhang"], replaces_id=evidence, category="premises") == (400, "category")
    assert await refused(returned["zhang"], replaces_id=returned["signatures"][0], category="signature") == (
        409, "replaces_id")  # not returned
    assert await MediaItem.count() == before  # nothing filed
    kept = (await returned["zhang"].get(f"/api/media/{evidence}")).json()
    assert (kept["status"], kept["replaced_by_id"]) == ("returned", None)

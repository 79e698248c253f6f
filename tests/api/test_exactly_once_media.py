"""Media and notices, exactly once: every state change sent 8 times at once has one
effect (one row, one audit event, the enterprise's current-notice count moved once, as a
recount finds it), the other requests answering as a retry or a 409; references an upload
names are real, or nothing is stored; the same bytes give the same facts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from httpx import AsyncClient, Response

from backend import clock
from backend.audit.tables import AuditEvent
from backend.enterprises.tables import Enterprise
from backend.media.tables import Blob, MediaItem
from backend.notices import service as notices
from backend.notices.tables import Notice
from backend.settings import Settings
from tests.api.test_media import stored_files
from tests.api.test_notices import notice_body, post, world  # noqa: F401  (world is a fixture)
from tests.api.test_visits import scene, submission, upload  # noqa: F401  (scene is a fixture)
from tests.conftest import SignIn, at_once, media_record
from tests.factories import HUIMIN, enterprise_body, photo

EXIF_GPS = Path(__file__).resolve().parents[1] / "fixtures" / "images" / "exif_gps.jpg"


def send(client: AsyncClient, content: bytes, **fields: str):
    """An upload request, made anew each time it is called (for at_once)."""
    return lambda: client.post("/api/media", data={"category": "evidence", **fields},
                               files={"file": ("p.jpg", content, "image/jpeg")})


async def events(action: str) -> int:
    return await AuditEvent.count().where(AuditEvent.action == action)


async def counts_match_a_recount() -> bool:
    """The running current-notice count of every enterprise is what a count of the records gives."""
    kept = await Enterprise.select(Enterprise.id, Enterprise.current_notices).order_by(Enterprise.id)
    await notices.recount()
    return await Enterprise.select(Enterprise.id, Enterprise.current_notices).order_by(Enterprise.id) == kept


def statuses(responses: list[Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


# ---------------------------------------------------------------------------- uploads


async def test_an_upload_sent_8_times_at_once_is_filed_once(scene: dict, settings: Settings) -> None:
    media_id, content = str(uuid.uuid4()), photo(seed=70)
    responses = await at_once(8, send(scene["zhang"], content, id=media_id, enterprise_id=scene["firm"]["id"]))
    assert statuses(responses) == [200] * 7 + [201], [r.text for r in responses]
    assert all(media_record(r) == media_record(responses[0]) for r in responses)
    assert await MediaItem.count().where(MediaItem.id == media_id) == 1
    assert await Blob.count().where(Blob.sha256 == responses[0].json()["sha256"]) == 1
    assert await events("media.uploaded") == 5  # the scene's four uploads and this one


async def test_one_id_sent_with_8_different_files_at_once_keeps_the_first(scene: dict, settings: Settings,
                                                                          settle) -> None:
    await settle()  # the scene's derivatives
    before = set(stored_files(settings))
    media_id, contents = str(uuid.uuid4()), iter([photo(seed=s) for s in range(80, 88)])
    responses = await at_once(8, lambda: send(scene["zhang"], next(contents), id=media_id,
                                              enterprise_id=scene["firm"]["id"])())
    assert statuses(responses) == [201] + [409] * 7
    assert {r.json()["extra"][0]["key"] for r in responses if r.status_code == 409} == {"id"}
    kept = next(r.json() for r in responses if r.status_code == 201)
    await settle()  # one derivatives job, for the kept file
    added = set(stored_files(settings)) - before
    assert added == {f"originals/{kept['sha256'][:2]}/{kept['sha256'][2:4]}/{kept['sha256']}",
                     f"thumbnail/{kept['sha256'][:2]}/{kept['sha256']}.jpg",
                     f"preview/{kept['sha256'][:2]}/{kept['sha256']}.jpg"}  # the others left no file
    assert await MediaItem.count().where(MediaItem.id == media_id) == 1 and await events("media.uploaded") == 5


async def test_the_same_new_bytes_8_times_at_once_are_stored_once(scene: dict, settings: Settings, settle) -> None:
    content = photo(seed=90, gps=(37.4901, 117.5102, 12.5), when="2026:11:20 10:15:00")
    ids = [str(uuid.uuid4()) for _ in range(8)]
    pending = iter(ids)
    responses = await at_once(8, lambda: send(scene["zhang"], content, id=next(pending), enterprise_id=scene["firm"]["id"])())
    assert statuses(responses) == [201] * 8
    sha256 = responses[0].json()["sha256"]
    assert await Blob.count().where(Blob.sha256 == sha256) == 1
    assert await MediaItem.count().where(MediaItem.blob == sha256) == 8
    await settle()
    assert len([f for f in stored_files(settings) if sha256 in f]) == 3  # original, thumbnail, preview
    facts = {(m["captured_at"], m["latitude"], m["longitude"], m["altitude"], m["device_model"])
             for m in (r.json() for r in responses)}
    assert facts == {("2026-11-20T02:15:00Z", 37.4901, 117.5102, 12.5, "Mi 13")}


@pytest.mark.parametrize("content", [
    pytest.param(photo(seed=95, gps=(37.4901, 117.5102, 12.5), when="2026:11:20 10:15:00", orientation=6), id="phone"),
    pytest.param(EXIF_GPS.read_bytes(), id="exif_gps.jpg"),
])
async def test_same_bytes_same_facts(scene: dict, client: AsyncClient, content: bytes) -> None:
    """A second record of bytes already stored gets the EXIF facts the first got (here in
    another enterprise's dossier)."""
    facts = ("captured_at", "captured_at_source", "latitude", "longitude", "altitude", "location_source",
             "orientation", "device_make", "device_model", "width", "height", "sha256")
    first = await send(scene["zhang"], content, id=str(uuid.uuid4()), enterprise_id=scene["firm"]["id"])()
    neighbour = (await client.post("/api/enterprises", json=enterprise_body(2))).json()
    second = await send(scene["zhang"], content, id=str(uuid.uuid4()), enterprise_id=neighbour["id"])()
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert {k: second.json()[k] for k in facts} == {k: first.json()[k] for k in facts}
    assert first.json()["captured_at_source"] == "exif" and first.json()["device_make"]
    assert second.json()["flags"] == ["near_duplicate"]  # the same photo in another enterprise's dossier


@pytest.mark.parametrize(("captured_at", "words"), [
    ("2026-11-24T09:00:00", "time zone"),
    ("1999-12-31T23:00:00+08:00", "between"),
    ("future", "future"),
])
async def test_capture_times_are_sane(scene: dict, settings: Settings, captured_at: str, words: str) -> None:
    if captured_at == "future":
        captured_at = (clock.now() + timedelta(hours=1)).isoformat()
    before = set(stored_files(settings))
    response = await send(scene["zhang"], photo(seed=97), id=str(uuid.uuid4()), enterprise_id=scene["firm"]["id"],
                          captured_at=captured_at)()
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "captured_at", response.text
    assert words in response.json()["detail"]
    assert set(stored_files(settings)) == before and await MediaItem.count() == 4
    drift = (clock.now() + timedelta(minutes=2)).isoformat()  # a phone's clock a little ahead is fine
    assert (await send(scene["zhang"], photo(seed=97), id=str(uuid.uuid4()), enterprise_id=scene["firm"]["id"],
                       captured_at=drift)()).status_code == 201


async def test_references_are_real_or_nothing_is_stored(world: dict, client: AsyncClient, sign_in: SignIn,
                                                        settings: Settings, settle) -> None:  # noqa: ANN001
    firm = world["firm"]["id"]
    neighbour = (await client.post("/api/enterprises", json=enterprise_body(2, control_points=[
        {"name": "杀菌釜", "kind": "sterilisation"}]))).json()
    filed = submission(world)
    assert (await world["zhang"].post("/api/visits/submissions", json=filed)).status_code == 201
    finding = filed["findings"][0]["id"]
    notice = await post(world, notice_body(world))  # during the planned visit
    owner = await sign_in("enterprise", enterprise_id=firm, name="企业联系人")
    cases = [
        ("no such visit", world["zhang"], {"enterprise_id": firm, "visit_id": str(uuid.uuid4())}, "visit_id"),
        ("another enterprise's visit", world["zhang"], {"enterprise_id": neighbour["id"], "visit_id": world["visit"]},
         "visit_id"),
        ("a planned visit, named by the enterprise", owner,
         {"enterprise_id": firm, "visit_id": world["visit"], "category": "licence"}, "visit_id"),
        ("another enterprise's control point", world["zhang"],
         {"enterprise_id": firm, "control_point_id": neighbour["control_points"][0]["id"]}, "control_point_id"),
        ("no such notice", world["zhang"], {"enterprise_id": firm, "notice_id": str(uuid.uuid4())}, "notice_id"),
        ("another enterprise's notice", world["zhang"], {"enterprise_id": neighbour["id"], "notice_id": notice["id"]},
         "notice_id"),
        ("a notice of another visit", world["zhang"],
         {"enterprise_id": firm, "notice_id": notice["id"], "visit_id": filed["visit"]["id"]}, "notice_id"),
        ("no such rectification order", owner,
         {"enterprise_id": firm, "rectification_id": str(uuid.uuid4()), "category": "rectification"}, "rectification_id"),
        ("another enterprise's rectification order", world["zhang"],
         {"enterprise_id": neighbour["id"], "rectification_id": finding, "category": "rectification"}, "rectification_id"),
        ("an answer id (answers have none)", world["zhang"], {"enterprise_id": firm, "answer_id": str(uuid.uuid4())},
         "answer_id"),
    ]
    await settle()  # the filed visit's documents, rendered by their jobs
    files, media, blobs, audit_events = set(stored_files(settings)), await MediaItem.count(), await Blob.count(), \
        await AuditEvent.count()
    failures = []
    for seed, (name, caller, fields, key) in enumerate(cases, start=300):
        response = await send(caller, photo(seed=seed), id=str(uuid.uuid4()), **fields)()
        keys = {e["key"] for e in response.json().get("extra", [])}
        if response.status_code != 400 or keys != {key}:
            failures.append(f"{name}: {response.status_code} {keys} {response.text[:160]}")
    assert not failures, "\n".join(failures)
    assert set(stored_files(settings)) == files  # no original, no derivative, no temp file left
    assert (await MediaItem.count(), await Blob.count(), await AuditEvent.count()) == (media, blobs, audit_events)

    fitting = await send(world["zhang"], photo(seed=320), id=str(uuid.uuid4()), enterprise_id=firm, category="notice",
                         visit_id=world["visit"], notice_id=notice["id"],
                         control_point_id=world["points"]["sterilisation"])()
    assert fitting.status_code == 201, fitting.text
    evidence = await send(owner, photo(seed=321), id=str(uuid.uuid4()), enterprise_id=firm, category="rectification",
                          rectification_id=finding, visit_id=filed["visit"]["id"])()
    assert evidence.status_code == 201, evidence.text


# ---------------------------------------------------------------------------- review


async def test_a_review_sent_8_times_at_once_decides_once(scene: dict, client: AsyncClient) -> None:
    reviewer, firm = scene["reviewer"], scene["firm"]["id"]
    accept = await upload(scene["zhang"], firm, photo(seed=40), "evidence")
    to_return = await upload(scene["zhang"], firm, photo(seed=41), "evidence")

    accepted = await at_once(8, lambda: reviewer.post(f"/api/media/{accept}/review", json={"decision": "accept"}))
    returned = await at_once(8, lambda: reviewer.post(f"/api/media/{to_return}/review",
                                                      json={"decision": "return", "reason": "照片模糊"}))
    assert statuses(accepted) == statuses(returned) == [200] * 8, [r.text for r in accepted + returned]
    assert {r.json()["status"] for r in accepted} == {"accepted"}
    assert {(r.json()["status"], r.json()["review_reason"]) for r in returned} == {("returned", "照片模糊")}
    assert (await events("media.accepted"), await events("media.returned")) == (1, 1)

    other = await client.post(f"/api/media/{accept}/review", json={"decision": "return", "reason": "再看"})
    assert other.status_code == 409 and "already accepted" in other.json()["detail"]
    changed = await reviewer.post(f"/api/media/{to_return}/review", json={"decision": "return", "reason": "另一个原因"})
    assert changed.status_code == 409 and "照片模糊" in changed.json()["detail"]
    mixed = await upload(scene["zhang"], firm, photo(seed=42), "evidence")
    decisions = iter([{"decision": "accept"}, {"decision": "return", "reason": "不清楚"}] * 4)
    both = await at_once(8, lambda: reviewer.post(f"/api/media/{mixed}/review", json=next(decisions)))
    winner = (await reviewer.get(f"/api/media/{mixed}")).json()["status"]
    assert statuses(both) == [200] * 4 + [409] * 4
    assert {r.json()["status"] for r in both if r.status_code == 200} == {winner}
    assert (await events("media.accepted"), await events("media.returned")) in ((2, 1), (1, 2))


async def test_nobody_reviews_their_own_work(scene: dict, sign_in: SignIn) -> None:
    firm, zhang = scene["firm"]["id"], scene["zhang"]
    chief = await sign_in("supervisor", HUIMIN, name="赵科长")
    chief_id = (await chief.get("/api/me")).json()["id"]
    plan = {**submission(scene)["visit"], "team": [scene["ids"][0], chief_id]}
    assert (await zhang.post("/api/visits", json=plan)).status_code == 201
    teammates = await send(zhang, photo(seed=50), id=str(uuid.uuid4()), enterprise_id=firm, visit_id=plan["id"])()
    own = await send(chief, photo(seed=51), id=str(uuid.uuid4()), enterprise_id=firm)()
    before = await AuditEvent.count()
    for media in (teammates.json(), own.json()):
        for decision in ({"decision": "accept"}, {"decision": "return", "reason": "重拍"}):
            refused = await chief.post(f"/api/media/{media['id']}/review", json=decision)
            assert refused.status_code == 403 and refused.json()["extra"][0]["key"] == "decision", refused.text
    assert "team" in refused.json()["detail"] or "uploaded" in refused.json()["detail"]
    assert await AuditEvent.count() == before
    assert {m["status"] for m in (teammates.json(), own.json())} == {"pending"}
    for media in (teammates.json(), own.json()):  # a reviewer from outside the team decides
        decided = await scene["reviewer"].post(f"/api/media/{media['id']}/review", json={"decision": "accept"})
        assert decided.json()["status"] == "accepted"


async def test_the_team_decides_on_the_enterprises_rectification_evidence(scene: dict, sign_in: SignIn) -> None:
    """Evidence is the enterprise's work, even when it names the visit: an inspector of
    that visit's team closes the finding on it (media review inside the decision)."""
    body = submission(scene)
    assert (await scene["zhang"].post("/api/visits/submissions", json=body)).status_code == 201
    finding = body["findings"][0]["id"]
    owner = await sign_in("enterprise", enterprise_id=scene["firm"]["id"], name="企业负责人")
    evidence = await send(owner, photo(seed=60), id=str(uuid.uuid4()), enterprise_id=scene["firm"]["id"],
                          category="rectification", rectification_id=finding, visit_id=body["visit"]["id"])()
    assert evidence.status_code == 201, evidence.text
    closed = await scene["zhang"].post(f"/api/findings/{finding}/decision",
                                       json={"decision": "close", "evidence_id": evidence.json()["id"], "note": "已整改"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text
    assert (await owner.get(f"/api/media/{evidence.json()['id']}")).json()["status"] == "accepted"


# ---------------------------------------------------------------------------- notices


async def test_a_notice_posted_8_times_at_once_is_posted_once(world: dict) -> None:
    body = notice_body(world)
    responses = await at_once(8, lambda: world["zhang"].post("/api/notices", json=body))
    assert statuses(responses) == [200] * 7 + [201], [r.text for r in responses]
    assert all(r.json() == responses[0].json() for r in responses)
    assert await Notice.count() == 1 and await events("notice.posted") == 1
    assert await Enterprise.select(Enterprise.current_notices).where(
        Enterprise.id == world["firm"]["id"]).first() == {"current_notices": 1}
    assert await counts_match_a_recount()


async def test_a_replacement_posted_8_times_at_once_replaces_once(world: dict) -> None:
    old = await post(world, notice_body(world))
    body = notice_body(world, template="other", photo_id=None)
    responses = await at_once(8, lambda: world["li"].post("/api/notices", json=body))
    assert statuses(responses) == [200] * 7 + [201], [r.text for r in responses]
    assert (await world["zhang"].get(f"/api/notices/{old['id']}")).json()["replaced_by"] == body["id"]
    assert (await events("notice.posted"), await events("notice.replaced")) == (2, 1)
    assert await Notice.count().where(Notice.status == "current") == 1
    assert await counts_match_a_recount()


async def test_8_notices_at_one_point_at_once_leave_one_current(world: dict) -> None:
    """Two phones posting at the same point at once: each notice replaces the one before,
    in some order, and the point stays covered once."""
    bodies = iter([notice_body(world, photo_id=None) for _ in range(8)])
    responses = await at_once(8, lambda: world["zhang"].post("/api/notices", json=next(bodies)))
    assert statuses(responses) == [201] * 8, [r.text for r in responses]
    assert await Notice.count().where(Notice.status == "current") == 1
    assert (await events("notice.posted"), await events("notice.replaced")) == (8, 7)
    assert await counts_match_a_recount()


async def test_a_removal_sent_8_times_at_once_removes_once(world: dict) -> None:
    notice = await post(world, notice_body(world))
    url = f"/api/notices/{notice['id']}/removal"
    responses = await at_once(8, lambda: world["li"].post(url, json={"reason": "车间改造"}))
    assert statuses(responses) == [200] * 8 and {r.json()["status"] for r in responses} == {"removed"}
    assert await events("notice.removed") == 1
    assert await Enterprise.select(Enterprise.current_notices).where(
        Enterprise.id == world["firm"]["id"]).first() == {"current_notices": 0}
    assert await counts_match_a_recount()
    other = await world["zhang"].post(url, json={"reason": "另一个原因"})
    assert other.status_code == 409 and "车间改造" in other.json()["detail"]


async def test_a_photo_attached_8_times_at_once_is_attached_once(world: dict) -> None:
    notice = await post(world, notice_body(world, photo_id=None))
    url = f"/api/notices/{notice['id']}/photo"
    responses = await at_once(8, lambda: world["zhang"].post(url, json={"photo_id": world["photo"]}))
    assert statuses(responses) == [200] * 8 and {r.json()["photo_id"] for r in responses} == {world["photo"]}
    assert await events("notice.photographed") == 1

    bare = await post(world, notice_body(world, "storage", photo_id=None))
    photos = iter([await upload(world["zhang"], world["firm"]["id"], photo(seed=s), "notice") for s in range(70, 78)])
    rivals = await at_once(8, lambda: world["zhang"].post(f"/api/notices/{bare['id']}/photo",
                                                          json={"photo_id": next(photos)}))
    assert statuses(rivals) == [200] + [409] * 7 and await events("notice.photographed") == 2
    assert await counts_match_a_recount()

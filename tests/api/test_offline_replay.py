"""A phone's outbox replayed late or twice (two tabs, a flaky link, days offline): the
server files each record once and judges offline work by the visit's own time, so that
nothing waits forever on a refusal that no later data could cure."""

from __future__ import annotations

import uuid
from datetime import timedelta

from backend.accounts.tables import User
from backend.inspections.tables import Finding, Visit
from backend.media.tables import MediaItem
from tests.api.test_visits import scene, submission  # noqa: F401  (scene is a fixture)
from tests.conftest import at_once
from tests.factories import photo, png


def send(client, content: bytes, name: str = "p.jpg", **fields: str):
    return lambda: client.post("/api/media", data={"category": "evidence", **fields},
                               files={"file": (name, content, "application/octet-stream")})


async def test_two_tabs_replaying_a_visits_photos_at_once_file_each_once(scene: dict) -> None:
    """Both tabs send every photo of an offline visit (the plan first) at the same time:
    each is filed once and every answer is the record, never a 409."""
    zhang, firm = scene["zhang"], scene["firm"]["id"]
    plan = submission(scene)["visit"]
    planned = await at_once(8, lambda: zhang.post("/api/visits", json=plan))
    assert sorted(r.status_code for r in planned) == [200] * 7 + [201], [r.text for r in planned]
    for content, name, category in ((photo(seed=90), "p.jpg", "evidence"), (png((9, 9, 9)), "s.png", "signature")):
        media_id = str(uuid.uuid4())
        answers = await at_once(8, send(zhang, content, name, id=media_id, enterprise_id=firm, visit_id=plan["id"],
                                        category=category))
        assert sorted(r.status_code for r in answers) == [200] * 7 + [201], [r.text for r in answers]
        assert all(r.json()["id"] == media_id for r in answers)
        assert await MediaItem.count().where(MediaItem.id == media_id) == 1


async def test_a_deadline_that_passed_while_offline_is_judged_by_the_visits_date(scene: dict) -> None:
    """Found three days ago with a deadline of yesterday, filed today: accepted, as it would
    have been on the day; a deadline before the visit's own day is still refused."""
    started = scene["started"] - timedelta(days=3)
    visit = {**submission(scene)["visit"], "planned_date": started.date().isoformat()}
    finding = {"id": str(uuid.uuid4()), "item": "B3", "description": "超范围使用食品添加剂",
               "deadline": (started.date() + timedelta(days=2)).isoformat()}
    before = {**finding, "id": str(uuid.uuid4()), "deadline": (started.date() - timedelta(days=1)).isoformat()}
    refused = await scene["zhang"].post("/api/visits/submissions", json=submission(
        scene, visit=visit, started_at=started.isoformat(), findings=[before]))
    assert refused.status_code == 400 and refused.json()["extra"][0]["key"] == "findings[0].deadline", refused.text
    filed = await scene["zhang"].post("/api/visits/submissions", json=submission(
        scene, visit=visit, started_at=started.isoformat(), findings=[finding]))
    assert filed.status_code == 201, filed.text
    assert await Finding.count().where(Finding.id == finding["id"]) == 1


async def test_a_visits_start_is_neither_in_the_future_nor_absurdly_old(scene: dict) -> None:
    for started, words in ((scene["started"] + timedelta(days=1), "future"),
                           (scene["started"] - timedelta(days=400), "days ago")):
        visit = {**submission(scene)["visit"], "planned_date": started.date().isoformat()}
        answer = await scene["zhang"].post("/api/visits/submissions", json=submission(
            scene, visit=visit, started_at=started.isoformat()))
        assert answer.status_code == 400 and answer.json()["extra"][0]["key"] == "started_at", answer.text
        assert words in answer.json()["detail"]
    assert await Visit.count() == 0


async def test_a_planned_team_stands_for_work_done_before_a_member_left(scene: dict) -> None:
    """The visit was planned and done with 李娜; she is deactivated before the phone finds
    signal: the visit is filed with the team it was done by. A new visit naming her is not."""
    body = submission(scene)
    assert (await scene["zhang"].post("/api/visits", json=body["visit"])).status_code == 201
    await User.update({User.active: False}).where(User.id == scene["ids"][1])
    filed = await scene["zhang"].post("/api/visits/submissions", json=body)
    assert filed.status_code == 201, filed.text
    unplanned = await scene["zhang"].post("/api/visits/submissions", json=submission(scene))
    assert unplanned.status_code == 400 and unplanned.json()["extra"][0]["key"] == "visit.team", unplanned.text

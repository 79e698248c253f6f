"""The audit trail: every change recorded with its actor, the chain verifiable, tampering
named, and the API filtered, paged and scoped."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from httpx import AsyncClient

from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.settings import Settings
from tests.conftest import SignIn, dossier, run_async
from tests.factories import HUIMIN, LIXIA, enterprise_body


async def test_changes_are_recorded_with_actor_and_digest(client: AsyncClient) -> None:
    me = (await client.get("/api/me")).json()
    created = (await client.post("/api/enterprises", json=enterprise_body(1))).json()
    await client.patch(f"/api/enterprises/{created['id']}", json={"risk_grade": "D"})
    page = (await client.get("/api/audit", params={"enterprise": created["id"]})).json()
    assert [e["action"] for e in page["items"]] == ["enterprise.updated", "enterprise.created"]
    updated = page["items"][0]
    assert updated["actor"] == me["id"] and updated["actor_name"] == "省局管理员"
    assert updated["details"] == {"risk_grade": "D"} and updated["county_code"] == HUIMIN
    assert (await audit.verify()).ok


async def test_a_refused_change_leaves_no_event(client: AsyncClient) -> None:
    before = await AuditEvent.count()
    assert (await client.post("/api/enterprises", json=enterprise_body(1, uscc="bad"))).status_code == 400
    assert await AuditEvent.count() == before


async def test_parallel_writers_keep_one_chain(client: AsyncClient) -> None:
    responses = await asyncio.gather(*(client.post("/api/enterprises", json=enterprise_body(n)) for n in range(1, 9)))
    assert {r.status_code for r in responses} == {201}
    result = await audit.verify()
    assert result.ok and result.events == await AuditEvent.count()


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("edit", "details no longer match"),
        ("rename", "fields no longer match"),
        ("impersonate", "fields no longer match"),
        ("delete", "does not link"),
    ],
)
async def test_tampering_is_named(client: AsyncClient, tamper: str, reason: str) -> None:
    for n in range(1, 4):
        await client.post("/api/enterprises", json=enterprise_body(n))
    victim = (await AuditEvent.select(AuditEvent.id).where(AuditEvent.action == "enterprise.created").order_by(AuditEvent.id).first())["id"]
    if tamper == "edit":
        await AuditEvent.update({AuditEvent.details: '{"name":"someone else"}'}).where(AuditEvent.id == victim)
        broken = victim
    elif tamper == "rename":
        await AuditEvent.update({AuditEvent.action: "enterprise.viewed"}).where(AuditEvent.id == victim)
        broken = victim
    elif tamper == "impersonate":
        await AuditEvent.update({AuditEvent.actor_name: "另一个人", AuditEvent.county_code: LIXIA}).where(AuditEvent.id == victim)
        broken = victim
    else:
        await AuditEvent.delete().where(AuditEvent.id == victim)
        broken = (await AuditEvent.select(AuditEvent.id).where(AuditEvent.id > victim).order_by(AuditEvent.id).first())["id"]
    result = await audit.verify()
    assert not result.ok and result.broken_at == broken and reason in result.reason


async def test_filters_and_pages(client: AsyncClient, sign_in: SignIn) -> None:
    inspector = await sign_in("inspector", HUIMIN, name="检查员")
    inspector_id = (await inspector.get("/api/me")).json()["id"]
    for n in range(1, 6):
        await inspector.post("/api/enterprises", json=enterprise_body(n))
    mine = (await client.get("/api/audit", params={"actor": inspector_id, "action": "enterprise.created", "limit": 2})).json()
    seen = [*mine["items"]]
    while mine["next_cursor"]:
        mine = (await client.get("/api/audit", params={"actor": inspector_id, "action": "enterprise.created", "limit": 2,
                                                        "cursor": mine["next_cursor"]})).json()
        seen += mine["items"]
    assert len(seen) == 5 and [e["id"] for e in seen] == sorted((e["id"] for e in seen), reverse=True)
    assert {e["actor"] for e in seen} == {inspector_id}

    last = seen[0]["at"]
    later = (await client.get("/api/audit", params={"since": last, "action": "enterprise.created"})).json()["items"]
    assert [e["id"] for e in later] == [seen[0]["id"]]
    assert (await client.get("/api/audit", params={"until": seen[-1]["at"], "action": "enterprise.created"})).json()["items"] == []
    bad = await client.get("/api/audit", params={"cursor": "forged.cursor"})
    assert bad.status_code == 400
    assert (await client.get("/api/audit", params={"action": "DROP TABLE"})).status_code == 400


async def test_supervisors_read_only_their_jurisdiction(client: AsyncClient, sign_in: SignIn) -> None:
    await client.post("/api/enterprises", json=enterprise_body(1, HUIMIN))
    await client.post("/api/enterprises", json=enterprise_body(2, LIXIA))
    binzhou = await sign_in("supervisor", "371600", name="滨州科长")
    events = (await binzhou.get("/api/audit", params={"action": "enterprise.created"})).json()["items"]
    assert [e["county_code"] for e in events] == [HUIMIN]


def test_verify_audit_command(settings: Settings, tmp_path: Path) -> None:
    assert dossier(settings, "demo", "--enterprises", "5").returncode == 0
    invite = dossier(settings, "invite", "--role", "admin", "--name", "首位管理员")
    assert invite.returncode == 0 and invite.stdout.startswith("http://localhost:8000/enrol/")
    ok = dossier(settings, "verify-audit")

    async def recorded() -> int:
        from backend import db

        async with db.connected(settings.database_url):
            return await AuditEvent.count()

    events = run_async(recorded())  # the demo plan's lock, filings, reviews and publication, then the invitation
    assert events > 1 and ok.returncode == 0 and f"intact: {events} events" in ok.stdout

    async def tamper() -> None:
        from backend import db

        async with db.connected(settings.database_url):
            await AuditEvent.update({AuditEvent.actor_name: "someone else"}).where(AuditEvent.id > 0)

    run_async(tamper())
    broken = dossier(settings, "verify-audit")
    assert broken.returncode == 1 and "BROKEN at event 1" in broken.stderr

"""Accounts and the registry, sent 8 times at once: invitation use (enrolment), user
(de)activation and enterprise registration each take effect once, with one audit event;
the other requests get the answer a retry gets, or a 4xx that says what happened."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from httpx import AsyncClient

from backend.access import SYSTEM
from backend.accounts import service as accounts
from backend.accounts.tables import Challenge, Passkey, Session, User
from backend.audit.tables import AuditEvent
from backend.coverage import rebuild
from backend.coverage.tables import CoverageDay
from backend.enterprises.tables import ControlPoint, Enterprise, Licence
from backend.errors import Conflict
from backend.settings import Settings
from tests.conftest import ORIGIN, SignIn, at_once, invitation_token, sign_in_with
from tests.factories import HUIMIN, enterprise_body
from tests.softauthn import SoftAuthenticator

N = 8


async def events(action: str) -> int:
    return await AuditEvent.count().where(AuditEvent.action == action)


# ---------------------------------------------------------------------------- invitation use


@pytest.mark.usefixtures("shandong")
async def test_one_invitation_finished_in_eight_ceremonies_at_once_enrols_once(anon: AsyncClient) -> None:
    """Eight tabs (or phones) opened the same link and each made a passkey: one account."""
    token = await invitation_token("reviewer", "371600", None, "王芳")
    bodies = []
    for _ in range(N):
        start = (await anon.post("/api/auth/enrol/options", json={"invitation": token})).json()
        credential = SoftAuthenticator().create(start["options"], ORIGIN)
        bodies.append({"ceremony": start["ceremony"], "credential": credential})
    sent = iter(bodies)

    responses = await at_once(N, lambda: anon.post("/api/auth/enrol", json=next(sent)))

    assert sorted(r.status_code for r in responses) == [201] + [410] * (N - 1)
    assert all("already been used" in r.json()["detail"] for r in responses if r.status_code == 410)
    assert (await User.count(), await Passkey.count(), await Session.count()) == (1, 1, 1)
    assert (await events("user.enrolled"), await events("passkey.registered"), await events("session.signed_in")) == (1, 1, 1)
    assert await Challenge.count() == 0  # every ceremony was used up, the losers' too
    winner = bodies[next(i for i, r in enumerate(responses) if r.status_code == 201)]
    assert (await Passkey.select(Passkey.id).first())["id"] == winner["credential"]["id"]


@pytest.mark.usefixtures("shandong")
async def test_one_enrolment_sent_eight_times_at_once_enrols_once(anon: AsyncClient) -> None:
    """A retried request: the ceremony is used up by the first; the others are told so."""
    token = await invitation_token("inspector", HUIMIN, None, "赵强")
    start = (await anon.post("/api/auth/enrol/options", json={"invitation": token})).json()
    body = {"ceremony": start["ceremony"], "credential": SoftAuthenticator().create(start["options"], ORIGIN)}

    responses = await at_once(N, lambda: anon.post("/api/auth/enrol", json=body))

    assert sorted(r.status_code for r in responses) == [201] + [401] * (N - 1)
    assert all("already used" in r.json()["detail"] for r in responses if r.status_code == 401)
    assert (await User.count(), await Passkey.count(), await Session.count()) == (1, 1, 1)
    assert await events("user.enrolled") == 1


# ---------------------------------------------------------------------------- (de)activation


async def test_deactivation_sent_eight_times_at_once_happens_once(client: AsyncClient, sign_in: SignIn) -> None:
    inspector = await sign_in("inspector", HUIMIN, name="孙磊")
    me = (await inspector.get("/api/me")).json()
    assert (await sign_in_with(inspector, inspector.authenticator)).status_code == 201  # type: ignore[attr-defined]
    assert await Session.count().where(Session.user == me["id"]) == 2

    responses = await at_once(N, lambda: client.patch(f"/api/users/{me['id']}", json={"active": False}))

    assert [r.status_code for r in responses] == [200] * N  # the losers find it done, as a retry does
    assert all(r.json()["active"] is False for r in responses)
    assert await events("user.deactivated") == 1
    sessions = await Session.select(Session.revoked_at).where(Session.user == me["id"])
    assert len(sessions) == 2 and len({s["revoked_at"] for s in sessions}) == 1  # revoked by one statement, once
    assert None not in {s["revoked_at"] for s in sessions}
    assert (await inspector.get("/api/me")).status_code == 401

    responses = await at_once(N, lambda: client.patch(f"/api/users/{me['id']}", json={"active": True}))

    assert [r.status_code for r in responses] == [200] * N and all(r.json()["active"] for r in responses)
    assert (await events("user.activated"), await events("user.deactivated")) == (1, 1)
    assert (await sign_in_with(inspector, inspector.authenticator)).status_code == 201  # type: ignore[attr-defined]


@pytest.mark.parametrize("attempt", range(3))  # a race: try it more than once
async def test_the_last_two_admins_deactivating_each_other_at_once_leave_one(sign_in: SignIn, attempt: int) -> None:
    first, second = await sign_in("admin", "370000", name="甲"), await sign_in("admin", "370000", name="乙")
    one, other = [(await c.get("/api/me")).json()["id"] for c in (first, second)]

    responses = await asyncio.gather(first.patch(f"/api/users/{other}", json={"active": False}),
                                     second.patch(f"/api/users/{one}", json={"active": False}))

    # One wins; the other finds itself the last admin (409), or already signed out (401).
    assert sorted(r.status_code for r in responses)[0] == 200
    loser = max(responses, key=lambda r: r.status_code)
    assert loser.status_code in (401, 409), loser.text
    if loser.status_code == 409:
        assert loser.json()["extra"][0]["key"] == "active" and "last active admin" in loser.json()["detail"]
    assert await User.count().where(User.role == "admin", User.active.eq(True)) == 1
    assert await events("user.deactivated") == 1


async def test_the_last_active_admin_is_never_deactivated(client: AsyncClient) -> None:
    """Through the API the caller is an active admin, so only a race (above) or the
    system itself (the command line) could meet the last one; the rule holds for both."""
    admin = (await client.get("/api/me")).json()["id"]
    with pytest.raises(Conflict, match="last active admin") as refused:
        await accounts.set_active(SYSTEM, admin, False)
    assert refused.value.field == "active"
    assert (await User.select(User.active).where(User.id == admin).first())["active"] is True
    assert await events("user.deactivated") == 0
    assert (await client.get("/api/me")).status_code == 200


# ---------------------------------------------------------------------------- enterprise registration


async def registry_state(settings: Settings) -> tuple[list, list]:
    """The enterprises' kept counts and schedule, and the coverage rollup, as stored and
    as recounted from the records."""
    async def state() -> list:
        rows = await Enterprise.select(Enterprise.id, Enterprise.next_due_on, Enterprise.control_points,
                                       Enterprise.current_notices).order_by(Enterprise.id)
        return [rows, await CoverageDay.select().order_by(CoverageDay.id)]

    kept = await state()
    await rebuild.rebuild(settings.visit_intervals)
    return kept, await state()


async def test_one_uscc_registered_eight_times_at_once_is_registered_once(client: AsyncClient, settings: Settings) -> None:
    bodies = iter(enterprise_body(1, name=f"惠民县第{i}家公司") for i in range(N))

    responses = await at_once(N, lambda: client.post("/api/enterprises", json=next(bodies)))

    assert sorted(r.status_code for r in responses) == [201] + [409] * (N - 1)
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.json()["extra"][0]["key"] == "uscc" and "already registered" in refused.json()["detail"]
    assert await Enterprise.count() == 1 and await events("enterprise.created") == 1
    kept, recounted = await registry_state(settings)
    assert kept == recounted


async def test_one_registration_with_its_id_sent_eight_times_at_once_is_filed_once(
    client: AsyncClient, settings: Settings
) -> None:
    body = enterprise_body(2, id=str(uuid.uuid4()),
                           licences=[{"number": "SC1", "valid_from": "2025-01-01", "valid_to": "2030-01-01"}],
                           control_points=[{"name": "杀菌", "kind": "sterilisation"}, {"name": "包装", "kind": "packing"}])

    responses = await at_once(N, lambda: client.post("/api/enterprises", json=body))

    assert sorted(r.status_code for r in responses) == [200] * (N - 1) + [201]
    assert len({r.text for r in responses}) == 1  # every answer is the one record
    assert responses[0].json()["id"] == body["id"] and len(responses[0].json()["control_points"]) == 2
    assert (await Enterprise.count(), await Licence.count(), await ControlPoint.count()) == (1, 1, 2)
    assert await events("enterprise.created") == 1
    kept, recounted = await registry_state(settings)
    assert kept == recounted and kept[0][0]["control_points"] == 2

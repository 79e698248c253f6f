"""Passkey enrolment and sign-in through real WebAuthn ceremonies, and every refusal."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from httpx import AsyncClient

from backend import clock
from backend.accounts.tables import Invitation, Passkey, RateLimit, Session, User
from backend.audit.tables import AuditEvent
from tests.conftest import SignIn, enrol, http_client, invitation_token, sign_in_with
from tests import softauthn
from tests.softauthn import SoftAuthenticator, b64url


async def actions() -> list[str]:
    return [e["action"] for e in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)]


@pytest.mark.usefixtures("shandong")
async def test_enrol_sign_out_sign_in(anon: AsyncClient) -> None:
    token = await invitation_token("inspector", "371621", None, "张伟")
    info = await anon.get(f"/api/auth/invitations/{token}")
    assert info.status_code == 200 and info.json()["role"] == "inspector" and info.json()["display_name"] == "张伟"

    phone = SoftAuthenticator()
    enrolled = await enrol(anon, phone, token)
    assert enrolled.status_code == 201, enrolled.text
    me = (await anon.get("/api/me")).json()
    assert (me["display_name"], me["role"], me["region_code"]) == ("张伟", "inspector", "371621")
    cookie = enrolled.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie  # localhost

    assert (await anon.post("/api/me/sign-out")).status_code == 204
    assert (await anon.get("/api/me")).status_code == 401

    signed_in = await sign_in_with(anon, phone)
    assert signed_in.status_code == 201, signed_in.text
    assert (await anon.get("/api/me")).json()["id"] == me["id"]
    assert await actions() == [
        "invitation.created", "user.enrolled", "passkey.registered", "session.signed_in",
        "session.signed_out", "session.signed_in",
    ]
    assert (await Passkey.select(Passkey.sign_count).first())["sign_count"] == 1


async def test_options_are_usernameless_and_demand_verification(anon: AsyncClient) -> None:
    options = (await anon.post("/api/auth/sign-in/options")).json()["options"]
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    assert options["rpId"] == "localhost"


@pytest.fixture
async def inspector(sign_in: SignIn) -> AsyncClient:
    client = await sign_in("inspector", "371621", name="李娜")
    await client.post("/api/me/sign-out")
    return client


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        ({"origin": "http://evil.example"}, "origin"),
        ({"rp_id": "evil.example"}, "RP ID"),
        ({"user_verified": False}, "verif"),
        ({"sign_count": 0}, "sign count"),  # the counter went from 1 back to 0… see below
    ],
)
async def test_refused_sign_ins(inspector: AsyncClient, tamper: dict, words: str) -> None:
    authenticator = inspector.authenticator  # type: ignore[attr-defined]
    if "sign_count" in tamper:
        assert (await sign_in_with(inspector, authenticator)).status_code == 201  # counter now 1
        await inspector.post("/api/me/sign-out")
    before = await Session.count()
    response = await sign_in_with(inspector, authenticator, **tamper)
    assert response.status_code == 401, response.text
    assert words.lower() in response.json()["detail"].lower()
    assert await Session.count() == before
    assert (await inspector.get("/api/me")).status_code == 401
    assert (await actions())[-1] == "session.sign_in_failed"


async def test_replayed_challenge_is_refused(inspector: AsyncClient) -> None:
    authenticator = inspector.authenticator  # type: ignore[attr-defined]
    start = (await inspector.post("/api/auth/sign-in/options")).json()
    credential = authenticator.get(start["options"], "http://localhost:8000")
    first = await inspector.post("/api/auth/sign-in", json={"ceremony": start["ceremony"], "credential": credential})
    assert first.status_code == 201
    replay = await inspector.post("/api/auth/sign-in", json={"ceremony": start["ceremony"], "credential": credential})
    assert replay.status_code == 401 and "already used" in replay.json()["detail"]


async def test_unknown_credential_is_refused(anon: AsyncClient, inspector: AsyncClient) -> None:
    stranger = SoftAuthenticator()
    options = {"rp": {"id": "localhost", "name": "x"}, "user": {"id": b64url(b"nobody"), "name": "n", "displayName": "n"},
               "challenge": b64url(b"c" * 32), "pubKeyCredParams": [{"type": "public-key", "alg": -7}]}
    stranger.create(options, "http://localhost:8000")  # a passkey this server never registered
    response = await sign_in_with(anon, stranger)
    assert response.status_code == 401 and "not registered here" in response.json()["detail"]


async def test_expired_challenge_is_refused(inspector: AsyncClient) -> None:
    from backend.accounts.tables import Challenge

    start = (await inspector.post("/api/auth/sign-in/options")).json()
    await Challenge.update({Challenge.expires_at: clock.now() - timedelta(seconds=1)}).where(
        Challenge.id == start["ceremony"]
    )
    credential = inspector.authenticator.get(start["options"], "http://localhost:8000")  # type: ignore[attr-defined]
    response = await inspector.post("/api/auth/sign-in", json={"ceremony": start["ceremony"], "credential": credential})
    assert response.status_code == 401 and "5 minutes" in response.json()["detail"]


@pytest.mark.usefixtures("shandong")
async def test_reused_invitation_is_refused(anon: AsyncClient, app) -> None:
    token = await invitation_token("reviewer", "371600", None, "王芳")
    assert (await enrol(anon, SoftAuthenticator(), token)).status_code == 201
    async with http_client(app) as other:
        await other.get("/api/health")
        assert (await other.get(f"/api/auth/invitations/{token}")).status_code == 410
        again = await other.post("/api/auth/enrol/options", json={"invitation": token})
        assert again.status_code == 410 and "already been used" in again.json()["detail"]
    assert await User.count() == 1


@pytest.mark.usefixtures("shandong")
async def test_invitation_used_by_a_second_ceremony_enrols_once(anon: AsyncClient, app) -> None:
    token = await invitation_token("reviewer", "371600", None, "王芳")
    first = (await anon.post("/api/auth/enrol/options", json={"invitation": token})).json()
    second = (await anon.post("/api/auth/enrol/options", json={"invitation": token})).json()
    done = []
    for start in (first, second):
        credential = SoftAuthenticator().create(start["options"], "http://localhost:8000")
        done.append(await anon.post("/api/auth/enrol", json={"ceremony": start["ceremony"], "credential": credential}))
    assert [r.status_code for r in done] == [201, 410]
    assert await User.count() == 1


@pytest.mark.usefixtures("shandong")
async def test_expired_invitation_is_refused(anon: AsyncClient) -> None:
    token = await invitation_token("inspector", "371621", None, "赵强")
    await Invitation.update({Invitation.expires_at: clock.now() - timedelta(minutes=1)}).where(
        Invitation.used_at.is_null()
    )
    response = await anon.post("/api/auth/enrol/options", json={"invitation": token})
    assert response.status_code == 410 and "expired" in response.json()["detail"]
    assert (await anon.get("/api/auth/invitations/not-a-token")).status_code == 404


@pytest.mark.usefixtures("shandong")
async def test_enrolment_without_user_verification_is_refused(anon: AsyncClient) -> None:
    token = await invitation_token("inspector", "371621", None, "赵强")
    response = await enrol(anon, SoftAuthenticator(), token, user_verified=False)
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "credential"
    assert await User.count() == 0 and await Passkey.count() == 0
    assert (await Invitation.select(Invitation.used_at).first())["used_at"] is None


async def test_deactivated_users_old_session_stops_working(sign_in: SignIn, client: AsyncClient) -> None:
    inspector = await sign_in("inspector", "371621", name="孙磊")
    me = (await inspector.get("/api/me")).json()
    assert (await inspector.get("/api/enterprises")).status_code == 200
    off = await client.patch(f"/api/users/{me['id']}", json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    assert (await inspector.get("/api/enterprises")).status_code == 401
    again = await sign_in_with(inspector, inspector.authenticator)  # type: ignore[attr-defined]
    assert again.status_code == 401 and "deactivated" in again.json()["detail"]


@pytest.mark.parametrize("header", ["forged", ""])
async def test_writes_without_the_csrf_token_are_refused(client: AsyncClient, header: str) -> None:
    response = await client.post("/api/me/sign-out", headers={"x-csrf-token": header})
    assert response.status_code == 403
    assert (await client.get("/api/me")).status_code == 200


async def test_sessions_listed_and_revoked(sign_in: SignIn, app) -> None:
    phone = await sign_in("inspector", "371621", name="周杰")
    async with http_client(app) as desktop:
        await desktop.get("/api/health")
        assert (await sign_in_with(desktop, phone.authenticator)).status_code == 201  # type: ignore[attr-defined]
        sessions = (await phone.get("/api/me/sessions")).json()
        assert len(sessions) == 2 and sum(s["current"] for s in sessions) == 1
        other = next(s for s in sessions if not s["current"])
        assert (await phone.delete(f"/api/me/sessions/{other['id']}")).status_code == 204
        assert (await desktop.get("/api/me")).status_code == 401
        assert (await phone.get("/api/me")).status_code == 200


async def test_a_second_passkey_and_revocation(sign_in: SignIn) -> None:
    user = await sign_in("supervisor", "371600", name="吴敏")
    only = (await user.get("/api/me/passkeys")).json()
    assert len(only) == 1
    assert (await user.delete(f"/api/me/passkeys/{only[0]['id']}")).status_code == 409  # the last one stays

    desktop = SoftAuthenticator()
    start = (await user.post("/api/me/passkeys/options")).json()
    assert [c["id"] for c in start["options"]["excludeCredentials"]] == [only[0]["id"]]
    credential = desktop.create(start["options"], "http://localhost:8000")
    added = await user.post("/api/me/passkeys", json={"ceremony": start["ceremony"], "credential": credential, "label": "办公室电脑"})
    assert added.status_code == 201 and added.json()["label"] == "办公室电脑"
    assert (await user.delete(f"/api/me/passkeys/{only[0]['id']}")).status_code == 204
    await user.post("/api/me/sign-out")
    assert (await sign_in_with(user, user.authenticator)).status_code == 401  # type: ignore[attr-defined]
    assert (await sign_in_with(user, desktop)).status_code == 201


async def test_a_credential_registered_twice_is_a_conflict(sign_in: SignIn, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = await sign_in("inspector", "371621", name="甲"), await sign_in("inspector", "371621", name="乙")
    taken = first.authenticator.credentials[0].credential_id  # type: ignore[attr-defined]
    monkeypatch.setattr(softauthn, "os", SimpleNamespace(urandom=lambda n: taken))  # an authenticator that repeats ids
    start = (await second.post("/api/me/passkeys/options")).json()
    credential = SoftAuthenticator().create(start["options"], "http://localhost:8000")
    response = await second.post("/api/me/passkeys", json={"ceremony": start["ceremony"], "credential": credential})
    assert response.status_code == 409 and response.json()["extra"][0]["key"] == "credential"
    assert await Passkey.count() == 2 and (await actions()).count("passkey.registered") == 2


async def test_sign_in_attempts_are_rate_limited(inspector: AsyncClient) -> None:
    authenticator = inspector.authenticator  # type: ignore[attr-defined]
    statuses = [(await sign_in_with(inspector, authenticator, user_verified=False)).status_code for _ in range(10)]
    assert statuses == [401] * 10
    blocked = await sign_in_with(inspector, authenticator)
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["retry-after"]) <= 60
    assert await RateLimit.count() >= 2  # per address and per credential, shared by every worker


@pytest.mark.parametrize(
    ("inviter", "region", "invitee", "status"),
    [
        ("supervisor", "371600", {"role": "admin", "region_code": "371600"}, 403),
        ("supervisor", "371600", {"role": "supervisor", "region_code": "371621"}, 201),
        ("supervisor", "371600", {"role": "inspector", "region_code": "370100"}, 404),  # another city
        ("reviewer", "371621", {"role": "inspector", "region_code": "371621"}, 403),
        ("inspector", "371621", {"role": "inspector", "region_code": "371621"}, 403),
        ("admin", "370000", {"role": "enterprise", "region_code": "371621"}, 400),  # names a region, not a firm
    ],
)
async def test_who_may_invite_whom(sign_in: SignIn, inviter: str, region: str, invitee: dict, status: int) -> None:
    user = await sign_in(inviter, region)
    before = await Invitation.count()
    response = await user.post("/api/invitations", json={"display_name": "新同事", **invitee})
    assert response.status_code == status, response.text
    assert await Invitation.count() == before + (status == 201)
    if status == 201:
        assert response.json()["link"].startswith("http://localhost:8000/enrol/")


async def test_expired_session_leads_back_to_sign_in(client: AsyncClient) -> None:
    await Session.update({Session.expires_at: clock.now() - timedelta(seconds=1)}).where(
        Session.revoked_at.is_null()
    )
    response = await client.get("/api/enterprises")
    assert response.status_code == 401 and "Sign in" in response.json()["detail"]


async def test_a_new_phone_gets_a_passkey_for_the_same_user(sign_in: SignIn, anon: AsyncClient) -> None:
    old_phone = await sign_in("inspector", "371621", name="张伟")
    me = (await old_phone.get("/api/me")).json()
    supervisor = await sign_in("supervisor", "371600")
    ask = {"role": "inspector", "region_code": "371621", "display_name": "随便", "user_id": me["id"]}
    refused = {
        "another jurisdiction": ({**ask, "region_code": "371622"}, 400, "user_id"),
        "a certificate": ({**ask, "certificate_no": "37162100001"}, 400, "certificate_no"),
    }
    for why, (body, status, field) in refused.items():
        response = await supervisor.post("/api/invitations", json=body)
        assert (response.status_code, [e["key"] for e in response.json()["extra"]]) == (status, [field]), why
    elsewhere = await sign_in("supervisor", "370100")
    assert (await elsewhere.post("/api/invitations", json={**ask, "region_code": "370100"})).status_code == 404
    invited = await supervisor.post("/api/invitations", json=ask)
    assert invited.status_code == 201, invited.text
    assert (invited.json()["user_id"], invited.json()["display_name"]) == (me["id"], "张伟")  # the name on record
    new_phone = SoftAuthenticator()
    assert (await enrol(anon, new_phone, invited.json()["link"].rsplit("/", 1)[1])).status_code == 201
    assert (await anon.get("/api/me")).json()["id"] == me["id"]
    assert await User.count() == 3  # 张伟 and the two supervisors: nobody new
    assert await Passkey.count().where(Passkey.user == me["id"]) == 2
    assert (await actions()).count("user.passkey_reissued") == 1
    await anon.post("/api/me/sign-out")
    assert (await sign_in_with(anon, old_phone.authenticator)).status_code == 201  # type: ignore[attr-defined]

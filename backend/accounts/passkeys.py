"""Passkey ceremonies (WebAuthn, py_webauthn): enrol from an invitation, add a passkey,
sign in without a username; and a user's own list of passkeys.

Challenges live in the database (any worker may finish a ceremony another began), are
consumed by the first attempt to finish (DELETE … RETURNING), and expire after five
minutes. Credentials must be discoverable and user-verified (fingerprint or face).
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
import webauthn
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from backend.access import Scope
from backend import clock, db
from backend.accounts import ratelimit
from backend.accounts import service as accounts
from backend.accounts.schemas import Ceremony, PasskeyOut
from backend.accounts.tables import Challenge, Passkey, User
from backend.audit import service as audit
from backend.errors import Conflict, Gone, Invalid, NotFound, Unauthenticated
from backend.settings import Settings

CHALLENGE_TTL = timedelta(minutes=5)


async def begin_enrolment(settings: Settings, invitation_token: str) -> Ceremony:
    """Options to create the first passkey of the person an invitation names."""
    invitation = await accounts.usable_invitation(invitation_token)
    user_id = invitation["user"] or uuid.uuid4()
    return await _begin_registration(settings, user_id, invitation["display_name"], [], invitation["id"])


async def begin_adding(settings: Settings, user: Scope) -> Ceremony:
    """Options for a signed-in user to add another passkey (say, on a desktop)."""
    existing = await Passkey.select(Passkey.id).where(Passkey.user == user.user_id)
    exclude = [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p["id"])) for p in existing]
    return await _begin_registration(settings, user.user_id, user.display_name, exclude, None)


async def _begin_registration(settings: Settings, user_id: UUID, name: str, exclude: list, invitation_id: UUID | None) -> Ceremony:
    options = webauthn.generate_registration_options(
        rp_id=settings.rp_id,
        rp_name=settings.rp_name,
        user_id=user_id.bytes,
        user_name=name,
        user_display_name=name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=exclude,
        timeout=int(CHALLENGE_TTL.total_seconds() * 1000),
    )
    ceremony = await _store_challenge(options.challenge, "register", user_id, invitation_id)
    return Ceremony(ceremony=ceremony, options=json.loads(webauthn.options_to_json(options)))


async def finish_enrolment(
    settings: Settings, ceremony: UUID, credential: dict[str, Any], label: str, user_agent: str, address: str
) -> tuple[Scope, str]:
    """Verify the new passkey, create the invited user and sign them in."""
    await ratelimit.hit(f"register:{address}", ratelimit.REGISTER_PER_ADDRESS)
    challenge = await _take_challenge(ceremony, "register")
    if challenge["invitation"] is None:
        raise Invalid("This ceremony adds a passkey to a signed-in user; use /api/me/passkeys.", "ceremony", code="ceremony_wrong_route")
    verified = _verify_registration(settings, challenge, credential)
    async with db.transaction():
        invitation = await accounts.claim_invitation(challenge["invitation"])
        user_id = challenge["user_id"]
        if invitation["user"] is None:
            await User.insert(
                User(
                    id=user_id,
                    display_name=invitation["display_name"],
                    role=invitation["role"],
                    region_code=invitation["region_code"],
                    enterprise=invitation["enterprise"],
                    certificate_no=invitation["certificate_no"],
                )
            )
        elif not await User.exists().where(User.id == user_id, User.active.eq(True)):
            raise Gone("This user was deactivated after the invitation was made. Ask for a new one.", code="invitation_user_deactivated")
        scope = await accounts.scope_of_user(user_id)
        place = await accounts.place_of(scope)
        action = "user.enrolled" if invitation["user"] is None else "user.passkey_reissued"
        await audit.record(scope, action, "user", user_id, {"invitation": str(invitation["id"]), "role": scope.role}, place)
        await _save_passkey(scope, verified, label, place)
        token = await accounts.start_session(scope, user_agent, settings.session_hours, place)
    return scope, token


async def finish_adding(settings: Settings, user: Scope, ceremony: UUID, credential: dict[str, Any], label: str) -> PasskeyOut:
    challenge = await _take_challenge(ceremony, "register")
    if challenge["invitation"] is not None or str(challenge["user_id"]) != str(user.user_id):
        raise Invalid("This ceremony was not started by you; start again.", "ceremony", code="ceremony_not_yours")
    verified = _verify_registration(settings, challenge, credential)
    async with db.transaction():
        passkey_id = await _save_passkey(user, verified, label, await accounts.place_of(user))
    return msgspec.convert(await Passkey.select().where(Passkey.id == passkey_id).first(), PasskeyOut)


async def begin_sign_in(settings: Settings) -> Ceremony:
    """Options for a usernameless sign-in: any of this site's passkeys may answer."""
    options = webauthn.generate_authentication_options(
        rp_id=settings.rp_id,
        allow_credentials=[],
        user_verification=UserVerificationRequirement.REQUIRED,
        timeout=int(CHALLENGE_TTL.total_seconds() * 1000),
    )
    ceremony = await _store_challenge(options.challenge, "login", None, None)
    return Ceremony(ceremony=ceremony, options=json.loads(webauthn.options_to_json(options)))


async def finish_sign_in(
    settings: Settings, ceremony: UUID, credential: dict[str, Any], user_agent: str, address: str
) -> tuple[Scope, str]:
    credential_id = str(credential.get("id", ""))[:1400]
    await ratelimit.hit(f"sign-in:{address}", ratelimit.SIGN_IN_PER_ADDRESS)
    await ratelimit.hit(f"sign-in-credential:{credential_id}", ratelimit.SIGN_IN_PER_CREDENTIAL)
    try:
        challenge = await _take_challenge(ceremony, "login")
        passkey = await Passkey.select(Passkey.all_columns(), Passkey.user.active).where(Passkey.id == credential_id).first()
        if passkey is None:
            raise Unauthenticated("This passkey is not registered here. Ask for an invitation, or use another passkey.", code="passkey_not_registered")
        if not passkey["user.active"]:
            raise Unauthenticated("This account has been deactivated.", code="account_deactivated")
        handle = (credential.get("response") or {}).get("userHandle")
        if handle and _unb64(handle) != UUID(str(passkey["user"])).bytes:
            raise Unauthenticated("The passkey answered for another user.", code="passkey_other_user")
        try:
            verified = webauthn.verify_authentication_response(
                credential=credential,
                expected_challenge=challenge["challenge"],
                expected_rp_id=settings.rp_id,
                expected_origin=list(settings.origins),
                credential_public_key=passkey["public_key"],
                credential_current_sign_count=passkey["sign_count"],
                require_user_verification=True,
            )
        except (InvalidAuthenticationResponse, ValueError, TypeError, KeyError) as e:
            raise Unauthenticated(f"Sign-in failed: {e}", code="sign_in_failed", params={"reason": str(e)}) from None
    except Unauthenticated as e:
        async with db.transaction():
            await audit.record(None, "session.sign_in_failed", "passkey", credential_id or "-", {"reason": e.message})
        raise
    async with db.transaction():
        await Passkey.update(
            {Passkey.sign_count: verified.new_sign_count, Passkey.last_used_at: clock.now()}
        ).where(Passkey.id == credential_id)
        scope = await accounts.scope_of_user(passkey["user"])
        token = await accounts.start_session(scope, user_agent, settings.session_hours, await accounts.place_of(scope))
    return scope, token


async def list_passkeys(user: Scope) -> list[PasskeyOut]:
    rows = await Passkey.select().where(Passkey.user == user.user_id).order_by(Passkey.created_at)
    return msgspec.convert(rows, list[PasskeyOut])


async def revoke_passkey(user: Scope, passkey_id: str) -> None:
    async with db.transaction():
        own = await Passkey.select(Passkey.id).where(Passkey.user == user.user_id)
        if passkey_id not in {p["id"] for p in own}:
            raise NotFound("No such passkey among yours.", code="passkey_not_found")
        if len(own) == 1:
            raise Conflict("This is your only passkey; add another before removing it, or you could not sign in again.", code="last_passkey")
        await Passkey.delete().where(Passkey.id == passkey_id)
        await audit.record(user, "passkey.revoked", "passkey", passkey_id, {}, await accounts.place_of(user))


# ---------------------------------------------------------------------------- helpers


async def _store_challenge(challenge: bytes, purpose: str, user_id: UUID | None, invitation_id: UUID | None) -> UUID:
    now = clock.now()
    ceremony = uuid.uuid4()
    async with db.transaction():
        await Challenge.delete().where(Challenge.expires_at < now)
        await Challenge.insert(
            Challenge(id=ceremony, challenge=challenge, purpose=purpose, user_id=user_id, invitation=invitation_id,
                      expires_at=now + CHALLENGE_TTL)
        )
    return ceremony


async def _take_challenge(ceremony: UUID, purpose: str) -> dict[str, Any]:
    """Consume a ceremony's challenge: whoever finishes first gets it, once."""
    rows = await Challenge.delete().where(Challenge.id == ceremony, Challenge.purpose == purpose).returning(*Challenge.all_columns())
    if not rows:
        raise Unauthenticated("This sign-in attempt is unknown or was already used; start again.", code="sign_in_attempt_unknown")
    challenge = rows[0]
    if challenge["expires_at"] < clock.now():
        raise Unauthenticated("This sign-in attempt took longer than 5 minutes; start again.", code="sign_in_attempt_expired")
    return challenge


def _verify_registration(settings: Settings, challenge: dict[str, Any], credential: dict[str, Any]) -> Any:
    try:
        return webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=challenge["challenge"],
            expected_rp_id=settings.rp_id,
            expected_origin=list(settings.origins),
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, ValueError, TypeError, KeyError) as e:
        raise Invalid(f"The passkey could not be registered: {e}", "credential", code="passkey_registration_failed", params={"reason": str(e)}) from None


async def _save_passkey(user: Scope, verified: Any, label: str, place: audit.Place) -> str:
    passkey_id = bytes_to_base64url(verified.credential_id)
    saved = await Passkey.insert(
        Passkey(id=passkey_id, user=user.user_id, public_key=verified.credential_public_key,
                sign_count=verified.sign_count, label=label)
    ).on_conflict(target=Passkey.id, action="DO NOTHING").returning(Passkey.id)
    if not saved:
        raise Conflict("This passkey is already registered.", "credential", code="passkey_already_registered")
    await audit.record(user, "passkey.registered", "passkey", passkey_id, {"label": label}, place)
    return passkey_id


def _unb64(value: str) -> bytes:
    try:
        return base64url_to_bytes(value)
    except (ValueError, TypeError):
        raise Unauthenticated("The passkey's answer is malformed.", code="passkey_answer_malformed") from None


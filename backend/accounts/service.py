"""Account rules: who is asking, invitations, sessions and users. Knows nothing of HTTP."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec

from backend.access import Role, Scope
from backend import access, clock, db, pagination
from backend.accounts.schemas import (
    InvitationIn, InvitationInfo, InvitationOut, SessionOut, UserOut, UserPage, UserPatch,
)
from backend.accounts.tables import Invitation, Session, User
from backend.audit import service as audit
from backend.enterprises import service as enterprises
from backend.enterprises.tables import Enterprise
from backend.errors import Conflict, Forbidden, Gone, Invalid, NotFound
from backend.regions import service as regions
from backend.regions.tables import Region

INVITATION_TTL = timedelta(hours=72)

# Which roles each role may invite (DOMAIN.md: an admin invites anyone; supervisors
# invite staff in their jurisdiction; reviewers invite enterprise users).
MAY_INVITE = {
    Role.admin: set(Role),
    Role.supervisor: {Role.inspector, Role.reviewer, Role.supervisor},
    Role.reviewer: {Role.enterprise},
}

# Whom each role may activate and deactivate, within its jurisdiction: a supervisor only
# those below their rank; an admin anyone (but never the last active admin).
MAY_MANAGE = {
    Role.admin: set(Role),
    Role.supervisor: {Role.inspector, Role.reviewer, Role.enterprise},
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------------------- who is asking


async def place_of(scope: Scope) -> audit.Place:
    """Where a user's (or an invitation's) events happen: their enterprise, or their region."""
    if scope.enterprise_id is not None:
        return await enterprises.place_of(scope.enterprise_id)
    if scope.region_code is not None:
        row = await Region.select(Region.province_code, Region.city_code, Region.county_code).where(
            Region.code == scope.region_code).first()
        return audit.Place(**row) if row else audit.Place()
    return audit.Place()


_SCOPE_COLUMNS = ("id", "display_name", "role", "region_code", "enterprise", "active", "certificate_no")


# The session lookup runs on every request: written out once, as building it with the
# query builder (joins, column copies) costs more than running it.
_SCOPE_OF_TOKEN = (
    'SELECT u."id", u."display_name", u."role", u."region_code", u."enterprise", u."active", u."certificate_no", '
    'r."level" AS region_level FROM "user_session" s JOIN "app_user" u ON u."id" = s."user" '
    'LEFT JOIN "region" r ON r."code" = u."region_code" '
    'WHERE s."token_hash" = {} AND s."revoked_at" IS NULL AND s."expires_at" > {}'
)


async def scope_for_token(token: str) -> Scope | None:
    """The scope of the live session holding ``token``, or None: one query, as it runs
    on every request."""
    rows = await db.lookup(Session, _SCOPE_OF_TOKEN, token_hash(token), clock.now())
    if not rows or not rows[0]["active"]:
        return None
    return _scope(rows[0], rows[0]["region_level"])


async def scope_of_user(user_id: Any) -> Scope:
    row = await (
        User.select(*(getattr(User, name) for name in _SCOPE_COLUMNS), User.region_code.level)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound(f"No user {user_id}.", code="user_not_found", params={"id": user_id})
    return _scope(row, row["region_code.level"])


def _scope(user: dict[str, Any], region_level: str | None) -> Scope:
    return Scope(
        user_id=user["id"],
        display_name=user["display_name"],
        role=Role(user["role"]),
        region_code=user["region_code"],
        region_level=region_level,
        enterprise_id=user["enterprise"],
        certificate_no=user["certificate_no"],
    )


# ---------------------------------------------------------------------------- invitations


async def invite(inviter: Scope, data: InvitationIn, public_url: str, today: Any) -> InvitationOut:
    """Create a one-time enrolment link, valid 72 hours, for someone inside the inviter's
    jurisdiction."""
    if data.role not in MAY_INVITE.get(Role(inviter.role), set()):
        raise Forbidden(f"A {inviter.role} may not invite a {data.role.value}.", "role", code="invite_role_forbidden", params={"inviter_role": inviter.role, "role": data.role.value})
    if data.role == Role.enterprise:
        if data.enterprise_id is None or data.region_code is not None:
            raise Invalid("An enterprise user's invitation names the enterprise (enterprise_id), not a region.", "enterprise_id", code="invitation_enterprise_needed")
        await enterprises.get_enterprise(inviter, data.enterprise_id, today)  # 404 outside jurisdiction
    else:
        if data.region_code is None or data.enterprise_id is not None:
            raise Invalid("A staff invitation names the jurisdiction (region_code), not an enterprise.", "region_code", code="invitation_region_needed")
        await regions.get_region(inviter, data.region_code, field="region_code")
    if data.certificate_no is not None and data.role == Role.enterprise:
        raise Invalid("Only enforcement staff hold an enforcement certificate.", "certificate_no", code="certificate_staff_only")
    name = data.display_name.strip() if data.user_id is None else await _same_person(inviter, data)
    token = secrets.token_urlsafe(32)
    invitation_id = uuid.uuid4()
    async with db.transaction():
        await Invitation.insert(
            Invitation(
                id=invitation_id,
                token_hash=token_hash(token),
                role=data.role,
                display_name=name,
                region_code=data.region_code,
                enterprise=data.enterprise_id,
                certificate_no=data.certificate_no or "",
                user=data.user_id,
                invited_by=inviter.user_id,
                expires_at=clock.now() + INVITATION_TTL,
            )
        )
        place = await place_of(Scope(role=data.role, region_code=data.region_code, enterprise_id=data.enterprise_id))
        await audit.record(inviter, "invitation.created", "invitation", invitation_id,
                           {"role": data.role.value, "display_name": name,
                            **({"user": str(data.user_id)} if data.user_id else {})}, place)
    out = await _invitation(invitation_id)
    out.link = invitation_link(public_url, token)
    return out


async def _same_person(inviter: Scope, data: InvitationIn) -> str:
    """A new passkey for an existing user: the user is in the inviter's jurisdiction and
    active, and the invitation says who they are (role, jurisdiction or enterprise) as their
    record does, so a link never quietly moves anyone. Their name, as recorded."""
    user = await _users_in(inviter).where(User.id == data.user_id).first()
    if user is None:
        raise NotFound("No such user in your jurisdiction.", "user_id", code="user_not_found")
    if not user["active"]:
        raise Conflict("This user is deactivated; reactivate them before inviting them to a new passkey.", "user_id", code="user_deactivated_reactivate_first")
    if (user["role"], user["region_code"], user["enterprise"]) != (data.role, data.region_code, data.enterprise_id):
        raise Invalid("A new passkey's invitation names the user's own role and jurisdiction or enterprise "
                      f"({user['role']}, {user['region_code'] or user['enterprise']}).", "user_id", code="passkey_invitation_mismatch", params={"role": user['role'], "scope": user['region_code'] or user['enterprise']})
    if data.certificate_no is not None:
        raise Invalid("A new passkey keeps the user's certificate number; change it on the user.", "certificate_no", code="passkey_invitation_certificate")
    return user["display_name"]


def invitation_link(public_url: str, token: str) -> str:
    return f"{public_url}/enrol/{token}"


async def invitation_info(token: str) -> InvitationInfo:
    return msgspec.convert(await usable_invitation(token), InvitationInfo)


async def usable_invitation(token: str) -> dict[str, Any]:
    row = await Invitation.select().where(Invitation.token_hash == token_hash(token)).first()
    if row is None:
        raise NotFound("This invitation link is not valid. Check that it was copied whole.", code="invitation_invalid")
    _refuse_unusable(row)
    return row


def _refuse_unusable(row: dict[str, Any]) -> None:
    if row["used_at"] is not None:
        raise Gone("This invitation has already been used. Sign in with your passkey, or ask for a new invitation.", code="invitation_used")
    if row["revoked_at"] is not None:
        raise Gone("This invitation was withdrawn. Ask for a new one.", code="invitation_withdrawn")
    if row["expires_at"] < clock.now():
        raise Gone("This invitation expired (they last 72 hours). Ask for a new one.", code="invitation_expired")


async def claim_invitation(invitation_id: UUID) -> dict[str, Any]:
    """Mark an invitation used, once; inside the enrolment's transaction."""
    rows = await (
        Invitation.update({Invitation.used_at: clock.now()})
        .where(Invitation.id == invitation_id, Invitation.used_at.is_null())
        .returning(*Invitation.all_columns())
    )
    if not rows:
        raise Gone("This invitation has already been used. Sign in with your passkey, or ask for a new invitation.", code="invitation_used")
    row = rows[0]
    if row["revoked_at"] is not None or row["expires_at"] < clock.now():
        _refuse_unusable({**row, "used_at": None})
    return row


async def list_invitations(scope: Scope) -> list[InvitationOut]:
    """Invitations neither used nor revoked: all of them for a caller whose scope is
    everything, otherwise the ones the caller made."""
    query = Invitation.select().where(Invitation.used_at.is_null(), Invitation.revoked_at.is_null()).order_by(
        Invitation.created_at, ascending=False
    )
    if not scope.is_everything:
        query = query.where(Invitation.invited_by == scope.user_id)
    return [_invitation_out(r) for r in await query]


async def revoke_invitation(scope: Scope, invitation_id: UUID) -> None:
    async with db.transaction():
        query = Invitation.select().where(Invitation.id == invitation_id)
        if not scope.is_everything:
            query = query.where(Invitation.invited_by == scope.user_id)
        row = await query.first()
        if row is None:
            raise NotFound("No such invitation among yours.", code="invitation_not_found")
        _refuse_unusable(row)
        await Invitation.update({Invitation.revoked_at: clock.now()}).where(Invitation.id == invitation_id)
        await audit.record(scope, "invitation.revoked", "invitation", invitation_id, {}, await place_of(scope))


async def _invitation(invitation_id: UUID) -> InvitationOut:
    return _invitation_out(await Invitation.select().where(Invitation.id == invitation_id).first())


def _invitation_out(row: dict[str, Any]) -> InvitationOut:
    return msgspec.convert({**row, "enterprise_id": row["enterprise"], "user_id": row["user"]}, InvitationOut)


# ---------------------------------------------------------------------------- sessions


async def start_session(user: Scope, user_agent: str, hours: int, place: audit.Place) -> str:
    """A new session for ``user`` (inside the caller's transaction); returns its token."""
    token = secrets.token_urlsafe(32)
    session_id = uuid.uuid4()
    await Session.insert(
        Session(id=session_id, token_hash=token_hash(token), user=user.user_id,
                expires_at=clock.now() + timedelta(hours=hours), user_agent=user_agent[:300])
    )
    await audit.record(user, "session.signed_in", "session", session_id, {"user_agent": user_agent[:300]}, place)
    return token


async def end_session(user: Scope, token: str) -> None:
    async with db.transaction():
        rows = await (
            Session.update({Session.revoked_at: clock.now()})
            .where(Session.token_hash == token_hash(token), Session.revoked_at.is_null())
            .returning(Session.id)
        )
        if rows:
            await audit.record(user, "session.signed_out", "session", rows[0]["id"], {}, await place_of(user))


async def list_sessions(user: Scope, current_token: str) -> list[SessionOut]:
    rows = await (
        Session.select()
        .where(Session.user == user.user_id, Session.revoked_at.is_null(), Session.expires_at > clock.now())
        .order_by(Session.created_at, ascending=False)
    )
    current = token_hash(current_token)
    return [msgspec.convert({**r, "current": r["token_hash"] == current}, SessionOut) for r in rows]


async def revoke_session(user: Scope, session_id: UUID) -> None:
    async with db.transaction():
        rows = await (
            Session.update({Session.revoked_at: clock.now()})
            .where(Session.id == session_id, Session.user == user.user_id, Session.revoked_at.is_null())
            .returning(Session.id)
        )
        if not rows:
            raise NotFound("No such session among yours.", code="session_not_found")
        await audit.record(user, "session.revoked", "session", session_id, {}, await place_of(user))


# ---------------------------------------------------------------------------- users


def _users_in(scope: Scope) -> Any:
    """Users whose jurisdiction or enterprise lies inside ``scope``."""
    query = User.select(User.all_columns())
    if scope.is_everything:
        return query
    if scope.enterprise_id is not None:
        return query.where(User.enterprise == scope.enterprise_id)
    staff = User.region_code.is_in(Region.select(Region.code).where(*access.in_region(scope, Region)))
    firms = User.enterprise.is_in(Enterprise.select(Enterprise.id).where(*access.in_scope(scope, Enterprise, Enterprise.id)))
    return query.where(staff | firms)


async def list_users(scope: Scope, q: str | None, limit: int, cursor: str | None,
                     cursors: pagination.CursorCodec) -> UserPage:
    """Users in the caller's jurisdiction by display name (then id), a keyset page at a time;
    ``q``: text within the display name."""
    query = _users_in(scope)
    if q is not None:
        # % and _ are LIKE wildcards and never part of a name.
        term = q.replace("%", "").replace("_", "").replace("\\", "").strip()
        if not term:
            raise Invalid("Type some characters of a name to search for.", "q", code="search_text_missing")
        query = query.where(User.display_name.like(f"%{term}%"))
    rows, next_cursor = await pagination.page(query, (User.display_name, User.id), limit, cursor, cursors,
                                              kind="users:display_name")
    return UserPage(items=[_user_out(r) for r in rows], next_cursor=next_cursor)


async def update_user(scope: Scope, user_id: UUID, patch: UserPatch) -> UserOut:
    """Change what a request names: the enforcement certificate number, then the state."""
    if patch.active is None and patch.certificate_no is None:
        raise Invalid("Send active (true or false) or certificate_no.", "active", code="user_patch_empty")
    if patch.certificate_no is not None:
        await set_certificate(scope, user_id, patch.certificate_no)
    if patch.active is not None:
        return await set_active(scope, user_id, patch.active)
    return _user_out(await User.select().where(User.id == user_id).first())


async def set_certificate(scope: Scope, user_id: UUID, certificate_no: str) -> None:
    """An admin records a staff member's enforcement certificate number (执法证号), which
    the documents print; the same number sent again changes nothing and records nothing."""
    if scope.role != Role.admin:
        raise Forbidden("Only an admin sets an enforcement certificate number.", "certificate_no", code="certificate_admin_only")
    async with db.transaction():
        target = await _users_in(scope).where(User.id == user_id).first()
        if target is None:
            raise NotFound("No such user in your jurisdiction.", code="user_not_found")
        if target["role"] == Role.enterprise:
            raise Invalid("Only enforcement staff hold an enforcement certificate.", "certificate_no", code="certificate_staff_only")
        changed = await User.update({User.certificate_no: certificate_no}).where(
            User.id == user_id, User.certificate_no != certificate_no).returning(User.id)
        if changed:
            await audit.record(scope, "user.certificate_set", "user", user_id, {"certificate_no": certificate_no},
                               await place_of(await scope_of_user(user_id)))


async def set_active(scope: Scope, user_id: UUID, active: bool) -> UserOut:
    """(De)activate a user in the caller's jurisdiction, once: the first of any number of
    identical requests changes the state (deactivation ends the user's sessions at once)
    and records it; the others find it done and answer with the user as it now is."""
    if str(user_id) == str(scope.user_id):
        raise Forbidden("Nobody may deactivate or reactivate themselves; ask another manager.", "user_id", code="deactivate_self")
    async with db.transaction():
        target = await _users_in(scope).where(User.id == user_id).first()
        if target is None:
            raise NotFound("No such user in your jurisdiction.", code="user_not_found")
        if target["role"] not in MAY_MANAGE.get(Role(scope.role), set()):
            raise Forbidden(f"A {scope.role} may not activate or deactivate someone of their rank or above "
                            f"({target['role']}); ask an admin.", "user_id", code="deactivate_rank_forbidden", params={"role": scope.role, "target_role": target['role']})
        if not active and target["role"] == Role.admin:
            # Two admins deactivating each other at once must not both succeed: the
            # check and the change happen one transaction at a time.
            await db.serialise("active admins")
            if not await User.exists().where(User.role == Role.admin, User.active.eq(True), User.id != user_id):
                raise Conflict("This is the last active admin; activate or invite another admin first.", "active", code="last_admin")
        changed = await (
            User.update({User.active: active}).where(User.id == user_id, User.active.eq(not active)).returning(User.id)
        )
        if changed:
            if not active:
                await Session.update({Session.revoked_at: clock.now()}).where(Session.user == user_id,
                                                                              Session.revoked_at.is_null())
            await audit.record(scope, "user.activated" if active else "user.deactivated", "user", user_id, {},
                               await place_of(await scope_of_user(user_id)))
    return _user_out(await User.select().where(User.id == user_id).first())


def _user_out(row: dict[str, Any]) -> UserOut:
    return msgspec.convert({**row, "enterprise_id": row["enterprise"]}, UserOut)

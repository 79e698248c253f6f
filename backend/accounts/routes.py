from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend.access import EVERYONE, FIELD_TEAM, INVITERS, MANAGERS, PUBLIC, Scope, roles
from backend.accounts import officers, passkeys, service
from backend.accounts.guards import SESSION_COOKIE
from backend.accounts.schemas import (
    Ceremony,
    CeremonyFinish,
    CeremonyStart,
    InvitationIn,
    InvitationInfo,
    InvitationOut,
    Me,
    OfficerOut,
    PasskeyOut,
    SessionOut,
    UserOut,
    UserPage,
    UserPatch,
)
from backend.errors import Invalid
from backend.fields import PRINTABLE
from backend.pagination import Cursor, Cursors, Limit
from backend.settings import Settings

Access = NamedDependency[Scope]
Config = NamedDependency[Settings]


def _me(scope: Scope) -> Me:
    return Me(id=scope.user_id, display_name=scope.display_name, role=scope.role,
              region_code=scope.region_code, enterprise_id=scope.enterprise_id, certificate_no=scope.certificate_no)


def _signed_in(scope: Scope, token: str, settings: Settings) -> Response[Me]:
    cookie = Cookie(key=SESSION_COOKIE, value=token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                    max_age=settings.session_hours * 3600, path="/")
    return Response(_me(scope), cookies=[cookie], status_code=201)


def _client(request: Request) -> tuple[str, str]:
    return request.headers.get("user-agent", ""), request.client.host if request.client else "unknown"


class AuthController(Controller):
    """Enrolment from an invitation and usernameless sign-in: open to everyone."""

    path = "/api/auth"
    tags = ["accounts"]
    opt = PUBLIC

    @get("/invitations/{token:str}", operation_id="getInvitation", summary="What an invitation link offers")
    async def invitation(self, token: Annotated[str, PathParameter(max_length=100, description="The link's token")]) -> InvitationInfo:
        return await service.invitation_info(token)

    @post("/enrol/options", operation_id="beginEnrolment", summary="Start creating a passkey from an invitation")
    async def begin_enrolment(self, settings: Config, data: JSONBody[CeremonyStart]) -> Ceremony:
        if not data.invitation:
            raise Invalid("Open the invitation link you were sent; it carries the token.", "invitation", code="invitation_token_missing")
        return await passkeys.begin_enrolment(settings, data.invitation)

    @post("/enrol", operation_id="finishEnrolment", summary="Register the passkey, create the account, sign in")
    async def finish_enrolment(self, request: Request, settings: Config, data: JSONBody[CeremonyFinish]) -> Response[Me]:
        user_agent, address = _client(request)
        scope, token = await passkeys.finish_enrolment(settings, data.ceremony, data.credential, data.label, user_agent, address)
        return _signed_in(scope, token, settings)

    @post("/sign-in/options", operation_id="beginSignIn", summary="Start a usernameless passkey sign-in")
    async def begin_sign_in(self, settings: Config) -> Ceremony:
        return await passkeys.begin_sign_in(settings)

    @post("/sign-in", operation_id="finishSignIn", summary="Verify the passkey's answer and sign in")
    async def finish_sign_in(self, request: Request, settings: Config, data: JSONBody[CeremonyFinish]) -> Response[Me]:
        user_agent, address = _client(request)
        scope, token = await passkeys.finish_sign_in(settings, data.ceremony, data.credential, user_agent, address)
        return _signed_in(scope, token, settings)


class SessionController(Controller):
    """The caller's own account: who am I, my passkeys, my sessions, sign out."""

    path = "/api/me"
    tags = ["accounts"]
    opt = roles(EVERYONE)

    @get("/", operation_id="getMe", summary="The signed-in user")
    async def me(self, access: Access) -> Me:
        return _me(access)

    @post("/sign-out", operation_id="signOut", summary="End this session", status_code=204)
    async def sign_out(self, request: Request, access: Access) -> Response[None]:
        await service.end_session(access, request.cookies.get(SESSION_COOKIE, ""))
        response = Response(None, status_code=204)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/sessions", operation_id="listMySessions", summary="Your signed-in browsers")
    async def sessions(self, request: Request, access: Access) -> list[SessionOut]:
        return await service.list_sessions(access, request.cookies.get(SESSION_COOKIE, ""))

    @delete("/sessions/{session_id:uuid}", operation_id="revokeMySession", summary="Sign a browser out", status_code=204)
    async def revoke_session(self, access: Access, session_id: Annotated[UUID, PathParameter(description="Session id")]) -> None:
        await service.revoke_session(access, session_id)

    @get("/passkeys", operation_id="listMyPasskeys", summary="Your passkeys")
    async def passkeys(self, access: Access) -> list[PasskeyOut]:
        return await passkeys.list_passkeys(access)

    @post("/passkeys/options", operation_id="beginAddingPasskey", summary="Start adding a passkey")
    async def begin_adding(self, access: Access, settings: Config) -> Ceremony:
        return await passkeys.begin_adding(settings, access)

    @post("/passkeys", operation_id="addPasskey", summary="Register another passkey")
    async def add_passkey(self, access: Access, settings: Config, data: JSONBody[CeremonyFinish]) -> PasskeyOut:
        return await passkeys.finish_adding(settings, access, data.ceremony, data.credential, data.label)

    @delete("/passkeys/{passkey_id:str}", operation_id="revokeMyPasskey", summary="Remove a passkey", status_code=204)
    async def revoke_passkey(
        self, access: Access, passkey_id: Annotated[str, PathParameter(max_length=1400, description="Credential id")]
    ) -> None:
        await passkeys.revoke_passkey(access, passkey_id)


class InvitationController(Controller):
    path = "/api/invitations"
    tags = ["accounts"]
    opt = roles(INVITERS)

    @post("/", operation_id="createInvitation", summary="Invite someone (a one-time link valid 72 hours)")
    async def create(self, access: Access, settings: Config, today: NamedDependency[date], data: JSONBody[InvitationIn]) -> InvitationOut:
        return await service.invite(access, data, settings.public_url, today)

    @get("/", operation_id="listInvitations", summary="Invitations not yet used")
    async def list_invitations(self, access: Access) -> list[InvitationOut]:
        return await service.list_invitations(access)

    @delete("/{invitation_id:uuid}", operation_id="revokeInvitation", summary="Withdraw an invitation", status_code=204)
    async def revoke(self, access: Access, invitation_id: Annotated[UUID, PathParameter(description="Invitation id")]) -> None:
        await service.revoke_invitation(access, invitation_id)


class UserController(Controller):
    path = "/api/users"
    tags = ["accounts"]
    opt = roles(MANAGERS)

    @get("/", operation_id="listUsers", summary="Users in your jurisdiction, by name, a page at a time")
    async def list_users(
        self,
        access: Access,
        cursors: Cursors,
        q: Annotated[
            str | None,
            QueryParameter(min_length=1, max_length=100, pattern=PRINTABLE, description="Text within the display name"),
        ] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> UserPage:
        return await service.list_users(access, q, limit, cursor, cursors)

    @patch("/{user_id:uuid}", operation_id="updateUser",
           summary="Activate or deactivate a user, or set their enforcement certificate number",
           description="A supervisor manages only inspectors, reviewers and enterprise users; an admin anyone, in "
                       "their jurisdiction. Nobody changes their own account or deactivates the last active admin. "
                       "Only an admin sets certificate_no (执法证号), of staff only. "
                       "Sent again, it answers with the user as they now are.")
    async def update(self, access: Access, user_id: Annotated[UUID, PathParameter(description="User id")], data: JSONBody[UserPatch]) -> UserOut:
        return await service.update_user(access, user_id, data)


class OfficerController(Controller):
    path = "/api/officers"
    tags = ["accounts"]
    opt = roles(FIELD_TEAM)

    @get("/", operation_id="listOfficers",
         summary="The active inspectors and supervisors of your jurisdiction: whom a visit's team may name",
         description="Names, ids, jurisdictions and certificate numbers only, for the team picker of a planned or "
                     "an unplanned visit (the phone keeps it for offline use).")
    async def list_officers(self, access: Access) -> list[OfficerOut]:
        return await officers.roster(access)

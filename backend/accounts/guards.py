"""Authentication and authorisation, in one place.

- SessionAuth turns the session cookie into the caller's Scope (``request.user``);
  handlers marked ``opt={"public": True}`` skip it.
- role_guard admits a request when the caller's role is among the handler's declared
  ``opt={"roles": …}``; a route that declares no roles admits nobody. OPTIONS, which
  Litestar answers on every path with the methods it allows, is open to all (as in
  CORS preflight, it needs no session); HEAD goes through sign-in like GET.
- Services then filter by the Scope, so reading or writing outside it answers 404.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from backend.access import Scope
from backend.accounts import service

SESSION_COOKIE = "dossier_session"


class SessionAuth(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        scope = await service.scope_for_token(token) if token else None
        if scope is None:
            raise NotAuthorizedException("Sign in with your passkey first (your session is missing or has ended).")
        return AuthenticationResult(user=scope, auth=token)


async def role_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Async, though it does no I/O: Litestar would run a plain function in a thread."""
    if handler.opt.get("public") or connection.scope.get("method") == "OPTIONS":
        return
    allowed = handler.opt.get("roles")
    if not allowed:
        raise PermissionDeniedException("This route declares no access rule, so nobody may use it.",
                                        extra=[{"code": "no_access_rule", "params": {}}])
    user: Scope = connection.user
    if user.role not in allowed:
        raise PermissionDeniedException(f"Your role ({user.role}) may not do this.",
                                        extra=[{"code": "role_forbidden", "params": {"role": user.role}}])


def provide_access(request: ASGIConnection) -> Scope:
    """The ``access`` dependency: the signed-in caller's Scope."""
    return request.user

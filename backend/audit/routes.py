from datetime import datetime
from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.access import MANAGERS, Scope, roles
from backend.audit import service
from backend.audit.schemas import AuditPage
from backend.pagination import Cursor, Cursors, Limit


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]
    opt = roles(MANAGERS)

    @get("/", operation_id="listAuditEvents", summary="The audit trail of your jurisdiction, newest first")
    async def list_events(
        self,
        access: NamedDependency[Scope],
        cursors: Cursors,
        actor: Annotated[UUID | None, QueryParameter(description="Only events by this user")] = None,
        enterprise: Annotated[UUID | None, QueryParameter(description="Only events about this enterprise")] = None,
        action: Annotated[
            str | None, QueryParameter(pattern=r"^[a-z_]+\.[a-z_]+$", description="Only this action, e.g. session.signed_in")
        ] = None,
        since: Annotated[datetime | None, QueryParameter(
            description="Events at or after this instant, with its time zone (2026-11-24T09:30:00+08:00)")] = None,
        until: Annotated[datetime | None, QueryParameter(description="Events before this instant, with its time zone")] = None,
        limit: Limit = 50,
        cursor: Cursor = None,
    ) -> AuditPage:
        filters = service.AuditFilter(actor=actor, enterprise=enterprise, action=action, since=since, until=until)
        return await service.list_events(access, filters, limit, cursor, cursors)

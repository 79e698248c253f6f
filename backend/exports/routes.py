"""The registry, visits, and a dossier's findings and notices as CSV or XLSX files: each
export takes its list's query parameters (but limit and cursor), admits the list's roles
and holds what the list shows, in its order (the coverage lists' exports are in
backend/coverage/routes.py). Each list is a Listing (backend/exports/listing.py), which
an export job (backend/exports/job_routes.py) runs the same way."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Stream

from backend.access import EVERYONE, Scope, roles
from backend.enterprises import service as registry
from backend.enterprises.routes import REGISTRY_FILTER, RegistryFilter, RegistrySort, registry_filter
from backend.exports import columns, tabular
from backend.exports.listing import Listing
from backend.exports.tabular import Batches, export
from backend.inspections import rectification
from backend.inspections import service as visit_service
from backend.inspections.routes import VISIT_FILTER, VisitFilter, visit_filter
from backend.notices import service as notice_service
from backend.pagination import CursorCodec, Cursors

Access = NamedDependency[Scope]
Today = NamedDependency[date]
EnterpriseId = Annotated[UUID, QueryParameter(description="The enterprise whose dossier list this is")]


def _enterprises(access: Scope, today: date, cursors: CursorCodec, filters: registry.EnterpriseFilter,
                 sort: RegistrySort = "name") -> Batches:
    return tabular.pages(lambda limit, cursor: registry.list_enterprises(
        access, filters, sort, limit, cursor, cursors, today))


def _visits(access: Scope, today: date, cursors: CursorCodec, filters: visit_service.VisitFilter) -> Batches:
    return columns.named_visits(tabular.pages(lambda limit, cursor: visit_service.list_visits(
        access, filters, limit, cursor, cursors, today)))


def _findings(access: Scope, today: date, cursors: CursorCodec, enterprise_id: EnterpriseId) -> Batches:
    return tabular.whole(rectification.dossier_findings(access, enterprise_id, today))


def _notices(access: Scope, today: date, cursors: CursorCodec, enterprise_id: EnterpriseId) -> Batches:
    return tabular.whole(notice_service.enterprise_notices(access, enterprise_id))


ENTERPRISES = Listing("enterprises", "企业名录", columns.ENTERPRISES, EVERYONE, _enterprises, {"filters": registry_filter})
VISITS = Listing("visits", "检查记录", columns.VISITS, EVERYONE, _visits, {"filters": visit_filter})
FINDINGS = Listing("findings", "整改通知", columns.FINDINGS, EVERYONE, _findings)
NOTICES = Listing("notices", "警示告知", columns.NOTICES, EVERYONE, _notices)
LISTINGS = (ENTERPRISES, VISITS, FINDINGS, NOTICES)


class ExportController(Controller):
    path = "/api/exports"
    tags = ["exports"]
    opt = roles(EVERYONE)

    @export("enterprises", "The registry as a file: the list's filters and sort, in your jurisdiction",
            dependencies=REGISTRY_FILTER)
    async def enterprises(self, request: Request, access: Access, cursors: Cursors, today: Today,
                          filters: RegistryFilter, sort: RegistrySort = "name") -> Stream:
        return await ENTERPRISES.download(request, access, today, cursors, filters=filters, sort=sort)

    @export("visits", "Visits as a file: the list's filters, in your jurisdiction", dependencies=VISIT_FILTER)
    async def visits(self, request: Request, access: Access, cursors: Cursors, today: Today,
                     filters: VisitFilter) -> Stream:
        return await VISITS.download(request, access, today, cursors, filters=filters)

    @export("findings", "An enterprise's findings and rectification orders as a file, as its dossier lists them")
    async def findings(self, request: Request, access: Access, cursors: Cursors, today: Today,
                       enterprise_id: EnterpriseId) -> Stream:
        return await FINDINGS.download(request, access, today, cursors, enterprise_id=enterprise_id)

    @export("notices", "An enterprise's warning notices as a file, as its dossier lists them")
    async def notices(self, request: Request, access: Access, cursors: Cursors, today: Today,
                      enterprise_id: EnterpriseId) -> Stream:
        return await NOTICES.download(request, access, today, cursors, enterprise_id=enterprise_id)

"""The registry, visits, and a dossier's findings and notices as CSV or XLSX files: each
export takes its list's query parameters (but limit and cursor), admits the list's roles
and holds what the list shows, in its order (the coverage lists' exports are in
backend/coverage/routes.py)."""

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
from backend.enterprises.routes import REGISTRY_FILTER, RegistryFilter, RegistrySort
from backend.exports import columns, tabular
from backend.exports.tabular import export
from backend.inspections import rectification
from backend.inspections import service as visit_service
from backend.inspections.routes import VISIT_FILTER, VisitFilter
from backend.notices import service as notice_service
from backend.pagination import Cursors

Access = NamedDependency[Scope]
Today = NamedDependency[date]
EnterpriseId = Annotated[UUID, QueryParameter(description="The enterprise whose dossier list this is")]


class ExportController(Controller):
    path = "/api/exports"
    tags = ["exports"]
    opt = roles(EVERYONE)

    @export("enterprises", "The registry as a file: the list's filters and sort, in your jurisdiction",
            dependencies=REGISTRY_FILTER)
    async def enterprises(self, request: Request, access: Access, cursors: Cursors, today: Today,
                          filters: RegistryFilter, sort: RegistrySort = "name") -> Stream:
        rows = tabular.pages(lambda limit, cursor: registry.list_enterprises(
            access, filters, sort, limit, cursor, cursors, today))
        return await tabular.download(request, columns.ENTERPRISES, rows, "企业名录", today)

    @export("visits", "Visits as a file: the list's filters, in your jurisdiction", dependencies=VISIT_FILTER)
    async def visits(self, request: Request, access: Access, cursors: Cursors, today: Today,
                     filters: VisitFilter) -> Stream:
        rows = tabular.pages(lambda limit, cursor: visit_service.list_visits(
            access, filters, limit, cursor, cursors, today))
        return await tabular.download(request, columns.VISITS, columns.named_visits(rows), "检查记录", today)

    @export("findings", "An enterprise's findings and rectification orders as a file, as its dossier lists them")
    async def findings(self, request: Request, access: Access, today: Today, enterprise_id: EnterpriseId) -> Stream:
        rows = tabular.whole(rectification.dossier_findings(access, enterprise_id, today))
        return await tabular.download(request, columns.FINDINGS, rows, "整改通知", today)

    @export("notices", "An enterprise's warning notices as a file, as its dossier lists them")
    async def notices(self, request: Request, access: Access, today: Today, enterprise_id: EnterpriseId) -> Stream:
        rows = tabular.whole(notice_service.enterprise_notices(access, enterprise_id))
        return await tabular.download(request, columns.NOTICES, rows, "警示告知", today)

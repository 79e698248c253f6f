from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.access import MANAGERS, Scope, roles
from backend.coverage import lists, service
from backend.coverage.schemas import CoverageOut, FindingPage, UncoveredPointPage
from backend.fields import SIX_DIGITS
from backend.inspections.schemas import VisitPage
from backend.pagination import Cursor, Cursors, Limit

Access = NamedDependency[Scope]
Today = NamedDependency[date]
Region = Annotated[str | None, QueryParameter(pattern=SIX_DIGITS, description="Default: your jurisdiction")]
Start = Annotated[date | None, QueryParameter(description="First day (default: 1 January this year)")]
End = Annotated[date | None, QueryParameter(description="Last day (default: today)")]


def _period(today: date, start: date | None, end: date | None) -> service.Period:
    return service.Period(start or today.replace(month=1, day=1), end or today)


class CoverageController(Controller):
    path = "/api/coverage"
    tags = ["coverage"]
    opt = roles(MANAGERS)

    @get("/", operation_id="getCoverage", summary="Visit coverage of a region in your jurisdiction over a period")
    async def coverage(self, access: Access, today: Today, region: Region = None, start: Start = None,
                       end: End = None) -> CoverageOut:
        return await service.coverage(access, region, _period(today, start, end), today)

    @get("/visits", operation_id="getCoverageVisits",
         summary="The visits behind the figures: started in the period, of one inspector, or awaiting review now")
    async def visits(
        self, access: Access, today: Today, cursors: Cursors, region: Region = None, start: Start = None,
        end: End = None,
        inspector: Annotated[UUID | None, QueryParameter(description="Only this inspector's visits")] = None,
        awaiting_review: Annotated[bool, QueryParameter(description="Submitted, not yet reviewed (any period)")] = False,
        limit: Limit = 50, cursor: Cursor = None,
    ) -> VisitPage:
        return await lists.visits(access, region, _period(today, start, end), lists.Page(limit, cursor, cursors),
                                  inspector, awaiting_review)

    @get("/findings", operation_id="getCoverageFindings",
         summary="The findings behind the figures: open now, or opened or closed in the period")
    async def findings(
        self, access: Access, today: Today, cursors: Cursors,
        status: Annotated[Literal["open", "opened", "closed"],
                          QueryParameter(description="open (now), or opened (found) or closed in the period")],
        region: Region = None, start: Start = None, end: End = None, limit: Limit = 50, cursor: Cursor = None,
    ) -> FindingPage:
        return await lists.findings(access, region, _period(today, start, end), lists.Page(limit, cursor, cursors), status)

    @get("/uncovered-points", operation_id="getUncoveredControlPoints",
         summary="Control points without a current warning notice (notice coverage)")
    async def uncovered_points(self, access: Access, cursors: Cursors, region: Region = None, limit: Limit = 50,
                               cursor: Cursor = None) -> UncoveredPointPage:
        return await lists.uncovered_points(access, region, lists.Page(limit, cursor, cursors))

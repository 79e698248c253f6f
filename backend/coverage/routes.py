from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Stream

from backend.access import MANAGERS, Scope, roles
from backend.coverage import lists, service
from backend.coverage.schemas import CoverageOut, CoverageVisitPage, FindingPage, UncoveredPointPage
from backend.exports import columns, tabular
from backend.exports.listing import Listing
from backend.exports.tabular import Batches, Column, export
from backend.fields import SIX_DIGITS
from backend.pagination import Cursor, CursorCodec, Cursors, Limit

Access = NamedDependency[Scope]
Today = NamedDependency[date]
Region = Annotated[str | None, QueryParameter(pattern=SIX_DIGITS, description="Default: your jurisdiction")]
Start = Annotated[date | None, QueryParameter(description="First day (default: 1 January this year)")]
End = Annotated[date | None, QueryParameter(description="Last day (default: today)")]
Inspector = Annotated[UUID | None, QueryParameter(description="Only this inspector's visits")]
AwaitingReview = Annotated[bool, QueryParameter(description="Submitted, not yet reviewed (any period)")]
FindingStatus = Annotated[Literal["open", "opened", "closed"],
                          QueryParameter(description="open (now), or opened (found) or closed in the period")]


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
        end: End = None, inspector: Inspector = None, awaiting_review: AwaitingReview = False,
        limit: Limit = 50, cursor: Cursor = None,
    ) -> CoverageVisitPage:
        return await lists.visits(access, region, _period(today, start, end), lists.Page(limit, cursor, cursors),
                                  inspector, awaiting_review)

    @get("/findings", operation_id="getCoverageFindings",
         summary="The findings behind the figures: open now, or opened or closed in the period")
    async def findings(
        self, access: Access, today: Today, cursors: Cursors, status: FindingStatus, region: Region = None, start: Start = None, end: End = None, limit: Limit = 50, cursor: Cursor = None,
    ) -> FindingPage:
        return await lists.findings(access, region, _period(today, start, end), lists.Page(limit, cursor, cursors), status)

    @get("/uncovered-points", operation_id="getUncoveredControlPoints",
         summary="Control points without a current warning notice (notice coverage)")
    async def uncovered_points(self, access: Access, cursors: Cursors, region: Region = None, limit: Limit = 50,
                               cursor: Cursor = None) -> UncoveredPointPage:
        return await lists.uncovered_points(access, region, lists.Page(limit, cursor, cursors))


FINDINGS = (
    Column("问题编号", "id", width=columns.ID),
    Column("检查记录编号", "visit_id", width=columns.ID),
    Column("企业名称", "enterprise_name", width=columns.NAME),
    Column("检查项", "item_key", width=8),
    Column("严重程度", "severity", columns.SEVERITIES, 9),
    Column("问题描述", "description", width=columns.ADDRESS),
    Column("发现时间", "found_at", width=columns.INSTANT),
    Column("整改期限", "deadline"),
    Column("整改状态", "status", columns.FINDING_STATUSES),
    Column("销号时间", "closed_at", width=columns.INSTANT),
)
UNCOVERED_POINTS = (
    Column("企业名称", "enterprise_name", width=columns.NAME),
    Column("控制点", "name", width=20),
    Column("类型", "kind", columns.POINT_KINDS, 14),
    Column("位置", "location", width=columns.TEXT),
    Column("控制点编号", "id", width=columns.ID),
)


def _visits(access: Scope, today: date, cursors: CursorCodec, region: Region = None, start: Start = None,
            end: End = None, inspector: Inspector = None, awaiting_review: AwaitingReview = False) -> Batches:
    period = _period(today, start, end)
    return columns.named_visits(tabular.pages(lambda limit, cursor: lists.visits(
        access, region, period, lists.Page(limit, cursor, cursors), inspector, awaiting_review)))


def _findings(access: Scope, today: date, cursors: CursorCodec, status: FindingStatus, region: Region = None,
              start: Start = None, end: End = None) -> Batches:
    period = _period(today, start, end)
    return tabular.pages(lambda limit, cursor: lists.findings(
        access, region, period, lists.Page(limit, cursor, cursors), status))


def _uncovered_points(access: Scope, today: date, cursors: CursorCodec, region: Region = None) -> Batches:
    return tabular.pages(lambda limit, cursor: lists.uncovered_points(access, region, lists.Page(limit, cursor, cursors)))


VISITS = Listing("coverage-visits", "检查明细", columns.VISITS, MANAGERS, _visits)
FINDINGS_LIST = Listing("coverage-findings", "问题明细", FINDINGS, MANAGERS, _findings)
UNCOVERED = Listing("uncovered-points", "未张贴警示告知的控制点", UNCOVERED_POINTS, MANAGERS, _uncovered_points)
LISTINGS = (VISITS, FINDINGS_LIST, UNCOVERED)


class CoverageExportController(Controller):
    """The lists behind the coverage figures as CSV or XLSX files, with their parameters."""

    path = "/api/exports"
    tags = ["exports"]
    opt = roles(MANAGERS)

    @export("coverage-visits", "The visits behind the coverage figures as a file")
    async def visits(self, request: Request, access: Access, today: Today, cursors: Cursors, region: Region = None,
                     start: Start = None, end: End = None, inspector: Inspector = None,
                     awaiting_review: AwaitingReview = False) -> Stream:
        return await VISITS.download(request, access, today, cursors, region=region, start=start, end=end,
                                     inspector=inspector, awaiting_review=awaiting_review)

    @export("coverage-findings", "The findings behind the coverage figures as a file")
    async def findings(self, request: Request, access: Access, today: Today, cursors: Cursors, status: FindingStatus,
                       region: Region = None, start: Start = None, end: End = None) -> Stream:
        return await FINDINGS_LIST.download(request, access, today, cursors, status=status, region=region,
                                            start=start, end=end)

    @export("uncovered-points", "Control points without a current warning notice, as a file")
    async def uncovered_points(self, request: Request, access: Access, today: Today, cursors: Cursors,
                               region: Region = None) -> Stream:
        return await UNCOVERED.download(request, access, today, cursors, region=region)

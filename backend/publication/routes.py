"""Publication over HTTP: supervisors and admins see what is due and publish it (one
result, a batch, or all that is due); staff read what was published; admins keep the
working-day calendar; anyone reads the published results, on a page (/gs) and as JSON
(/api/public/results), without signing in, rate-limited per address like /v/{code}."""

from datetime import date
from typing import Annotated

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend.access import MANAGERS, PUBLIC, STAFF, Role, Scope, roles
from backend.accounts import ratelimit
from backend.errors import Invalid
from backend.fields import EARLIEST, LATEST, OUT_OF_ERA, PRINTABLE, SIX_DIGITS
from backend.pagination import Cursor, Cursors, Limit
from backend.publication import page, service, workdays
from backend.publication.schemas import (
    AdjustmentIn, AdjustmentOut, DuePage, PublicPage, PublishDueIn, PublishedCount, PublishedOut, PublishedPage,
    PublishIn,
)

Access = NamedDependency[Scope]
Today = NamedDependency[date]
Region = Annotated[str | None, QueryParameter(pattern=SIX_DIGITS, description="Default: your jurisdiction")]
Query = Annotated[str | None, QueryParameter(max_length=60, pattern=PRINTABLE, description=(
    "Part of an enterprise's name, or its unified social credit code (all 18 characters, or its first 10 or more)"))]
Day = Annotated[date, PathParameter(description="The day (YYYY-MM-DD)")]
ADMINS = frozenset({Role.admin})
PUBLIC_PER_ADDRESS = (120, 60)  # (requests, seconds), as /v/{code}: plenty for a person, too few to crawl
PUBLIC_CACHE = "public, max-age=60"  # a minute late at most, after a publication


class PublicationController(Controller):
    path = "/api/publication"
    tags = ["publication"]
    opt = roles(MANAGERS)  # publishing; staff read what is published

    @get("/due", operation_id="publicationDue",
         summary="Accepted random-draw results not yet published, the longest waiting first, with due dates "
                 "(20 working days after acceptance)")
    async def due(self, access: Access, today: Today, cursors: Cursors, region: Region = None,
                  late: Annotated[bool | None, QueryParameter(description="Only those past (true) or within (false) "
                                                                          "their due date")] = None,
                  limit: Limit = 50, cursor: Cursor = None) -> DuePage:
        return await service.due(access, region, late, service.Page(limit, cursor, cursors), today)

    @post("/", operation_id="publishResults",
          summary="Publish the results of accepted random-draw visits (one or a batch)",
          responses={200: ResponseSpec(list[PublishedOut], description="Published already: the results as they stand")})
    async def publish(self, access: Access, today: Today, data: JSONBody[PublishIn]) -> Response[list[PublishedOut]]:
        results, created = await service.publish(access, data.visit_ids, today)
        return Response(results, status_code=201 if created else 200)

    @post("/due", operation_id="publishAllDue", status_code=200,
          summary="Publish every result awaiting publication in your jurisdiction (or a region of it)")
    async def publish_due(self, access: Access, today: Today, data: JSONBody[PublishDueIn]) -> PublishedCount:
        return await service.publish_due(access, data.region, today)

    @get("/published", operation_id="publishedResults", opt=roles(STAFF),
         summary="Published results of your jurisdiction, newest first (withdrawn ones too, marked)")
    async def published(self, access: Access, today: Today, cursors: Cursors, region: Region = None, q: Query = None,
                        limit: Limit = 50, cursor: Cursor = None) -> PublishedPage:
        return await service.published(access, region, q, service.Page(limit, cursor, cursors), today)


class WorkdayAdjustmentController(Controller):
    """The working-day calendar's adjustments: the days a year's State Council notice
    makes rest or working days, for years the calendar library does not know yet."""

    path = "/api/workday-adjustments"
    tags = ["publication"]
    opt = roles(ADMINS)

    @get("/", operation_id="listWorkdayAdjustments", summary="Adjusted days, in order")
    async def list_adjustments(self, year: Annotated[int | None, QueryParameter(
            ge=EARLIEST.year, le=LATEST.year, description="Of this year")] = None) -> list[AdjustmentOut]:
        return await workdays.list_adjustments(year)

    @put("/{day:date}", operation_id="setWorkdayAdjustment", status_code=201,
         summary="Make a day a working day or a rest day",
         responses={200: ResponseSpec(AdjustmentOut, description="Changed, or already so: the day as it stands")})
    async def put_adjustment(self, access: Access, day: Day, data: JSONBody[AdjustmentIn]) -> Response[AdjustmentOut]:
        result, created = await workdays.put_adjustment(access, _in_era(day), data)
        return Response(result, status_code=201 if created else 200)

    @delete("/{day:date}", operation_id="deleteWorkdayAdjustment", status_code=204,
            summary="Drop a day's adjustment: the calendar library's word holds again")
    async def delete_adjustment(self, access: Access, day: Day) -> None:
        await workdays.delete_adjustment(access, _in_era(day))


def _in_era(day: date) -> date:
    if not EARLIEST <= day <= LATEST:
        raise Invalid(f"`day` {OUT_OF_ERA}", "day", code="date_out_of_era", params={"earliest": EARLIEST, "latest": LATEST})
    return day


async def _public(request: Request, q: str | None, cursor: str | None, cursors: Cursors, limit: int,
                  today: date) -> PublicPage:
    await ratelimit.hit(f"results:{request.client.host if request.client else 'unknown'}", PUBLIC_PER_ADDRESS)
    return await service.public_results(q, service.Page(limit, cursor, cursors), today)


# Both public routes stay out of the OpenAPI document, as /v/{code} does: its rule is that
# every route outside /api/auth/ answers 401, 403 and 404, which these never do.
@get(page.PATH, opt=PUBLIC, include_in_schema=False)
async def results_page(request: Request, today: Today, cursors: Cursors, q: Query = None,
                       cursor: Cursor = None) -> Response[str]:
    """Published results for anyone: HTML, no sign-in, no JavaScript."""
    try:
        html, status = page.results_page(q, await _public(request, q, cursor, cursors, 20, today), bool(cursor)), 200
    except Invalid as e:
        html, status = page.results_page(q, None, bool(cursor), e.field), 400
    return Response(html, media_type="text/html; charset=utf-8", status_code=status,
                    headers={"Cache-Control": PUBLIC_CACHE if status == 200 else "no-store"})


@get("/api/public/results", opt=PUBLIC, include_in_schema=False)
async def results_feed(request: Request, today: Today, cursors: Cursors, q: Query = None, cursor: Cursor = None,
                       limit: Limit = 20) -> Response[PublicPage]:
    """The same as JSON: ``items`` (plan, enterprise name and USCC, visit date, result,
    bureau, publication date), newest first, and ``next_cursor``."""
    return Response(await _public(request, q, cursor, cursors, limit, today), headers={"Cache-Control": PUBLIC_CACHE})

from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.accounts.guards import MANAGERS, roles
from backend.accounts.scope import Scope
from backend.coverage import service
from backend.coverage.schemas import CoverageOut
from backend.fields import SIX_DIGITS


class CoverageController(Controller):
    path = "/api/coverage"
    tags = ["coverage"]
    opt = roles(MANAGERS)

    @get("/", operation_id="getCoverage", summary="Visit coverage of a region in your jurisdiction over a period")
    async def coverage(
        self,
        access: NamedDependency[Scope],
        today: NamedDependency[date],
        region: Annotated[str | None, QueryParameter(pattern=SIX_DIGITS, description="Default: your jurisdiction")] = None,
        start: Annotated[date | None, QueryParameter(description="First day (default: 1 January this year)")] = None,
        end: Annotated[date | None, QueryParameter(description="Last day (default: today)")] = None,
    ) -> CoverageOut:
        return await service.coverage(access, region, start or today.replace(month=1, day=1), end or today, today)

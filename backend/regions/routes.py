from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from backend.access import STAFF, Scope, roles
from backend.fields import SIX_DIGITS
from backend.regions import service
from backend.regions.schemas import RegionOut
from backend.regions.tables import RegionLevel

RegionCode = Annotated[str, PathParameter(pattern=SIX_DIGITS, description="6-digit GB/T 2260 code")]


class RegionController(Controller):
    path = "/api/regions"
    tags = ["regions"]
    opt = roles(STAFF)

    @get("/", operation_id="listRegions", summary="Regions in your jurisdiction")
    async def list_regions(
        self,
        access: NamedDependency[Scope],
        level: Annotated[RegionLevel | None, QueryParameter(description="Only this level")] = None,
        under: Annotated[
            str | None, QueryParameter(pattern=SIX_DIGITS, description="Only regions below this one (6-digit code)")
        ] = None,
    ) -> list[RegionOut]:
        return await service.list_regions(access, level=level, under_code=under)

    @get("/{code:str}", operation_id="getRegion", summary="One region")
    async def get_region(self, access: NamedDependency[Scope], code: RegionCode) -> RegionOut:
        return await service.get_region(access, code)

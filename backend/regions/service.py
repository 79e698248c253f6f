"""Region rules: lookups, subtree filters and seeding. Knows nothing of HTTP."""

from __future__ import annotations

from typing import Iterable

import msgspec

from backend import access
from backend.access import Scope
from backend.errors import Invalid, NotFound
from backend.regions.schemas import RegionOut
from backend.regions.tables import Region, RegionLevel

async def list_regions(scope: Scope, level: RegionLevel | None = None, under_code: str | None = None) -> list[RegionOut]:
    if scope.enterprise_id is not None:
        return []
    query = Region.select().where(*access.in_region(scope, Region)).order_by(Region.code)
    if level is not None:
        query = query.where(Region.level == level)
    if under_code is not None:
        parent = await get_region(scope, under_code, field="under")
        query = query.where(access.under(Region, parent.code, parent.level), Region.code != parent.code)
    return msgspec.convert(await query, list[RegionOut])


async def get_region(scope: Scope, code: str, field: str | None = None) -> RegionOut:
    row = await Region.select().where(Region.code == code, *access.in_region(scope, Region)).first()
    if row is None or scope.enterprise_id is not None:
        raise NotFound(f"No region with code {code!r} in your jurisdiction.", field, code="region_not_found", params={"code": code})
    return msgspec.convert(row, RegionOut)


async def county_for_write(scope: Scope, code: str, field: str) -> RegionOut:
    """The county an enterprise is registered in; must exist, be a county and lie in scope."""
    row = await Region.select().where(Region.code == code).first()
    if row is None:
        raise Invalid(f"No region with code {code!r} (a 6-digit GB/T 2260 county code).", field, code="region_unknown", params={"code": code})
    if row["level"] != RegionLevel.county:
        raise Invalid(f"Region {code} ({row['name']}) is a {row['level']}, not a county.", field, code="region_not_county", params={"code": code, "name": row['name'], "level": row['level']})
    if not await Region.exists().where(Region.code == code, *access.in_region(scope, Region)):
        raise Invalid(f"Region {code} ({row['name']}) is outside your jurisdiction.", field, code="region_outside_jurisdiction", params={"code": code, "name": row['name']})
    return msgspec.convert(row, RegionOut)


async def insert_regions(regions: Iterable[RegionOut]) -> int:
    """Add regions that are not there yet; returns how many were added."""
    rows = [Region(**msgspec.structs.asdict(r)) for r in regions]
    existing = {r["code"] for r in await Region.select(Region.code)}
    new = [r for r in rows if r.code not in existing]
    if new:
        await Region.insert(*new)
    return len(new)

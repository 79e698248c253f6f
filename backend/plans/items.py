"""Inspection items (抽查事项): what a bureau may inspect in a random-draw plan, on which
enterprise categories, with which checklist template. A bureau's items serve its own
plans and those of the bureaus under it. Knows nothing of HTTP."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import msgspec
from piccolo.querystring import QueryString

from backend import access, clock, db
from backend.access import Scope
from backend.audit import service as audit
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.inspections import checklists
from backend.plans.schemas import ItemIn, ItemOut, ItemPatch
from backend.plans.tables import InspectionItem, Plan
from backend.regions import service as regions
from backend.regions.schemas import RegionOut
from backend.regions.tables import Region

_COLUMNS = (InspectionItem.all_columns(), InspectionItem.region.as_alias("region_code"))


async def create_item(scope: Scope, data: ItemIn) -> ItemOut:
    region = await regions.get_region(scope, data.region_code, "region_code")
    await _check_checklist(data.checklist_code)
    item_id = uuid.uuid4()
    values = {"name": data.name.strip(), "legal_basis": data.legal_basis.strip(),
              "categories": _categories(data.categories), "checklist_code": data.checklist_code}
    async with db.transaction():
        await InspectionItem.insert(InspectionItem(id=item_id, region=region.code, **codes(region), **values))
        await audit.record(scope, "plan_item.created", "inspection_item", item_id,
                           {"region_code": region.code, **values}, place(region))
    return await get_item(scope, item_id)


async def list_items(scope: Scope, bureau: str | None) -> list[ItemOut]:
    """The items a bureau may use (``bureau``: its own and those of the bureaus above it),
    or every item the caller may read."""
    query = InspectionItem.select(*_COLUMNS)
    if bureau is not None:
        region = await regions.get_region(scope, bureau, "bureau")
        query = query.where(InspectionItem.region.is_in(usable_by(region)))
    rows = await query.where(*await _readable(scope)).order_by(InspectionItem.region).order_by(
        InspectionItem.name).order_by(InspectionItem.id).output(load_json=True)
    return msgspec.convert(rows, list[ItemOut])


async def get_item(scope: Scope, item_id: UUID) -> ItemOut:
    row = await InspectionItem.select(*_COLUMNS).where(InspectionItem.id == item_id, *await _readable(scope)).output(
        load_json=True).first()
    if row is None:
        raise NotFound(f"No inspection item {item_id} in your jurisdiction.", code="inspection_item_not_found", params={"id": item_id})
    return msgspec.convert(row, ItemOut)


async def update_item(scope: Scope, item_id: UUID, patch: ItemPatch) -> ItemOut:
    changes = {k: v for k, v in msgspec.structs.asdict(patch).items() if v is not msgspec.UNSET}
    if "checklist_code" in changes:
        await _check_checklist(changes["checklist_code"])
    if "categories" in changes:
        changes["categories"] = _categories(changes["categories"])
    changes = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    async with db.transaction():
        item = await _writable(scope, item_id)
        await InspectionItem.update({**{getattr(InspectionItem, k): v for k, v in changes.items()},
                                     InspectionItem.updated_at: clock.now()}).where(InspectionItem.id == item_id)
        await audit.record(scope, "plan_item.updated", "inspection_item", item_id, changes, _place_of(item))
    return await get_item(scope, item_id)


async def delete_item(scope: Scope, item_id: UUID) -> None:
    """Withdraw an item no plan names (a locked plan keeps a copy of its items anyway)."""
    async with db.transaction():
        item = await _writable(scope, item_id)
        if await Plan.exists().where(QueryString('CAST("inspection_plan"."items" AS TEXT) LIKE {}', f'%"{item_id}"%')):
            raise Conflict("A plan names this item; take it out of the plan first (a locked plan keeps it).", "item_id", code="item_in_plan")
        await InspectionItem.delete().where(InspectionItem.id == item_id)
        await audit.record(scope, "plan_item.deleted", "inspection_item", item_id, {"name": item["name"]},
                           _place_of(item))


def usable_by(region: RegionOut) -> list[str]:
    """The bureaus whose items ``region``'s bureau may use: itself and those above it."""
    return [code for code in (region.province_code, region.city_code, region.county_code) if code]


def codes(region: RegionOut) -> dict[str, Any]:
    """A bureau's region codes, as rows that scope filters read carry them."""
    return {"province_code": region.province_code, "city_code": region.city_code, "county_code": region.county_code}


def place(region: RegionOut) -> audit.Place:
    return audit.Place(region.province_code, region.city_code, region.county_code)


def _place_of(row: dict) -> audit.Place:
    return audit.Place(row["province_code"], row["city_code"], row["county_code"])


def _categories(categories: list[Any]) -> list[str]:
    return sorted({c.value for c in categories})


async def _check_checklist(code: str) -> None:
    if code not in {c.code for c in await checklists.list_checklists()}:
        raise Invalid(f"No checklist template {code!r}; see GET /api/checklists.", "checklist_code", code="checklist_template_not_found", params={"code": code})


async def _readable(scope: Scope) -> list[Any]:
    """Items of the caller's jurisdiction and of the bureaus above it."""
    if scope.region_code is None:
        return [] if scope.enterprise_id is None else [InspectionItem.id.is_null()]
    region = msgspec.convert(await Region.select().where(Region.code == scope.region_code).first(), RegionOut)
    return [access.under(InspectionItem, region.code, region.level) | InspectionItem.region.is_in(usable_by(region))]


async def _writable(scope: Scope, item_id: UUID) -> dict:
    """The item, if the caller's bureau or one above it owns it (Forbidden for an item
    of a bureau above: that bureau changes it)."""
    await get_item(scope, item_id)  # 404 if unreadable
    row = await InspectionItem.select().where(InspectionItem.id == item_id, *access.in_region(scope, InspectionItem)).first()
    if row is None:
        raise Forbidden("This item belongs to a bureau above yours; that bureau changes it.", "item_id", code="item_of_bureau_above")
    return row

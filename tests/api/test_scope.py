"""Services filter by the caller's Scope. Accounts will choose the scope at sign-in;
here scopes are built directly to show that every service honours them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from httpx import AsyncClient

from backend.access import SYSTEM, Role, Scope
from backend.enterprises import schemas, service
from backend.errors import Invalid, NotFound
from backend.pagination import CursorCodec
from backend.regions import service as regions
from backend.settings import DEFAULT_VISIT_INTERVALS
from tests.factories import HUIMIN, LIXIA, enterprise_body

pytestmark = pytest.mark.usefixtures("shandong")

BINZHOU = Scope(role=Role.supervisor, region_code="371600", region_level="city")
TODAY = date(2026, 11, 24)
CURSORS = CursorCodec("test")


@pytest.fixture
async def two(client: AsyncClient) -> dict[str, UUID]:
    ids = {}
    for n, county in ((1, HUIMIN), (2, LIXIA)):
        response = await client.post("/api/enterprises", json=enterprise_body(n, county))
        ids[county] = UUID(response.json()["id"])
    return ids


async def listed(scope: Scope, **filters) -> set[UUID]:
    page = await service.list_enterprises(scope, service.EnterpriseFilter(**filters), "name", 50, None, CURSORS, TODAY)
    return {item.id for item in page.items}


async def test_region_scope_sees_only_its_subtree(two: dict) -> None:
    assert await listed(BINZHOU) == {two[HUIMIN]}
    assert (await service.get_enterprise(BINZHOU, two[HUIMIN], TODAY)).county_code == HUIMIN
    with pytest.raises(NotFound):
        await service.get_enterprise(BINZHOU, two[LIXIA], TODAY)
    with pytest.raises(NotFound):
        await listed(BINZHOU, region="370100")


async def test_region_scope_cannot_write_outside(two: dict) -> None:
    with pytest.raises(NotFound):
        await service.update_enterprise(BINZHOU, two[LIXIA], schemas.EnterprisePatch(name="改名"), TODAY, DEFAULT_VISIT_INTERVALS)
    with pytest.raises(NotFound):
        await service.add_control_point(BINZHOU, two[LIXIA], schemas.ControlPointIn(name="杀菌", kind="sterilisation"))
    with pytest.raises(Invalid, match="outside your jurisdiction"):
        await service.create_enterprise(BINZHOU, schemas.EnterpriseIn(**enterprise_body(3, LIXIA)), TODAY)
    with pytest.raises(Invalid, match="outside your jurisdiction"):
        await service.update_enterprise(BINZHOU, two[HUIMIN], schemas.EnterprisePatch(county_code=LIXIA), TODAY, DEFAULT_VISIT_INTERVALS)
    assert (await service.get_enterprise(SYSTEM, two[LIXIA], TODAY)).name == enterprise_body(2, LIXIA)["name"]


async def test_region_scope_limits_regions() -> None:
    codes = {r.code for r in await regions.list_regions(BINZHOU)}
    assert "371600" in codes and HUIMIN in codes and LIXIA not in codes and "370000" not in codes
    with pytest.raises(NotFound):
        await regions.get_region(BINZHOU, "370100")


async def test_enterprise_scope_sees_only_itself(two: dict) -> None:
    own = Scope(role=Role.enterprise, enterprise_id=two[HUIMIN])
    assert await listed(own) == {two[HUIMIN]}
    with pytest.raises(NotFound):
        await service.get_enterprise(own, two[LIXIA], TODAY)
    assert await regions.list_regions(own) == []

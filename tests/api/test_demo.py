"""The demo data set: real regions, valid USCCs, Huimin's rope-net makers; deterministic."""

from __future__ import annotations

from datetime import date

import pytest
from httpx import AsyncClient

from backend import demo
from backend.enterprises import uscc
from backend.enterprises.tables import ControlPoint, Enterprise, Licence
from backend.notices.tables import Notice

TODAY = date(2026, 11, 24)


async def all_items(client: AsyncClient, **params) -> list[dict]:
    items, cursor = [], None
    while True:
        page = (await client.get("/api/enterprises", params={"limit": 200, **params} | ({"cursor": cursor} if cursor else {}))).json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            return items


async def test_demo_data_set_follows_the_domain(client: AsyncClient) -> None:
    summary = await demo.load(today=TODAY)
    assert summary.startswith("Loaded 600 enterprises")
    assert await Enterprise.count() == 600

    codes = [row["uscc"] for row in await Enterprise.select(Enterprise.uscc)]
    assert len(set(codes)) == 600 and all(uscc.validate(c) == c for c in codes)

    huimin = await all_items(client, region=demo.ROPE_NET_COUNTY)
    rope = [e for e in huimin if any(p in e["name"] for p in demo.ROPE_NETS.products)]
    assert len(rope) == demo.ROPE_NET_MAKERS
    assert sum(e["licence_state"] != "missing" for e in rope) == demo.ROPE_NET_LICENSED

    categories = {e["category"] for e in await all_items(client)}
    assert categories == {"food_production", "food_related_products", "special_equipment", "industrial_products"}
    # Some licences run out soon, so the "expiring" filter has something to show.
    assert await all_items(client, licence="expiring", within_days=60)
    counts = await ControlPoint.count(), await Licence.count()
    assert counts[0] >= 3 * 600 and counts[1] > 250  # most of the 320 others hold one

    # Warning notices: about two in five control points carry a current one; one was replaced.
    notices = await Notice.select(Notice.id, Notice.code, Notice.control_point, Notice.status, Notice.replaced_by)
    current = [n for n in notices if n["status"] == "current"]
    replaced = [n for n in notices if n["status"] == "replaced"]
    assert 0.3 * counts[0] < len(current) < 0.5 * counts[0] and len(replaced) == 1
    assert len({n["control_point"] for n in current}) == len(current) and len({n["code"] for n in notices}) == len(notices)
    successor = next(n for n in current if n["id"] == replaced[0]["replaced_by"])
    assert successor["control_point"] == replaced[0]["control_point"]
    assert "真实有效" in (await client.get(f"/v/{successor['code']}")).text
    assert "已失效" in (await client.get(f"/v/{replaced[0]['code']}")).text
    coverage = (await client.get("/api/coverage", params={"region": demo.ROPE_NET_COUNTY})).json()
    assert 0 < coverage["control_points_without_notice"] < coverage["control_points"]


async def test_demo_refuses_to_mix_with_existing_data(client: AsyncClient) -> None:
    await demo.load(count=5, today=TODAY)
    assert "already holds 5 enterprises" in await demo.load(if_empty=True)
    with pytest.raises(demo.DemoRefused, match="already holds 5"):
        await demo.load()
    assert await Enterprise.count() == 5


def test_same_seed_same_data_other_seed_other_data() -> None:
    def rows(seed: int) -> list[tuple]:
        return [e for chunk, _, _ in demo.Generator(300, seed, TODAY).chunks() for e in chunk]

    assert rows(7) == rows(7)

    def notices(seed: int) -> list[tuple]:
        generator = demo.Generator(300, seed, TODAY)
        template = {"id": "t"}
        return [n for _, _, points in generator.chunks() for n in generator.notices(points, {"other": template})]

    assert notices(7) == notices(7) and notices(7) != notices(8)
    assert [r[2] for r in rows(7)] != [r[2] for r in rows(8)]


def test_every_county_code_matches_its_city() -> None:
    regions = demo.region_rows()
    codes = [r.code for r in regions]
    assert len(codes) == len(set(codes))
    assert all(r.code[:4] == r.city_code[:4] for r in regions if r.level == "county")

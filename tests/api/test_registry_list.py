"""Listing the registry: filters, text search, sorting and keyset pagination."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient

from backend.clock import bureau_today
from tests.factories import BINCHENG, HUIMIN, LIXIA, enterprise_body

pytestmark = pytest.mark.usefixtures("shandong")


def licence(days_left: int, status: str = "valid") -> dict:
    today = bureau_today()
    return {
        "number": f"SC1013716{days_left:07d}",
        "valid_from": (today - timedelta(days=365)).isoformat(),
        "valid_to": (today + timedelta(days=days_left)).isoformat(),
        "status": status,
    }


@pytest.fixture
async def registry(client: AsyncClient) -> dict[str, str]:
    """Six enterprises in three counties of two cities; returns name -> id."""
    bodies = [
        enterprise_body(1, HUIMIN, name="惠民县鑫达绳网厂", risk_grade="C"),
        enterprise_body(2, HUIMIN, name="惠民县华泰绳网有限公司", licences=[licence(10)]),
        enterprise_body(3, BINCHENG, name="滨州恒源面粉有限公司", category="food_production", licences=[licence(400)],
                        address="山东省滨州市滨城区黄河路8号"),
        enterprise_body(4, BINCHENG, name="滨州鲁康乳业有限公司", category="food_production", risk_grade="D",
                        licences=[licence(20, status="suspended")]),
        enterprise_body(5, LIXIA, name="济南瑞丰电梯有限公司", category="special_equipment", licences=[licence(-3)],
                        address="山东省济南市历下区泉城路1号"),
        enterprise_body(6, LIXIA, name="济南金海包装制品厂", category="food_related_products", risk_grade="A",
                        licences=[licence(45)]),
    ]
    ids = {}
    for body in bodies:
        response = await client.post("/api/enterprises", json=body)
        assert response.status_code == 201, response.text
        ids[body["name"]] = response.json()["id"]
    return ids


async def names(client: AsyncClient, **params) -> list[str]:
    response = await client.get("/api/enterprises", params=params)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["惠民县华泰绳网有限公司", "惠民县鑫达绳网厂", "济南瑞丰电梯有限公司", "济南金海包装制品厂", "滨州恒源面粉有限公司", "滨州鲁康乳业有限公司"]),
        ({"region": "370000"}, None),  # the whole province: everything
        ({"region": "371600"}, ["惠民县华泰绳网有限公司", "惠民县鑫达绳网厂", "滨州恒源面粉有限公司", "滨州鲁康乳业有限公司"]),
        ({"region": HUIMIN}, ["惠民县华泰绳网有限公司", "惠民县鑫达绳网厂"]),
        ({"region": "370200"}, []),
        ({"category": "food_production"}, ["滨州恒源面粉有限公司", "滨州鲁康乳业有限公司"]),
        ({"risk_grade": "D"}, ["滨州鲁康乳业有限公司"]),
        ({"licence": "missing"}, ["惠民县鑫达绳网厂", "济南瑞丰电梯有限公司", "滨州鲁康乳业有限公司"]),
        ({"licence": "expiring"}, ["惠民县华泰绳网有限公司"]),
        ({"licence": "expiring", "within_days": 60}, ["惠民县华泰绳网有限公司", "济南金海包装制品厂"]),
        ({"q": "绳网"}, ["惠民县华泰绳网有限公司", "惠民县鑫达绳网厂"]),
        ({"q": "黄河路"}, ["滨州恒源面粉有限公司"]),
        ({"q": enterprise_body(5, LIXIA)["uscc"][-6:].lower()}, ["济南瑞丰电梯有限公司"]),
        ({"q": "济南", "category": "special_equipment"}, ["济南瑞丰电梯有限公司"]),
        ({"q": "50%_"}, []),
    ],
)
async def test_filters(client: AsyncClient, registry: dict, params: dict, expected: list[str] | None) -> None:
    everything = await names(client)
    assert await names(client, **params) == (everything if expected is None else expected)


async def test_summaries_carry_licence_state(client: AsyncClient, registry: dict) -> None:
    items = (await client.get("/api/enterprises", params={"region": BINCHENG})).json()["items"]
    states = {i["name"]: (i["licence_state"], i["licence_valid_to"]) for i in items}
    far = (bureau_today() + timedelta(days=400)).isoformat()
    assert states == {"滨州恒源面粉有限公司": ("valid", far), "滨州鲁康乳业有限公司": ("missing", None)}
    assert {i["county_name"] for i in items} == {"滨城区"}


@pytest.mark.parametrize("sort", ["name", "-name", "uscc", "-uscc", "risk_grade", "-risk_grade", "created_at", "-created_at"])
async def test_keyset_pages_cover_everything_once_in_order(client: AsyncClient, registry: dict, sort: str) -> None:
    seen, cursor = [], None
    while True:
        params = {"sort": sort, "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/enterprises", params=params)).json()
        assert len(page["items"]) <= 2
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    field = sort.lstrip("-")
    keys = [(item[field], item["id"]) for item in seen]
    assert keys == sorted(keys, reverse=sort.startswith("-"))
    assert sorted(item["id"] for item in seen) == sorted(registry.values())


async def test_last_page_has_no_cursor(client: AsyncClient, registry: dict) -> None:
    page = (await client.get("/api/enterprises", params={"limit": 6})).json()
    assert len(page["items"]) == 6 and page["next_cursor"] is None


async def test_tampered_cursor_is_refused(client: AsyncClient, registry: dict) -> None:
    cursor = (await client.get("/api/enterprises", params={"limit": 2})).json()["next_cursor"]
    body, sig = cursor.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    for bad in (f"{flipped}.{sig}", f"{body}.{sig[:-1]}", "garbage", "..", f"{body}"):
        response = await client.get("/api/enterprises", params={"limit": 2, "cursor": bad})
        assert response.status_code == 400, bad
        assert response.json()["extra"][0]["key"] == "cursor"


async def test_cursor_of_another_sort_is_refused(client: AsyncClient, registry: dict) -> None:
    cursor = (await client.get("/api/enterprises", params={"limit": 2})).json()["next_cursor"]
    response = await client.get("/api/enterprises", params={"limit": 2, "cursor": cursor, "sort": "uscc"})
    assert response.status_code == 400 and "sort='name'" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"sort": "password"}, "sort"),
        ({"risk_grade": "Z"}, "risk_grade"),
        ({"licence": "sometimes"}, "licence"),
        ({"within_days": "soon"}, "within_days"),
        ({"region": "37"}, "region"),
        ({"q": "%%"}, "q"),
        ({"q": "长" * 101}, "q"),
        ({"q": "绳\x00网"}, "q"),
        ({"due_from": "yesterday"}, "due_from"),
        ({"due_from": "2026-12-01", "due_to": "2026-11-01"}, "due_to"),
    ],
)
async def test_bad_query_parameters_are_400(client: AsyncClient, params: dict, field: str) -> None:
    response = await client.get("/api/enterprises", params=params)
    assert response.status_code == 400, response.text
    assert field in {e.get("key") for e in response.json()["extra"]}


async def test_unknown_region_filter_is_404(client: AsyncClient) -> None:
    response = await client.get("/api/enterprises", params={"region": "379999"})
    assert response.status_code == 404 and response.json()["extra"][0]["key"] == "region"


async def test_empty_registry_is_an_empty_page(client: AsyncClient) -> None:
    assert (await client.get("/api/enterprises")).json() == {"items": [], "next_cursor": None}

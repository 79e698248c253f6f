"""The registry's write API: create, read, update; bad input refused with nothing written."""

from __future__ import annotations

from uuid import uuid4

import pytest
from httpx import AsyncClient

from backend.enterprises import query
from backend.enterprises.tables import ControlPoint, Enterprise, Licence
from backend.regions import service as regions
from backend.regions.schemas import RegionOut
from backend.regions.tables import RegionLevel
from tests.factories import BINCHENG, LIXIA, enterprise_body, make_uscc

pytestmark = pytest.mark.usefixtures("shandong")

LICENCE = {"number": "(鲁)XK16-204-00001", "scope": "安全网", "valid_from": "2024-01-01", "valid_to": "2029-01-01"}


async def rows_written() -> tuple[int, int, int]:
    return await Enterprise.count(), await Licence.count(), await ControlPoint.count()


async def create(client: AsyncClient, n: int = 1, body: dict | None = None, **overrides) -> dict:
    response = await client.post("/api/enterprises", json=body or enterprise_body(n, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_and_read_back(client: AsyncClient) -> None:
    created = await create(
        client,
        latitude=37.49,
        longitude=117.51,
        contacts=[{"name": "王伟", "role": "法定代表人", "phone": "13800000000"}],
        licences=[LICENCE],
        control_points=[
            {"name": "出厂检验", "kind": "factory_exit_inspection", "location": "检验室", "position": 2},
            {"name": "原料进厂检验", "kind": "raw_material_intake", "position": 1},
        ],
    )
    fetched = (await client.get(f"/api/enterprises/{created['id']}")).json()
    assert fetched == created
    assert fetched["county_name"] == "惠民县"
    assert (fetched["city_code"], fetched["province_code"]) == ("371600", "370000")
    assert fetched["licence_state"] == "valid" and fetched["licence_valid_to"] == "2029-01-01"
    assert [p["name"] for p in fetched["control_points"]] == ["原料进厂检验", "出厂检验"]
    assert fetched["contacts"][0]["name"] == "王伟"


async def test_uscc_is_normalised(client: AsyncClient) -> None:
    code = make_uscc(7)
    created = await create(client, 7, uscc=f" {code[:9].lower()} {code[9:]} ")
    assert created["uscc"] == code


async def test_malformed_json_is_refused(client: AsyncClient) -> None:
    response = await client.post(
        "/api/enterprises", content=b'{"name": "x",', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert await rows_written() == (0, 0, 0)


@pytest.mark.parametrize(
    ("overrides", "status", "field", "words"),
    [
        ({"risk_grade": 5}, 400, "risk_grade", "Expected `str`"),
        ({"risk_grade": "E"}, 400, "risk_grade", "Invalid enum value"),
        ({"colour": "red"}, 400, "colour", "unknown field"),
        ({"name": "长" * 201}, 400, "name", "length <= 200"),
        ({"county_code": "379999"}, 400, "county_code", "No region with code '379999'"),
        ({"county_code": "371600"}, 400, "county_code", "is a city, not a county"),
        ({"county_code": "37162"}, 400, "county_code", "must be a 6-digit GB/T 2260 region code"),
        ({"uscc": make_uscc(1)[:-1] + ("0" if make_uscc(1)[-1] != "0" else "1")}, 400, "uscc", "check character is wrong"),
        ({"uscc": "91371621MA3C0I0001"}, 400, "uscc", "except I, O, S, V and Z"),
        ({"uscc": "9137162"}, 400, "uscc", "has 7"),
        ({"latitude": 91}, 400, "latitude", "<= 90"),
        ({"licences": [{**LICENCE, "valid_to": "2023-01-01"}]}, 400, "licences[0].valid_to", "cannot end"),
        ({"licences": [{**LICENCE, "status": "lost"}]}, 400, "licences", "Invalid enum value"),
        ({"control_points": [{"name": "杀菌", "kind": "boiling"}]}, 400, "control_points", "Invalid enum value"),
        ({"contacts": [{"name": "王伟", "phone": "call me"}]}, 400, "contacts", "only digits, spaces"),
        ({"name": "惠民\x00绳网厂"}, 400, "name", "must not contain control characters"),
        ({"address": "惠民县\x1b[31m"}, 400, "address", "must not contain control characters"),
    ],
)
async def test_bad_enterprise_is_refused_and_nothing_written(
    client: AsyncClient, overrides: dict, status: int, field: str, words: str
) -> None:
    body = enterprise_body(1, **overrides)
    response = await client.post("/api/enterprises", json=body)
    assert response.status_code == status, response.text
    error = response.json()
    where = " ".join(f"{e.get('key', '')} {e['message']}" for e in error.get("extra", []))
    assert field in where and words in where, error
    assert await rows_written() == (0, 0, 0)


async def test_duplicate_uscc_is_a_conflict(client: AsyncClient) -> None:
    await create(client, 1)
    response = await client.post("/api/enterprises", json=enterprise_body(1, name="另一家公司"))
    assert response.status_code == 409
    assert response.json()["extra"] == [{"key": "uscc", "message": f"An enterprise with USCC {make_uscc(1)} is already registered.",
                                         "code": "uscc_taken", "params": {"uscc": make_uscc(1)}}]
    assert await Enterprise.count() == 1


async def test_a_registration_with_its_id_may_be_sent_again(client: AsyncClient) -> None:
    """(Sent many times at once: tests/api/test_exactly_once_accounts.py.)"""
    body = enterprise_body(3, id=str(uuid4()), licences=[LICENCE])
    first = await client.post("/api/enterprises", json=body)
    assert first.status_code == 201 and first.json()["id"] == body["id"]
    again = await client.post("/api/enterprises", json=body)
    assert again.status_code == 200 and again.json() == first.json()
    other = await client.post("/api/enterprises", json={**body, "uscc": make_uscc(4), "name": "另一家公司"})
    assert other.status_code == 409 and other.json()["extra"][0]["key"] == "id"
    assert await rows_written() == (1, 1, 0)


async def test_patch_changes_only_given_fields(client: AsyncClient) -> None:
    created = await create(client, 1, latitude=37.0)
    response = await client.patch(
        f"/api/enterprises/{created['id']}", json={"name": "惠民县新名称绳网有限公司", "latitude": None}
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "惠民县新名称绳网有限公司" and updated["latitude"] is None
    assert updated["uscc"] == created["uscc"] and updated["address"] == created["address"]
    assert updated["updated_at"] > created["updated_at"]


async def test_moving_county_moves_the_region_columns(client: AsyncClient) -> None:
    created = await create(client, 1)
    updated = (await client.patch(f"/api/enterprises/{created['id']}", json={"county_code": LIXIA})).json()
    assert (updated["county_code"], updated["county_name"], updated["city_code"]) == (LIXIA, "历下区", "370100")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"uscc": make_uscc(2)}, 409, "uscc"),
        ({"uscc": "123"}, 400, "uscc"),
        ({"county_code": "370000"}, 400, "county_code"),
        ({"nmae": "typo"}, 400, "nmae"),
        ({"address": ""}, 400, "address"),
    ],
)
async def test_bad_patch_changes_nothing(client: AsyncClient, body: dict, status: int, field: str) -> None:
    first = await create(client, 1)
    await create(client, 2)
    response = await client.patch(f"/api/enterprises/{first['id']}", json=body)
    assert response.status_code == status, response.text
    assert field in {e["key"] for e in response.json()["extra"]}
    assert (await client.get(f"/api/enterprises/{first['id']}")).json() == first


async def test_unknown_enterprise_is_404(client: AsyncClient) -> None:
    missing = uuid4()
    assert (await client.get(f"/api/enterprises/{missing}")).status_code == 404
    assert (await client.patch(f"/api/enterprises/{missing}", json={"name": "x"})).status_code == 404
    assert (await client.post(f"/api/enterprises/{missing}/licences", json=LICENCE)).status_code == 404
    assert (await client.get("/api/enterprises/not-a-uuid")).status_code in (400, 404)
    assert await rows_written() == (0, 0, 0)


async def test_licences_added_and_changed(client: AsyncClient) -> None:
    created = await create(client, 1)
    assert created["licence_state"] == "missing"
    added = await client.post(f"/api/enterprises/{created['id']}/licences", json=LICENCE)
    assert added.status_code == 201, added.text
    licence = added.json()
    assert (await client.get(f"/api/enterprises/{created['id']}")).json()["licence_state"] == "valid"

    revoked = await client.patch(
        f"/api/enterprises/{created['id']}/licences/{licence['id']}", json={"status": "revoked"}
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert (await client.get(f"/api/enterprises/{created['id']}")).json()["licence_state"] == "missing"

    backwards = await client.patch(
        f"/api/enterprises/{created['id']}/licences/{licence['id']}", json={"valid_to": "2020-01-01"}
    )
    assert backwards.status_code == 400 and backwards.json()["extra"][0]["key"] == "valid_to"
    assert (await Licence.select(Licence.valid_to).first())["valid_to"].isoformat() == "2029-01-01"


async def test_licence_of_another_enterprise_is_404(client: AsyncClient) -> None:
    first = await create(client, 1, licences=[LICENCE])
    second = await create(client, 2)
    licence_id = first["licences"][0]["id"]
    response = await client.patch(f"/api/enterprises/{second['id']}/licences/{licence_id}", json={"status": "revoked"})
    assert response.status_code == 404
    assert (await client.get(f"/api/enterprises/{first['id']}")).json()["licences"][0]["status"] == "valid"


async def test_control_points_added_and_changed(client: AsyncClient) -> None:
    created = await create(client, 1, county=BINCHENG)
    url = f"/api/enterprises/{created['id']}/control-points"
    point = (await client.post(url, json={"name": "杀菌", "kind": "sterilisation", "location": "二车间"})).json()
    changed = await client.patch(f"{url}/{point['id']}", json={"position": 3, "location": "三车间"})
    assert changed.status_code == 200
    assert changed.json() == {**point, "position": 3, "location": "三车间"}
    refused = await client.patch(f"{url}/{point['id']}", json={"kind": "boiling"})
    assert refused.status_code == 400
    assert (await client.patch(f"{url}/{uuid4()}", json={"position": 1})).status_code == 404


async def test_risk_grades_list_visit_intervals(client: AsyncClient) -> None:
    grades = (await client.get("/api/risk-grades")).json()
    assert grades == [
        {"grade": "A", "visit_interval_days": 365},
        {"grade": "B", "visit_interval_days": 180},
        {"grade": "C", "visit_interval_days": 120},
        {"grade": "D", "visit_interval_days": 90},
    ]


# ---------------------------------------------------------------------------- text search
# A term is found in the name, USCC or address, whatever its length: trigram indexes
# (FTS5 on SQLite, pg_trgm on PostgreSQL) serve 3 characters and more, the trigrams that
# begin with it (SQLite) or a bigram index (PostgreSQL) serve 1-2 characters, and a
# common term is checked row by row in a walk of the sort's index instead
# (backend/enterprises/query.py). Each term here is asked both ways.

SEARCHED = [
    enterprise_body(1, name="惠民县鑫达绳网厂", address="山东省滨州市惠民县工业路150号"),
    enterprise_body(2, name="滨州恒源面粉有限公司", address="山东省滨州市滨城区黄河路8号"),
    enterprise_body(3, LIXIA, name="济南瑞丰电梯有限公司（鲁）", address="山东省济南市历下区泉城路1号"),
    enterprise_body(4, LIXIA, name="济南ABC包装制品厂", address="山东省济南市历下区经十路27号"),
]


@pytest.fixture
async def searched(client: AsyncClient) -> None:
    for body in SEARCHED:
        await create(client, body=body)


async def found(client: AsyncClient, q: str, **params: str) -> list[int]:
    """The SEARCHED enterprises (by number) that ``q`` finds, by name."""
    response = await client.get("/api/enterprises", params={"q": q, **params})
    assert response.status_code == 200, response.text
    names = [body["name"] for body in SEARCHED]
    return sorted(names.index(item["name"]) + 1 for item in response.json()["items"])


@pytest.fixture(params=["index", "walk"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every term both from its index (as if rare) and by a walk (as if common)."""
    monkeypatch.setattr(query, "DRIVE_AT", 10**9 if request.param == "index" else -1)
    monkeypatch.setattr(query, "FENCE_AT", 10**9 if request.param == "index" else -1)
    monkeypatch.setattr(query, "FENCE_SHARE", 10**9)
    return request.param


@pytest.mark.usefixtures("searched", "plan")
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("绳网", [1]),  # two Chinese characters: no trigram
        ("网厂", [1]),  # two, ending the name
        ("绳", [1]),
        ("厂", [1, 4]),  # one, ending the name
        ("号", [1, 2, 3, 4]),  # ending the address
        ("面粉有", [2]),
        ("恒源面粉有限公司", [2]),
        ("有限公司", [2, 3]),
        ("黄河路", [2]),
        ("济南", [3, 4]),
        ("（鲁）", [3]),
        ("厂9", []),  # never across name and USCC
        ("号山", []),
        ("不存在", []),
        ("鬼", []),
        ("913716", [1, 2]),  # a USCC's beginning
        ("371000", []),  # its trigrams first and last, but never together
        ("91", [1, 2, 3, 4]),
        (make_uscc(2)[-6:].lower(), [2]),  # its end, in lower case
        (make_uscc(2)[13:17], [2]),  # its middle
        ("150", [1]),
        ("1_5%0", [1]),  # % and _ are no wildcards: they are dropped
        ("ABC", [4]),
        ('"绳网', []),  # full-text query syntax is only text
        ("绳网*", []),
        ("绳网 OR 面粉", []),
    ],
)
async def test_search_finds_a_term_of_any_length(client: AsyncClient, q: str, expected: list[int]) -> None:
    assert await found(client, q) == expected


@pytest.mark.usefixtures("searched", "plan")
async def test_search_is_ascii_case_blind_on_sqlite_as_its_like(client: AsyncClient, database_url: str) -> None:
    # USCCs are upper case and matched so; names and addresses as the engine's LIKE does.
    assert await found(client, "abc") == ([4] if database_url.startswith("sqlite") else [])


@pytest.mark.usefixtures("searched", "plan")
async def test_search_combines_with_filters_and_sorts(client: AsyncClient) -> None:
    assert await found(client, "有限公司", region=LIXIA) == [3]
    assert await found(client, "号", region="371600", sort="-created_at") == [1, 2]
    assert await found(client, "济南", sort="uscc", category="industrial_products") == [3, 4]
    # A USCC's end, and its start, each within a county: the filter binds every form.
    assert await found(client, SEARCHED[1]["uscc"][-6:], region=LIXIA) == []
    assert await found(client, SEARCHED[2]["uscc"][-6:], region=LIXIA) == [3]
    assert await found(client, SEARCHED[1]["uscc"][:8], region=LIXIA) == []


@pytest.mark.usefixtures("searched", "plan")
@pytest.mark.parametrize("sort", ["name", "-uscc", "risk_grade", "-created_at"])
async def test_search_pages_cover_every_match_once_in_order(client: AsyncClient, sort: str) -> None:
    """A page at a time, as one page holds them all: a USCC prefix's rows
    come from a union of two windows (query._union), each past the cursor."""
    params = {"q": "9137", "sort": sort}
    whole = (await client.get("/api/enterprises", params=params)).json()["items"]
    seen, cursor = [], None
    while True:
        page = (await client.get("/api/enterprises", params={**params, "limit": 1} | ({"cursor": cursor} if cursor else {}))).json()
        seen += page["items"]
        if (cursor := page["next_cursor"]) is None:
            break
    assert len(whole) == 4 and [item["id"] for item in seen] == [item["id"] for item in whole]


async def test_search_follows_renames_and_new_registrations(client: AsyncClient) -> None:
    created = await create(client, 1, name="惠民县鑫达绳网厂")
    assert [i["id"] for i in (await client.get("/api/enterprises", params={"q": "绳网"})).json()["items"]] == [created["id"]]
    await client.patch(f"/api/enterprises/{created['id']}", json={"name": "惠民县鑫达渔具厂", "uscc": make_uscc(9)})
    for q, hits in (("绳网", 0), ("渔具", 1), (make_uscc(1)[-6:], 0), (make_uscc(9)[-6:], 1)):
        assert len((await client.get("/api/enterprises", params={"q": q})).json()["items"]) == hits, q


@pytest.mark.usefixtures("plan")
async def test_a_province_keeps_to_itself_beside_another(client: AsyncClient) -> None:
    """A province admin's filters skip the province check while every enterprise lies in
    it, and keep it once another province holds one."""
    await create(client, 1, category="food_production")
    await regions.insert_regions([
        RegionOut(code=code, name=name, name_en=name, level=level, province_code="110000",
                  city_code=None if level == RegionLevel.province else "110100",
                  county_code="110101" if level == RegionLevel.county else None)
        for code, name, level in (("110000", "北京市", RegionLevel.province), ("110100", "市辖区", RegionLevel.city),
                                  ("110101", "东城区", RegionLevel.county))])
    beijing = enterprise_body(2, "110101", category="food_production")
    await Enterprise.insert(Enterprise(**{k: v for k, v in beijing.items() if k != "county_code"}, id=uuid4(),
                                       county_code="110101", city_code="110100", province_code="110000"))
    for params in ({}, {"category": "food_production"}, {"q": "绳网"}, {"q": "绳"}):
        items = (await client.get("/api/enterprises", params=params)).json()["items"]
        assert [item["uscc"] for item in items] == [make_uscc(1)], params

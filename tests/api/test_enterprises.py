"""The registry's write API: create, read, update; bad input refused with nothing written."""

from __future__ import annotations

from uuid import uuid4

import pytest
from httpx import AsyncClient

from backend.enterprises.tables import ControlPoint, Enterprise, Licence
from tests.factories import BINCHENG, LIXIA, enterprise_body, make_uscc

pytestmark = pytest.mark.usefixtures("shandong")

LICENCE = {"number": "(鲁)XK16-204-00001", "scope": "安全网", "valid_from": "2024-01-01", "valid_to": "2029-01-01"}


async def rows_written() -> tuple[int, int, int]:
    return await Enterprise.count(), await Licence.count(), await ControlPoint.count()


async def create(client: AsyncClient, n: int = 1, **overrides) -> dict:
    response = await client.post("/api/enterprises", json=enterprise_body(n, **overrides))
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
    assert response.json()["extra"] == [{"key": "uscc", "message": f"An enterprise with USCC {make_uscc(1)} is already registered."}]
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

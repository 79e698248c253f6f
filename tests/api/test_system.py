"""Health, the OpenAPI document and regions."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from httpx import AsyncClient
from litestar import Litestar

from backend.settings import Settings


async def test_health_names_the_database(client: AsyncClient, settings: Settings) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": settings.database_kind}


async def test_openapi_document_describes_every_route(client: AsyncClient) -> None:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert {"listEnterprises", "createEnterprise", "getEnterprise", "updateEnterprise", "health"} <= {
        op["operationId"] for op in operations
    }
    listing = schema["paths"]["/api/enterprises"]["get"]
    assert all(p.get("description") for p in listing["parameters"])


async def test_text_is_gzipped_for_slow_links(client: AsyncClient) -> None:
    response = await client.get("/schema/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) * 3 < len(response.content)  # httpx decoded it
    assert "content-encoding" not in (await client.get("/schema/openapi.json", headers={"Accept-Encoding": "identity"})).headers


async def test_unknown_route_is_404(client: AsyncClient) -> None:
    assert (await client.get("/api/nothing-here")).status_code == 404


@pytest.mark.usefixtures("shandong")
async def test_regions_form_the_shandong_tree(client: AsyncClient) -> None:
    everything = (await client.get("/api/regions")).json()
    levels = [r["level"] for r in everything]
    assert levels.count("province") == 1 and levels.count("city") == 16
    assert levels.count("county") > 120

    binzhou = (await client.get("/api/regions", params={"under": "371600"})).json()
    assert {r["level"] for r in binzhou} == {"county"}
    assert "惠民县" in {r["name"] for r in binzhou}
    assert all(r["code"].startswith("3716") and r["city_code"] == "371600" for r in binzhou)

    cities = (await client.get("/api/regions", params={"level": "city", "under": "370000"})).json()
    assert len(cities) == 16 and {c["province_code"] for c in cities} == {"370000"}

    huimin = (await client.get("/api/regions/371621")).json()
    assert huimin == {
        "code": "371621", "name": "惠民县", "name_en": "Huimin", "level": "county",
        "province_code": "370000", "city_code": "371600", "county_code": "371621",
    }


@pytest.mark.usefixtures("shandong")
@pytest.mark.parametrize(("url", "status"), [("/api/regions/379999", 404), ("/api/regions/37", 400),
                                              ("/api/regions?under=379999", 404), ("/api/regions?level=town", 400)])
async def test_bad_region_requests(client: AsyncClient, url: str, status: int) -> None:
    assert (await client.get(url)).status_code == status


async def test_every_path_answers_options_and_head_without_a_server_error(app: Litestar, client: AsyncClient,
                                                                           anon: AsyncClient) -> None:
    """OPTIONS lists a path's methods to anyone (no session needed, as for a CORS
    preflight); HEAD is never a 5xx: 405 where only GET is declared, 401 when not signed in."""
    paths = {route.path for route in app.routes if route.path.startswith("/api/")}
    assert len(paths) > 30
    for path in sorted(paths):
        url = re.sub(r"\{\w+:uuid\}", str(uuid4()), re.sub(r"\{\w+:(str|path|int)\}", "1", path))
        url = re.sub(r"\{\w+:date\}", "2026-10-01", url)
        for who in (client, anon):
            options = await who.options(url)
            assert options.status_code == 204, (path, options.text)
            assert set(options.headers["allow"].split(", ")) - {"OPTIONS"}, path
            head = await who.head(url)
            assert 400 <= head.status_code < 500, (path, head.status_code)

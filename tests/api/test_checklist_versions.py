"""Publishing a checklist template's next version: admins only, checked as the standard
templates are, numbered after the latest, audited; published versions never change and
bad input writes nothing."""

from __future__ import annotations

import copy

import msgspec
import pytest
from httpx import AsyncClient

from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.inspections import checklists
from backend.inspections.schemas import ChecklistVersionIn
from backend.inspections.tables import ChecklistVersion
from tests.conftest import SignIn
from tests.factories import HUIMIN


async def latest(client: AsyncClient, code: str) -> dict:
    return max((c for c in (await client.get("/api/checklists")).json() if c["code"] == code), key=lambda c: c["version"])


async def test_standard_templates_keep_the_rules(client: AsyncClient) -> None:
    for version in await ChecklistVersion.select(ChecklistVersion.content).output(load_json=True):
        assert checklists.checklist_content(msgspec.convert(version["content"], ChecklistVersionIn)) == version["content"]


async def test_admin_publishes_the_next_version(client: AsyncClient, sign_in: SignIn) -> None:
    first = await latest(client, "food-routine")
    sections = copy.deepcopy(first["sections"])
    sections[-1]["items"].append({"key": "F3", "text": "台账保存期限不少于两年", "kind": "pass_fail", "severity": "minor",
                                  "legal_basis": "《中华人民共和国食品安全法》第五十条", "photo_required_on_fail": False})
    published = await client.post("/api/checklists/food-routine/versions", json={"sections": sections})
    assert published.status_code == 201, published.text
    second = published.json()
    assert (second["version"], second["code"], second["sections"]) == (2, "food-routine", sections)
    assert len(second["content_hash"]) == 64 and second["content_hash"] != first["content_hash"]
    assert (await client.get(f"/api/checklists/{first['id']}")).json() == first  # the published one is unchanged
    third = (await client.post("/api/checklists/food-routine/versions", json={"sections": first["sections"]})).json()
    assert third["version"] == 3 and third["content_hash"] == first["content_hash"]

    events = await AuditEvent.select(AuditEvent.details).where(AuditEvent.action == "checklist.published")
    assert len(events) == 2 and second["content_hash"] in events[0]["details"]
    assert (await audit.verify()).ok
    supervisor = await sign_in("supervisor", HUIMIN)
    assert (await supervisor.post("/api/checklists/food-routine/versions", json={"sections": sections})).status_code == 403


def item(**changes: object) -> dict:
    return {"key": "A1", "text": "许可证有效", "kind": "pass_fail", "severity": "major", "legal_basis": "第三十五条",
            "photo_required_on_fail": True, **changes}


@pytest.mark.parametrize(("sections", "field"), [
    ([], "sections"),
    ([{"title": "资质", "items": []}], "sections[0].items"),
    ([{"title": "资质", "items": [item(), item()]}], "sections[0].items[1].key"),
    ([{"title": "资质", "items": [item(key="a-1")]}], "sections[0].items[0].key"),
    ([{"title": "资质", "items": [item(kind="photo")]}], "sections[0].items[0].kind"),
    ([{"title": "资质", "items": [item(severity="fatal")]}], "sections[0].items[0].severity"),
    ([{"title": "资质", "items": [item(legal_basis="")]}], "sections[0].items[0].legal_basis"),
    ([{"title": "资质", "items": [item(unit="℃")]}], "sections[0].items[0].unit"),
    ([{"title": "资质", "items": [item(kind="number", min=5, max=1)]}], "sections[0].items[0].min"),
    ([{"title": "资质", "items": [item(kind="choice", choices=["有"])]}], "sections[0].items[0].choices"),
    ([{"title": "资质", "items": [item(kind="choice", choices=["有", "有"])]}], "sections[0].items[0].choices"),
    ([{"title": "资质", "items": [item(choices=["有", "无"])]}], "sections[0].items[0].choices"),
    ([{"title": "资质", "items": [item(colour="red")]}], "sections[0].items[0]"),  # the message names `colour`
])
async def test_bad_versions_are_refused_naming_the_field(client: AsyncClient, sections: list, field: str) -> None:
    before = await ChecklistVersion.count()
    response = await client.post("/api/checklists/food-routine/versions", json={"sections": sections})
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == field, response.text
    assert await ChecklistVersion.count() == before


async def test_unknown_template_is_404(client: AsyncClient) -> None:
    response = await client.post("/api/checklists/no-such/versions", json={"sections": [{"title": "x", "items": [item()]}]})
    assert response.status_code == 404 and response.json()["extra"][0]["key"] == "code"

"""Checklist rules kept as data of a version: items key (重点项) or general (一般项), how many
each visit examines, a reason for 合理缺项, the conclusion its rule gives; the standard
food-production supervision template that carries them; and versions published before
rules existed, unchanged."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from httpx import AsyncClient

from backend.clock import bureau_today
from backend.documents import context
from backend.inspections import checklists
from backend.inspections.tables import ChecklistVersion, Visit
from tests.api.test_visits import scene, submission  # noqa: F401 (the scene fixture)

SECTIONS = ["生产者资质", "生产环境条件", "进货查验", "生产过程控制", "产品检验", "贮存及交付控制", "不合格品管理和食品召回",
            "标签和说明书", "食品安全自查", "从业人员管理", "信息记录和追溯", "食品安全事故处置"]
RULES = {
    "coverage": {"key_items": 10, "items": 20, "visit_types": ["routine"]},
    "na_needs_reason": True,
    "conclusion": [
        {"when": {"class": "key", "result": "fail"}, "then": "fail"},
        {"when": {"result": "fail"}, "then": "pass_with_rectification"},
        {"then": "pass"},
    ],
}


async def latest(client: AsyncClient, code: str) -> dict:
    return max((c for c in (await client.get("/api/checklists")).json() if c["code"] == code), key=lambda c: c["version"])


def items_of(checklist: dict) -> list[dict]:
    return [item for section in checklist["sections"] for item in section["items"]]


def answer(item: dict, result: str = "pass") -> dict:
    if item["kind"] == "number":
        return {"item": item["key"], "number": 4.0}
    if item["kind"] == "choice":
        return {"item": item["key"], "choice": item["choices"][0]}
    return {"item": item["key"], "result": result}


def examining(checklist: dict, key_items: int = 10, items: int = 20) -> list[dict]:
    """Passing answers to the first ``key_items`` key items and enough general ones to make ``items``."""
    key = [i for i in items_of(checklist) if checklists.item_class(i) == "key"][:key_items]
    general = [i for i in items_of(checklist) if checklists.item_class(i) == "general"][:items - len(key)]
    return [answer(i) for i in key + general]


def visit(scene: dict, checklist: dict, answers: list[dict], conclusion: str, findings: list | None = None,
          visit_type: str = "routine") -> dict:
    body = submission(scene, answers=answers, findings=findings or [], conclusion=conclusion)
    body["visit"].update(checklist_id=checklist["id"], visit_type=visit_type)
    return body


def fail(answers: list[dict], key: str, scene: dict) -> list[dict]:
    """``answers`` with item ``key`` failed (with a photo of it) and its finding."""
    for a in answers:
        if a["item"] == key:
            a.update(result="fail", note="现场发现问题", media=[scene["evidence"]])
    return [{"id": str(uuid.uuid4()), "item": key, "description": "现场发现问题",
             "deadline": (bureau_today() + timedelta(days=30)).isoformat()}]


@pytest.fixture
async def ruled(scene: dict) -> dict:
    return await latest(scene["zhang"], "food-supervision")


# ---------------------------------------------------------------------------- the template


async def test_food_supervision_template_is_organised_like_the_national_checklist(ruled: dict, scene: dict) -> None:
    assert ruled["title"] == "食品生产监督检查要点表" and ruled["version"] == 1
    assert [s["title"] for s in ruled["sections"]] == SECTIONS
    items = items_of(ruled)
    classes = [i["class"] for i in items]  # every item says its class
    assert classes.count("key") >= 10 and len(items) >= 20
    assert all(i["legal_basis"].startswith("《") for i in items)
    assert all(i["severity"] == "critical" for i in items if i["class"] == "key")  # its finding's severity
    assert ruled["rules"] == RULES
    # The templates published before classes and rules are as they were: no class, no rules.
    for other in (await scene["zhang"].get("/api/checklists")).json():
        if other["code"] != "food-supervision":
            assert other["rules"] is None and not any("class" in i for i in items_of(other)), other["code"]


# ---------------------------------------------------------------------------- submissions


@pytest.mark.parametrize(("failed", "conclusion"), [(None, "pass"), ("general", "pass_with_rectification"), ("key", "fail")])
async def test_a_visit_is_filed_with_the_conclusion_its_rule_gives(scene: dict, ruled: dict, failed: str | None,
                                                                   conclusion: str) -> None:
    answers = examining(ruled)
    findings = []
    if failed:
        item = next(i for i in items_of(ruled) if i["class"] == failed and i["kind"] == "pass_fail")
        findings = fail(answers, item["key"], scene)
    response = await scene["zhang"].post("/api/visits/submissions", json=visit(scene, ruled, answers, conclusion, findings))
    assert response.status_code == 201, response.text
    assert response.json()["conclusion"] == conclusion


def too_few_key_items(ruled: dict, scene: dict) -> tuple[list, list, str]:
    return examining(ruled, key_items=9, items=20), [], "pass"


def too_few_items(ruled: dict, scene: dict) -> tuple[list, list, str]:
    return examining(ruled, items=19), [], "pass"


def na_without_reason(ruled: dict, scene: dict) -> tuple[list, list, str]:
    answers = examining(ruled, items=21)
    answers[-1] = {"item": answers[-1]["item"], "result": "na", "note": "  "}
    return answers, [], "pass"


def na_is_not_examined(ruled: dict, scene: dict) -> tuple[list, list, str]:
    answers = examining(ruled, items=21)
    answers[0] = {"item": answers[0]["item"], "result": "na", "note": "本企业不委托生产"}  # reasoned, but not examined
    return answers, [], "pass"


def conclusion_milder_than_the_rule(ruled: dict, scene: dict) -> tuple[list, list, str]:
    answers = examining(ruled)
    return answers, fail(answers, answers[0]["item"], scene), "pass_with_rectification"  # a key item failed: 不符合


def conclusion_harsher_than_the_rule(ruled: dict, scene: dict) -> tuple[list, list, str]:
    return examining(ruled), [], "fail"  # nothing failed: 符合


@pytest.mark.parametrize(("make", "field", "words"), [
    (too_few_key_items, "answers", "at least 10 key items (重点项); this one examines 9"),
    (too_few_items, "answers", "at least 20 items in all; this one examines 19"),
    (na_without_reason, "answers[20].note", "not applicable (合理缺项)"),
    (na_is_not_examined, "answers", "at least 10 key items (重点项); this one examines 9 (合理缺项 does not count)"),
    (conclusion_milder_than_the_rule, "conclusion",
     "(a key item answered fail) these answers conclude 'fail', not 'pass_with_rectification'"),
    (conclusion_harsher_than_the_rule, "conclusion", "(no line above applies) these answers conclude 'pass', not 'fail'"),
])
async def test_a_visit_against_the_rules_is_refused_naming_the_field(scene: dict, ruled: dict, make, field: str,
                                                                    words: str) -> None:
    answers, findings, conclusion = make(ruled, scene)
    response = await scene["zhang"].post("/api/visits/submissions", json=visit(scene, ruled, answers, conclusion, findings))
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == field and words in response.json()["detail"], response.text
    assert await Visit.count() == 0


async def test_coverage_binds_the_visit_types_it_names(scene: dict, ruled: dict) -> None:
    answers = examining(ruled, key_items=1, items=2)
    answers.append({"item": items_of(ruled)[-1]["key"], "result": "na", "note": "企业未发生食品安全事故"})
    response = await scene["zhang"].post("/api/visits/submissions",
                                         json=visit(scene, ruled, answers, "pass", visit_type="follow_up"))
    assert response.status_code == 201, response.text


# ---------------------------------------------------------------------------- publishing and old versions


def version_with(rules: dict | None = None, **item_changes: object) -> dict:
    items = [{"key": f"A{n}", "text": f"检查内容{n}", "kind": "pass_fail", "severity": "critical" if n <= 2 else "major",
              "legal_basis": "《中华人民共和国食品安全法》第三十三条", "photo_required_on_fail": False} for n in range(1, 5)]
    items[0].update(item_changes)
    return {"sections": [{"title": "资质", "items": items}], **({"rules": rules} if rules is not None else {})}


@pytest.mark.parametrize(("rules", "field"), [
    ({"coverage": {"key_items": 3}}, "rules.coverage.key_items"),  # two key items only
    ({"coverage": {"items": 5}}, "rules.coverage.items"),
    ({"coverage": {"items": -1}}, "rules.coverage.items"),
    ({"coverage": {"visit_types": ["picnic"]}}, "rules.coverage.visit_types[0]"),
    ({"conclusion": []}, "rules.conclusion"),
    ({"conclusion": [{"when": {"result": "fail"}, "then": "fail"}]}, "rules.conclusion[0].when"),
    ({"conclusion": [{"then": "pass"}, {"when": {"result": "fail"}, "then": "fail"}]}, "rules.conclusion[0].when"),
    ({"conclusion": [{"when": {"result": "broken"}, "then": "fail"}, {"then": "pass"}]}, "rules.conclusion[0].when.result"),
    ({"conclusion": [{"when": {"result": "fail", "at_least": 0}, "then": "fail"}, {"then": "pass"}]},
     "rules.conclusion[0].when.at_least"),
    ({"conclusion": [{"then": "maybe"}]}, "rules.conclusion[0].then"),
    ({"na_reason": True}, "rules"),  # the message names the unknown field
])
async def test_bad_rules_are_refused_naming_the_field(client: AsyncClient, rules: dict, field: str) -> None:
    before = await ChecklistVersion.count()
    response = await client.post("/api/checklists/food-routine/versions", json=version_with(rules))
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == field, response.text
    assert await ChecklistVersion.count() == before


async def test_an_item_class_is_key_or_general(client: AsyncClient) -> None:
    response = await client.post("/api/checklists/food-routine/versions", json=version_with(**{"class": "vital"}))
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "sections[0].items[0].class"
    # A minor A1 is general, unless its class says key: with A2 (critical, no class) two key items.
    rules = {"coverage": {"key_items": 2}}
    response = await client.post("/api/checklists/food-routine/versions", json=version_with(rules, severity="minor"))
    assert response.status_code == 400 and response.json()["extra"][0]["key"] == "rules.coverage.key_items"
    published = await client.post("/api/checklists/food-routine/versions",
                                  json=version_with(rules, severity="minor", **{"class": "key"}))
    assert published.status_code == 201, published.text
    assert published.json()["rules"] == rules and items_of(published.json())[0]["class"] == "key"


async def test_published_versions_keep_their_rules_and_visits_keep_their_version(scene: dict, client: AsyncClient) -> None:
    first = scene["checklist"]  # food-routine v1: no classes, no rules; its critical items are key
    old = await scene["zhang"].post("/api/visits/submissions", json=submission(scene))  # B3 (critical) failed,
    assert old.status_code == 201, old.text  # concluded 基本符合 by the team: v1 has no rule to say otherwise

    rules = {"na_needs_reason": True, "conclusion": RULES["conclusion"]}
    published = await client.post("/api/checklists/food-routine/versions",
                                  json={"sections": first["sections"], "rules": rules})
    assert published.status_code == 201, published.text
    second = published.json()
    assert second["rules"] == rules and second["content_hash"] != first["content_hash"]
    assert (await client.get(f"/api/checklists/{first['id']}")).json() == first  # v1 is as it was

    again = submission(scene)  # the same visit, pinned to v1: filed as before
    assert (await scene["zhang"].post("/api/visits/submissions", json=again)).status_code == 201
    pinned = submission(scene)
    pinned["visit"]["checklist_id"] = second["id"]  # pinned to v2: B3 is critical, hence key, and failed
    refused = await scene["zhang"].post("/api/visits/submissions", json=pinned)
    assert refused.status_code == 400 and refused.json()["extra"][0]["key"] == "conclusion", refused.text
    pinned["conclusion"] = "fail"
    assert (await scene["zhang"].post("/api/visits/submissions", json=pinned)).status_code == 201


async def test_the_record_marks_key_items_by_class(scene: dict, ruled: dict) -> None:
    answers = examining(ruled, items=21)
    na = answers[-1]["item"]
    answers[-1] = {"item": na, "result": "na", "note": "本企业不涉及此项"}
    body = visit(scene, ruled, answers, "pass")
    assert (await scene["zhang"].post("/api/visits/submissions", json=body)).status_code == 201, body
    record = await context.record(uuid.UUID(body["visit"]["id"]))
    rows = {row["key"]: row for section in record["sections"] for row in section["rows"]}
    for item in items_of(ruled):
        assert rows[item["key"]]["key_item"] == (item["class"] == "key"), item["key"]
        assert rows[item["key"]]["item_class"] == {"key": "重点项", "general": "一般项"}[item["class"]]
    assert rows[na]["result"] == "合理缺项" and rows[na]["detail"] == "本企业不涉及此项"
    assert record["conclusion"] == "符合"

    old = submission(scene)  # food-routine v1: the critical items are printed as key
    assert (await scene["zhang"].post("/api/visits/submissions", json=old)).status_code == 201
    record = await context.record(uuid.UUID(old["visit"]["id"]))
    marked = {row["key"] for section in record["sections"] for row in section["rows"] if row["key_item"]}
    assert marked == {i["key"] for i in items_of(scene["checklist"]) if i["severity"] == "critical"}

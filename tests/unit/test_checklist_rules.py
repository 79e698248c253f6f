"""A checklist version's rules as one function (checklists.assess), on the cases the
phone's mirror (pwa/src/rules.js) is held to as well: tests/fixtures/checklist_rules.json."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from backend.inspections import checklists
from backend.inspections.schemas import ChecklistVersionIn

FIXTURES = json.loads((Path(__file__).parents[1] / "fixtures" / "checklist_rules.json").read_text())


@pytest.mark.parametrize("case", FIXTURES["cases"], ids=lambda case: case["name"])
def test_assess(case: dict) -> None:
    checklist = FIXTURES["checklists"][case["checklist"]]
    assert checklists.assess(checklist, case["visit_type"], case["answers"]) == case["expect"]


@pytest.mark.parametrize("name", FIXTURES["checklists"])
def test_fixture_checklists_are_publishable(name: str) -> None:
    content = FIXTURES["checklists"][name]
    assert checklists.checklist_content(msgspec.convert(content, ChecklistVersionIn)) == content


def test_item_class_of_old_and_new_items() -> None:
    assert [checklists.item_class(i) for i in (
        {"severity": "critical"}, {"severity": "major"}, {"severity": "minor"},
        {"severity": "minor", "class": "key"}, {"severity": "critical", "class": "general"},
    )] == ["key", "general", "general", "key", "general"]

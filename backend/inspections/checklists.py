"""Checklists: templates and their published versions, which never change once published
(a visit pins one). Knows nothing of HTTP."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, Mapping
from uuid import UUID

import msgspec

from backend import db
from backend.access import Scope
from backend.audit import service as audit
from backend.errors import Invalid, NotFound
from backend.inspections.schemas import ChecklistOut, ChecklistVersionIn
from backend.inspections.standard_templates import STANDARD_TEMPLATES
from backend.inspections.tables import ChecklistTemplate, ChecklistVersion


async def install_standard_templates() -> int:
    """Publish version 1 of each standard template that is not there yet."""
    added = 0
    for template in STANDARD_TEMPLATES:
        if await ChecklistTemplate.exists().where(ChecklistTemplate.code == template["code"]):
            continue
        template_id = uuid.uuid4()
        sections = [
            {"title": s["title"], "items": [
                {"key": key, "text": text, "kind": kind, "severity": severity, "legal_basis": basis,
                 "photo_required_on_fail": photo, **extra}
                for key, text, kind, severity, basis, photo, extra in s["items"]
            ]}
            for s in template["sections"]
        ]
        rules = {"rules": template["rules"]} if "rules" in template else {}
        content = checklist_content(msgspec.convert({"sections": sections, **rules}, ChecklistVersionIn))
        await ChecklistTemplate.insert(ChecklistTemplate(id=template_id, code=template["code"], title=template["title"],
                                                         title_en=template["title_en"]))
        await ChecklistVersion.insert(ChecklistVersion(id=uuid.uuid4(), template=template_id, version=1,
                                                       content=content, content_hash=sha256_of(content)))
        added += 1
    return added


def checklist_content(data: ChecklistVersionIn) -> dict[str, Any]:
    """A version's content once it keeps the rules its schema cannot state: item keys
    unique, limits and units on numbers only, two or more distinct choices on choice items;
    rules a visit can meet."""
    keys: set[str] = set()
    for s, section in enumerate(data.sections):
        for i, item in enumerate(section.items):
            field = f"sections[{s}].items[{i}]"
            if item.key in keys:
                raise Invalid(f"Item key {item.key} is used twice; each item needs its own.", f"{field}.key", code="item_key_twice", params={"key": item.key})
            keys.add(item.key)
            if item.kind != "number" and (item.unit, item.min, item.max) != (None, None, None):
                raise Invalid("Only a number item has a unit and limits.", f"{field}.unit", code="unit_number_only")
            if item.min is not None and item.max is not None and item.min > item.max:
                raise Invalid(f"The lower limit {item.min} is above the upper limit {item.max}.", f"{field}.min", code="limits_reversed", params={"min": item.min, "max": item.max})
            choices = item.choices or []
            if item.kind == "choice" and (len(choices) < 2 or len(set(choices)) != len(choices)):
                raise Invalid("A choice item offers two or more different choices.", f"{field}.choices", code="choices_too_few")
            if item.kind != "choice" and item.choices is not None:
                raise Invalid("Only a choice item has choices.", f"{field}.choices", code="choices_choice_only")
    content = msgspec.to_builtins(data)
    if data.rules is not None:
        _rules_can_be_met(content)
    return content


def _rules_can_be_met(content: dict[str, Any]) -> None:
    """A version's rules can be met: no more items to cover than it has, and a conclusion
    rule that ends with its one line without a condition."""
    rules = content["rules"]
    classes = [item_class(item) for section in content["sections"] for item in section["items"]]
    coverage = rules.get("coverage", {})
    if coverage.get("key_items", 0) > classes.count("key"):
        raise Invalid(f"The version has {classes.count('key')} key items (重点项); a visit cannot cover "
                      f"{coverage['key_items']}.", "rules.coverage.key_items", code="coverage_key_items_too_many", params={"available": classes.count('key'), "asked": coverage['key_items']})
    if coverage.get("items", 0) > len(classes):
        raise Invalid(f"The version has {len(classes)} items; a visit cannot cover {coverage['items']}.",
                      "rules.coverage.items", code="coverage_items_too_many", params={"available": len(classes), "asked": coverage['items']})
    lines = rules.get("conclusion", [])
    for i, line in enumerate(lines):
        if ("when" in line) != (i < len(lines) - 1):
            raise Invalid("Every line of the conclusion rule but the last has a condition (when); the last has none "
                          "and gives the conclusion when no line above applies.", f"rules.conclusion[{i}].when", code="conclusion_rule_when")


async def publish_version(scope: Scope, code: str, data: ChecklistVersionIn) -> ChecklistOut:
    """Publish the next version of a template. Published versions never change: this one
    is new, numbered after the latest, and visits planned from now on may pin it."""
    template = await ChecklistTemplate.select(ChecklistTemplate.id).where(ChecklistTemplate.code == code).first()
    if template is None:
        raise NotFound(f"No checklist template {code!r}.", "code", code="checklist_template_not_found", params={"code": code})
    content = checklist_content(data)
    version_id = uuid.uuid4()
    async with db.transaction():
        await db.serialise(f"checklist:{code}")  # two publishers never take the same number
        latest = await ChecklistVersion.select(ChecklistVersion.version).where(
            ChecklistVersion.template == template["id"]).order_by(ChecklistVersion.version, ascending=False).first()
        version = (latest["version"] if latest else 0) + 1
        digest = sha256_of(content)
        await ChecklistVersion.insert(ChecklistVersion(id=version_id, template=template["id"], version=version,
                                                       content=content, content_hash=digest))
        await audit.record(scope, "checklist.published", "checklist_version", version_id,
                           {"code": code, "version": version, "content_hash": digest})
    return await get_checklist(version_id)


_COLUMNS = (
    ChecklistVersion.id, ChecklistVersion.version, ChecklistVersion.content, ChecklistVersion.content_hash,
    ChecklistVersion.template.code.as_alias("code"), ChecklistVersion.template.title.as_alias("title"),
    ChecklistVersion.template.title_en.as_alias("title_en"),
)


async def list_checklists() -> list[ChecklistOut]:
    rows = await ChecklistVersion.select(*_COLUMNS).order_by(ChecklistVersion.template.code).order_by(
        ChecklistVersion.version).output(load_json=True)
    return [_checklist(r) for r in rows]


async def get_checklist(checklist_id: UUID, field: str | None = None) -> ChecklistOut:
    row = await ChecklistVersion.select(*_COLUMNS).where(ChecklistVersion.id == checklist_id).output(
        load_json=True).first()
    if row is None:
        raise NotFound(f"No checklist version {checklist_id}.", field, code="checklist_version_not_found", params={"id": checklist_id})
    return _checklist(row)


def _checklist(row: dict) -> ChecklistOut:
    content = row["content"]
    return msgspec.convert({**row, "sections": content["sections"], "rules": content.get("rules")}, ChecklistOut)


def items(checklist: ChecklistOut) -> dict[str, dict]:
    """A version's items by key."""
    return {item["key"]: item for section in checklist.sections for item in section["items"]}


# ---------------------------------------------------------------------------- rules
# pwa/src/rules.js mirrors these three functions line for line; tests/fixtures/
# checklist_rules.json holds the cases both must agree on.


def item_class(item: Mapping[str, Any]) -> str:
    """An item's class: key (重点项) or general (一般项). Items of versions published before
    classes existed have none: their critical items are the key ones."""
    return item.get("class") or ("key" if item.get("severity") == "critical" else "general")


def examined(answer: Mapping[str, Any]) -> bool:
    """Whether an answer examined its item (pass, fail or a value); 合理缺项 (na) did not."""
    if answer.get("result") == "na":
        return False
    return (answer.get("result") in ("pass", "fail") or answer.get("number") is not None
            or bool(answer.get("choice")) or bool((answer.get("text") or "").strip()))


def assess(checklist: Mapping[str, Any], visit_type: str, answers: list[Mapping[str, Any]]) -> dict[str, Any]:
    """What a version's rules make of a visit's answers: the key items and items examined,
    the numbers its coverage rule asks of this type of visit (None: no rule), the items
    marked na without the reason the rules ask for, and the conclusion its rule gives with
    the index of the line that gave it (None: the team concludes)."""
    items = {item["key"]: item for section in checklist["sections"] for item in section["items"]}
    rules = checklist.get("rules") or {}
    answered = [(item_class(items[a["item"]]), a) for a in answers if a["item"] in items]
    examined_classes = [cls for cls, a in answered if examined(a)]
    coverage = rules.get("coverage")
    binds = coverage is not None and visit_type in coverage.get("visit_types", [visit_type])
    conclusion, line = None, None
    for i, rule in enumerate(rules.get("conclusion", [])):
        when = rule.get("when")
        if when is None or when.get("at_least", 1) <= sum(
                1 for cls, a in answered if a.get("result") == when["result"] and when.get("class", cls) == cls):
            conclusion, line = rule["then"], i
            break
    return {
        "examined": {"key_items": examined_classes.count("key"), "items": len(examined_classes)},
        "required": {"key_items": coverage.get("key_items", 0), "items": coverage.get("items", 0)} if binds else None,
        "na_without_reason": [a["item"] for _, a in answered if rules.get("na_needs_reason")
                              and a.get("result") == "na" and not (a.get("note") or "").strip()],
        "conclusion": conclusion,
        "line": line,
    }


def sha256_of(content: Any) -> str:
    """The SHA-256 of content written as the audit log writes details (canonical JSON):
    a checklist version's hash, and a filed visit's."""
    return hashlib.sha256(audit.canonical(msgspec.to_builtins(content)).encode()).hexdigest()

"""Checklists: templates and their published versions, which never change once published
(a visit pins one). Knows nothing of HTTP."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
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
        content = checklist_content(msgspec.convert({"sections": sections}, ChecklistVersionIn))
        await ChecklistTemplate.insert(ChecklistTemplate(id=template_id, code=template["code"], title=template["title"],
                                                         title_en=template["title_en"]))
        await ChecklistVersion.insert(ChecklistVersion(id=uuid.uuid4(), template=template_id, version=1,
                                                       content=content, content_hash=sha256_of(content)))
        added += 1
    return added


def checklist_content(data: ChecklistVersionIn) -> dict[str, Any]:
    """A version's content once it keeps the rules its schema cannot state: item keys
    unique, limits and units on numbers only, two or more distinct choices on choice items."""
    keys: set[str] = set()
    for s, section in enumerate(data.sections):
        for i, item in enumerate(section.items):
            field = f"sections[{s}].items[{i}]"
            if item.key in keys:
                raise Invalid(f"Item key {item.key} is used twice; each item needs its own.", f"{field}.key")
            keys.add(item.key)
            if item.kind != "number" and (item.unit, item.min, item.max) != (None, None, None):
                raise Invalid("Only a number item has a unit and limits.", f"{field}.unit")
            if item.min is not None and item.max is not None and item.min > item.max:
                raise Invalid(f"The lower limit {item.min} is above the upper limit {item.max}.", f"{field}.min")
            choices = item.choices or []
            if item.kind == "choice" and (len(choices) < 2 or len(set(choices)) != len(choices)):
                raise Invalid("A choice item offers two or more different choices.", f"{field}.choices")
            if item.kind != "choice" and item.choices is not None:
                raise Invalid("Only a choice item has choices.", f"{field}.choices")
    return msgspec.to_builtins(data)


async def publish_version(scope: Scope, code: str, data: ChecklistVersionIn) -> ChecklistOut:
    """Publish the next version of a template. Published versions never change: this one
    is new, numbered after the latest, and visits planned from now on may pin it."""
    template = await ChecklistTemplate.select(ChecklistTemplate.id).where(ChecklistTemplate.code == code).first()
    if template is None:
        raise NotFound(f"No checklist template {code!r}.", "code")
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
        raise NotFound(f"No checklist version {checklist_id}.", field)
    return _checklist(row)


def _checklist(row: dict) -> ChecklistOut:
    return msgspec.convert({**row, "sections": row["content"]["sections"]}, ChecklistOut)


def items(checklist: ChecklistOut) -> dict[str, dict]:
    """A version's items by key."""
    return {item["key"]: item for section in checklist.sections for item in section["items"]}


def sha256_of(content: Any) -> str:
    """The SHA-256 of content written as the audit log writes details (canonical JSON):
    a checklist version's hash, and a filed visit's."""
    return hashlib.sha256(audit.canonical(msgspec.to_builtins(content)).encode()).hexdigest()

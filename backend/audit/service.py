"""The audit trail: append inside the caller's transaction, verify the chain, read it.

Each event stores the SHA-256 of its change (``digest``), the previous event's hash and
its own hash over both and the event's fields. Editing, deleting or reordering any row
breaks the chain at that row, and ``verify`` names it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

import msgspec

from backend import access, clock, db, pagination
from backend.access import Scope
from backend.audit.schemas import AuditEventOut, AuditPage
from backend.audit.tables import AuditEvent
from backend.errors import Invalid
from backend.fields import check_period

GENESIS = "0" * 64
VERIFY_BATCH = 5_000


@dataclass(frozen=True)
class Place:
    """Where an event happened, so that a jurisdiction can read its own events."""

    province_code: str | None = None
    city_code: str | None = None
    county_code: str | None = None
    enterprise: UUID | None = None


def canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


HASHED = ("at", "actor", "actor_name", "action", "target_type", "target_id", "enterprise",
          "province_code", "city_code", "county_code", "digest")


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and every stored field of the event (the details
    through their digest)."""
    fields = [prev_hash]
    for name in HASHED:
        value = event[name]
        if isinstance(value, datetime):
            value = value.astimezone(timezone.utc).isoformat()
        fields.append("" if value is None else str(value))
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


async def record(actor: Scope | None, action: str, target_type: str, target_id: Any,
                 details: dict[str, Any] | None = None, place: Place = Place()) -> None:
    """Append one event. Call inside the transaction that makes the change, so that the
    change and its record commit or roll back together."""
    await db.serialise("audit_chain")
    last = await AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id, ascending=False).first()
    prev_hash = last["hash"] if last else GENESIS
    body = canonical(details or {})
    digest = hashlib.sha256(body.encode()).hexdigest()
    event = {
        "at": clock.now(),
        "actor": actor.user_id if actor else None,
        "actor_name": actor.display_name if actor else "",
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "enterprise": place.enterprise,
        "province_code": place.province_code,
        "city_code": place.city_code,
        "county_code": place.county_code,
        "digest": digest,
    }
    await AuditEvent.insert(AuditEvent(**event, details=body, prev_hash=prev_hash, hash=event_hash(prev_hash, event)))


@dataclass(frozen=True)
class Verification:
    events: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


async def verify() -> Verification:
    """Recompute the whole chain in id order; stop at the first broken link."""
    prev_hash, last_id, count = GENESIS, 0, 0
    while True:
        rows = await (
            AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(VERIFY_BATCH)
        )
        if not rows:
            return Verification(events=count)
        for row in rows:
            count += 1
            if row["prev_hash"] != prev_hash:
                return Verification(count, row["id"], "it does not link to the event before it (a row was removed or reordered)")
            if hashlib.sha256(row["details"].encode()).hexdigest() != row["digest"]:
                return Verification(count, row["id"], "its details no longer match their digest (the change was edited)")
            if event_hash(prev_hash, row) != row["hash"]:
                return Verification(count, row["id"], "its fields no longer match its hash (the row was edited)")
            prev_hash = row["hash"]
        last_id = rows[-1]["id"]


@dataclass(frozen=True)
class AuditFilter:
    actor: UUID | None = None
    enterprise: UUID | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        """Instants with their time zone, in the era, at most ten years apart; else Invalid."""
        for name in ("since", "until"):
            if (instant := getattr(self, name)) is not None and instant.tzinfo is None:
                raise Invalid("Expected a date and time with its time zone, e.g. 2026-11-24T09:30:00+08:00", name, code="instant_needs_zone")
        check_period(self.since and self.since.date(), self.until and self.until.date(), "since", "until")


async def list_events(scope: Scope, f: AuditFilter, limit: int, cursor: str | None,
                      cursors: pagination.CursorCodec) -> AuditPage:
    """Newest first, inside the reader's jurisdiction."""
    query = AuditEvent.select().where(*access.in_scope(scope, AuditEvent, AuditEvent.enterprise))
    if f.actor is not None:
        query = query.where(AuditEvent.actor == f.actor)
    if f.enterprise is not None:
        query = query.where(AuditEvent.enterprise == f.enterprise)
    if f.action is not None:
        query = query.where(AuditEvent.action == f.action)
    if f.since is not None:
        query = query.where(AuditEvent.at >= f.since)
    if f.until is not None:
        query = query.where(AuditEvent.at < f.until)
    rows, next_cursor = await pagination.page(query, (AuditEvent.id,), limit, cursor, cursors, kind="audit",
                                              descending=True)
    return AuditPage(
        items=[msgspec.convert({**r, "details": json.loads(r["details"])}, AuditEventOut) for r in rows],
        next_cursor=next_cursor,
    )

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec


class AuditEventOut(msgspec.Struct):
    id: int
    at: datetime
    actor: UUID | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    enterprise: UUID | None
    county_code: str | None
    details: dict[str, Any]
    digest: str
    prev_hash: str
    hash: str


class AuditPage(msgspec.Struct):
    items: list[AuditEventOut]
    next_cursor: str | None

"""What the legal paper is told, in the transaction of the write it records: a visit was
filed, a finding was closed. Documents sit above inspections, so the app hands their
issuer in (backend.documents.issue implements it); taking a document's number in the
filing's own transaction makes it exactly once and gap-free."""

from __future__ import annotations

from typing import Protocol, runtime_checkable
from uuid import UUID


@runtime_checkable  # Litestar checks a provided dependency against its declared type
class Paper(Protocol):
    async def visit_filed(self, visit_id: UUID) -> None:
        """A visit was submitted: number its on-site record (and order to correct)."""

    async def finding_closed(self, finding_id: UUID) -> None:
        """A finding was closed: number its re-check record."""

"""What inspections keep counted for coverage, in the transaction of each write they
count: the coverage rollups (backend.coverage.rollups implements it). Coverage reads
over inspections and sits above them, so the app hands the rollups in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping, Protocol, runtime_checkable


@runtime_checkable  # Litestar checks a provided dependency against its declared type
class Tally(Protocol):
    async def record_visit(self, enterprise: Any, visit_type: str, started_at: datetime, team: Iterable[Any],
                           amends: Any, findings: int, found_at: datetime) -> None:
        """A visit was filed (with ``findings`` recorded at ``found_at``)."""

    async def record_closure(self, codes: Mapping[str, Any], closed_at: datetime) -> None:
        """A finding of the county of ``codes`` (its region codes) was closed."""

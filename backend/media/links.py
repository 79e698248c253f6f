"""What media needs to know of the records an upload may name on higher layers: visits
and rectification orders (inspections), notices. Media does not import those domains; its
caller hands it an implementation of Links (the app provides backend.notices.links.DossierLinks
as the `links` dependency)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, Sequence, runtime_checkable
from uuid import UUID

from backend.access import Scope
from backend.media.schemas import MediaOut, UploadFields, VisitContext


@runtime_checkable  # Litestar checks the provided dependency against it (isinstance)
class Links(Protocol):
    async def check(self, scope: Scope, fields: UploadFields) -> None:
        """Raise Invalid, naming the field, unless the visit, notice and rectification order
        the upload names are its enterprise's: the visit one the caller may see, the notice
        posted during that visit, the rectification order an open finding."""
        ...

    async def visit_started(self, visit_id: UUID) -> datetime | None:
        """When the visit started (None if it has not, or there is no such visit)."""
        ...

    async def visit_team(self, visit_id: UUID) -> set[str]:
        """The ids of the visit's team (empty if there is no such visit)."""
        ...

    async def visit_context(self, uploads: Sequence[MediaOut]) -> dict[str, VisitContext]:
        """For each upload of a visit (by id as text): its visit and the checklist item whose
        answer names it (a retake's ``item_key``), with the item's text and result; in one
        query, whatever the number of uploads."""
        ...

    def visits_in_review(self) -> Any:
        """A subquery of the ids of the visits awaiting review: their signature images are
        reviewed with them, not in the photo queue."""
        ...

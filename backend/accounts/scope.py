"""The caller's scope: what part of the registry a request may see and change.

Every route receives a Scope through the ``access`` dependency (Litestar reserves
``scope`` for the ASGI scope) and hands it to the
services, which filter every query by it. Until accounts arrive, every caller is given
the whole registry; sign-in will narrow it here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Scope:
    """A region subtree (staff), one enterprise (enterprise users), or everything."""

    region_code: str | None = None
    region_level: str | None = None
    enterprise_id: UUID | None = None

    @property
    def is_everything(self) -> bool:
        return self.region_code is None and self.enterprise_id is None


EVERYTHING = Scope()


async def provide_scope() -> Scope:
    """Litestar dependency: the scope of the current request."""
    return EVERYTHING

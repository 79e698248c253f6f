"""The caller's scope: who is asking, and what part of the registry they may see.

Every route receives a Scope through the ``access`` dependency (Litestar reserves
``scope`` for the ASGI scope) and hands it to the services, which filter every query by
it and record it as the actor of every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Scope:
    """A signed-in user's jurisdiction: a region subtree (staff) or one enterprise
    (enterprise users). ``Scope()`` is the whole registry, for the system itself (the
    command line, demo data)."""

    user_id: UUID | None = None
    display_name: str = ""
    role: str = "admin"
    region_code: str | None = None
    region_level: str | None = None
    enterprise_id: UUID | None = None

    @property
    def is_everything(self) -> bool:
        return self.region_code is None and self.enterprise_id is None


SYSTEM = Scope(display_name="system")

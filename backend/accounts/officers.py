"""The roster a visit's team is picked from: the active enforcement officers (inspectors
and supervisors) whose jurisdiction lies inside the caller's. Inspectors may read it —
names, ids, jurisdictions and the certificate numbers every record prints — but not the
user list, which stays the managers'."""

from __future__ import annotations

from backend import access
from backend.access import FIELD_TEAM, Scope
from backend.accounts.schemas import OfficerOut
from backend.accounts.tables import User
from backend.regions.tables import Region


async def roster(scope: Scope) -> list[OfficerOut]:
    """Active officers in ``scope``'s region subtree, by name (then id)."""
    rows = await User.select(
        User.id, User.display_name, User.role, User.region_code, User.region_code.level.as_alias("region_level"),
        User.certificate_no,
    ).where(
        User.active == True,  # noqa: E712 (a column comparison, not a truth test)
        User.role.is_in([r.value for r in FIELD_TEAM]),
        User.region_code.is_in(Region.select(Region.code).where(*access.in_region(scope, Region))),
    ).order_by(User.display_name, User.id)
    return [OfficerOut(**r) for r in rows]

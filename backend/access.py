"""Who is asking, and which part of the registry they may see: the roles, the role sets
routes admit, the caller's Scope and the filters that keep a query inside it. Every
domain learns it from here; this module imports no domain.

Every route receives a Scope through the ``access`` dependency (Litestar reserves
``scope`` for the ASGI scope) and hands it to the services, which filter every query by
it and record it as the actor of every change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

from piccolo.columns.combination import Where


class Role(str, Enum):
    inspector = "inspector"  # 执法/检查人员
    reviewer = "reviewer"  # 内勤/审核
    supervisor = "supervisor"  # 局领导/科长
    enterprise = "enterprise"  # 企业
    admin = "admin"


EVERYONE = frozenset(Role)
STAFF = frozenset({Role.inspector, Role.reviewer, Role.supervisor, Role.admin})
FIELD_STAFF = frozenset({Role.inspector, Role.supervisor, Role.admin})
FIELD_TEAM = frozenset({Role.inspector, Role.supervisor})  # who may be on a visit's team
INVITERS = frozenset({Role.reviewer, Role.supervisor, Role.admin})
REVIEWERS = frozenset({Role.reviewer, Role.supervisor, Role.admin})
MANAGERS = frozenset({Role.supervisor, Role.admin})

PUBLIC = {"public": True}  # the ``opt`` of a route anyone may use, signed in or not


def roles(allowed: frozenset[Role]) -> dict[str, frozenset[Role]]:
    """The ``opt`` of a handler or controller that admits ``allowed``."""
    return {"roles": allowed}


@dataclass(frozen=True, kw_only=True)
class Scope:
    """A signed-in user's jurisdiction: a region subtree (staff) or one enterprise
    (enterprise users); neither is the whole registry (SYSTEM, the province's admins)."""

    role: Role
    user_id: UUID | None = None
    display_name: str = ""
    region_code: str | None = None
    region_level: str | None = None
    enterprise_id: UUID | None = None
    certificate_no: str = ""  # 执法证号 of enforcement staff

    @property
    def is_everything(self) -> bool:
        return self.region_code is None and self.enterprise_id is None


SYSTEM = Scope(role=Role.admin, display_name="system")
"""The system itself (the command line, demo data): the whole registry."""

LEVEL_COLUMNS = {"province": "province_code", "city": "city_code", "county": "county_code"}


def under(columns: Any, code: str, level: str) -> Where:
    """Rows whose region codes (``columns``: a table, or a foreign key to one, that has
    province_code, city_code and county_code) lie in the subtree of region ``code``."""
    return getattr(columns, LEVEL_COLUMNS[level]) == code


def in_region(scope: Scope, columns: Any) -> list[Where]:
    """The region part of ``scope`` as filters on rows with region codes (``columns``, as
    for ``under``): none for the whole registry or an enterprise user."""
    if scope.region_code is None:
        return []
    return [under(columns, scope.region_code, scope.region_level or "county")]


def in_scope(scope: Scope, columns: Any, enterprise: Any) -> list[Where]:
    """The filters that keep rows inside ``scope``: by their region codes (``columns``,
    as for ``under``) and, for an enterprise user, by their ``enterprise`` column."""
    conditions = in_region(scope, columns)
    if scope.enterprise_id is not None:
        conditions.append(enterprise == scope.enterprise_id)
    return conditions

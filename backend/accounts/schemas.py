from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from msgspec import Meta

from backend.access import Role
from backend.fields import SIX_DIGITS, text

DisplayName = text(100, 1)
CertificateNo = Annotated[str, Meta(pattern=r"^[0-9A-Za-z\-]{4,30}$", description=(
    "执法证号: the enforcement certificate number printed on the officer's card (4-30 letters, digits or '-')"))]


class InvitationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    role: Role
    display_name: DisplayName
    region_code: Annotated[str, Meta(pattern=SIX_DIGITS)] | None = None
    enterprise_id: UUID | None = None
    certificate_no: CertificateNo | None = None  # staff only
    # A new passkey for this existing user (a new or lost phone): the invitation names the
    # user's own role and jurisdiction or enterprise, and enrolment signs in as that user.
    user_id: UUID | None = None


class InvitationOut(msgspec.Struct, kw_only=True):
    id: UUID
    role: Role
    display_name: str
    region_code: str | None
    enterprise_id: UUID | None
    user_id: UUID | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    link: str | None = None  # only in the answer to the invitation's creation


class InvitationInfo(msgspec.Struct):
    """What the person opening an invitation link sees before enrolling."""

    role: Role
    display_name: str
    expires_at: datetime


class CeremonyStart(msgspec.Struct, forbid_unknown_fields=True):
    invitation: text(100) | None = None


class Ceremony(msgspec.Struct):
    """WebAuthn options for navigator.credentials.create()/get(), and the id to send back."""

    ceremony: UUID
    options: dict[str, Any]


class CeremonyFinish(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    ceremony: UUID
    credential: dict[str, Any]
    label: text(100) = ""


class Me(msgspec.Struct, kw_only=True):
    id: UUID
    display_name: str
    role: Role
    region_code: str | None
    enterprise_id: UUID | None
    certificate_no: str = ""  # 执法证号 (enforcement staff)


class PasskeyOut(msgspec.Struct):
    id: str
    label: str
    created_at: datetime
    last_used_at: datetime | None


class SessionOut(msgspec.Struct):
    id: UUID
    created_at: datetime
    expires_at: datetime
    user_agent: str
    current: bool


class UserOut(msgspec.Struct, kw_only=True):
    id: UUID
    display_name: str
    role: Role
    region_code: str | None
    enterprise_id: UUID | None
    active: bool
    created_at: datetime
    certificate_no: str


class OfficerOut(msgspec.Struct, kw_only=True):
    """An officer a visit's team may name (GET /api/officers)."""

    id: UUID
    display_name: str
    role: Role
    region_code: str
    region_level: str  # province, city or county: whose enterprises they may inspect
    certificate_no: str  # 执法证号, printed on every record of their visits


class UserPage(msgspec.Struct):
    items: list[UserOut]
    next_cursor: str | None


class UserPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Activate or deactivate a user, or set their enforcement certificate number (admins)."""

    active: bool | None = None
    certificate_no: CertificateNo | None = None

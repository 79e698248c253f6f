"""Request and response bodies. Requests refuse unknown fields and bound every string,
so a typo in a field name or a pasted essay is a 400 naming the field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from backend.fields import PHONE, SIX_DIGITS, Strict, text
from backend.enterprises.tables import Category, ControlPointKind, CreditClass, LicenceStatus, RiskGrade

Name = text(200, 1)
Address = text(300, 1)
USCCText = text(40, 1, "18-character unified social credit code")
CountyCode = Annotated[str, Meta(pattern=SIX_DIGITS, description="6-digit GB/T 2260 county code")]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
Short = text(50)
Phone = Annotated[str, Meta(max_length=30, pattern=PHONE)]
LicenceNumber = text(64, 1)
LicenceScope = text(2000)
PointName = text(100, 1)
Location = text(200)
LicenceState = Literal["valid", "expiring", "missing"]
LicenceFilter = Literal["valid", "missing", "expiring"]


class Contact(Strict, kw_only=True):
    name: text(50, 1)
    role: Short = ""
    phone: Phone = ""


class LicenceIn(Strict, kw_only=True):
    number: LicenceNumber
    scope: LicenceScope = ""
    valid_from: date
    valid_to: date
    status: LicenceStatus = LicenceStatus.valid


class LicencePatch(Strict, kw_only=True):
    number: LicenceNumber | UnsetType = UNSET
    scope: LicenceScope | UnsetType = UNSET
    valid_from: date | UnsetType = UNSET
    valid_to: date | UnsetType = UNSET
    status: LicenceStatus | UnsetType = UNSET


class ControlPointIn(Strict, kw_only=True):
    name: PointName
    kind: ControlPointKind
    location: Location = ""
    position: Annotated[int, Meta(ge=0, le=10_000)] = 0


class ControlPointPatch(Strict, kw_only=True):
    name: PointName | UnsetType = UNSET
    kind: ControlPointKind | UnsetType = UNSET
    location: Location | UnsetType = UNSET
    position: Annotated[int, Meta(ge=0, le=10_000)] | UnsetType = UNSET


class EnterpriseIn(Strict, kw_only=True):
    id: Annotated[
        UUID | None, Meta(description="A client-generated id: the same body sent again answers 200 with the record")
    ] = None
    name: Name
    uscc: USCCText
    address: Address
    county_code: CountyCode
    category: Category
    risk_grade: RiskGrade
    credit_class: Annotated[CreditClass | None, Meta(description="信用风险分类 A-D, if the enterprise has one")] = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    contacts: Annotated[list[Contact], Meta(max_length=20)] = []
    licences: Annotated[list[LicenceIn], Meta(max_length=20)] = []
    control_points: Annotated[list[ControlPointIn], Meta(max_length=100)] = []


class EnterprisePatch(Strict, kw_only=True):
    name: Name | UnsetType = UNSET
    uscc: USCCText | UnsetType = UNSET
    address: Address | UnsetType = UNSET
    county_code: CountyCode | UnsetType = UNSET
    category: Category | UnsetType = UNSET
    risk_grade: RiskGrade | UnsetType = UNSET
    credit_class: CreditClass | None | UnsetType = UNSET
    latitude: Latitude | None | UnsetType = UNSET
    longitude: Longitude | None | UnsetType = UNSET
    contacts: Annotated[list[Contact], Meta(max_length=20)] | UnsetType = UNSET


class LicenceOut(msgspec.Struct):
    id: UUID
    number: str
    scope: str
    valid_from: date
    valid_to: date
    status: LicenceStatus


class ControlPointOut(msgspec.Struct):
    id: UUID
    name: str
    kind: ControlPointKind
    location: str
    position: int


class EnterpriseSummary(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    uscc: str
    address: str
    county_code: str
    county_name: str
    city_code: str | None
    province_code: str
    category: Category
    risk_grade: RiskGrade
    created_at: datetime
    credit_class: CreditClass | None = None
    licence_state: LicenceState = "missing"
    licence_valid_to: date | None = None
    last_visited_on: date | None = None
    next_due_on: date | None = None


class EnterpriseOut(EnterpriseSummary, kw_only=True):
    latitude: float | None
    longitude: float | None
    contacts: list[Contact]
    updated_at: datetime
    licences: list[LicenceOut] = []
    control_points: list[ControlPointOut] = []


class EnterprisePage(msgspec.Struct):
    items: list[EnterpriseSummary]
    next_cursor: str | None


class RiskGradeOut(msgspec.Struct):
    grade: RiskGrade
    visit_interval_days: int

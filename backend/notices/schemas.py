from datetime import datetime
from uuid import UUID

import msgspec

from backend.enterprises.tables import ControlPointKind
from backend.fields import text
from backend.notices.tables import NoticeStatus, PaperSize


class NoticeTemplateOut(msgspec.Struct, kw_only=True):
    id: UUID
    code: str
    title: str
    body: str
    control_point_kind: ControlPointKind  # "other" fits any control point
    paper_size: PaperSize


class NoticeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: UUID  # made by the phone; also the idempotency key
    visit_id: UUID
    control_point_id: UUID
    template_id: UUID
    # The photo of the notice in place (category "notice"). None when the notice is printed
    # first, so that the paper carries its code; the photo follows (POST …/photo).
    photo_id: UUID | None = None


class NoticePhotoIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    photo_id: UUID  # the photo of the printed notice in place (category "notice")


class RemovalIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: text(500)


class NoticeOut(msgspec.Struct, kw_only=True):
    id: UUID
    code: str  # the short public code: /v/{code}
    enterprise_id: UUID
    enterprise_name: str
    control_point_id: UUID
    control_point_name: str
    template_id: UUID
    title: str
    body: str
    paper_size: PaperSize
    status: NoticeStatus
    posted_at: datetime
    posted_by: UUID | None  # the inspector's user id
    bureau: str  # the county bureau, e.g. 惠民县市场监督管理局
    visit_id: UUID | None
    photo_id: UUID | None
    ended_at: datetime | None  # when it was replaced or removed
    replaced_by: UUID | None
    removed_reason: str

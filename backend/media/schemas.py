from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from backend.fields import AwareDatetime, Strict, text
from backend.media.tables import Category, ReviewStatus


class UploadFields(Strict, kw_only=True):
    """The form fields sent with a file. GPS and time are the phone's own readings: the
    fallback when the photo's EXIF has none. Every id names a record of the enterprise
    (checked). A photo belongs to a checklist answer through that answer's ``media`` list
    in the visit's submission: answers have no id of their own, so there is no answer_id."""

    id: UUID  # made by the phone; a retry sends the same
    enterprise_id: UUID
    category: Category
    caption: text(500) = ""
    visit_id: UUID | None = None  # the visit a photo was taken during (planned or filed)
    control_point_id: UUID | None = None
    notice_id: UUID | None = None
    rectification_id: UUID | None = None
    captured_at: AwareDatetime | None = None
    latitude: Annotated[float, Meta(ge=-90, le=90)] | None = None
    longitude: Annotated[float, Meta(ge=-180, le=180)] | None = None
    altitude: Annotated[float, Meta(ge=-1000, le=10000)] | None = None
    # a retake of this returned upload: filed in its enterprise, visit, item and control point
    # (the ones sent must be the same; the ones left out are taken from it)
    replaces_id: UUID | None = None


class VisitContext(msgspec.Struct, kw_only=True):
    """Where an upload of a visit belongs, as the review desk and the returned photos' cards
    name it: the visit, and the checklist item whose answer names the upload (for a retake,
    its original's; none for a photo of the premises or a notice)."""

    started_at: datetime | None
    status: str
    visit_type: str
    planned_date: date
    item_key: str | None = None
    item_text: str | None = None
    item_result: str | None = None  # pass | fail | na (None: a number, text or choice answered)


class MediaOut(msgspec.Struct, kw_only=True):
    id: UUID
    enterprise_id: UUID
    enterprise_name: str  # joined in the same query: a review queue names each photo's enterprise
    sha256: str
    mime: str
    size: int
    width: int | None
    height: int | None
    duration: float | None = None  # videos: seconds
    codec: str | None = None  # videos: h264, hevc, vp9…
    pages: int | None = None  # PDFs
    derived_at: datetime | None = None  # when the thumbnail and preview were made (photos, videos)
    undecodable: bool = False  # the photo's pixels do not decode: no preview will come (it is returned for a retake)
    category: Category
    caption: str
    original_name: str
    visit_id: UUID | None
    control_point_id: UUID | None
    control_point_name: str | None = None  # joined in the same query
    captured_at: datetime | None
    captured_at_source: str | None
    latitude: float | None
    longitude: float | None
    altitude: float | None
    location_source: str | None
    device_make: str
    device_model: str
    orientation: int | None
    flags: list[str]
    uploaded_by: UUID | None
    uploaded_at: datetime
    status: ReviewStatus
    review_reason: str
    reviewed_at: datetime | None
    review_seconds: int | None
    visit_context: VisitContext | None = None  # in the review queue and the returned list, for an upload of a visit
    replaces_id: UUID | None = None  # the returned upload this one retakes
    replaced_by_id: UUID | None = None  # the retake that replaces this returned upload
    item_key: str | None = None  # a retake's checklist item (the one its original's answer cites)


class ReviewIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["accept", "return"]
    reason: text(500) = ""


class ReturnedPage(msgspec.Struct):
    items: list[MediaOut]
    next_cursor: str | None


class MediaPage(msgspec.Struct):
    items: list[MediaOut]
    next_cursor: str | None


class Archive(MediaPage, kw_only=True):
    """An enterprise's image archive: a page of its timeline and the counts per category."""

    counts: dict[str, int]

from enum import Enum

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from backend.enterprises.tables import ControlPoint, Enterprise


class Category(str, Enum):
    premises = "premises"  # 厂区环境
    licence = "licence"  # 证照
    evidence = "evidence"  # 证据
    notice = "notice"  # 警示语
    ledger = "ledger"  # 台账
    rectification = "rectification"  # 整改
    signature = "signature"  # 签名
    other = "other"  # 其他


class ReviewStatus(str, Enum):
    pending = "pending"
    accepted = "accepted"
    returned = "returned"


class Blob(Table):
    """Stored bytes, once per SHA-256. The perceptual hash is split into four 16-bit
    bands, and candidates for near-duplicates come from four indexed lookups (one per band).
    Photos within 3 bits of each other always share a band, so they are always found;
    photos 4 to 6 bits apart (NEAR_DUPLICATE_BITS) only when their differing bits leave
    one band whole. ``crc32`` is taken while the upload is hashed (the evidence package's
    ZIP needs it); NULL for blobs stored before, until a package computes it.
    ``width`` and ``height`` are a photo's or video's pixels (as displayed), a PDF's first
    page in points; ``duration`` (seconds) and ``codec`` are a video's, ``pages`` a PDF's.
    ``derived_at``: when its thumbnail and preview were stored (by a job; NULL until then,
    and always for a PDF): a preview is asked for before it exists without asking the store.
    ``phash`` is computed by that job too (backend.media.decoded), or ``undecodable`` set
    when the pixels do not decode (its uploads are then returned for a retake)."""

    sha256 = Varchar(length=64, primary_key=True)
    size = BigInt()
    crc32 = BigInt(null=True, default=None)
    mime = Varchar(length=40)
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    phash = BigInt(null=True, default=None)
    band0 = Integer(null=True, default=None, index=True)
    band1 = Integer(null=True, default=None, index=True)
    band2 = Integer(null=True, default=None, index=True)
    band3 = Integer(null=True, default=None, index=True)
    duration = DoublePrecision(null=True, default=None)
    codec = Varchar(length=16, null=True, default=None)
    pages = Integer(null=True, default=None)
    derived_at = Timestamptz(null=True, default=None)
    undecodable = Boolean(default=False)


class MediaItem(Table, tablename="media_item"):
    """One upload in an enterprise's dossier. Its id is the phone's UUID, which makes a
    retried upload find the first one."""

    id = UUID(primary_key=True)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    blob = ForeignKey(references=Blob, on_delete=OnDelete.restrict, index=True)
    category = Varchar(length=16, choices=Category, index=True)
    caption = Varchar(length=500, default="")
    original_name = Varchar(length=255, default="")
    visit = UUID(null=True, default=None, index=True)
    control_point = ForeignKey(references=ControlPoint, null=True, on_delete=OnDelete.restrict)
    notice = UUID(null=True, default=None)
    rectification = UUID(null=True, default=None)
    captured_at = Timestamptz(null=True, default=None)
    captured_at_source = Varchar(length=8, null=True, default=None)  # exif | device
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    altitude = DoublePrecision(null=True, default=None)
    location_source = Varchar(length=8, null=True, default=None)  # exif | device
    device_make = Varchar(length=100, default="")
    device_model = Varchar(length=100, default="")
    orientation = Integer(null=True, default=None)
    flags = JSON(default=[])
    taken_at = Timestamptz(index=True)  # captured_at, else uploaded_at: the archive's timeline
    uploaded_by = UUID(null=True, default=None, index=True)
    uploaded_at = Timestamptz(index=True)
    status = Varchar(length=10, choices=ReviewStatus, default=ReviewStatus.pending, index=True)
    review_reason = Text(default="")
    reviewed_by = UUID(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    review_seconds = BigInt(null=True, default=None)  # upload to decision
    # A retake of a returned upload names the one it replaces; the original stays (returned),
    # pointing at its replacement. ``item_key``: the checklist item a replacement belongs to
    # (an original's item is the one whose answer cites it in its visit's submission).
    replaces = UUID(null=True, default=None, index=True)
    replaced_by = UUID(null=True, default=None)
    item_key = Varchar(length=20, null=True, default=None)

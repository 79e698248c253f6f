from enum import Enum

from piccolo.columns import UUID, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.enterprises.tables import ControlPoint, ControlPointKind, Enterprise
from backend.inspections.tables import Visit
from backend.media.tables import MediaItem


class PaperSize(str, Enum):
    A4 = "A4"
    A5 = "A5"


class NoticeStatus(str, Enum):
    current = "current"  # posted and in force: its code verifies as genuine
    replaced = "replaced"  # a newer notice was posted at the same control point
    removed = "removed"  # taken down, with a reason


class NoticeTemplate(Table, tablename="notice_template"):
    """A standard warning notice (质量安全警示告知) for one kind of control point; the
    kind ``other`` fits any control point. A template is never edited once installed (a
    printed notice must never change): new wording is a new template with a new code."""

    id = UUID(primary_key=True)
    code = Varchar(length=50, unique=True)
    title = Varchar(length=100)
    body = Text()
    control_point_kind = Varchar(length=32, choices=ControlPointKind)
    paper_size = Varchar(length=2, choices=PaperSize)


class Notice(Table):
    """One notice posted at one control point. Its id is the phone's UUID; ``code`` is the
    short public code printed on it (and in its QR code); its text is its template's. At most one
    notice per control point is current (a partial unique index, see the migration).
    ``visit``, ``photo`` and ``posted_by`` are empty only for notices recorded outside the
    app (the demo data's paper-era notices)."""

    id = UUID(primary_key=True)
    code = Varchar(length=8, unique=True)
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    control_point = ForeignKey(references=ControlPoint, on_delete=OnDelete.restrict, index=True)
    template = ForeignKey(references=NoticeTemplate, on_delete=OnDelete.restrict)
    visit = ForeignKey(references=Visit, null=True, default=None, on_delete=OnDelete.restrict)
    photo = ForeignKey(references=MediaItem, null=True, default=None, on_delete=OnDelete.restrict)
    status = Varchar(length=10, choices=NoticeStatus, default=NoticeStatus.current)
    posted_at = Timestamptz()
    posted_by = UUID(null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)  # when it was replaced or removed
    replaced_by = UUID(null=True, default=None)
    removed_by = UUID(null=True, default=None)
    removed_reason = Text(default="")

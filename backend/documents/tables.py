from enum import Enum

from piccolo.columns import UUID, BigInt, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from backend.enterprises.tables import Enterprise


class DocumentKind(str, Enum):
    record = "record"  # 现场检查笔录, one per filed visit
    order = "order"  # 责令改正通知书, one per filed visit with findings
    recheck = "recheck"  # 复查记录, one per closed finding


class DocumentStatus(str, Enum):
    current = "current"
    superseded = "superseded"  # an amendment of its visit issued a newer one


class Document(Table):
    """One issued document. Its number comes from a gap-free serial per issuing bureau
    (the county), year and kind, taken in the transaction that files what it records;
    ``code`` is the short public code of its verification page. ``subject`` is what it is
    about: the visit (record, order) or the finding (recheck); one document per kind and
    subject (a unique index, see the migration). ``sha256`` and ``size`` are the PDF's,
    set once when it is first rendered."""

    id = UUID(primary_key=True)
    kind = Varchar(length=8, choices=DocumentKind)
    subject = UUID()
    visit = UUID(index=True)  # the visit recorded, or whose finding is re-checked
    enterprise = ForeignKey(references=Enterprise, on_delete=OnDelete.restrict, index=True)
    bureau_code = Varchar(length=6)
    year = Integer()
    serial = Integer()
    number = Varchar(length=80)
    code = Varchar(length=8, unique=True)
    content_hash = Varchar(length=64)  # the visit's (record, order) or the closure's (recheck)
    issued_at = Timestamptz()
    status = Varchar(length=10, choices=DocumentStatus, default=DocumentStatus.current)
    superseded_by = UUID(null=True, default=None)
    sha256 = Varchar(length=64, null=True, default=None)
    size = BigInt(null=True, default=None)


class DocumentSerial(Table, tablename="document_serial"):
    """The last number issued per bureau, year and kind: ``key`` is "371621/2026/record"."""

    key = Varchar(length=32, primary_key=True)
    last = Integer(default=0)

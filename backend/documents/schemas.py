from datetime import datetime
from uuid import UUID

import msgspec

from backend.documents.tables import DocumentKind, DocumentStatus


class DocumentOut(msgspec.Struct, kw_only=True):
    id: UUID
    kind: DocumentKind
    title: str  # 现场检查笔录, 责令改正通知书, 复查记录
    number: str  # 惠民市监现记〔2026〕12号
    code: str  # the public verification code (its page: /v/{code})
    status: DocumentStatus
    superseded_by: UUID | None
    enterprise_id: UUID
    enterprise_name: str
    visit_id: UUID
    subject_id: UUID  # the visit (record, order) or the finding (recheck)
    issued_at: datetime
    content_hash: str  # the visit's content hash it prints (record, order), or the closure's
    sha256: str | None  # the PDF's, once rendered (recorded in the audit chain)
    size: int | None

"""A document's public verification page (/v/{code}, shared with notices): its kind,
number, enterprise, date and the SHA-256 of its PDF, and whether it is current or was
superseded by an amendment. No internal ids, no officers' names."""

from __future__ import annotations

from backend.documents.context import day
from backend.documents.schemas import DocumentOut
from backend.documents.tables import DocumentStatus
from backend.notices.page import shell


def verification_page(document: DocumentOut, newer: DocumentOut | None) -> str:
    if document.status == DocumentStatus.current:
        verdict = ("genuine", "真实有效", f"此{document.title}由市场监督管理部门出具，现行有效。")
    else:
        instead = f"，请以{newer.title} {newer.number} 为准" if newer else ""
        verdict = ("void", "已被更正", f"此{document.title}已被更正后的文书取代{instead}。")
    rows = (("核验码", document.code), ("文书种类", document.title), ("文书编号", document.number),
            ("被检查单位", document.enterprise_name), ("出具日期", day(document.issued_at)),
            ("PDF 文件的 SHA-256", document.sha256 or "（尚未生成打印件）"))
    return shell("执法文书核验", verdict, rows,
                 "执法文书核验 · 持有 PDF 文件者可计算其 SHA-256（如 sha256sum 文件名.pdf）并与上方数值比对，"
                 "一致即为原件。如发现伪造、涂改，请拨打 12315 举报。")

"""Document numbers: a gap-free serial per issuing bureau (the county), year and kind,
and the number as printed, e.g. 惠民市监现记〔2026〕12号.

The serial is one upsert that adds one and returns the result, inside the transaction
that records the document: the counter row stays locked until that transaction ends
(PostgreSQL's row lock; SQLite runs one write transaction at a time), and a transaction
that rolls back takes its increment with it. So numbers are taken in commit order,
exactly once, with no gaps."""

from __future__ import annotations

from backend.documents.tables import DocumentKind, DocumentSerial

TITLE = {DocumentKind.record: "现场检查笔录", DocumentKind.order: "责令改正通知书", DocumentKind.recheck: "复查记录"}
MARK = {DocumentKind.record: "现记", DocumentKind.order: "责改", DocumentKind.recheck: "复查"}
DIVISION_SUFFIXES = ("自治县", "县", "区", "市", "旗")


async def take(bureau_code: str, year: int, kind: DocumentKind) -> int:
    """The next serial of ``bureau_code``'s documents of ``kind`` in ``year`` (in the
    caller's transaction)."""
    rows = await DocumentSerial.raw(
        "INSERT INTO document_serial (key, last) VALUES ({}, 1) "
        "ON CONFLICT (key) DO UPDATE SET last = document_serial.last + 1 RETURNING last",
        f"{bureau_code}/{year}/{kind.value}")
    return rows[0]["last"]


def printed(county_name: str, kind: DocumentKind, year: int, serial: int) -> str:
    """惠民县, record, 2026, 12 -> 惠民市监现记〔2026〕12号 (the bureau's short name, 市监 for
    market supervision, the kind's mark, the year in hexagonal brackets, the serial)."""
    short = county_name
    for suffix in DIVISION_SUFFIXES:
        if short.endswith(suffix) and len(short) > len(suffix) + 1:
            short = short[: -len(suffix)]
            break
    return f"{short}市监{MARK[kind]}〔{year}〕{serial}号"

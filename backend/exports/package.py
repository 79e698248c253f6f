"""The dossier evidence package: an enterprise's evidence as one ZIP that anyone can check
without us. Knows nothing of HTTP (``package_routes`` serves it).

What is in it: ``originals/{category}/{taken day}_{id}.{ext}`` (the uploads, byte for byte),
the documents its caller passes in (``PackageFile``s), ``manifest.csv`` (UTF-8 with BOM,
Chinese headers) and ``manifest.json``, ``audit/events.jsonl`` (the enterprise's audit
events with digest, prev_hash and hash), ``audit/chain_head.txt`` (the head of the whole
chain at the package's as-of time), ``verify_chain.py`` (standard library only, its hash
code taken from ``backend.audit.service`` itself), ``SHA256SUMS`` (every other file, for
``sha256sum -c``) and a ``README.txt`` in Chinese.

Same request, same bytes. A download over a poor link resumes with a Range request, so a
package must come out byte-identical when asked again. Three things would otherwise move:
- *time*: each entry's ZIP time is its capture time (``taken_at``) or the package's as-of
  instant, never the clock of the request;
- *the data*: the package is cut at an as-of instant: uploads filed and
  audit events recorded up to it, and the chain head is the last event of the whole chain
  up to it. By default the cut is the dossier's last change (its last audit event the
  caller may see, its last upload, its record's last edit), not the request's time, so the
  same dossier gives the same bytes however often it is asked for. The answer names the
  cut (``Dossier-As-Of``) and the ETag carries it, so a resumed request (``If-Range``, or
  ``as_of`` given again) rebuilds that cut even after the dossier grew. Bulk-loaded uploads
  without an audit event of their own are cut by their upload time just the same;
- *what the cut cannot freeze*: a review decided in between changes the manifest. The ETag
  is a hash of every entry's name, size, SHA-256 and time, so it changes with any byte,
  and an ``If-Range`` that no longer matches gets the whole new package instead of a
  spliced one.

Streaming and ranges. zipstream-ng (read at 1.9.3 and upstream) generates a stream from
start to end only: it cannot start at an offset, and it learns each entry's CRC-32 by
reading the file, while the CRCs are written after each file and in the central directory
at the very end. So the layout is computed here, from sizes alone, with zipstream-ng's own
``ZipStreamInfo`` encoding every record (stored, data descriptors, ZIP64 fields where an
entry or an offset passes 4 GiB; the total equals zipstream-ng's ``len()``, see the tests).
Bytes ``a..b`` then come from the entries they overlap only: a file before ``a`` is not
read for its bytes. Its CRC-32 is needed, though, if the range reaches the central
directory (the tail of every resumed download). An upload's CRC is recorded with its blob
(taken while it was received); one stored before that is computed by reading the file once
(while it is streamed, or just before the central directory) and then recorded
(``remember_crcs``). Documents' CRCs are kept per SHA-256 once a file has been streamed
(bytes never change under a hash), so a download resumed on the same worker reads only the
file it was cut in. Memory stays flat:
files are read in 1 MiB blocks, handed to the server in lists of about 1 MiB (one worker
thread call per list, the next list read while this one is sent; the pieces are sent as
they are, never copied into one buffer); the rows are read in batches, and the generated files are built in memory before
the first byte (their sizes must be known): about 25 MB for 16,000 photos and as many events.

Scope: the enterprise must be in the caller's scope (404 otherwise). Its users see what
its image archive shows them (every upload, whatever its review status) and its audit
events except the planning of a visit that has not taken place (unannounced inspections).
"""

from __future__ import annotations

import csv
import hashlib
import inspect
import io
import json
import struct
import zlib
from dataclasses import dataclass, field
from functools import partial
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, AsyncIterator, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence
from uuid import UUID
from zipfile import (
    ZIP64_LIMIT, ZIP64_VERSION, ZIP_STORED, sizeEndCentDir, sizeEndCentDir64, sizeEndCentDir64Locator,
    stringEndArchive, stringEndArchive64, stringEndArchive64Locator, structEndArchive, structEndArchive64,
    structEndArchive64Locator,
)

import msgspec
from zipstream.ng import ZIP64_ESTIMATE_FACTOR, ZipStreamInfo

from backend import clock, db
from backend.access import Scope
from backend.accounts.tables import User
from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.enterprises import service as enterprises
from backend.errors import Invalid, NotFound
from backend.fields import EARLIEST, LATEST, check_period
from backend.inspections import service as inspections
from backend.inspections.tables import Visit, VisitStatus
from backend.media.store import MediaStore
from backend.media.tables import Blob, Category, MediaItem

CHUNK = 1 << 20  # bytes read at once and (about) sent at once
BATCH = 2_000  # rows read at once
BATCH_SQL = 300  # blobs updated by one statement (3 parameters each)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic",
              "application/pdf": "pdf", "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
CATEGORY_NAMES = {"premises": "厂区环境", "licence": "证照", "evidence": "证据", "notice": "警示语", "ledger": "台账",
                  "rectification": "整改", "signature": "签名", "other": "其他"}
STATUS_NAMES = {"pending": "待审核", "accepted": "已采纳", "returned": "已退回"}
KIND_NAMES = {"original": "原件", "document": "文书"}
MANIFEST_COLUMNS = (  # key in manifest.json, header in manifest.csv
    ("path", "文件路径"), ("sha256", "SHA-256"), ("size", "大小（字节）"), ("kind", "类型"), ("category", "类别"),
    ("captured_at", "拍摄时间"), ("latitude", "纬度"), ("longitude", "经度"), ("uploader", "上传人"),
    ("visit_id", "所属检查"), ("review_status", "审核状态"), ("media_id", "媒体编号"),
)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_CRCS: dict[str, int] = {}  # CRC-32 by SHA-256, learnt while streaming (a hash's bytes never change)
_CRCS_KEPT = 200_000


@dataclass(frozen=True)
class PackageFile:
    """One file in the package besides the generated ones: an original, or a document
    its caller adds. ``source`` opens its bytes: a callable giving a binary file at its start
    (a store's ``open``); ``modified`` is its time in the ZIP
    (None: the package's as-of cut); ``manifest`` fills the manifest's other columns (keys
    of MANIFEST_COLUMNS, e.g. kind="document")."""

    path: str
    size: int
    sha256: str
    source: Callable[[], BinaryIO]
    modified: datetime | None = None
    manifest: Mapping[str, Any] = field(default_factory=dict)
    crc32: int | None = None  # when known (an upload's, recorded with its blob)

    def __post_init__(self) -> None:
        parts = self.path.split("/")
        if self.path.startswith("/") or "" in parts or ".." in parts or any(c in self.path for c in "\\\n\r\0"):
            raise ValueError(f"Not a plain relative path inside the package: {self.path!r}")


@dataclass(frozen=True)
class PackageFilter:
    """Which uploads: taken on bureau days since..until (inclusive), during a visit, of a category."""

    since: date | None = None
    until: date | None = None
    visit_id: UUID | None = None
    category: Category | None = None

    def __post_init__(self) -> None:
        check_period(self.since, self.until, "since", "until")


# ---------------------------------------------------------------------------- building


async def build(scope: Scope, enterprise_id: UUID, f: PackageFilter, as_of: datetime | None, today: date,
                store: MediaStore, extra: Sequence[PackageFile] = ()) -> Package:
    """The package of an enterprise in ``scope`` (NotFound otherwise), cut at ``as_of``
    (None: the dossier's last change), with the uploads ``f`` selects and the ``extra``
    files (documents: the caller chooses them)."""
    enterprise = await enterprises.get_enterprise(scope, enterprise_id, today)
    hidden = await _unannounced(scope, enterprise_id)
    cut = _as_of(as_of) if as_of is not None else await _last_change(enterprise, hidden)
    if f.visit_id is not None:
        await _check_visit(scope, enterprise_id, f.visit_id)
    listing = _Listing(cut)
    for p in extra:
        listing.add(p)
    async for p in _originals(enterprise_id, f, cut, store):
        listing.add(p)
    events, count, head = await _events(enterprise_id, cut, hidden)
    stamp = _date_time(cut)
    generated = {
        "README.txt": _readme(enterprise, f, cut, listing, count, head),
        "manifest.csv": listing.manifest_csv(),
        "manifest.json": _manifest_json(enterprise, f, cut, listing),
        "verify_chain.py": _verify_script(),
        "audit/chain_head.txt": _chain_head(cut, head),
        "audit/events.jsonl": events,
    }
    entries = [_Entry.of_bytes(name, data, stamp) for name, data in generated.items()]
    entries += listing.entries
    sums = io.BytesIO()
    for e in entries:
        sums.write(f"{e.sha256}  {e.name}\n".encode())
    entries.insert(0, _Entry.of_bytes("SHA256SUMS", sums.getvalue(), stamp))
    return Package(entries, cut, f"dossier_{enterprise.uscc}_{cut.astimezone(clock.BUREAU_TIME):%Y%m%d_%H%M%S}.zip")


def _as_of(as_of: datetime) -> datetime:
    """A cut asked for: with its zone, not ahead of now, within the era."""
    if as_of.tzinfo is None:
        raise Invalid("Expected an instant with its time zone, e.g. 2026-11-24T02:00:00Z", "as_of", code="instant_needs_zone")
    if as_of > clock.now():
        raise Invalid("The package cannot be cut at an instant still to come.", "as_of", code="instant_in_future")
    if not EARLIEST <= as_of.date() <= LATEST:
        raise Invalid(f"An instant between {EARLIEST} and {LATEST}.", "as_of", code="date_out_of_era", params={"earliest": EARLIEST, "latest": LATEST})
    return as_of.astimezone(timezone.utc)


async def _last_change(enterprise: Any, hidden: set[str]) -> datetime:
    """The default cut: the enterprise's last change the caller may see (its last audit
    event, its last upload, bulk-loaded ones included, or its record's last edit), so the
    package stays byte-identical until the dossier changes."""
    events = AuditEvent.select(AuditEvent.at).where(AuditEvent.enterprise == enterprise.id)
    if hidden:
        events = events.where((AuditEvent.action != "visit.planned") | AuditEvent.target_id.not_in(list(hidden)))
    event = await events.order_by(AuditEvent.id, ascending=False).first()
    upload = await MediaItem.select(MediaItem.uploaded_at).where(MediaItem.enterprise == enterprise.id).order_by(
        MediaItem.uploaded_at, ascending=False).first()
    return max(t for t in (enterprise.updated_at, event and event["at"], upload and upload["uploaded_at"])
               if t is not None).astimezone(timezone.utc)


async def _unannounced(scope: Scope, enterprise_id: UUID) -> set[str]:
    """The visits whose planning the caller may not see: its own enterprise's visits still
    planned, for an enterprise user (inspections are not announced)."""
    if scope.enterprise_id is None:
        return set()
    return {str(v["id"]) for v in await Visit.select(Visit.id).where(Visit.enterprise == enterprise_id,
                                                                       Visit.status == VisitStatus.planned)}


async def _check_visit(scope: Scope, enterprise_id: UUID, visit_id: UUID) -> None:
    try:
        visit = await inspections.get_visit(scope, visit_id)
    except NotFound:
        visit = None
    if visit is None or visit.enterprise_id != enterprise_id:
        raise NotFound(f"No visit {visit_id} in this enterprise's dossier.", "visit_id", code="visit_not_found", params={"id": visit_id})


async def _originals(enterprise_id: UUID, f: PackageFilter, cut: datetime, store: MediaStore,
                     ) -> AsyncIterator[PackageFile]:
    """The uploads filed up to the cut that ``f`` selects, oldest first, as the image
    archive shows them (every review status), read in batches."""
    chosen = [MediaItem.enterprise == enterprise_id, MediaItem.uploaded_at <= cut]
    if f.since is not None:
        chosen.append(MediaItem.taken_at >= _bureau_midnight(f.since))
    if f.until is not None:
        chosen.append(MediaItem.taken_at < _bureau_midnight(f.until + timedelta(days=1)))
    if f.visit_id is not None:
        chosen.append(MediaItem.visit == f.visit_id)
    if f.category is not None:
        chosen.append(MediaItem.category == f.category)
    names: dict[Any, str] = {}
    paths: set[str] = set()
    after: list[Any] = []
    while rows := await MediaItem.select(
        MediaItem.id, MediaItem.category, MediaItem.taken_at, MediaItem.captured_at, MediaItem.latitude,
        MediaItem.longitude, MediaItem.uploaded_by, MediaItem.visit, MediaItem.status,
        MediaItem.blob.as_alias("sha256"), MediaItem.blob.size.as_alias("size"), MediaItem.blob.mime.as_alias("mime"),
        MediaItem.blob.crc32.as_alias("crc32"),
    ).where(*chosen, *after).order_by(MediaItem.taken_at, MediaItem.id).limit(BATCH):
        if unknown := {r["uploaded_by"] for r in rows} - names.keys() - {None}:
            names |= {u["id"]: u["display_name"] for u in await User.select(User.id, User.display_name).where(
                User.id.is_in(list(unknown)))}
        for r in rows:
            day = f"originals/{r['category']}/{r['taken_at'].astimezone(clock.BUREAU_TIME):%Y%m%d}_"
            path = day + r["id"].hex[:8]
            if path in paths:  # two uploads of a day whose ids share their first 8 hex digits
                path = day + r["id"].hex
            paths.add(path)
            yield PackageFile(f"{path}.{EXTENSIONS.get(r['mime'], 'bin')}", r["size"], r["sha256"],
                              partial(store.open, r["sha256"], "original"), r["taken_at"], {
                "kind": "original", "category": r["category"], "captured_at": _instant(r["captured_at"]),
                "latitude": r["latitude"], "longitude": r["longitude"], "uploader": names.get(r["uploaded_by"], ""),
                "visit_id": r["visit"] and str(r["visit"]), "review_status": r["status"], "media_id": str(r["id"])},
                r["crc32"])
        last = rows[-1]
        after = [(MediaItem.taken_at > last["taken_at"])
                 | ((MediaItem.taken_at == last["taken_at"]) & (MediaItem.id > last["id"]))]


async def _events(enterprise_id: UUID, cut: datetime, hidden: set[str]) -> tuple[bytes, int, dict | None]:
    """The enterprise's audit events up to the cut as JSON lines (but the planning of the
    ``hidden`` visits), their count, and the chain head at the cut."""
    out, count, last = io.BytesIO(), 0, 0
    while rows := await AuditEvent.select().where(
            AuditEvent.enterprise == enterprise_id, AuditEvent.at <= cut, AuditEvent.id > last,
    ).order_by(AuditEvent.id).limit(BATCH):
        for row in rows:
            if row["action"] == "visit.planned" and row["target_id"] in hidden:
                continue
            out.write(_event_line(row))
            count += 1
        last = rows[-1]["id"]
    head = await AuditEvent.select(AuditEvent.id, AuditEvent.at, AuditEvent.hash).where(
        AuditEvent.at <= cut).order_by(AuditEvent.id, ascending=False).first()
    return out.getvalue(), count, head


def _event_line(row: dict) -> bytes:
    """An event as the package keeps it, one JSON line: every hashed field as event_hash
    reads it (the instant in UTC ISO form, ids as text), and the details as JSON when they
    re-serialise to the very text their digest was taken of (else as that text)."""
    details = json.loads(row["details"])
    line = {name: row[name] for name in ("id", *audit.HASHED, "prev_hash", "hash")}
    line["at"] = row["at"].astimezone(timezone.utc).isoformat()
    line["details"] = details if audit.canonical(details) == row["details"] else row["details"]
    return msgspec.json.encode(line) + b"\n"


def _bureau_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=clock.BUREAU_TIME)


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(clock.BUREAU_TIME).isoformat() if value else None


def _date_time(instant: datetime) -> tuple[int, ...]:
    """A ZIP entry's time: the bureau's wall clock (the ZIP format has no time zone)."""
    return instant.astimezone(clock.BUREAU_TIME).timetuple()[:6]


# ---------------------------------------------------------------------------- the generated files


class _Listing:
    """The files of a package as they are added: their ZIP entries and their rows in
    manifest.csv and manifest.json, written as they come (nothing kept twice)."""

    NAMES = {"kind": KIND_NAMES, "category": CATEGORY_NAMES, "review_status": STATUS_NAMES}

    def __init__(self, cut: datetime) -> None:
        self.cut, self.entries, self.originals = cut, [], 0
        self.csv, self.json = io.BytesIO(), io.BytesIO()
        self._csv_text = io.TextIOWrapper(self.csv, encoding="utf-8-sig", newline="")  # the BOM: Excel reads UTF-8
        self._rows = csv.writer(self._csv_text, lineterminator="\r\n")
        self._rows.writerow([header for _, header in MANIFEST_COLUMNS])

    def add(self, p: PackageFile) -> None:
        self.entries.append(_Entry(p.path, p.size, p.sha256, p.source, _date_time(p.modified or self.cut), p.crc32,
                                   blob=p.manifest.get("kind") == "original"))
        self.originals += p.manifest.get("kind") == "original"
        row = {key: p.manifest.get(key) for key, _ in MANIFEST_COLUMNS} | {"path": p.path, "sha256": p.sha256,
                                                                            "size": p.size}
        self.json.write(b",\n" if self.json.tell() else b"\n")
        self.json.write(msgspec.json.encode(row))
        self._rows.writerow([_cell(self.NAMES[key].get(value, value) if key in self.NAMES else value)
                             for key, value in row.items()])

    def manifest_csv(self) -> bytes:
        self._csv_text.flush()
        return self.csv.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula."""
    if value is None:
        return ""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _manifest_json(enterprise: Any, f: PackageFilter, cut: datetime, listing: _Listing) -> bytes:
    """The package's facts, then one line per file (a large manifest stays readable)."""
    head = json.dumps({
        "enterprise": {"id": str(enterprise.id), "name": enterprise.name, "uscc": enterprise.uscc},
        "as_of": cut.isoformat().replace("+00:00", "Z"),
        "filter": {"since": f.since and f.since.isoformat(), "until": f.until and f.until.isoformat(),
                   "visit_id": f.visit_id and str(f.visit_id), "category": f.category and f.category.value},
    }, ensure_ascii=False)
    return b"".join([head[:-1].encode(), b', "files": [', listing.json.getvalue(), b"\n]}\n"])


def _chain_head(cut: datetime, head: dict | None) -> bytes:
    lines = [f"as_of: {cut.isoformat().replace('+00:00', 'Z')}",
             f"id: {head['id'] if head else 0}",
             f"at: {head['at'].astimezone(timezone.utc).isoformat() if head else ''}",
             f"hash: {head['hash'] if head else audit.GENESIS}"]
    return ("\n".join(lines) + "\n").encode()


def _readme(enterprise: Any, f: PackageFilter, cut: datetime, listing: _Listing, events: int,
            head: dict | None) -> bytes:
    conditions = [c for c in (
        f.since and f"拍摄日期自 {f.since}", f.until and f"拍摄日期至 {f.until}",
        f.visit_id and f"检查 {f.visit_id}", f.category and f"类别 {CATEGORY_NAMES[f.category.value]}") if c]
    text = README.format(
        name=enterprise.name, uscc=enterprise.uscc, as_of=f"{cut.astimezone(clock.BUREAU_TIME):%Y-%m-%d %H:%M:%S}",
        filter="；".join(conditions) or "全部", originals=listing.originals,
        documents=len(listing.entries) - listing.originals, events=events,
        head_id=head["id"] if head else 0, head_hash=head["hash"] if head else audit.GENESIS)
    return text.encode("utf-8-sig")


README = """{name} 电子档案证据包
统一社会信用代码：{uscc}
截至：{as_of}（北京时间）
范围：{filter}
原件 {originals} 个，文书 {documents} 个，审计事件 {events} 条

一、包里有什么
  originals/类别/拍摄日期_编号.扩展名   照片和文件的原件，与上传时逐字节相同
  documents/                            执法文书（PDF）
  manifest.csv、manifest.json           清单：每个原件和文书的路径、SHA-256、大小、类别、
                                        拍摄时间和地点、上传人、所属检查、审核状态
                                        （manifest.csv 可直接用 Excel 打开）
  audit/events.jsonl                    本企业的审计事件，每行一条，含内容摘要（digest）、
                                        前一条事件的哈希（prev_hash）和本条的哈希（hash）
  audit/chain_head.txt                  截至时整条审计链的链头
  verify_chain.py                       核对审计事件的程序（只用 Python 标准库）
  SHA256SUMS                            除它自己以外每个文件的 SHA-256

二、核对每个文件有没有被改动
  在解压后的文件夹里执行：
      sha256sum -c SHA256SUMS
  （macOS 上：shasum -a 256 -c SHA256SUMS）
  每个文件都显示"成功"（OK）即与导出时完全相同。每个原件的 SHA-256 还记在它的
  上传事件（media.uploaded）里。

三、核对审计事件
      python3 verify_chain.py
  显示 OK 即每条事件的内容与它的摘要和哈希一致；否则指出第几行、哪一条事件被改动。

四、链头是什么
  本系统的全部审计事件连成一条哈希链：每条事件的哈希由它自己的内容和前一条事件的
  哈希算出。链头是截至时链上最后一条事件（编号 {head_id}，哈希 {head_hash}）。
  它锁定了在它之前的整条链，包括本包里的每一条事件：此后改动、删除或调换其中任何
  一条，从那里到链头的哈希都对不上。需要时可请监管部门用 dossier verify-audit 核对
  整条链，并确认编号 {head_id} 的事件哈希与上面相同。
  本包只含本企业的事件，相邻两条之间可能隔着其他企业的事件；编号相连的两条，
  verify_chain.py 还核对它们的链接。
"""


def _verify_script() -> bytes:
    """verify_chain.py: the audit trail's own hashing code (backend.audit.service),
    copied from its source, and a main that checks every event of the package with it."""
    parts = ['"""Checks audit/events.jsonl of this package: every event\'s digest and hash, recomputed as\n'
             'the dossier system computes them.  Run: python3 verify_chain.py"""',
             "from __future__ import annotations\n\nimport hashlib\nimport json\nimport os\nimport sys\n"
             "from datetime import datetime, timezone\nfrom typing import Any",
             f"GENESIS = {audit.GENESIS!r}\nHASHED = {audit.HASHED!r}",
             inspect.getsource(audit.canonical), inspect.getsource(audit.event_hash), VERIFY_MAIN]
    return "\n\n".join(part.strip("\n") for part in parts).encode() + b"\n"


VERIFY_MAIN = '''
def broken(number: int, event: Any, reason: str) -> int:
    print(f"BROKEN 第 {number} 行（事件 {event}）: {reason}")
    return 1


def main() -> int:
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "audit", "events.jsonl"), encoding="utf-8") as f:
        lines = [line for line in f if line.strip()]
    previous: dict[str, Any] | None = None
    for number, line in enumerate(lines, 1):
        try:
            event = json.loads(line)
            details = event["details"]
            text = details if isinstance(details, str) else canonical(details)
            if hashlib.sha256(text.encode()).hexdigest() != event["digest"]:
                return broken(number, event["id"], "内容与摘要不符，事件内容被改动 (details do not match digest)")
            if event_hash(event["prev_hash"], event) != event["hash"]:
                return broken(number, event["id"], "字段与哈希不符，事件被改动 (fields do not match hash)")
            if previous is not None and event["id"] <= previous["id"]:
                return broken(number, event["id"], "顺序被调换 (events out of order)")
            if previous is not None and event["id"] == previous["id"] + 1 and event["prev_hash"] != previous["hash"]:
                return broken(number, event["id"], "与前一条事件的链接断开 (does not link to the event before)")
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            return broken(number, "?", f"无法读取 (unreadable): {e!r}")
        previous = event
    with open(os.path.join(here, "audit", "chain_head.txt"), encoding="utf-8") as f:
        head = dict(line.rstrip("\\n").split(": ", 1) for line in f if ": " in line)
    if previous is not None and str(previous["id"]) == head.get("id") and previous["hash"] != head.get("hash"):
        return broken(len(lines), previous["id"], "与链头不符 (does not match the chain head)")
    print(f"OK: {len(lines)} 条审计事件逐条核对无误 ({len(lines)} events verified); "
          f"链头 chain head {head.get('id')} {head.get('hash')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''


# ---------------------------------------------------------------------------- the ZIP


class _Entry:
    """A stored ZIP entry: its name, size, content hash, where its bytes are (bytes in
    memory, or a callable that opens a binary file), its time and, once known, its
    CRC-32 (``unrecorded``: a blob's CRC to record once learnt); the Package sets where it lies."""

    __slots__ = ("name", "size", "sha256", "source", "date_time", "crc", "unrecorded", "offset", "zip64",
                 "header_size")

    def __init__(self, name: str, size: int, sha256: str, source: bytes | Callable[[], BinaryIO],
                 date_time: tuple[int, ...], crc: int | None = None, blob: bool = False) -> None:
        self.name, self.size, self.sha256, self.source, self.date_time = name, size, sha256, source, date_time
        self.unrecorded = blob and crc is None
        self.crc = crc if crc is not None else _CRCS.get(sha256)
        self.offset = self.header_size = 0
        self.zip64 = size * ZIP64_ESTIMATE_FACTOR > ZIP64_LIMIT  # as zipstream-ng decides it

    @classmethod
    def of_bytes(cls, name: str, data: bytes, date_time: tuple[int, ...]) -> _Entry:
        return cls(name, len(data), hashlib.sha256(data).hexdigest(), data, date_time, zlib.crc32(data))

    def open(self) -> BinaryIO:
        if isinstance(self.source, bytes):
            return io.BytesIO(self.source)
        return self.source()

    def info(self) -> ZipStreamInfo:
        info = ZipStreamInfo(self.name, self.date_time)
        info.external_attr = 0o644 << 16  # -rw-r--r--
        info.compress_type = ZIP_STORED
        info.file_size = info.compress_size = self.size
        info.flag_bits |= 0x08  # sizes and CRC in a data descriptor after the bytes, as zipstream-ng writes them
        info.header_offset = self.offset
        info.CRC = self.crc or 0
        return info

    @property
    def descriptor_size(self) -> int:
        return 24 if self.zip64 else 16

    @property
    def end(self) -> int:
        return self.offset + self.header_size + self.size + self.descriptor_size


class Package:
    """A laid-out package: its exact ``size`` and ``etag`` are known before any byte is
    read, and ``chunks(start, stop)`` produces any range of it."""

    def __init__(self, entries: list[_Entry], as_of: datetime, filename: str) -> None:
        self.entries, self.as_of, self.filename = entries, as_of, filename
        position = 0
        for entry in entries:
            entry.offset = position
            entry.header_size = len(entry.info().FileHeader(entry.zip64))
            position = entry.end
        self.directory_at = position
        self.directory_size = sum(len(e.info()._central_directory_header_data()) for e in entries)
        self.size = position + self.directory_size + len(self._end_records())
        digest = hashlib.sha256(f"{self.as_of.isoformat()}\n".encode())
        for e in entries:
            digest.update(f"{e.name}\0{e.size}\0{e.sha256}\0{e.date_time}\n".encode())
        self.etag = f"{(as_of - EPOCH) // timedelta(microseconds=1)}-{digest.hexdigest()[:32]}"

    def chunks(self, start: int = 0, stop: int | None = None) -> Iterator[list[bytes]]:
        """Bytes ``start`` up to ``stop`` (exclusive), as lists of pieces of about CHUNK
        bytes together (blocking I/O: one call per list in a worker thread; the pieces are
        sent as they are, not copied into one)."""
        stop = self.size if stop is None else stop
        parts: list[bytes] = []
        gathered = 0
        for piece in self._pieces(start, stop):
            parts.append(piece)
            gathered += len(piece)
            if gathered >= CHUNK:
                yield parts
                parts, gathered = [], 0
        if parts:
            yield parts

    def _pieces(self, start: int, stop: int) -> Iterator[bytes]:
        for e in self.entries:
            if e.end <= start:
                continue
            if e.offset >= stop:
                return
            data_at = e.offset + e.header_size
            yield from _clip(e.info().FileHeader(e.zip64), e.offset, start, stop)
            wanted = (max(start - data_at, 0), min(stop - data_at, e.size))
            if wanted[0] < wanted[1] or (e.crc is None and data_at + e.size + e.descriptor_size > start
                                         and data_at + e.size < stop):
                yield from _read(e, *wanted)
            info = e.info()
            yield from _clip(info.DataDescriptor(e.zip64), data_at + e.size, start, stop)
        if self.directory_at >= stop:
            return
        for e in self.entries:
            if e.crc is None:  # the central directory needs every CRC
                for _ in _read(e, 0, 0):
                    pass
        yield from _clip(b"".join(e.info()._central_directory_header_data() for e in self.entries), self.directory_at,
                         start, stop)
        yield from _clip(self._end_records(), self.directory_at + self.directory_size, start, stop)

    def learnt(self) -> dict[str, int]:
        """The CRC-32s learnt for blobs that had none recorded."""
        return {e.sha256: e.crc for e in self.entries if e.unrecorded and e.crc is not None}

    def _end_records(self) -> bytes:
        """The end of the central directory, with its ZIP64 records when the entries, the
        directory's size or its offset pass what the classic record holds."""
        count, size, offset = len(self.entries), self.directory_size, self.directory_at
        records = b""
        if count >= 0xFFFF or size > ZIP64_LIMIT or offset > ZIP64_LIMIT:
            records = (struct.pack(structEndArchive64, stringEndArchive64, sizeEndCentDir64 - 12, ZIP64_VERSION,
                                   ZIP64_VERSION, 0, 0, count, count, size, offset)
                       + struct.pack(structEndArchive64Locator, stringEndArchive64Locator, 0, offset + size, 1))
            count, size, offset = min(count, 0xFFFF), min(size, 0xFFFFFFFF), min(offset, 0xFFFFFFFF)
        records += struct.pack(structEndArchive, stringEndArchive, 0, 0, count, count, size, offset, 0)
        assert len(records) in (sizeEndCentDir, sizeEndCentDir + sizeEndCentDir64 + sizeEndCentDir64Locator)
        return records


async def remember_crcs(package: Package) -> None:
    """Record the CRC-32s the package learnt for blobs stored without one, in one
    transaction of a statement per BATCH_SQL blobs (a blob that has one meanwhile keeps it)."""
    learnt = list(package.learnt().items())
    if not learnt:
        return
    async with db.transaction():
        for at in range(0, len(learnt), BATCH_SQL):
            part = learnt[at:at + BATCH_SQL]
            await Blob.raw(
                "UPDATE blob SET crc32 = CASE sha256 " + " ".join(["WHEN {} THEN CAST({} AS BIGINT)"] * len(part))
                + " END WHERE crc32 IS NULL AND sha256 IN (" + ", ".join(["{}"] * len(part)) + ")",
                *(value for pair in part for value in pair), *(sha256 for sha256, _ in part))


def _clip(data: bytes, at: int, start: int, stop: int) -> Iterable[bytes]:
    """The part of ``data`` (lying at ``at``) within start..stop."""
    low, high = max(start - at, 0), min(stop - at, len(data))
    if low < high:
        yield data if (low, high) == (0, len(data)) else data[low:high]


def _read(e: _Entry, first: int, last: int) -> Iterator[bytes]:
    """An entry's bytes ``first`` up to ``last``, read in blocks of CHUNK; when its CRC is
    not known yet, the whole file is read to learn it (and kept)."""
    whole = e.crc is None
    position = 0 if whole else first
    end = e.size if whole else last
    crc = 0
    with e.open() as f:
        if position:
            f.seek(position)
        while position < end:
            block = f.read(min(CHUNK, end - position))
            if not block:
                raise RuntimeError(f"{e.name} is shorter than its recorded size ({e.size} bytes)")
            if whole:
                crc = zlib.crc32(block, crc)
            yield from _clip(block, position, first, last)
            position += len(block)
    if whole:
        e.crc = crc
        if len(_CRCS) >= _CRCS_KEPT:
            _CRCS.clear()
        _CRCS[e.sha256] = crc

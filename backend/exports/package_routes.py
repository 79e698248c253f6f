"""The dossier evidence package over HTTP: one ZIP with an exact Content-Length, a single
byte range for resumed downloads (206, or 416 outside the file), and an ETag that names
the package's as-of cut, so a resumed download gets the same bytes or, when the package
changed, all of the new one (see backend/exports/package.py)."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, timedelta
from functools import partial
from typing import Annotated, AsyncIterator
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import PathParameter, QueryParameter
from litestar.response import Stream

from backend import clock
from backend.access import EVERYONE, Scope, roles
from backend.documents import service as documents
from backend.documents.tables import DocumentStatus
from backend.exports.package import EPOCH, Package, PackageFile, PackageFilter, build, remember_crcs
from backend.fields import AwareDatetime, EARLIEST
from backend.media.store import MediaStore
from backend.media.tables import Category
from backend.openapi import ErrorBody
from backend.settings import Settings

ZIP = "application/zip"
_RANGE = re.compile(r"\s*bytes\s*=\s*(\d{0,19})\s*-\s*(\d{0,19})\s*")
_OUR_ETAG = re.compile(r'"(\d{1,17})-[0-9a-f]{32}"')


class PackageController(Controller):
    path = "/api/enterprises/{enterprise_id:uuid}/package.zip"
    tags = ["exports"]
    opt = roles(EVERYONE)

    @get("/", operation_id="downloadPackage", summary="An enterprise's evidence package (ZIP, ranges allowed)",
         responses={
             200: ResponseSpec(bytes, description="The whole package", media_type=ZIP, generate_examples=False),
             206: ResponseSpec(bytes, description="The byte range asked for in the Range header (If-Range: the "
                                                  "package's ETag)", media_type=ZIP, generate_examples=False),
             416: ResponseSpec(ErrorBody, generate_examples=False,
                               description="The range lies outside the package (Content-Range: bytes */size)")})
    async def download(
        self, request: Request, access: NamedDependency[Scope], store: NamedDependency[MediaStore],
        today: NamedDependency[date], settings: NamedDependency[Settings],
        enterprise_id: Annotated[UUID, PathParameter(description="The enterprise's id")],
        since: Annotated[date | None, QueryParameter(
            description="Uploads taken on or after this day (Asia/Shanghai)")] = None,
        until: Annotated[date | None, QueryParameter(description="Uploads taken on or before this day")] = None,
        visit_id: Annotated[UUID | None, QueryParameter(description="Only the uploads of this visit")] = None,
        category: Annotated[Category | None, QueryParameter(description="Only this category")] = None,
        as_of: Annotated[AwareDatetime | None, QueryParameter(
            description="Cut the package at this instant (default: the dossier's last change). The answer's "
                        "Dossier-As-Of header names it: send it again to resume a download with the same bytes")] = None,
    ) -> Response:
        """Originals byte for byte, manifests, the audit events with the chain head and a
        README on how to check them. `Range: bytes=a-b | a- | -n` answers 206; with
        `If-Range` the range is sent only while the package still has that ETag (the
        ETag pins the cut, so new events do not change it), else the whole new package."""
        asked, if_range = request.headers.get("range"), request.headers.get("if-range")
        if as_of is None and asked and if_range:
            as_of = _cut_of(if_range)
        chosen = PackageFilter(since, until, visit_id, category)
        papers = [] if category is not None else await documents.printed(
            access, store, settings.public_url, enterprise_id, today, visit_id, since, until)
        package = await build(access, enterprise_id, chosen, as_of, today, store, [
            PackageFile(f"documents/{d.issued_at.astimezone(clock.BUREAU_TIME):%Y%m%d}_{d.title}_{d.code}.pdf",
                        d.size, d.sha256, partial(store.open, d.sha256, "document"), d.issued_at,
                        {"kind": "document", "category": d.title, "visit_id": str(d.visit_id),
                         "review_status": "现行" if d.status == DocumentStatus.current else "已被更正"})
            for d in papers])
        etag = f'"{package.etag}"'
        headers = {"Accept-Ranges": "bytes", "ETag": etag, "Cache-Control": "private, no-cache",
                   "Dossier-As-Of": package.as_of.isoformat().replace("+00:00", "Z"),
                   "Content-Disposition": f'attachment; filename="{package.filename}"'}
        span = _byte_range(asked, package.size) if asked and if_range in (None, etag) else (0, package.size)
        if span is None:
            detail = f"The range lies outside the package (0-{package.size - 1})."
            said = {"code": "range_not_satisfiable", "params": {"last": package.size - 1}}
            return Response({"status_code": 416, "detail": detail, **said,
                             "extra": [{"key": "range", "message": detail, **said}]},
                            status_code=416, headers={**headers, "Content-Range": f"bytes */{package.size}"})
        start, stop = span
        if (start, stop) != (0, package.size):
            headers["Content-Range"] = f"bytes {start}-{stop - 1}/{package.size}"
        return Stream(_sent(package, start, stop), status_code=206 if "Content-Range" in headers else 200,
                      media_type=ZIP, headers={**headers, "Content-Length": str(stop - start)})


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """One range `bytes=first-last`, `first-` or `-suffix` as start, stop (exclusive); the
    whole package for what RFC 9110 lets a server ignore (another unit, several ranges,
    last before first); None when it lies outside the package."""
    match = _RANGE.fullmatch(header)
    if not match or match.groups() == ("", ""):
        return 0, size
    first, last = match.groups()
    if first == "":
        return (max(size - int(last), 0), size) if int(last) > 0 else None
    if last and int(last) < int(first):
        return 0, size
    if int(first) >= size:
        return None
    return int(first), min(int(last) + 1, size) if last else size


def _cut_of(if_range: str) -> datetime | None:
    """The as-of cut an ETag of ours names (a resumed download asks for that package)."""
    if not (match := _OUR_ETAG.fullmatch(if_range.strip())):
        return None
    cut = EPOCH + timedelta(microseconds=int(match.group(1)))
    return cut if cut.date() >= EARLIEST and cut <= clock.now() else None


async def _sent(package: Package, start: int, stop: int) -> AsyncIterator[bytes]:
    """The package's bytes start..stop, each list of pieces read in a worker thread while
    the one before is sent. Once all is read, the CRCs learnt are recorded before the last
    piece goes (a client that has every byte may hang up at once). When the client goes
    away the reading stops and its files close (nothing is written anywhere)."""
    chunks = package.chunks(start, stop)
    loop = asyncio.get_running_loop()
    ahead = loop.run_in_executor(None, next, chunks, None)
    try:
        pieces = await asyncio.shield(ahead)
        while pieces is not None:
            ahead = loop.run_in_executor(None, next, chunks, None)
            *most, last = pieces
            for piece in most:
                yield piece
            if (pieces := await asyncio.shield(ahead)) is None:
                await remember_crcs(package)
            yield last
    finally:  # also when cancelled: the list being read is finished first, then the files close
        ahead.add_done_callback(lambda _: chunks.close())

"""Lists as files to download: a list's rows, read in keyset batches through the list's own
service (so the file holds what the list shows, in its order and within the caller's
scope), written as CSV (UTF-8 with a BOM, so that Excel reads the Chinese) or XLSX
(xlsxwriter in constant-memory mode) and streamed: an export of any length holds one
batch in memory.

A list's export is one handler on two paths, ``/{name}.csv`` and ``/{name}.xlsx``,
declared with ``@export(name, summary)`` (the OpenAPI document gets an operation for
each path, with its file type); it answers ``await download(request, columns, batches,
title, today)``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from typing import IO, Any, AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote
from uuid import UUID

import anyio
import msgspec
import xlsxwriter
from litestar import Request, get
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.response import Stream

from backend import clock
from backend.clock import BUREAU_TIME
from backend.errors import Invalid
from backend.openapi import COMMON

BATCH = 2000  # rows read per query
CHUNK = 256 * 1024  # bytes of an XLSX file sent at a time
MEDIA_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
XLSX_ROWS = 1_048_575  # a worksheet's rows under its header row
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a CSV cell Excel would run as a formula
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\[\]\x00-\x1f]')  # in file names and sheet names

Row = Mapping[str, Any]


class Batch(list):
    """A batch of a list's rows, and the rows of the whole list when its page tells them."""

    total: int | None = None


Batches = AsyncIterator[Sequence[Row]]


@dataclass(frozen=True)
class Column:
    """A column of an export: its header (Chinese), the row's field it shows, the Chinese
    word for each value of a code (an enum's value), and its width in an XLSX sheet."""

    header: str
    field: str
    words: Mapping[str, str] | None = None
    width: int = 12


# ---------------------------------------------------------------------------- rows


async def pages(fetch: Callable[[int, str | None], Awaitable[Any]]) -> Batches:
    """Every row of a keyset-paged list, a page of BATCH rows at a time: ``fetch(limit,
    cursor)`` answers the page of ``limit`` rows after ``cursor`` (its ``items`` and
    ``next_cursor``, and its ``total`` if it counts the list), as the list's service does.
    The first page comes even when empty."""
    cursor = None
    while True:
        page = await fetch(BATCH, cursor)
        batch = Batch(msgspec.structs.asdict(item) for item in page.items)
        batch.total = getattr(page, "total", None)
        yield batch
        if (cursor := page.next_cursor) is None:
            return


async def whole(rows: Awaitable[Sequence[Any]]) -> Batches:
    """The rows of a list that is not paged (a dossier's findings or notices), as one batch."""
    batch = Batch(msgspec.structs.asdict(item) for item in await rows)
    batch.total = len(batch)
    yield batch


def _value(column: Column, row: Row) -> Any:
    """A row's value for ``column`` as a cell holds it: a word for a code, an instant in
    bureau time (without its zone: spreadsheets have none), text for ids and lists."""
    value = row[column.field]
    if isinstance(value, Enum):
        value = value.value
    if column.words is not None and value is not None:
        value = column.words.get(value, value)
    if isinstance(value, datetime):
        return value.astimezone(BUREAU_TIME).replace(tzinfo=None)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return value


# ---------------------------------------------------------------------------- CSV


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # shown as text, never run
    return str(value)


def _csv_lines(rows: Iterable[Iterable[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([_text(v) for v in row] for row in rows)
    return out.getvalue().encode()


async def _csv(columns: Sequence[Column], batches: Batches) -> AsyncIterator[bytes]:
    yield "\ufeff".encode() + _csv_lines([[c.header for c in columns]])
    async for batch in batches:
        if batch:
            yield _csv_lines([_value(c, row) for c in columns] for row in batch)


# ---------------------------------------------------------------------------- XLSX


class _Sheet:
    """An XLSX workbook of one sheet, written row by row into an unnamed temporary file
    (xlsxwriter keeps only the current row in memory; the files it spools through are
    unnamed too): nothing of it stays on disk once the file is closed, whatever happens."""

    def __init__(self, columns: Sequence[Column], name: str, created: datetime) -> None:
        self.columns = columns
        self.file: IO[bytes] = tempfile.TemporaryFile()
        self.book = xlsxwriter.Workbook(self.file, {"constant_memory": True})
        # The file's "created" is the list's moment, not the wall clock's: the same rows
        # give the same bytes (an export job run again writes the file it wrote).
        self.book.set_properties({"created": created.astimezone(timezone.utc).replace(tzinfo=None)})
        self.sheet = self.book.add_worksheet(name[:31])
        self.day = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.instant = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        bold = self.book.add_format({"bold": True})
        for i, column in enumerate(columns):
            self.sheet.set_column(i, i, column.width)
            self.sheet.write_string(0, i, column.header, bold)
        self.sheet.freeze_panes(1, 0)
        self.rows = 0

    def write(self, batch: Sequence[Row]) -> None:
        if self.rows + len(batch) > XLSX_ROWS:
            raise Invalid(f"More than {XLSX_ROWS:,} rows: more than a spreadsheet holds. Narrow the filters, "
                          "or download the list as CSV.", code="too_many_rows", params={"limit": XLSX_ROWS})
        for row in batch:
            self.rows += 1
            for i, column in enumerate(self.columns):
                value = _value(column, row)
                if value is None:
                    continue
                if isinstance(value, datetime):
                    self.sheet.write_datetime(self.rows, i, value, self.instant)
                elif isinstance(value, date):
                    self.sheet.write_datetime(self.rows, i, value, self.day)
                elif isinstance(value, (int, float)):
                    self.sheet.write_number(self.rows, i, value)
                else:  # always as text: never a formula or a link
                    self.sheet.write_string(self.rows, i, str(value))

    def finish(self) -> int:
        """Close the workbook; the file's size (read it from the start)."""
        self.sheet.autofilter(0, 0, self.rows, len(self.columns) - 1)
        self.book.close()
        self.file.seek(0)
        return os.fstat(self.file.fileno()).st_size


async def _xlsx(columns: Sequence[Column], batches: Batches, name: str, created: datetime) -> tuple[IO[bytes], int]:
    sheet = await anyio.to_thread.run_sync(_Sheet, columns, name, created)
    try:
        async for batch in batches:
            await anyio.to_thread.run_sync(sheet.write, batch)
        return sheet.file, await anyio.to_thread.run_sync(sheet.finish)
    except BaseException:
        sheet.file.close()
        raise


async def _send(file: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await anyio.to_thread.run_sync(file.read, CHUNK):
            yield chunk
    finally:  # also when the client goes away half way
        file.close()


# ---------------------------------------------------------------------------- the answer


async def download(request: Request, columns: Sequence[Column], batches: Batches, title: str, today: date) -> Stream:
    """The rows of ``batches`` as the file the request's path asks for (….csv or ….xlsx),
    an attachment named ``{title}-{today}.{csv|xlsx}``. The first batch is read before
    anything is sent, so that a bad filter or an id out of scope answers 400 or 404, not a
    broken file; an XLSX file is complete (and its length known) before its first byte."""
    plain, kind = request.url.path.rsplit("/", 1)[-1].rsplit(".", 1)
    first = await anext(batches)
    rows = _after(first, batches)
    headers = file_headers(title, plain, today, kind)
    if kind == "csv":
        return Stream(_csv(columns, rows), media_type=MEDIA_TYPES["csv"], headers=headers)  # Litestar adds the charset
    file, size = await _xlsx(columns, rows, _safe(title), clock.now())
    return Stream(_send(file), media_type=MEDIA_TYPES["xlsx"], headers={**headers, "Content-Length": str(size)})


async def written(columns: Sequence[Column], batches: Batches, title: str, kind: str, created: datetime,
                  ) -> IO[bytes]:
    """The rows of ``batches`` as a whole CSV or XLSX file (made at ``created``), in an
    unnamed temporary file (read from its start; an export job's, stored once whole)."""
    if kind == "xlsx":
        return (await _xlsx(columns, batches, _safe(title), created))[0]
    file = tempfile.TemporaryFile()
    try:
        async for chunk in _csv(columns, batches):
            await anyio.to_thread.run_sync(file.write, chunk)
        file.seek(0)
        return file
    except BaseException:
        file.close()
        raise


def file_headers(title: str, plain: str, today: date, kind: str) -> dict[str, str]:
    """An export's Content-Disposition (``{title}-{today}.{kind}``, and ``plain`` for
    clients that read no Chinese) and Cache-Control."""
    return {"Content-Disposition": _attachment(f"{_safe(title)}-{today}.{kind}", f"{plain}-{today}.{kind}"),
            "Cache-Control": "no-store"}


def _safe(title: str) -> str:
    return UNSAFE_IN_NAMES.sub("_", title)


async def _after(first: Sequence[Row], rest: Batches) -> Batches:
    yield first
    async for batch in rest:
        yield batch


def _attachment(filename: str, plain: str) -> str:
    """Content-Disposition with the (Chinese) file name in RFC 5987's filename*, and a
    plain one (the path's) for clients that read only filename."""
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


# ---------------------------------------------------------------------------- OpenAPI


def export(name: str, summary: str, **kwargs: Any) -> HTTPRouteHandler:
    """The route decorator of a list's export: GET ``/{name}.csv`` and ``/{name}.xlsx``,
    each its own operation (exportVisitsCsv…) answering its own file type, and 400 for a
    filter that breaks a rule (filters may all come from a dependency)."""
    return get([f"/{name}.{kind}" for kind in MEDIA_TYPES], operation_id=_operation_id, operation_class=Download,
               summary=summary, responses={400: COMMON[400]}, **kwargs)


def _operation_id(_: Any, __: Any, components: list[Any]) -> str:
    """exportCoverageVisitsXlsx for …/coverage-visits.xlsx."""
    name, kind = str(components[-1]).rsplit(".", 1)
    return "export" + "".join(part.title() for part in name.split("-")) + kind.title()


@dataclass
class Download(Operation):
    """An export path's operation: its 200 answer is the file, in the type its suffix names."""

    def __post_init__(self) -> None:
        kind = "xlsx" if str(self.operation_id).endswith("Xlsx") else "csv"
        schema = Schema(type=OpenAPIType.STRING, format="binary")
        description = ("The list as CSV (UTF-8 with a byte order mark), a header row first" if kind == "csv"
                       else "The list as an Excel workbook of one sheet, a header row first")
        self.responses = {**(self.responses or {}), "200": OpenAPIResponse(
            description=description, content={MEDIA_TYPES[kind]: OpenAPIMediaType(schema=schema)})}

"""Export jobs: a large list's CSV or XLSX file, written by a job worker (backend.media.jobs)
instead of inside one long request.

Asking (``ask``) records the job under the client's id, once: asking again with the same
id and body answers the same job, a different body is a Conflict naming the field. The
query is read as the list reads it (backend/exports/listing.py) before anything is queued,
and again by the worker, with the requester's scope as it is then. The worker (``run``)
reads the list through its own row source, a page at a time, counting the rows done on
the job, writes the whole file to the media store under the job's own key (variant
"export"; two jobs never share a file, so removing one's never takes another's), and
records it with its SHA-256; a job run again (a worker killed half way) writes the same
file again and finds the row as one run leaves it. Jobs and their files are kept EXPIRY
after they were asked for: each finished job removes the expired ones, and the sweep at
start does too and queues the lost ones.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, timedelta
from functools import partial
from typing import IO, Any, Mapping
from uuid import UUID

import anyio
from litestar.response import Stream

from backend import clock, db
from backend.access import Scope
from backend.accounts.service import scope_of_user
from backend.clock import BUREAU_TIME
from backend.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from backend.exports import tabular
from backend.exports.listing import Listing, arguments
from backend.exports.schemas import ExportJobIn, ExportJobOut
from backend.exports.tables import ExportJob, ExportStatus
from backend.exports.tabular import MEDIA_TYPES, Batches
from backend.media.jobs import Jobs
from backend.media.store import MediaStore
from backend.pagination import CursorCodec

EXPORT = "exports.file"
EXPIRY = timedelta(hours=24)
VARIANT = "export"  # the media store's key for export files
log = logging.getLogger(__name__)
Listings = Mapping[str, Listing]


def register(jobs: Jobs, store: MediaStore, cursors: CursorCodec, listings: Listings) -> None:
    """The export job kind, on the app's job queue."""
    jobs.register(EXPORT, partial(run, store, cursors, listings), sweep=partial(sweep, jobs, store))


# ---------------------------------------------------------------------------- asking


async def ask(jobs: Jobs, listings: Listings, access: Scope, data: ExportJobIn) -> ExportJobOut:
    """The job ``data`` asks for: recorded and queued once, however often it is asked."""
    query = _canonical(data.query)
    async with db.transaction():
        await db.serialise(f"export_job:{data.id}")
        row = await ExportJob.select().where(ExportJob.id == data.id).first()
        if row is not None:
            _same(row, access, data, query)
            return _out(row)
        _check(listings, access, data)
        now = clock.now()
        row = {"id": data.id, "requester": access.user_id, "list_name": data.list, "format": data.format,
               "query": query, "status": ExportStatus.queued.value, "rows_done": 0, "rows_total": None,
               "file_sha256": None, "file_size": None, "error_code": None, "error_params": "{}", "created_at": now,
               "finished_at": None, "expires_at": now + EXPIRY}
        await ExportJob.insert(ExportJob(**row))
        await db.after_commit(partial(_enqueue, jobs, [data.id]))
    return _out(row)


def _check(listings: Listings, access: Scope, data: ExportJobIn) -> None:
    """A list the caller's role exports, and a query it takes: said now, not by a failed job."""
    listing = listings.get(data.list)
    if listing is None:
        raise Invalid(f"No list {data.list!r} exports.", "list", code="export_list_unknown", params={"list": data.list})
    if access.role not in listing.allowed:
        raise Forbidden("Your role may not export this list.", "list", code="export_list_forbidden",
                        params={"list": data.list})
    arguments(listing, data.query, access)


def _same(row: dict[str, Any], access: Scope, data: ExportJobIn, query: str) -> None:
    """Asking again: the same body, or a Conflict naming the field that differs."""
    for field, same in (("id", row["requester"] == access.user_id), ("list", row["list_name"] == data.list),
                        ("format", row["format"] == data.format), ("query", row["query"] == query)):
        if not same:
            raise Conflict(f"Export job {data.id} was asked for with another {field}; use a new id.", field,
                           code="export_job_conflict", params={"field": field})


async def _enqueue(jobs: Jobs, ids: list[UUID]) -> None:
    await jobs.enqueue(EXPORT, [{"id": str(i)} for i in ids], [f"export:{i}" for i in ids])


def _canonical(query: Mapping[str, Any]) -> str:
    return json.dumps(dict(query), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------- reading


async def job_of(access: Scope, job_id: UUID) -> dict[str, Any]:
    """The caller's own job, unexpired; NotFound for any other."""
    row = await ExportJob.select().where(ExportJob.id == job_id, ExportJob.requester == access.user_id,
                                         ExportJob.expires_at > clock.now()).first()
    if row is None:
        raise NotFound(f"No export job {job_id} of yours (a job is kept for a day).", code="export_job_not_found",
                       params={"id": job_id})
    return row


async def status(access: Scope, job_id: UUID) -> ExportJobOut:
    return _out(await job_of(access, job_id))


async def file(store: MediaStore, listings: Listings, access: Scope, job_id: UUID) -> Stream:
    """The job's file, once done, as the list's export at once would name it."""
    row = await job_of(access, job_id)
    if row["status"] != ExportStatus.done.value:
        raise Conflict("The export is not done yet; ask again when its status is done.", code="export_not_ready",
                       params={"status": row["status"]})
    kind, size = row["format"], row["file_size"]
    headers = tabular.file_headers(listings[row["list_name"]].title, row["list_name"], _day(row), kind)
    return Stream(store.chunks(file_key(job_id), VARIANT, 0, size), media_type=MEDIA_TYPES[kind],
                  headers={**headers, "Content-Length": str(size)})


def _day(row: dict[str, Any]) -> date:
    """The bureau's day the job was asked on: its list is read as of that day."""
    return row["created_at"].astimezone(BUREAU_TIME).date()


def _out(row: dict[str, Any]) -> ExportJobOut:
    return ExportJobOut(id=row["id"], list=row["list_name"], format=row["format"], query=json.loads(row["query"]),
                        status=ExportStatus(row["status"]), rows_done=row["rows_done"], rows_total=row["rows_total"],
                        file_size=row["file_size"], error_code=row["error_code"],
                        error_params=json.loads(row["error_params"]), created_at=row["created_at"],
                        finished_at=row["finished_at"], expires_at=row["expires_at"])


# ---------------------------------------------------------------------------- the worker


async def run(store: MediaStore, cursors: CursorCodec, listings: Listings, payload: dict[str, Any]) -> None:
    """Write a job's file (a job done, failed or expired is left as it is)."""
    job_id = UUID(payload["id"])
    row = await ExportJob.select().where(ExportJob.id == job_id, ExportJob.expires_at > clock.now()).first()
    if row is None or row["status"] in (ExportStatus.done.value, ExportStatus.failed.value):
        return
    await _record(job_id, status=ExportStatus.running.value, rows_done=0)
    listing = listings[row["list_name"]]
    try:
        access = await scope_of_user(row["requester"])
        rows = listing.rows(access, _day(row), cursors, **arguments(listing, json.loads(row["query"]), access))
        spooled = await tabular.written(listing.columns, _counted(job_id, rows), listing.title, row["format"],
                                        row["created_at"])
        with spooled:
            sha256, size = await anyio.to_thread.run_sync(_store, store, file_key(job_id), spooled)
    except DomainError as exc:  # the list refuses it now (the requester's scope has changed…)
        await _failed(job_id, code=exc.code, params=exc.params)
        return
    except Exception:
        log.exception("export job %s failed", job_id)
        await _failed(job_id, code="export_failed", params={})
        raise
    await _record(job_id, status=ExportStatus.done.value, file_sha256=sha256, file_size=size, finished_at=clock.now())
    await remove_expired(store)


async def _counted(job_id: UUID, batches: Batches) -> Batches:
    """The batches, the job's rows done (and the list's, when its pages count them) recorded after each."""
    done = 0
    async for batch in batches:
        yield batch
        done += len(batch)
        total = getattr(batch, "total", None)
        await _record(job_id, rows_done=done, **({"rows_total": total} if total is not None else {}))


def file_key(job_id: UUID) -> str:
    """The store's name for a job's file (the store names files by 64 hex digits)."""
    return hashlib.sha256(f"export-job:{job_id}".encode()).hexdigest()


def _store(store: MediaStore, name: str, spooled: IO[bytes]) -> tuple[str, int]:
    """Put a written file in the store under ``name``; its SHA-256 and size (blocking:
    a worker thread)."""
    data = spooled.read()
    store.put_derivative(name, VARIANT, data)
    return hashlib.sha256(data).hexdigest(), len(data)


async def _failed(job_id: UUID, *, code: str, params: dict[str, Any]) -> None:
    await _record(job_id, status=ExportStatus.failed.value, error_code=code, finished_at=clock.now(),
                  error_params=json.dumps(params, ensure_ascii=False, default=str))


async def _record(job_id: UUID, **values: Any) -> None:
    await ExportJob.update({getattr(ExportJob, name): value for name, value in values.items()}).where(
        ExportJob.id == job_id)


# ---------------------------------------------------------------------------- the sweep


async def sweep(jobs: Jobs, store: MediaStore) -> None:
    """At start: remove expired jobs and their files; queue the jobs a crash left unfinished."""
    await remove_expired(store)
    unfinished = await ExportJob.select(ExportJob.id).where(
        ExportJob.status.is_in([ExportStatus.queued.value, ExportStatus.running.value]))
    await _enqueue(jobs, [r["id"] for r in unfinished])


async def remove_expired(store: MediaStore) -> None:
    """Remove the expired jobs, each file first (a row left by a crash between the two
    is removed the next time)."""
    expired = await ExportJob.select(ExportJob.id).where(ExportJob.expires_at <= clock.now())
    for row in expired:
        await anyio.to_thread.run_sync(partial(store.delete, file_key(row["id"]), (VARIANT,)))
    if expired:
        await ExportJob.delete().where(ExportJob.id.is_in([r["id"] for r in expired]))
        log.info("removed %d expired export jobs", len(expired))

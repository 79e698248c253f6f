"""Work off the request, by a job queue: derivatives (thumbnails, previews), and the
kinds of job a higher domain registers (a document's PDF, a large export).

The queue is pgqueuer: on PostgreSQL its tables (installed by `dossier migrate`),
LISTEN/NOTIFY and SKIP LOCKED, worked by `dossier worker`; on SQLite its in-memory twin,
worked inside the app. A job names one original (its SHA-256 and type); whichever worker
takes it makes the derivatives that are missing (none, when they exist: a job run twice
changes nothing) and writes each atomically (the store's put_derivative). A worker killed
mid-job stops its heartbeat: after HEARTBEAT another worker takes the job and finishes it.
A job lost before it was queued (a crash between recording and enqueueing) is found again
by the sweep, which enqueues whatever derivative is missing; a registered kind brings its
own sweep, run with it: at the app's start on SQLite, at a worker's on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from typing import Any, Awaitable, Callable, Iterable, Sequence

import anyio
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from pgqueuer import PgQueuer, QueueManager
from pgqueuer.adapters.drivers.asyncpg import AsyncpgPoolDriver
from pgqueuer.models import Job
from pgqueuer.ports import RepositoryPort
from pgqueuer.queries import Queries
from pgqueuer.types import QueueExecutionMode

from backend import clock
from backend.errors import Invalid
from backend.media import decoded, images
from backend.media.store import MediaStore, key
from backend.media.tables import Blob

DERIVE = "media.derive"
DERIVED = ("thumbnail", "preview")
HEARTBEAT = timedelta(seconds=30)  # a job whose worker is silent this long is taken by another
log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Awaitable[None]]


class Jobs:
    """The job queue of one process: enqueue jobs, run a worker over them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.in_process = not isinstance(engine, PostgresEngine)
        self._queries: RepositoryPort | None = PgQueuer.in_memory().queries if self.in_process else None
        self._in_app: tuple[QueueManager, asyncio.Task] | None = None
        self._kinds: dict[str, tuple[Handler, Callable[[], Awaitable[Any]] | None, int]] = {}

    def register(self, entrypoint: str, handler: Handler, sweep: Callable[[], Awaitable[Any]] | None = None,
                 one_at_a_time: bool = False) -> None:
        """A kind of job: ``handler`` runs one from its payload, idempotently (a job may
        run twice: after a worker dies, or when queued again after it ran); ``sweep``
        queues what a crash lost, at start. ``one_at_a_time``: never two of this kind at
        once, in any worker (pgqueuer counts them in the database) — for long CPU-bound
        Python (a PDF's layout holds the interpreter's lock: several at once in a worker
        would starve its previews)."""
        self._kinds[entrypoint] = handler, sweep, 1 if one_at_a_time else 0

    async def enqueue(self, entrypoint: str, payloads: Sequence[dict[str, Any]], dedupe: Sequence[str],
                      priority: int = 0) -> None:
        """Queue one job per payload; one with the same dedupe key already queued stands
        for it (queueing again while it waits is harmless). Higher ``priority`` first."""
        if payloads:
            await self.queries.enqueue([entrypoint] * len(payloads), [json.dumps(p).encode() for p in payloads],
                                       [priority] * len(payloads), dedupe_key=list(dedupe), on_conflict="skip")

    @property
    def queries(self) -> RepositoryPort:
        """pgqueuer's queries: in memory, or over the engine's pool (started by db.start)."""
        if self._queries is None:
            assert isinstance(self.engine, PostgresEngine) and self.engine.pool is not None, "db.start() first"
            self._queries = Queries(AsyncpgPoolDriver(self.engine.pool))
        return self._queries

    async def derive(self, originals: Iterable[tuple[str, str]]) -> None:
        """Queue the derivatives of these (sha256, mime) originals; one queued job per
        original at a time (its dedupe key), so enqueueing again is harmless."""
        pending = [(sha256, mime) for sha256, mime in originals if mime != images.PDF]
        await self.enqueue(DERIVE, [{"sha256": s, "mime": m} for s, m in pending], [f"derive:{s}" for s, _ in pending],
                           priority=1)  # an inspector's preview before a document's PDF or an export

    def worker(self, store: MediaStore) -> QueueManager:
        """A worker over this queue, making derivatives into ``store``."""
        manager = QueueManager(self.queries)

        @manager.entrypoint(DERIVE)
        async def derive(job: Job) -> None:
            assert job.payload is not None
            original = json.loads(job.payload)
            sha256 = original["sha256"]
            if await Blob.exists().where(Blob.sha256 == sha256, Blob.derived_at.is_not_null() | Blob.undecodable.eq(True)):
                return  # done by an earlier run of this job
            try:
                derived = await anyio.to_thread.run_sync(make_derivatives, store, sha256, original["mime"], DERIVED)
            except Invalid as damage:  # the upload checked the file's structure; its pixels are damaged
                await decoded.undecodable(sha256, str(damage))
                return
            assert derived is not None
            await decoded.hashed(sha256, derived.phash)
            await Blob.update({Blob.derived_at: clock.now()}).where(Blob.sha256 == sha256)

        for entrypoint, (handler, _, limit) in self._kinds.items():
            manager.entrypoint(entrypoint, concurrency_limit=limit)(_from_payload(handler))
        return manager

    async def sweep_all(self, store: MediaStore) -> int:
        """Queue what a crash lost: missing derivatives, then each registered kind's.
        Returns how many originals lacked a derivative."""
        lacking = await sweep(self, store)
        for _, kind_sweep, _ in self._kinds.values():
            if kind_sweep is not None:
                await kind_sweep()
        return lacking

    async def work(self, store: MediaStore, *, drain: bool = False, heartbeat: timedelta = HEARTBEAT) -> None:
        """Run a worker until it is cancelled (or, with ``drain``, until nothing is queued)."""
        mode = QueueExecutionMode.drain if drain else QueueExecutionMode.continuous
        await self.worker(store).run(mode=mode, heartbeat_timeout=heartbeat, dequeue_timeout=timedelta(seconds=5),
                                     log_aggregation_interval=timedelta(0))

    async def start(self, store: MediaStore) -> None:
        """At the app's start: on SQLite the app works its own queue, in the background,
        after sweeping for missing derivatives. On PostgreSQL `dossier worker` does both."""
        if self.in_process:
            await self.sweep_all(store)
            manager = self.worker(store)
            self._in_app = manager, asyncio.create_task(
                manager.run(heartbeat_timeout=HEARTBEAT, log_aggregation_interval=timedelta(0)))

    async def stop(self) -> None:
        """At the app's end: the job in hand is finished, the rest stays queued."""
        if self._in_app is not None:
            manager, task = self._in_app
            manager.shutdown.set()
            await task
            self._in_app = None

    async def settle(self, store: MediaStore, timeout_s: float = 60) -> None:
        """Until nothing is queued or in hand (tests, benchmarks): on SQLite the app's own
        worker is waited for; on PostgreSQL a worker runs here until the queue is empty."""
        if not self.in_process:
            await self.work(store, drain=True)
            return
        with anyio.fail_after(timeout_s):
            while any(s.count for s in await self.queries.queue_size()):
                await anyio.sleep(0.02)


def _from_payload(handler: Handler) -> Callable[[Job], Awaitable[None]]:
    async def run(job: Job) -> None:
        assert job.payload is not None
        await handler(json.loads(job.payload))
    return run


def make_derivatives(store: MediaStore, sha256: str, mime: str,
                     missing: Iterable[str] | None = None) -> images.Derived | None:
    """The derivatives of a stored original that are ``missing`` (by default: those the
    store lacks, asked one by one), made and written (blocking: a worker thread).
    Returns what decoding found (None when every derivative exists: nothing is decoded);
    Invalid when its pixels do not decode."""
    missing = [variant for variant in DERIVED if not made(store, sha256, variant)] if missing is None else list(missing)
    if not missing:
        return None
    with store.open(sha256, "original") as original:
        derived = images.derive(original, mime)
    for variant in missing:
        store.put_derivative(sha256, variant, getattr(derived, variant))
    return derived


def stored(store: MediaStore, sha256: str, variant: str) -> bytes:
    """A stored file's bytes; a derivative whose job has not run yet is made here first
    (a document printing a photo filed a moment ago). Blocking: a worker thread."""
    if variant in DERIVED and not made(store, sha256, variant):
        with store.open(sha256, "original") as original:
            mime = images.sniff(original.read(images.HEAD))
        make_derivatives(store, sha256, mime)
    return store.read(sha256, variant)


def made(store: MediaStore, sha256: str, variant: str) -> bool:
    """Is this derivative in the store? (Blocking: a worker thread.)"""
    try:
        store.size(sha256, variant)
    except FileNotFoundError:
        return False
    return True


async def sweep(jobs: Jobs, store: MediaStore) -> int:
    """Queue the derivatives missing from the store (at start-up: jobs lost in a crash,
    a restored bucket), and record as derived the originals whose derivatives are all
    there. Returns how many originals lack one."""
    stored = set(await anyio.to_thread.run_sync(lambda: list(store.keys())))
    blobs = await Blob.select(Blob.sha256, Blob.mime, Blob.derived_at).where(Blob.mime != images.PDF,
                                                                            Blob.undecodable.eq(False))
    lacking = [(b["sha256"], b["mime"]) for b in blobs
               if any(key(b["sha256"], variant) not in stored for variant in DERIVED)]
    missing = {sha256 for sha256, _ in lacking}
    whole = [b["sha256"] for b in blobs if b["derived_at"] is None and b["sha256"] not in missing]
    for part in _batches(whole):
        await Blob.update({Blob.derived_at: clock.now()}).where(Blob.sha256.is_in(part))
    for part in _batches(sorted(missing)):
        await Blob.update({Blob.derived_at: None}).where(Blob.sha256.is_in(part))
    await jobs.derive(lacking)
    if lacking:
        log.info("queued the derivatives of %d originals", len(lacking))
    return len(lacking)


def _batches(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]

"""Resumable uploads (the tus 1.0 protocol, backend/media/resumable_routes.py): a photo or
a video goes up in pieces, and after a cut, a reload or an app update it resumes from the
last byte the server holds. Once the last byte is in, the whole file is filed through
``service.file_upload``, with the same checks as a one-shot upload.

An upload's state lives on disk in the store's spool (the local temp folder both stores
stream uploads into), so it outlives a restart of the app:

    <id>.tus        what it is: its owner, length, form fields, declared SHA-256, expiry
                    (JSON, written once, atomically)
    <id>.tus.data   the bytes received so far; its size is the upload's offset
    <id>.tus.done   the id of the media record it was filed as

The ``.tus`` file is also the upload's lock: a PATCH holds an exclusive flock on it from
checking the offset to filing, so two PATCHes at one offset cannot both write (the other
waits a moment, then is told 409 with the offset); HEAD waits for it too, so that right
after a cut it counts the bytes the cut request was still taking. Ids are 128 random bits, bound to the user who created the upload: anyone
else's guess, and an expired upload, are 404. An upload expires EXPIRES_AFTER its
creation; ``sweep`` removes expired ones, and ``Sweeper`` runs it (and the spool's sweep
of crashed one-shot uploads) periodically in every app process."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import time
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import AsyncIterator, Callable, Iterator

import anyio

from backend import clock
from backend.errors import Conflict, DomainError, Invalid, NotFound, TooLarge
from backend.media.receive import Received
from backend.media.schemas import UploadFields
from backend.media.store import MediaStore

EXPIRES_AFTER = timedelta(hours=24)
ORPHANS_AFTER_S = EXPIRES_AFTER.total_seconds()  # a .tus.data or .tus.done without its .tus
ID = re.compile("[0-9a-f]{32}")
SHA256 = re.compile("[0-9a-f]{64}")
CHECKSUMS: dict[str, Callable[[], "hashlib._Hash"]] = {"sha256": hashlib.sha256, "sha1": hashlib.sha1,
                                                       "md5": hashlib.md5}
FIELDS = frozenset(UploadFields.__struct_fields__)  # the upload form's; other metadata (filetype…) is ignored
LOCK_WAIT_S, LOCK_POLL_S = 3.0, 0.02  # how long a request waits for another to finish with an upload
READ = 1024 * 1024  # bytes hashed at once when the file is complete
log = logging.getLogger(__name__)


def fields_of(metadata: dict[str, str]) -> dict[str, str]:
    """The upload form's fields among an upload's metadata."""
    return {k: v for k, v in metadata.items() if k in FIELDS}


class ChecksumMismatch(DomainError):
    """tus' own status: the chunk's bytes do not match its Upload-Checksum."""

    status_code = 460


class OffsetMismatch(Conflict):
    def __init__(self, offset: int, message: str, *, code: str, params: dict | None = None) -> None:
        super().__init__(message, "Upload-Offset", code=code, params=params)
        self.offset = offset


@dataclass(frozen=True)
class Partial:
    """An upload under way."""

    id: str
    owner: str
    length: int
    fields: dict[str, str]
    filename: str
    sha256: str
    expires: datetime


class Uploads:
    """The resumable uploads kept in one folder (a store's spool)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def of(cls, store: MediaStore) -> Uploads:
        return cls(store.spool.folder)

    def _path(self, upload_id: str, suffix: str = "") -> Path:
        return self.folder / f"{upload_id}.tus{suffix}"

    # ------------------------------------------------------------ creating and finding

    def create(self, owner: str, length: int, metadata: dict[str, str], max_bytes: int) -> Partial:
        """A new upload of ``length`` bytes; nothing is stored when it is over ``max_bytes``
        or its metadata lacks the declared SHA-256. (The fields are checked by the caller.)"""
        if length > max_bytes:
            raise TooLarge(f"The file is larger than the {max_bytes // 2**20} MB limit.", "Upload-Length", code="file_too_large", params={"mb": max_bytes // 2**20})
        sha256 = metadata.get("sha256", "").lower()
        if not SHA256.fullmatch(sha256):
            raise Invalid("Upload-Metadata needs the file's SHA-256 (64 hex digits) as sha256.", "sha256", code="upload_sha256_missing")
        partial = Partial(id=secrets.token_hex(16), owner=owner, length=length,
                          fields=fields_of(metadata),
                          filename=(metadata.get("filename") or metadata.get("name", ""))[:255],
                          sha256=sha256,
                          expires=clock.now() + EXPIRES_AFTER)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path(partial.id, ".data").touch(exist_ok=False)
        described = self._path(partial.id, ".new")
        described.write_text(json.dumps({**asdict(partial), "expires": partial.expires.isoformat()}))
        os.replace(described, self._path(partial.id))  # whole or absent
        return partial

    def find(self, owner: str, upload_id: str) -> Partial:
        """The caller's upload; 404 for a forged id, another user's upload or an expired one."""
        partial = self._read(upload_id) if ID.fullmatch(upload_id) else None
        if partial is None or partial.owner != owner or partial.expires <= clock.now():
            raise NotFound("No such upload (it may have expired after 24 hours); start the upload again.", code="upload_not_found")
        return partial

    def _read(self, upload_id: str) -> Partial | None:
        try:
            described = json.loads(self._path(upload_id).read_text())
        except (FileNotFoundError, ValueError):
            return None
        return Partial(**{**described, "expires": datetime.fromisoformat(described["expires"])})

    def offset(self, partial: Partial) -> int:
        """How many bytes the server holds (all of them once the upload is filed)."""
        if self.filed(partial) is not None:
            return partial.length
        try:
            return self._path(partial.id, ".data").stat().st_size
        except FileNotFoundError:
            return 0

    def filed(self, partial: Partial) -> str | None:
        """The media id the upload was filed as, if it was."""
        try:
            return self._path(partial.id, ".done").read_text() or None
        except FileNotFoundError:
            return None

    # ------------------------------------------------------------ writing

    @contextlib.asynccontextmanager
    async def writing(self, partial: Partial) -> AsyncIterator[Writer]:
        """Hold the upload's lock while writing and filing it. A request that finds it held
        waits LOCK_WAIT_S (the one before may be a cut request taking its last bytes) and is
        then told 409 with the offset."""
        with self._locked(partial.id) as take:
            if not await _taken(take):
                raise OffsetMismatch(self.offset(partial), "Another request is sending this upload right now; "
                                                           "ask for its offset (HEAD) and resume from there.", code="upload_busy")
            yield Writer(self, partial)

    async def settled_offset(self, partial: Partial) -> int:
        """The offset once no request is writing (after LOCK_WAIT_S at most): after a cut,
        the bytes the cut request still carries count."""
        with self._locked(partial.id) as take:
            await _taken(take)
            return self.offset(partial)

    @contextlib.contextmanager
    def _locked(self, upload_id: str) -> Iterator[Callable[[], bool]]:
        """A try at the upload's lock (True once taken; held until the block ends)."""
        try:
            lock = open(self._path(upload_id), "rb")
        except FileNotFoundError:
            raise NotFound("No such upload (it may have expired after 24 hours); start the upload again.", code="upload_not_found") from None

        def take() -> bool:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        with lock:  # closing it releases the lock
            yield take

    def terminate(self, partial: Partial) -> None:
        """Remove the upload and its bytes (tus termination; also after a refused filing)."""
        for suffix in (".data", ".done", ".filing", ""):
            self._path(partial.id, suffix).unlink(missing_ok=True)

    # ------------------------------------------------------------ sweeping

    def sweep(self) -> int:
        """Remove the expired uploads that no request is writing, and the leftovers of
        uploads whose description is gone (older than a day). Blocking: a worker thread."""
        if not self.folder.exists():
            return 0
        now, removed = clock.now(), 0
        for described in self.folder.glob("*.tus"):
            partial = self._read(described.stem)
            if partial is not None and partial.expires > now:
                continue
            with contextlib.suppress(NotFound), self._locked(described.stem) as take:
                if take():  # not while a request is writing it
                    self.terminate(partial or Partial(described.stem, "", 0, {}, "", "", now))
                    removed += 1
        cutoff = time.time() - ORPHANS_AFTER_S
        leftovers = (p for suffix in (".data", ".done", ".new", ".filing") for p in self.folder.glob(f"*.tus{suffix}"))
        for leftover in list(leftovers):
            upload_id = leftover.name.split(".")[0]
            with contextlib.suppress(FileNotFoundError):  # another app process swept it meanwhile
                if not self._path(upload_id).exists() and leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
        return removed


async def _taken(take: Callable[[], bool]) -> bool:
    """Whether the lock was taken within LOCK_WAIT_S."""
    for _ in range(int(LOCK_WAIT_S / LOCK_POLL_S)):
        if take():
            return True
        await asyncio.sleep(LOCK_POLL_S)
    return take()


class Writer:
    """One PATCH's hold on an upload (see Uploads.writing)."""

    def __init__(self, uploads: Uploads, partial: Partial) -> None:
        self.uploads, self.partial = uploads, partial
        self.data = uploads._path(partial.id, ".data")

    async def append(self, offset: int, stream: AsyncIterator[bytes], checksum: tuple[str, bytes] | None,
                     announced: int | None) -> int:
        """Write the bytes of ``stream`` at ``offset`` (which must be the server's) and return
        the new offset. With a ``checksum`` (algorithm, digest) the chunk is kept only whole
        and matching; without one, the bytes of a cut request are kept (the client resumes
        after them). Memory does not grow with the chunk."""
        partial = self.partial
        held = self.uploads.offset(partial)
        if offset != held:
            raise OffsetMismatch(held, f"The server holds {held} bytes of this upload, not {offset}; "
                                       "resume from there.", code="upload_offset_mismatch", params={"held": held, "offset": offset})
        if announced is not None and held + announced > partial.length:
            raise TooLarge(f"This chunk would take the upload past its {partial.length} bytes.", "Upload-Length", code="chunk_past_length", params={"length": partial.length})
        digest = CHECKSUMS[checksum[0]]() if checksum else None
        with open(self.data, "r+b") as f:
            f.seek(held)
            written, kept = held, False
            try:
                async for chunk in stream:
                    written += len(chunk)
                    if written > partial.length:
                        raise TooLarge(f"The chunk takes the upload past its {partial.length} bytes.", "Upload-Length", code="chunk_past_length", params={"length": partial.length})
                    if digest is not None:
                        digest.update(chunk)
                    f.write(chunk)
                if checksum is not None and digest is not None and digest.digest() != checksum[1]:
                    raise ChecksumMismatch(f"The chunk's {checksum[0]} does not match Upload-Checksum; it was "
                                           "discarded: send it again.", "Upload-Checksum", code="chunk_checksum_mismatch", params={"algorithm": checksum[0]})
                kept = True
            finally:  # a cut request keeps the bytes that came, unless they were to be checked first
                if not kept and (checksum is not None or written > partial.length):
                    f.truncate(held)
            f.flush()
            await anyio.to_thread.run_sync(os.fsync, f.fileno())
        return self.uploads.offset(partial)

    def received(self) -> Received:
        """The complete file as a one-shot upload receives it, hashed in one pass (blocking:
        a worker thread). A hard link of the bytes, which filing consumes: the upload keeps
        its own until it is filed, so a filing that fails for a moment (a store or database
        down) can be retried with an empty PATCH. 400 on sha256 when the bytes are not the
        declared ones."""
        partial = self.partial
        sha256, crc32 = hashlib.sha256(), 0
        with open(self.data, "rb") as f:
            head = f.read(32)
            f.seek(0)
            while chunk := f.read(READ):
                sha256.update(chunk)
                crc32 = zlib.crc32(chunk, crc32)
        if sha256.hexdigest() != partial.sha256:
            raise Invalid("The file received is not the one declared (its SHA-256 differs from sha256); "
                          "the upload was discarded: send it again.", "sha256", code="upload_checksum_mismatch")
        link = self.uploads._path(partial.id, ".filing")
        link.unlink(missing_ok=True)  # left by a filing that crashed
        os.link(self.data, link)
        return Received(fields=dict(partial.fields), path=link, filename=partial.filename, size=partial.length,
                        sha256=partial.sha256, crc32=crc32, head=head)

    def filed(self, media_id: str) -> None:
        """The upload is filed: its bytes go, its media id stays (a retried last PATCH is
        answered with the record) until it expires."""
        done = self.uploads._path(self.partial.id, ".done")
        done.write_text(media_id)
        self.data.unlink(missing_ok=True)


class Sweeper:
    """Every ``period_s`` in the app's process: expired resumable uploads, and the temp
    files of crashed one-shot uploads (the spool's own sweep), go."""

    def __init__(self, store: MediaStore, period_s: float) -> None:
        self.store, self.period_s = store, period_s
        self._task: asyncio.Task | None = None

    async def sweep(self) -> int:
        uploads = Uploads.of(self.store)
        return await anyio.to_thread.run_sync(lambda: self.store.sweep() + uploads.sweep())

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period_s)  # the app swept once as it started
            try:
                if removed := await self.sweep():
                    log.info("swept %d leftover upload files", removed)
            except OSError as e:  # an unmounted disk, say: said, and tried again next time
                log.warning("sweeping uploads failed: %s", e)

    def start(self) -> None:
        if self.period_s > 0:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

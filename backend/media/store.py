"""Where media bytes live: one MediaStore interface, two stores. LocalMediaStore keeps
them in a folder (the default: `make run`, one machine); S3MediaStore (backend/media/s3.py)
in an S3-compatible object store, for several app workers on several machines;
backend/media/storage.py picks one from the settings.

Both keep the same keys: originals are addressed by their SHA-256, so the same bytes are
stored once, and derivatives next to them. Every write is atomic: a reader sees a whole
file or none. Uploads stream into a local temp file first (the spool: the hash is known
only at the end, and the images are decoded from it); a sweep removes the temp files that
crashed uploads left behind.

Reading: ``open`` gives a seekable file (documents, evidence packages), ``chunks`` a byte
range for a response, and two ways to let others send the bytes: ``local_file`` (a file on
this machine's disk, which nginx can send with sendfile) and ``url`` (a presigned link that
expires within minutes), both computed without I/O. The other methods but ``chunks`` block:
call them from a worker thread.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import uuid
from pathlib import Path
from typing import AsyncIterator, BinaryIO, Iterator, Protocol, Sequence, runtime_checkable

import anyio

VARIANTS = ("original", "preview", "thumbnail")
CHUNK = 256 * 1024  # bytes read at once when the app sends a file itself
SHA256 = re.compile("[0-9a-f]{64}")


def key(sha256: str, variant: str) -> str:
    """Where a file lies in either store (a path under the folder, an object's key)."""
    if variant == "original":
        return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    if variant == "document":  # an issued document's PDF (backend.documents)
        return f"documents/{sha256[:2]}/{sha256}.pdf"
    if variant == "export":  # a large list's CSV or XLSX file, kept for a day (backend.exports.jobs)
        return f"exports/{sha256[:2]}/{sha256}"
    return f"{variant}/{sha256[:2]}/{sha256}.jpg"


def parse_key(name: str) -> tuple[str, str] | None:
    """The (sha256, variant) that ``key`` made ``name`` of; None for any other file."""
    folder, _, rest = name.partition("/")
    variant = {"originals": "original", "documents": "document", "exports": "export"}.get(folder, folder)
    sha256 = rest.rpartition("/")[2].partition(".")[0]
    if variant not in (*VARIANTS, "document", "export") or not SHA256.fullmatch(sha256) or key(sha256, variant) != name:
        return None
    return sha256, variant


@runtime_checkable
class MediaStore(Protocol):
    spool: Spool  # the local temp folder (resumable uploads keep their partial files there too)

    def new_temp(self) -> Path: ...
    def commit_original(self, temp: Path, sha256: str, mime: str | None = None) -> bool: ...
    def flush(self, temp: Path) -> None: ...
    def put_derivative(self, sha256: str, variant: str, data: bytes) -> None: ...
    def delete(self, sha256: str, variants: Sequence[str] = VARIANTS) -> None: ...
    def sweep(self, older_than_s: float = 3600) -> int: ...
    def keys(self) -> Iterator[str]: ...
    def size(self, sha256: str, variant: str) -> int: ...
    def read(self, sha256: str, variant: str) -> bytes: ...
    def open(self, sha256: str, variant: str) -> BinaryIO: ...
    def chunks(self, sha256: str, variant: str, start: int, stop: int) -> AsyncIterator[bytes]: ...
    def local_file(self, sha256: str, variant: str) -> Path | None: ...
    def url(self, sha256: str, variant: str) -> str | None: ...


class Spool:
    """The local folder uploads stream into before they are stored."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def new(self) -> Path:
        """A fresh temp file path for an upload to stream into."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder / f"{uuid.uuid4().hex}.part"

    def sweep(self, older_than_s: float) -> int:
        """Delete temp files older than ``older_than_s`` (left by crashed uploads)."""
        if not self.folder.exists():
            return 0
        cutoff, removed = time.time() - older_than_s, 0
        for leftover in self.folder.glob("*.part"):
            with contextlib.suppress(FileNotFoundError):  # finished, or swept by another app process, meanwhile
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
        return removed


class LocalMediaStore:
    """Files in a folder: written to a temp file, fsynced and renamed into place."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.spool = Spool(self.root / "tmp")

    def new_temp(self) -> Path:
        return self.spool.new()

    def sweep(self, older_than_s: float = 3600) -> int:
        return self.spool.sweep(older_than_s)

    def path(self, sha256: str, variant: str) -> Path:
        return self.root / key(sha256, variant)

    def commit_original(self, temp: Path, sha256: str, mime: str | None = None) -> bool:
        """Move a finished upload into place under its hash. False (and the temp file
        removed) when those bytes are already stored."""
        target = self.path(sha256, "original")
        if target.exists():
            temp.unlink(missing_ok=True)
            return False
        _fsync(temp)  # at no cost after flush
        self._place(temp, target)
        return True

    def flush(self, temp: Path) -> None:
        """Write a finished upload through to the disk ahead of commit_original, while the
        upload's fields are checked (an upload then waits for the slower of the two, not
        for both). A failure is left to commit_original, which fsyncs again."""
        with contextlib.suppress(OSError):
            _fsync(temp)

    def put_derivative(self, sha256: str, variant: str, data: bytes) -> None:
        """Write a file made from stored bytes (a thumbnail, a preview, a document's PDF)."""
        temp = self.new_temp()
        temp.write_bytes(data)
        _fsync(temp)
        self._place(temp, self.path(sha256, variant))

    def delete(self, sha256: str, variants: Sequence[str] = VARIANTS) -> None:
        """Remove an original and its derivatives (only for bytes nothing refers to), or
        the files of these ``variants`` (an expired export)."""
        for variant in variants:
            self.path(sha256, variant).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """Every stored file's key (not the temp files)."""
        for path in self.root.rglob("*"):
            if path.is_file() and path.parent != self.spool.folder:
                yield path.relative_to(self.root).as_posix()

    def size(self, sha256: str, variant: str) -> int:
        return self.path(sha256, variant).stat().st_size

    def read(self, sha256: str, variant: str) -> bytes:
        return self.path(sha256, variant).read_bytes()

    def open(self, sha256: str, variant: str) -> BinaryIO:
        return open(self.path(sha256, variant), "rb", buffering=0)  # unbuffered: each read lands in its block

    async def chunks(self, sha256: str, variant: str, start: int, stop: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` up to ``stop`` (exclusive), read in a worker thread."""
        with await anyio.to_thread.run_sync(self.open, sha256, variant) as f:
            f.seek(start)
            left = stop - start
            while left > 0 and (chunk := await anyio.to_thread.run_sync(f.read, min(CHUNK, left))):
                left -= len(chunk)
                yield chunk

    def local_file(self, sha256: str, variant: str) -> Path:
        return self.path(sha256, variant)

    def url(self, sha256: str, variant: str) -> None:
        return None  # the app (or nginx) sends the file

    def _place(self, temp: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, target)
        _fsync_dir(target.parent)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

"""Where media bytes live: one MediaStore interface, local disk today (an S3-compatible
store can implement the same methods).

Originals are addressed by their SHA-256, so the same bytes are stored once. Every write
is atomic: a temp file is written, fsynced and renamed into place, so a reader sees a
whole file or none. Uploads stream into temp files first; a sweep removes the ones that
crashed uploads left behind.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Protocol, runtime_checkable

VARIANTS = ("original", "preview", "thumbnail")


@runtime_checkable
class MediaStore(Protocol):
    def new_temp(self) -> Path: ...
    def commit_original(self, temp: Path, sha256: str) -> bool: ...
    def put_derivative(self, sha256: str, variant: str, data: bytes) -> None: ...
    def path(self, sha256: str, variant: str) -> Path: ...
    def relative(self, sha256: str, variant: str) -> str: ...
    def delete(self, sha256: str) -> None: ...
    def sweep(self, older_than_s: float) -> int: ...


class LocalMediaStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        self.temp = self.root / "tmp"

    def new_temp(self) -> Path:
        """A fresh temp file path for an upload to stream into."""
        self.temp.mkdir(parents=True, exist_ok=True)
        return self.temp / f"{uuid.uuid4().hex}.part"

    def relative(self, sha256: str, variant: str) -> str:
        if variant == "original":
            return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"
        if variant == "document":  # an issued document's PDF (backend.documents)
            return f"documents/{sha256[:2]}/{sha256}.pdf"
        return f"{variant}/{sha256[:2]}/{sha256}.jpg"

    def path(self, sha256: str, variant: str) -> Path:
        return self.root / self.relative(sha256, variant)

    def commit_original(self, temp: Path, sha256: str) -> bool:
        """Move a finished upload into place under its hash. False (and the temp file
        removed) when those bytes are already stored."""
        target = self.path(sha256, "original")
        if target.exists():
            temp.unlink(missing_ok=True)
            return False
        _fsync(temp)
        self._place(temp, target)
        return True

    def put_derivative(self, sha256: str, variant: str, data: bytes) -> None:
        """Write a file made from stored bytes (a thumbnail, a preview, a document's PDF)."""
        temp = self.new_temp()
        temp.write_bytes(data)
        _fsync(temp)
        self._place(temp, self.path(sha256, variant))

    def delete(self, sha256: str) -> None:
        """Remove an original and its derivatives (only for bytes nothing refers to)."""
        for variant in VARIANTS:
            self.path(sha256, variant).unlink(missing_ok=True)

    def sweep(self, older_than_s: float = 3600) -> int:
        """Delete temp files older than ``older_than_s`` (left by crashed uploads)."""
        if not self.temp.exists():
            return 0
        cutoff, removed = time.time() - older_than_s, 0
        for leftover in self.temp.glob("*.part"):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink(missing_ok=True)
                removed += 1
        return removed

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

"""Media in an S3-compatible object store (SeaweedFS in the tests and CI, any S3 in
production), through obstore: the same keys and the same methods as the media folder.

Uploads still stream into the local spool (the hash is known only at the end, and the
images are decoded from the file); the finished original then goes up in one PUT, or as
a multipart upload of 8 MiB parts when it is larger. An object appears whole or not at
all, and its key is its content's hash, so writing the same key twice is harmless.

Downloads: the app authorises every one first, then redirects the client to a presigned
GET that expires within minutes (``link_seconds``; Range works there as on any S3 GET),
or, with ``link_seconds=0`` (a store the clients cannot reach), streams the bytes itself.
The objects carry their Content-Type and an immutable Cache-Control: their keys never
change content.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, BinaryIO, Iterator, Sequence

import obstore
from obstore.store import S3Store

from backend.media.store import VARIANTS, Spool, key

if TYPE_CHECKING:
    from backend.settings import Settings

PART = 8 * 2**20  # multipart upload part size (S3 wants at least 5 MiB)
STREAM_CHUNK = 256 * 1024
READ_BUFFER = 2**20  # open(): one ranged GET per MiB read, not one per read (a decoder reads a few bytes at a time)
IMMUTABLE = "private, max-age=31536000, immutable"
DERIVED_TYPES = {"document": "application/pdf", "export": "application/octet-stream"}  # the others are JPEG


class S3MediaStore:
    def __init__(self, objects: S3Store, signer: S3Store, spool: Path, link_seconds: int) -> None:
        self.objects, self.signer = objects, signer  # signer: the same bucket as browsers reach it
        self.spool = Spool(spool)
        self.link_seconds = link_seconds

    @classmethod
    def of(cls, settings: Settings) -> S3MediaStore:
        def client(url: str) -> S3Store:
            return S3Store(
                settings.s3_bucket, prefix=settings.s3_prefix or None, endpoint=url, region=settings.s3_region,
                access_key_id=settings.s3_access_key, secret_access_key=settings.s3_secret_key,
                virtual_hosted_style_request=False,
                # a store that is down or stalls fails within seconds (the upload fails and is retried), while
                # an original streamed through the app to a slow phone may take many minutes in all
                client_options={"allow_http": url.startswith("http://"), "connect_timeout": timedelta(seconds=5),
                                "read_timeout": timedelta(seconds=30), "timeout": timedelta(minutes=30)},
                retry_config={"max_retries": 3, "retry_timeout": timedelta(seconds=15),
                              "backoff": {"init_backoff": timedelta(milliseconds=100),
                                          "max_backoff": timedelta(seconds=2), "base": 2}},
            )

        objects = client(settings.s3_url)
        signer = client(settings.s3_public_url) if settings.s3_public_url else objects
        return cls(objects, signer, Path(settings.media_root).resolve() / "tmp", settings.s3_link_seconds)

    # ---------------------------------------------------------------- writing

    def new_temp(self) -> Path:
        return self.spool.new()

    def sweep(self, older_than_s: float = 3600) -> int:
        return self.spool.sweep(older_than_s)

    def commit_original(self, temp: Path, sha256: str, mime: str | None = None) -> bool:
        """Upload a finished upload under its hash and remove the temp file. False when
        those bytes are already stored."""
        name = key(sha256, "original")
        if self._exists(name):
            temp.unlink(missing_ok=True)
            return False
        obstore.put(self.objects, name, temp, attributes=_attributes(mime), chunk_size=PART, max_concurrency=4)
        temp.unlink(missing_ok=True)
        return True

    def flush(self, temp: Path) -> None:
        """Nothing: the spool is scratch; the object's PUT makes the upload durable."""

    def put_derivative(self, sha256: str, variant: str, data: bytes) -> None:
        obstore.put(self.objects, key(sha256, variant), data,
                    attributes=_attributes(DERIVED_TYPES.get(variant, "image/jpeg")), use_multipart=False)

    def delete(self, sha256: str, variants: Sequence[str] = VARIANTS) -> None:
        """Remove an original and its derivatives (only for bytes nothing refers to), or
        the files of these ``variants`` (an expired export)."""
        obstore.delete(self.objects, [key(sha256, variant) for variant in variants])

    # ---------------------------------------------------------------- reading

    def keys(self) -> Iterator[str]:
        for batch in obstore.list(self.objects):
            for meta in batch:
                yield meta["path"]

    def size(self, sha256: str, variant: str) -> int:
        return obstore.head(self.objects, key(sha256, variant))["size"]

    def read(self, sha256: str, variant: str) -> bytes:
        return bytes(obstore.get(self.objects, key(sha256, variant)).bytes())

    def open(self, sha256: str, variant: str) -> BinaryIO:
        name = key(sha256, variant)
        return io.BufferedReader(_Object(self.objects, name, obstore.head(self.objects, name)["size"]),
                                 buffer_size=READ_BUFFER)

    async def chunks(self, sha256: str, variant: str, start: int, stop: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` up to ``stop`` (exclusive): one ranged GET, streamed."""
        if start >= stop:
            return
        result = await obstore.get_async(self.objects, key(sha256, variant), options={"range": (start, stop)})
        async for chunk in result.stream(min_chunk_size=STREAM_CHUNK):
            yield bytes(chunk)

    def local_file(self, sha256: str, variant: str) -> None:
        return None

    def url(self, sha256: str, variant: str) -> str | None:
        """A presigned GET of the object, valid for ``link_seconds`` (None: the app streams)."""
        if not self.link_seconds:
            return None
        return obstore.sign(self.signer, "GET", key(sha256, variant), timedelta(seconds=self.link_seconds))

    def _exists(self, name: str) -> bool:
        try:
            obstore.head(self.objects, name)
        except FileNotFoundError:
            return False
        return True


def _attributes(mime: str | None) -> Any:
    return {"Cache-Control": IMMUTABLE, **({"Content-Type": mime} if mime else {})}


class _Object(io.RawIOBase):
    """A stored object as a seekable binary file: each read is one ranged GET."""

    def __init__(self, objects: S3Store, name: str, size: int) -> None:
        super().__init__()
        self.objects, self.name, self.length, self.position = objects, name, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readall(self) -> bytes:
        """The rest of the object in one GET (RawIOBase's own would read 8 KiB per request)."""
        if self.position >= self.length:
            return b""
        data = bytes(obstore.get_range(self.objects, self.name, start=self.position, end=self.length))
        self.position += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count = min(len(buffer), self.length - self.position)
        if count <= 0:
            return 0
        data = obstore.get_range(self.objects, self.name, start=self.position, length=count)
        memoryview(buffer)[:count] = memoryview(data)
        self.position += count
        return count

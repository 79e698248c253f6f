"""Sending a stored file over HTTP, once its route has authorised the caller: whichever
store keeps it, a single byte range (Range) is honoured.

In order: nginx sends it (X-Accel-Redirect from the media folder, with sendfile, when
configured); or the client is redirected to a presigned link of the object store that
expires within minutes; or the app sends it itself: a local file as Litestar's File, an
object streamed as it arrives.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import quote

import anyio
from litestar import Response
from litestar.datastructures import ETag
from litestar.response import File, Redirect, Stream

from backend.errors import DomainError
from backend.media.store import MediaStore, key

REDIRECT_MAX_AGE = 60  # the browser may reuse a redirect this long; links live 120 s at least (settings)


class RangeNotSatisfiable(DomainError):
    status_code = 416


async def send(store: MediaStore, sha256: str, variant: str, *, media_type: str, name: str,
               headers: dict[str, str], etag: str | None = None, size: int | None = None,
               range_header: str | None = None, redirect: bool = True, accel_prefix: str = "") -> Response:
    """The stored file as a response: ``name`` is its download name without the
    extension; ``headers`` go on every answer but a redirect; ``size``, when the caller
    knows it, saves asking the store; ``redirect=False`` keeps the answer's own headers
    (a presigned link would drop them)."""
    tag = {"ETag": f'"{etag}"'} if etag else {}
    if accel_prefix and store.local_file(sha256, variant) is not None:  # nginx sends it, Range included
        target = accel_prefix.rstrip("/") + "/" + key(sha256, variant)
        return Response(b"", media_type=media_type, headers={**headers, **tag, "X-Accel-Redirect": target})
    if redirect and (url := store.url(sha256, variant)) is not None:
        return Redirect(url, status_code=307, headers={"Cache-Control": f"private, max-age={REDIRECT_MAX_AGE}"})
    headers = dict(headers)
    filename = name + PurePosixPath(key(sha256, variant)).suffix
    if (path := store.local_file(sha256, variant)) is not None and not range_header:
        return File(path, filename=filename, media_type=media_type, content_disposition_type="inline",
                    etag=ETag(value=etag) if etag else None, headers=headers)
    headers.update(tag)
    size = size if size is not None else await anyio.to_thread.run_sync(store.size, sha256, variant)
    if not range_header:
        return Stream(store.chunks(sha256, variant, 0, size), media_type=media_type, headers={
            "Content-Disposition": _inline(filename), **headers, "Content-Length": str(size)})
    start, end = _byte_range(range_header, size)
    return Stream(store.chunks(sha256, variant, start, end + 1), status_code=206, media_type=media_type, headers={
        **headers, "Content-Range": f"bytes {start}-{end}/{size}", "Content-Length": str(end - start + 1)})


def _inline(filename: str) -> str:
    """Content-Disposition as Litestar's File writes it."""
    if filename.isascii():
        return f'inline; filename="{filename}"'
    return f"inline; filename*=utf-8''{quote(filename)}"


def _byte_range(header: str, size: int) -> tuple[int, int]:
    """One `bytes=start-end` range (or a suffix `bytes=-n`) within the file."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not match or match.groups() == ("", ""):
        raise RangeNotSatisfiable(f"Only a single byte range is supported, within 0-{size - 1}.", "range", code="range_not_satisfiable", params={"last": size - 1})
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start > end or start >= size:
        raise RangeNotSatisfiable(f"The range is outside the file (0-{size - 1}).", "range", code="range_not_satisfiable", params={"last": size - 1})
    return start, end

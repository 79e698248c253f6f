"""Resumable uploads over HTTP: the tus 1.0 protocol (core, creation, checksum, expiration,
termination), so any tus client can send a photo or video in pieces and resume it. The
state and its rules are backend/media/resumable.py; the finished file is filed by
``service.file_upload`` exactly as POST /api/media files a one-shot upload."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from email.utils import format_datetime
from typing import Annotated
from uuid import UUID

import anyio
from litestar import Controller, Request, Response, delete, head, patch, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.exceptions import HTTPException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, PathParameter

from backend.access import EVERYONE, Scope, roles
from backend.errors import DomainError, Invalid, Unsupported
from backend.media import service
from backend.media.images import Limits
from backend.media.jobs import Jobs
from backend.media.links import Links
from backend.media.resumable import CHECKSUMS, OffsetMismatch, Partial, Uploads, fields_of
from backend.media.schemas import MediaOut
from backend.media.store import MediaStore
from backend.openapi import ErrorBody
from backend.settings import Settings

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,checksum,expiration,termination"
CHUNK_TYPE = "application/offset+octet-stream"

UploadId = Annotated[str, PathParameter(description="The upload's id: the last part of its creation's Location")]
TusResumable = Annotated[str | None, HeaderParameter(name="Tus-Resumable", required=False,
                                                  description="The protocol version: 1.0.0 (412 otherwise)")]


def _error(description: str) -> ResponseSpec:
    return ResponseSpec(ErrorBody, description=description, generate_examples=False)


VERSION_412 = {412: _error("Tus-Resumable is not 1.0.0, the protocol version this server speaks")}
GONE_404 = {404: _error("No such upload: a forged or another user's id, or one expired after 24 hours (start again)")}


def _speaks_tus(version: str | None) -> None:
    if version != TUS_VERSION:
        raise HTTPException(status_code=412, detail="Send Tus-Resumable: 1.0.0 (the tus protocol version spoken here).",
                            headers={"Tus-Version": TUS_VERSION}, extra=[{"key": "Tus-Resumable",
                                                                        "message": "must be 1.0.0"}])


def _max_bytes(settings: Settings) -> int:
    """Tus-Max-Size: the larger of the limits (videos', as a rule); filing holds each kind to its own."""
    return max(settings.media_max_mb, settings.video_max_mb) * 2**20


def _expires(partial: Partial) -> dict[str, str]:
    return {"Upload-Expires": format_datetime(partial.expires, usegmt=True)}


def _metadata(header: str) -> dict[str, str]:
    """tus' Upload-Metadata: comma-separated pairs of a key and its base64 value."""
    metadata = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Invalid(f"Upload-Metadata: the value of {key!r} is not base64 of UTF-8 text.",
                          "Upload-Metadata", code="upload_metadata_not_base64", params={"key": key}) from None
    return metadata


def _checksum(header: str | None) -> tuple[str, bytes] | None:
    """tus' Upload-Checksum: an algorithm and the chunk's base64 digest."""
    if header is None:
        return None
    algorithm, _, digest = header.strip().partition(" ")
    if algorithm not in CHECKSUMS:
        raise Invalid(f"Upload-Checksum: use one of {', '.join(CHECKSUMS)}.", "Upload-Checksum", code="checksum_algorithm_unknown", params={"algorithms": list(CHECKSUMS)})
    try:
        return algorithm, base64.b64decode(digest.strip(), validate=True)
    except binascii.Error:
        raise Invalid("Upload-Checksum: the digest is not base64.", "Upload-Checksum", code="checksum_not_base64") from None


async def _discovery(request: Request) -> Response | None:
    """OPTIONS: what this tus server supports (Litestar answers OPTIONS itself; this
    answers in its place, signed in or not)."""
    if request.method != HttpMethod.OPTIONS:
        return None
    one = request.url.path.rstrip("/") != ResumableUploadController.path  # an upload's URL, or the creation's
    return Response(None, status_code=204, headers={
        "Allow": "DELETE, HEAD, OPTIONS, PATCH" if one else "OPTIONS, POST", "Tus-Resumable": TUS_VERSION, "Tus-Version": TUS_VERSION, "Tus-Extension": EXTENSIONS,
        "Tus-Max-Size": str(_max_bytes(request.app.state.settings)), "Tus-Checksum-Algorithm": ",".join(CHECKSUMS)})


class ResumableUploadController(Controller):
    path = "/api/uploads"
    tags = ["media"]
    opt = roles(EVERYONE)
    response_headers = [ResponseHeader(name="Tus-Resumable", value=TUS_VERSION, description="The protocol version")]
    before_request = _discovery

    @post("/", operation_id="createResumableUpload", status_code=201,
          summary="Start a resumable upload of a photo or video (tus 1.0 creation)",
          responses={201: ResponseSpec(None, description="Created: its Location is the upload's URL; Upload-Expires "
                                                         "says until when it may be resumed"),
                     **VERSION_412, 413: _error("Upload-Length is over the limit (Tus-Max-Size); nothing is stored")})
    async def create(self, access: NamedDependency[Scope], settings: NamedDependency[Settings],
                     store: NamedDependency[MediaStore], tus_resumable: TusResumable,
                     upload_length: Annotated[int, HeaderParameter(name="Upload-Length", ge=1, le=2**53,
                                                                   description="The file's size in bytes")],
                     upload_metadata: Annotated[str, HeaderParameter(
                         name="Upload-Metadata", description="Comma-separated `key base64(value)` pairs: the fields "
                         "of POST /api/media (id, enterprise_id, category, …), the file's `sha256` (hex, checked when "
                         "the last byte is in) and its `filename`")]) -> Response[None]:
        """The tus protocol (https://tus.io/protocols/resumable-upload), version 1.0.0, with
        the extensions creation, checksum (sha256, sha1, md5), expiration and termination;
        OPTIONS /api/uploads lists them and Tus-Max-Size. The fields are checked here as
        POST /api/media checks them, and again when the upload is filed."""
        _speaks_tus(tus_resumable)
        metadata = _metadata(upload_metadata)
        await service.admit(access, fields_of(metadata))
        partial = await anyio.to_thread.run_sync(lambda: Uploads.of(store).create(
            str(access.user_id), upload_length, metadata, _max_bytes(settings)))
        return Response(None, status_code=201, headers={"Location": f"/api/uploads/{partial.id}", **_expires(partial)})

    @head("/{upload_id:str}", operation_id="resumableUploadOffset", summary="How much of an upload the server holds",
          responses={200: ResponseSpec(None, description="Upload-Offset: the bytes held; Upload-Length; "
                                                         "Upload-Expires"),
                     **VERSION_412, **GONE_404})
    async def offset(self, access: NamedDependency[Scope], store: NamedDependency[MediaStore], upload_id: UploadId,
                     tus_resumable: TusResumable) -> Response[None]:
        _speaks_tus(tus_resumable)
        uploads = Uploads.of(store)
        partial = uploads.find(str(access.user_id), upload_id)
        held = await uploads.settled_offset(partial)
        return Response(None, headers={"Upload-Offset": str(held), "Upload-Length": str(partial.length),
                                       "Cache-Control": "no-store", **_expires(partial)})

    @patch("/{upload_id:str}", operation_id="resumeUpload", request_max_body_size=None,
           summary="Send the next bytes of an upload (tus PATCH); the last ones file it",
           responses={204: ResponseSpec(None, description="Taken: Upload-Offset is the new offset"),
                      201: ResponseSpec(MediaOut, description="The last bytes: the upload is filed; the media record"),
                      200: ResponseSpec(MediaOut, description="Filed already (a retry): the same record, unchanged"),
                      409: _error("Upload-Offset is not the server's (its Upload-Offset header says where to resume), "
                                  "another request is sending this upload, or the id was used for another file"),
                      **VERSION_412, **GONE_404,
                      413: _error("The bytes go past Upload-Length (they were discarded), or the finished file is over "
                                  "the limit of its kind (a photo's, a video's)"),
                      415: _error("Content-Type is not application/offset+octet-stream, or the finished file is not a "
                                  "type the product takes"),
                      460: _error("The chunk does not match Upload-Checksum; it was discarded (send it again)")})
    async def resume(self, request: Request, access: NamedDependency[Scope], settings: NamedDependency[Settings],
                     store: NamedDependency[MediaStore], jobs: NamedDependency[Jobs], links: NamedDependency[Links],
                     upload_id: UploadId, tus_resumable: TusResumable,
                     upload_offset: Annotated[int, HeaderParameter(name="Upload-Offset", ge=0, le=2**53,
                                                                   description="Where these bytes start: the "
                                                                   "server's offset")],
                     upload_checksum: Annotated[str | None, HeaderParameter(
                         name="Upload-Checksum", description="e.g. `sha256 <base64 digest of this request's body>`")]
                     = None) -> Response[MediaOut | None]:
        """Streamed to disk as the bytes arrive. A cut request keeps the bytes that came
        (unless an Upload-Checksum was to check them): ask HEAD for the offset and resume.
        When the last byte is in, the file's SHA-256 must be the declared `sha256` (else
        400 on sha256, and the upload is discarded) and it is filed as POST /api/media
        files a one-shot upload: 201 with the media record (200 when that id was filed
        already). A filing refused (400, 404, 409, 415) discards the upload; one that failed
        for a moment (503) is retried by sending an empty PATCH at the full offset."""
        _speaks_tus(tus_resumable)
        uploads = Uploads.of(store)
        partial = uploads.find(str(access.user_id), upload_id)
        if request.headers.get("content-type", "").split(";")[0].strip() != CHUNK_TYPE:
            raise Unsupported(f"Send the bytes as {CHUNK_TYPE}.", "Content-Type", code="chunk_type_unsupported", params={"type": CHUNK_TYPE})
        checksum = _checksum(upload_checksum)
        length = request.headers.get("content-length")
        headers = _expires(partial)
        try:
            async with uploads.writing(partial) as writer:
                if (media_id := uploads.filed(partial)) is not None:
                    if upload_offset != partial.length:
                        raise OffsetMismatch(partial.length, "This upload is complete and filed.", code="upload_complete")
                    return Response(await service.get_media(access, UUID(media_id)), status_code=200,
                                    headers={"Upload-Offset": str(partial.length), **headers})
                offset = await writer.append(upload_offset, request.stream(), checksum,
                                             int(length) if length and length.isdigit() else None)
                if offset < partial.length:
                    return Response(None, status_code=204, headers={"Upload-Offset": str(offset), **headers})
                try:
                    received = await anyio.to_thread.run_sync(writer.received)
                    filed = await service.file_upload(access, store, jobs, links, received, settings.gps_flag_metres,
                                                      Limits(settings.media_max_mb, settings.video_max_mb))
                except DomainError:  # refused for good: the bytes go, the answer says why
                    uploads.terminate(partial)
                    raise
                writer.filed(str(filed.media.id))
                return Response(filed.media, status_code=201 if filed.created else 200,
                                headers={"Upload-Offset": str(offset), **headers})
        except OffsetMismatch as e:
            raise _offset_mismatch(e) from None

    @delete("/{upload_id:str}", operation_id="cancelResumableUpload", summary="Give up an upload (tus termination)",
            responses={**VERSION_412, **GONE_404})
    async def cancel(self, access: NamedDependency[Scope], store: NamedDependency[MediaStore], upload_id: UploadId,
                     tus_resumable: TusResumable) -> None:
        """Its bytes go; a media record it was filed as stays."""
        _speaks_tus(tus_resumable)
        uploads = Uploads.of(store)
        partial = uploads.find(str(access.user_id), upload_id)
        try:
            async with uploads.writing(partial):
                uploads.terminate(partial)
        except OffsetMismatch as e:
            raise _offset_mismatch(e) from None


def _offset_mismatch(e: OffsetMismatch) -> HTTPException:
    """409 with the offset the server holds in its header (tus), the code and params on the field."""
    return HTTPException(status_code=409, detail=e.message, headers={"Upload-Offset": str(e.offset)},
                         extra=[{"key": "Upload-Offset", "message": e.message, "code": e.code, "params": e.params}])

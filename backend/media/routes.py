from datetime import timedelta
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend import clock
from backend.access import EVERYONE, REVIEWERS, Scope, roles
from backend.errors import NotFound
from backend.fields import SIX_DIGITS
from backend.media import service
from backend.media.download import send
from backend.media.images import PDF, Limits
from backend.media.jobs import Jobs
from backend.media.links import Links
from backend.media.receive import receive
from backend.media.schemas import Archive, MediaOut, MediaPage, ReturnedPage, ReviewIn, UploadFields
from backend.media.store import MediaStore
from backend.media.tables import Category, ReviewStatus
from backend.openapi import multipart
from backend.pagination import Cursor, Cursors, Limit
from backend.settings import Settings

Access = NamedDependency[Scope]
Store = NamedDependency[MediaStore]
Linked = NamedDependency[Links]
Queue = NamedDependency[Jobs]
RETRY_AFTER_S = 2  # a derivative is made within a second or two of its upload
LOST_JOB = timedelta(minutes=2)  # a preview still missing this long after its upload is queued again
MediaId = Annotated[UUID, PathParameter(description="The upload's id (the phone's UUID)")]


class MediaController(Controller):
    path = "/api/media"
    tags = ["media"]
    opt = roles(EVERYONE)

    @post("/", operation_id="uploadMedia", summary="Upload a photo, video or document (multipart: fields + one file)",
          request_max_body_size=None, status_code=201, operation_class=multipart(UploadFields, "file"))
    async def upload(self, request: Request, access: Access, settings: NamedDependency[Settings], store: Store,
                     jobs: Queue, links: Linked) -> Response[MediaOut]:
        """Idempotent by the form field `id`: a retry answers 200 with the first record;
        another file under the same id is a 409. It answers once the original is stored and
        recorded; the thumbnail and preview follow within seconds. A video larger than the
        one-shot limit (`DOSSIER_MEDIA_MAX_MB`) goes by the resumable upload."""
        received = await receive(request.stream(), request.headers.get("content-type", ""), store,
                                 settings.media_max_mb * 2**20)
        result = await service.file_upload(access, store, jobs, links, received, settings.gps_flag_metres,
                                           Limits(settings.media_max_mb, settings.video_max_mb))
        return Response(result.media, status_code=201 if result.created else 200)

    @get("/mine", operation_id="listMyUploads", summary="Your uploads, newest first")
    async def mine(self, access: Access, cursors: Cursors,
                   status: Annotated[ReviewStatus | None, QueryParameter(description="e.g. returned")] = None,
                   limit: Limit = 50, cursor: Cursor = None) -> MediaPage:
        return await service.my_uploads(access, status, limit, cursor, cursors)

    @get("/returned", operation_id="listMyReturned",
         summary="Your returned uploads not retaken yet, newest first, naming each one's enterprise, visit and item")
    async def returned(self, access: Access, links: Linked, cursors: Cursors, limit: Limit = 50,
                       cursor: Cursor = None) -> ReturnedPage:
        return await service.returned(access, links, limit, cursor, cursors)

    @get("/review-queue", operation_id="reviewQueue",
         summary="Uploads waiting for review, oldest first, with their visit and checklist item (a visit's "
                 "signature images wait with their visit)",
         opt=roles(REVIEWERS))
    async def queue(self, access: Access, cursors: Cursors, links: Linked,
                    region: Annotated[str | None, QueryParameter(pattern=SIX_DIGITS, description="Under this region")] = None,
                    category: Annotated[Category | None, QueryParameter(description="Category")] = None,
                    flag: Annotated[str | None, QueryParameter(pattern=r"^[a-z_]+$", description="Only flagged, e.g. near_duplicate")] = None,
                    limit: Limit = 50, cursor: Cursor = None) -> MediaPage:
        return await service.review_queue(access, links, service.QueueFilter(region, category, flag), limit, cursor,
                                          cursors)

    @get("/{media_id:uuid}", operation_id="getMedia", summary="An upload's record")
    async def get_media(self, access: Access, media_id: MediaId) -> MediaOut:
        return await service.get_media(access, media_id)

    @post("/{media_id:uuid}/review", operation_id="reviewMedia", summary="Accept, or return with a reason",
          opt=roles(REVIEWERS), status_code=200)
    async def review(self, access: Access, links: Linked, media_id: MediaId, data: JSONBody[ReviewIn]) -> MediaOut:
        return await service.review(access, links, media_id, data)

    @get("/{media_id:uuid}/{variant:str}", operation_id="getMediaFile",
         summary="The original, the preview or the thumbnail (Range requests allowed)",
         description="A preview or thumbnail not made yet answers 404 with Retry-After (seconds).")
    async def file(self, request: Request, access: Access, settings: NamedDependency[Settings], store: Store,
                   jobs: Queue, media_id: MediaId,
                   variant: Annotated[str, PathParameter(pattern="^(original|preview|thumbnail)$", description="Which file")],
                   ) -> Response:
        media = await service.get_media(access, media_id)
        if variant != "original" and media.mime == PDF:
            raise NotFound("Documents have no preview; fetch the original.", code="document_no_preview")
        etag = f"{media.sha256}-{variant}"
        headers = {"Cache-Control": "private, max-age=31536000, immutable", "Accept-Ranges": "bytes"}
        if request.headers.get("if-none-match", "").strip('"') == etag:
            return Response(None, status_code=304, headers={**headers, "ETag": f'"{etag}"'})
        if variant != "original" and media.undecodable:
            raise NotFound(f"The photo's pixels do not decode: it has no {variant}; it was returned for a retake.",
                           code="media_undecodable", params={"variant": variant})
        if variant != "original" and media.derived_at is None:
            if clock.now() - media.uploaded_at > LOST_JOB:  # its job was lost (a crash before it was queued)
                await jobs.derive([(media.sha256, media.mime)])
            return Response({"status_code": 404, "detail": f"The {variant} is being made; try again in a moment.",
                             "code": "variant_pending", "params": {"variant": variant}},
                            status_code=404, headers={"Retry-After": str(RETRY_AFTER_S), "Cache-Control": "no-store"})
        mime = media.mime if variant == "original" else "image/jpeg"
        return await send(store, media.sha256, variant, media_type=mime, name=str(media.id), headers=headers, etag=etag,
                          size=media.size if variant == "original" else None, range_header=request.headers.get("range"),
                          accel_prefix=settings.media_accel_prefix)


class ArchiveController(Controller):
    path = "/api/enterprises/{enterprise_id:uuid}/media"
    tags = ["media"]
    opt = roles(EVERYONE)

    @get("/", operation_id="enterpriseArchive", summary="An enterprise's image archive: timeline and counts")
    async def archive(self, access: Access, cursors: Cursors,
                      enterprise_id: Annotated[UUID, PathParameter(description="The enterprise's id")],
                      category: Annotated[Category | None, QueryParameter(description="Only this category")] = None,
                      limit: Limit = 50, cursor: Cursor = None) -> Archive:
        return await service.archive(access, enterprise_id, category, limit, cursor, cursors)

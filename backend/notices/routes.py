from typing import Annotated, Callable
from uuid import UUID

import anyio
from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from backend.access import EVERYONE, FIELD_TEAM, STAFF, Scope, roles
from backend.notices import page, render, service
from backend.notices.schemas import NoticeIn, NoticeOut, NoticePhotoIn, NoticeTemplateOut, RemovalIn
from backend.notices.tables import NoticeStatus
from backend.errors import Conflict
from backend.settings import Settings

Access = NamedDependency[Scope]
NoticeId = Annotated[UUID, PathParameter(description="The notice's id")]


class NoticeTemplateController(Controller):
    path = "/api/notice-templates"
    tags = ["notices"]
    opt = roles(STAFF)

    @get("/", operation_id="listNoticeTemplates", summary="The standard warning-notice templates")
    async def list_templates(self) -> list[NoticeTemplateOut]:
        return await service.list_templates()


class NoticeController(Controller):
    path = "/api/notices"
    tags = ["notices"]
    opt = roles(FIELD_TEAM)

    @post("/", operation_id="postNotice",
          summary="Post a notice at a control point during a visit (idempotent by its id); it replaces the point's current one")
    async def post_notice(self, access: Access, data: JSONBody[NoticeIn]) -> Response[NoticeOut]:
        notice, created = await service.post_notice(access, data)
        return Response(notice, status_code=201 if created else 200)

    @get("/{notice_id:uuid}", operation_id="getNotice", summary="One notice", opt=roles(EVERYONE))
    async def get_notice(self, access: Access, notice_id: NoticeId) -> NoticeOut:
        return await service.get_notice(access, notice_id)

    @post("/{notice_id:uuid}/photo", operation_id="photographNotice", status_code=200,
          summary="The photo of a notice printed first, now in place (sent again: no change)")
    async def photograph(self, access: Access, notice_id: NoticeId, data: JSONBody[NoticePhotoIn]) -> NoticeOut:
        return await service.attach_photo(access, notice_id, data.photo_id)

    @post("/{notice_id:uuid}/removal", operation_id="removeNotice", status_code=200,
          summary="Take a notice down, with a reason (its code no longer verifies)")
    async def remove(self, access: Access, notice_id: NoticeId, data: JSONBody[RemovalIn]) -> NoticeOut:
        return await service.remove_notice(access, notice_id, data.reason)

    @get("/{notice_id:uuid}/print.png", operation_id="printNoticePng", opt=roles(EVERYONE),
         summary="The notice drawn for printing: PNG at 300 DPI, A4 or A5")
    async def print_png(self, access: Access, settings: NamedDependency[Settings], notice_id: NoticeId) -> Response[bytes]:
        return await _printed(access, settings, notice_id, "png", render.png)

    @get("/{notice_id:uuid}/print.pdf", operation_id="printNoticePdf", opt=roles(EVERYONE),
         summary="The notice for printing: one PDF page of exactly A4 or A5")
    async def print_pdf(self, access: Access, settings: NamedDependency[Settings], notice_id: NoticeId) -> Response[bytes]:
        return await _printed(access, settings, notice_id, "pdf", render.pdf)


async def _printed(access: Scope, settings: Settings, notice_id: UUID, kind: str,
                   draw: Callable[[NoticeOut, str], bytes]) -> Response[bytes]:
    notice = await service.get_notice(access, notice_id)
    if notice.status != NoticeStatus.current:
        raise Conflict(f"This notice is {notice.status.value}; print the control point's current notice instead.", "status", code="notice_not_current", params={"status": notice.status.value})
    content = await anyio.to_thread.run_sync(draw, notice, page.verify_url(settings.public_url, notice.code))
    return Response(content, media_type="image/png" if kind == "png" else "application/pdf",
                    headers={"Content-Disposition": f'inline; filename="notice-{notice.code}.{kind}"'})


class EnterpriseNoticeController(Controller):
    path = "/api/enterprises/{enterprise_id:uuid}/notices"
    tags = ["notices"]
    opt = roles(EVERYONE)

    @get("/", operation_id="enterpriseNotices", summary="An enterprise's notices, the current ones first")
    async def notices(self, access: Access,
                      enterprise_id: Annotated[UUID, PathParameter(description="The enterprise's id")]) -> list[NoticeOut]:
        return await service.enterprise_notices(access, enterprise_id)

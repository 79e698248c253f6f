from datetime import date
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import PathParameter

from backend.access import EVERYONE, PUBLIC, Scope, roles
from backend.accounts import ratelimit
from backend.documents import page, service
from backend.documents.issue import Issuer
from backend.documents.schemas import DocumentOut
from backend.media.download import send
from backend.media.store import MediaStore
from backend.notices import page as notice_page
from backend.notices import service as notices
from backend.settings import Settings

Access = NamedDependency[Scope]
DocumentId = Annotated[UUID, PathParameter(description="The document's id")]
VERIFY_PER_ADDRESS = (120, 60)  # (lookups, seconds): enough for anyone scanning, too few to walk the codes


class DocumentController(Controller):
    path = "/api/documents"
    tags = ["documents"]
    opt = roles(EVERYONE)

    @get("/{document_id:uuid}", operation_id="getDocument", summary="One issued document")
    async def get_document(self, access: Access, document_id: DocumentId) -> DocumentOut:
        return await service.get_document(access, document_id)

    @get("/{document_id:uuid}/pdf", operation_id="documentPdf", media_type="application/pdf",
         summary="The document as PDF (A4, rendered once; its SHA-256 is in the audit chain)")
    async def pdf(self, access: Access, settings: NamedDependency[Settings], store: NamedDependency[MediaStore],
                  document_id: DocumentId) -> Response:
        document = await service.pdf(access, store, settings.public_url, document_id)
        name = f"{document.title}-{document.number}.pdf"
        return await send(store, document.sha256, "document", media_type="application/pdf",
                          name=f"{document.kind.value}-{document.code}", redirect=False, headers={
            "Content-Disposition": f"inline; filename=\"{document.kind.value}-{document.code}.pdf\"; "
                                   f"filename*=UTF-8''{quote(name)}",
            "Cache-Control": "private, max-age=31536000, immutable", "X-Content-SHA256": document.sha256})


class VisitDocumentController(Controller):
    path = "/api/visits/{visit_id:uuid}/documents"
    tags = ["documents"]
    opt = roles(EVERYONE)

    @get("/", operation_id="visitDocuments", summary="A filed visit's record, order to correct and re-check records")
    async def documents(self, access: Access, paper: NamedDependency[Issuer],
                        visit_id: Annotated[UUID, PathParameter(description="The visit's id")]) -> list[DocumentOut]:
        return await service.visit_documents(access, paper, visit_id)


class EnterpriseDocumentController(Controller):
    path = "/api/enterprises/{enterprise_id:uuid}/documents"
    tags = ["documents"]
    opt = roles(EVERYONE)

    @get("/", operation_id="enterpriseDocuments", summary="An enterprise's documents, newest first")
    async def documents(self, access: Access, paper: NamedDependency[Issuer], today: NamedDependency[date],
                        enterprise_id: Annotated[UUID, PathParameter(description="The enterprise's id")],
                        ) -> list[DocumentOut]:
        return await service.enterprise_documents(access, paper, enterprise_id, today)


@get("/v/{code:str}", opt=PUBLIC, include_in_schema=False)
async def verify_page(request: Request, code: Annotated[str, PathParameter(description="The printed short code")]
                      ) -> Response[str]:
    """Anyone who scans a notice or a document: is it genuine and current? HTML, no
    sign-in, no JavaScript."""
    await ratelimit.hit(f"verify:{request.client.host if request.client else 'unknown'}", VERIFY_PER_ADDRESS)
    if (notice := await notices.by_code(code)) is not None:
        html = notice_page.verification_page(notice)
    elif (document := await service.by_code(code)) is not None:
        newer = await service.by_id(document.superseded_by) if document.superseded_by else None
        html = page.verification_page(document, newer)
    else:
        html = None
    return Response(html or notice_page.unknown_code_page(code), media_type="text/html; charset=utf-8",
                    status_code=200 if html else 404, headers={"Cache-Control": "no-store"})

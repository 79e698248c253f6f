"""The Litestar application: create_app(settings) wires domains, dependencies and errors."""

from __future__ import annotations

import sqlite3
from enum import Enum
from functools import partial

import asyncpg
import obstore.exceptions
from litestar import Litestar, Request, Response, Router, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig, ResponseSpec
from piccolo.engine.base import Engine

from backend.access import PUBLIC
from backend import db
from backend.clock import bureau_today
from backend.accounts.guards import SessionAuth, provide_access, role_guard
from backend.accounts.routes import AuthController, InvitationController, OfficerController, SessionController, UserController
from backend.audit.routes import AuditController
from backend.enterprises.routes import EnterpriseController, RiskGradeController
from backend.coverage import rollups
from backend.coverage.routes import LISTINGS as COVERAGE_LISTINGS, CoverageController, CoverageExportController
from backend.exports import jobs as export_jobs
from backend.exports.job_routes import ExportJobController
from backend.exports.routes import LISTINGS as EXPORT_LISTINGS, ExportController
from backend.exports.package_routes import PackageController
from backend.errors import DomainError, TooManyRequests
from backend.inspections import schedule
from backend.inspections.routes import (
    ChecklistController,
    DossierFindingController,
    FindingController,
    VisitController,
)
from backend.media.jobs import Jobs
from backend.media.resumable import Sweeper
from backend.media.resumable_routes import ResumableUploadController
from backend.media.routes import ArchiveController, MediaController
from backend.media.storage import media_store
from backend.media.store import MediaStore
from backend.notices.links import DossierLinks
from backend.notices.routes import EnterpriseNoticeController, NoticeController, NoticeTemplateController
from backend.documents import service as documents
from backend.documents.issue import Issuer
from backend.documents.routes import (
    DocumentController, EnterpriseDocumentController, VisitDocumentController, verify_page,
)
from backend.fields import field_of, humanise, reason_of
from backend.openapi import document_answers
from backend.pagination import CursorCodec
from backend.plans.routes import ConflictController, PlanController, PlanItemController
from backend.publication.routes import (
    PublicationController, WorkdayAdjustmentController, results_feed, results_page,
)
from backend.regions.routes import RegionController
from backend.settings import Settings, get_settings
from backend.webapp import webapp_path, webapp_root

# Text (the app shell, JSON) is gzipped for phones on one bar of signal: the shell's
# JavaScript goes from 120 KB to under 40 KB. Photos, documents and printed notices are
# compressed already, and a photo's byte ranges must stay the file's own.
# Answers under one TCP segment go in one packet compressed or not: gzip would only cost CPU.
COMPRESSION = CompressionConfig(backend="gzip", gzip_compress_level=6, minimum_size=1400,
                                exclude=[r"^/api/media/[0-9a-f-]{36}/", r"^/api/notices/[0-9a-f-]{36}/print\.",
                                         r"^/api/enterprises/[0-9a-f-]{36}/package\.zip", r"^/api/exports/[a-z-]+\.xlsx$",
                                         r"^/api/exports/jobs/[0-9a-f-]{36}/file"])
LISTINGS = {listing.name: listing for listing in (*EXPORT_LISTINGS, *COVERAGE_LISTINGS)}  # the lists that export


def job_queue(engine: Engine, store: MediaStore, settings: Settings) -> Jobs:
    """The job queue and every kind of job the app has: the app's (in its process on
    SQLite) and `dossier worker`'s (on PostgreSQL) alike."""
    jobs = Jobs(engine)
    documents.render_in_jobs(jobs, store, settings.public_url)
    export_jobs.register(jobs, store, CursorCodec(settings.secret_key), LISTINGS)
    return jobs


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    engine = db.engine_for(settings.database_url)
    db.use_engine(engine)
    cursors = CursorCodec(settings.secret_key)
    store = media_store(settings)  # the media folder, or the object store DOSSIER_S3_URL names
    jobs = job_queue(engine, store, settings)  # pgqueuer on PostgreSQL (`dossier worker`), in this process on SQLite
    sweeper = Sweeper(store, settings.upload_sweep_minutes * 60)  # expired resumable uploads, cut uploads' temp files
    links = DossierLinks()  # what media is told of the visits, notices and orders an upload names
    paper = Issuer(jobs)  # what inspections tell the documents: number a filed visit's record, a closure's re-check

    @get("/api/health", operation_id="health", summary="Liveness and database reachability", tags=["system"], opt=PUBLIC,
         responses={503: ResponseSpec(dict[str, str], description="The database is unreachable")})
    async def health() -> Response[dict[str, str]]:
        try:
            await db.ping(engine)
        except Exception:  # the database is down: say so, do not crash
            return Response({"status": "unavailable", "database": db.kind(engine)}, status_code=503)
        return Response({"status": "ok", "database": db.kind(engine)})

    api = Router(
        path="/",
        guards=[role_guard],
        route_handlers=[
            health,
            AuthController,
            SessionController,
            InvitationController,
            UserController,
            OfficerController,
            AuditController,
            RegionController,
            EnterpriseController,
            RiskGradeController,
            MediaController,
            ResumableUploadController,
            ArchiveController,
            ChecklistController,
            VisitController,
            FindingController,
            DossierFindingController,
            CoverageController,
            ExportController,
            ExportJobController,
            PackageController,
            CoverageExportController,
            NoticeTemplateController,
            NoticeController,
            EnterpriseNoticeController,
            DocumentController,
            VisitDocumentController,
            EnterpriseDocumentController,
            PlanItemController, PlanController, ConflictController,
            PublicationController, WorkdayAdjustmentController, results_feed, results_page,
            verify_page,
            webapp_root,
            webapp_path,
        ],
    )
    app = Litestar(
        route_handlers=[api],
        middleware=[DefineMiddleware(SessionAuth, exclude=["^/schema"], exclude_from_auth_key="public",
                                    exclude_http_methods=["OPTIONS"])],
        compression_config=COMPRESSION,
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="dossier_csrf",
            header_name="x-csrf-token",
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
        ),
        dependencies={
            "access": Provide(provide_access, sync_to_thread=False),
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "cursors": Provide(lambda: cursors, sync_to_thread=False),
            "store": Provide(lambda: store, sync_to_thread=False),
            "jobs": Provide(lambda: jobs, sync_to_thread=False),
            "listings": Provide(lambda: LISTINGS, sync_to_thread=False),
            "links": Provide(lambda: links, sync_to_thread=False),
            "tally": Provide(lambda: rollups, sync_to_thread=False),
            "paper": Provide(lambda: paper, sync_to_thread=False),
            "today": Provide(bureau_today, sync_to_thread=False),
            "reschedule": Provide(lambda: partial(schedule.refresh, intervals=settings.visit_intervals),
                                  sync_to_thread=False),
        },
        on_startup=[partial(db.start, engine), sweeper.sweep, sweeper.start,  # crashed uploads' temp files, and periodically
                    partial(jobs.start, store)],
        on_shutdown=[sweeper.stop, jobs.stop, partial(db.stop, engine)],
        exception_handlers={
            DomainError: _domain_error,
            ValidationException: _validation_error,
            HTTPException: _http_error,
            sqlite3.IntegrityError: _integrity_error,
            asyncpg.IntegrityConstraintViolationError: _integrity_error,
            # a store or database that is down or restarting: the client retries (an upload by its same id)
            obstore.exceptions.GenericError: partial(_unavailable, "The media store", code="store_unavailable"),
            **dict.fromkeys((ConnectionError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
                             asyncpg.AdminShutdownError, asyncpg.CrashShutdownError),
                            partial(_unavailable, "The database", code="database_unavailable")),
        },
        openapi_config=OpenAPIConfig(
            title="Field Dossier",
            version="0.1.0",
            description="Field inspection and enterprise dossiers for quality-supervision bureaus.",
            path="/schema",
        ),
    )
    document_answers(app)
    app.state.jobs = jobs
    app.state.settings = settings  # for the few answers made outside a handler (tus' OPTIONS)
    return app


def _error(status_code: int, detail: str, key: str | None = None, *, code: str, params: dict | None = None,
           headers: dict[str, str] | None = None) -> Response[dict]:
    """Litestar's error shape, with the stable code and the params its sentence uses (the
    PWA says the code in the user's language, pwa/src/errors.js), on the body and on the field."""
    params = plain(params or {})
    body: dict = {"status_code": status_code, "detail": detail, "code": code, "params": params}
    if key is not None:
        body["extra"] = [{"key": key, "message": detail, "code": code, "params": params}]
    return Response(body, status_code=status_code, headers=headers)


def plain(value: object) -> object:
    """A param as JSON holds it: dates, ids and enums as their text."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return plain(value.value)
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _domain_error(_: Request, exc: DomainError) -> Response[dict]:
    response = _error(exc.status_code, exc.message, exc.field, code=exc.code, params=exc.params)
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


RETRY_AFTER_S = 5  # when a store or the database is unreachable


def _unavailable(what: str, _: Request, exc: Exception, *, code: str) -> Response[dict]:
    """A part the app needs did not answer (it is down or restarting): say so, and when to try again."""
    response = _error(503, f"{what} is unreachable for a moment; try again in a few seconds.", code=code)
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


def _validation_error(_: Request, exc: ValidationException) -> Response[dict]:
    """Litestar's validation answer, with errors about the body as a whole (an unknown
    field) moved onto the field they name, so every message points at a field, pattern
    mismatches said in words, and each error's code and params (backend.fields.reason_of)."""
    extra = []
    for error in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(error, dict):
            continue
        message = error.get("message", "")
        code, params = reason_of(message)
        extra.append({**error, "key": field_of(error.get("key", "data"), message), "message": humanise(message),
                      "code": code, "params": plain(params)})
    if not extra:  # Litestar said it in its detail alone (a missing query parameter)
        code, params = reason_of(exc.detail)
        extra.append({"key": params["name"] if code == "field_missing" else "body", "message": exc.detail,
                      "code": code, "params": plain(params)})
    return Response({"status_code": 400, "detail": exc.detail, "code": extra[0]["code"], "params": extra[0]["params"],
                     "extra": extra}, status_code=400)


# Litestar's own refusals (no such route, a method the route lacks, no session, the CSRF
# check) by status, unless the exception's extra names its code (the guards, tus).
_HTTP_CODES = {400: "body_malformed", 401: "sign_in_required", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               412: "tus_version", 413: "body_too_large", 415: "media_type_unsupported"}


def _http_error(_: Request, exc: HTTPException) -> Response[dict]:
    named = exc.extra[0] if isinstance(exc.extra, list) and exc.extra and isinstance(exc.extra[0], dict) else {}
    if exc.status_code >= 500:
        code = "server_error"
    elif "code" in named:
        code = named["code"]
    elif exc.status_code == 403 and "CSRF" in exc.detail:
        code = "csrf_failed"
    else:
        code = _HTTP_CODES.get(exc.status_code, "request_refused")
    return _error(exc.status_code, exc.detail, named.get("key"), code=code, params=named.get("params"),
                  headers=exc.headers)


def _integrity_error(_: Request, exc: Exception) -> Response[dict]:
    # Services check rules first and say precisely what is wrong; this catches the
    # race where two requests pass the check at once. The transaction was rolled back.
    return _error(409, "This change conflicts with a record saved a moment ago; reload and try again.",
                  code="saved_meanwhile")

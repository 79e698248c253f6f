"""Export jobs over HTTP: ask for a large list's file (202: the job, queued), follow its
progress, download it once done (see backend/exports/jobs.py)."""

from __future__ import annotations

from typing import Annotated, Any, Mapping
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from litestar.response import Stream

from backend.access import EVERYONE, Scope, roles
from backend.exports import jobs as export_jobs
from backend.exports.schemas import ExportJobIn, ExportJobOut
from backend.media.jobs import Jobs
from backend.media.store import MediaStore

Access = NamedDependency[Scope]
Listings = NamedDependency[Mapping[str, Any]]
JobId = Annotated[UUID, PathParameter(description="The job's id (the client's)")]


class ExportJobController(Controller):
    path = "/api/exports/jobs"
    tags = ["exports"]
    opt = roles(EVERYONE)

    @post("/", operation_id="askExportJob", status_code=202,
          summary="Export a large list as a file, off the request (idempotent by the job's id)")
    async def ask(self, access: Access, jobs: NamedDependency[Jobs], listings: Listings,
                  data: JSONBody[ExportJobIn]) -> ExportJobOut:
        return await export_jobs.ask(jobs, listings, access, data)

    @get("/{job_id:uuid}", operation_id="getExportJob", summary="An export job of yours: its status and progress")
    async def status(self, access: Access, job_id: JobId) -> ExportJobOut:
        return await export_jobs.status(access, job_id)

    @get("/{job_id:uuid}/file", operation_id="getExportJobFile", summary="The file of an export job of yours, once done")
    async def file(self, access: Access, store: NamedDependency[MediaStore], listings: Listings,
                   job_id: JobId) -> Stream:
        return await export_jobs.file(store, listings, access, job_id)

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend.access import EVERYONE, FIELD_TEAM, REVIEWERS, Role, STAFF, Scope, roles
from backend.errors import Invalid
from backend.fields import check_period
from backend.inspections import checklists, rectification, service
from backend.inspections.tables import VisitStatus
from backend.inspections.paper import Paper
from backend.inspections.tally import Tally
from backend.media.links import Links
from backend.media.schemas import MediaOut
from backend.pagination import Cursor, Cursors, Limit
from backend.settings import Settings
from backend.inspections.schemas import (
    AwaitingOut,
    ChecklistOut,
    ChecklistVersionIn,
    FindingDecision,
    RectificationOut,
    Submission,
    VisitOut,
    VisitPage,
    VisitPlan,
    VisitReviewIn,
)

Access = NamedDependency[Scope]
Today = NamedDependency[date]
VisitId = Annotated[UUID, PathParameter(description="The visit's id")]


def visit_filter(
    access: Access,
    enterprise_id: Annotated[UUID | None, QueryParameter(description="Of this enterprise")] = None,
    status: Annotated[VisitStatus | None, QueryParameter(description="e.g. planned, submitted")] = None,
    mine: Annotated[bool, QueryParameter(description="Only visits whose team includes you")] = False,
    since: Annotated[date | None, QueryParameter(name="from", description="Planned on or after")] = None,
    until: Annotated[date | None, QueryParameter(name="to", description="Planned on or before")] = None,
    ascending: Annotated[bool, QueryParameter(description="Earliest first")] = False,
) -> service.VisitFilter:
    """The visit list's filters, as query parameters: the list and its exports take the same."""
    check_period(since, until, "from", "to")
    return service.VisitFilter(enterprise_id, status, access.user_id if mine else None, since, until, ascending)


VISIT_FILTER = {"filters": Provide(visit_filter, sync_to_thread=False)}
VisitFilter = NamedDependency[service.VisitFilter]


class ChecklistController(Controller):
    path = "/api/checklists"
    tags = ["inspections"]
    opt = roles(STAFF)

    @get("/", operation_id="listChecklists", summary="Published checklist versions")
    async def list_checklists(self) -> list[ChecklistOut]:
        return await checklists.list_checklists()

    # a published version is a public standard: an enterprise reads the items of its own visit's record
    @get("/{checklist_id:uuid}", operation_id="getChecklist", summary="One published checklist version", opt=roles(EVERYONE))
    async def get_checklist(self, checklist_id: Annotated[UUID, PathParameter(description="Version id")]) -> ChecklistOut:
        return await checklists.get_checklist(checklist_id)

    @post("/{code:str}/versions", operation_id="publishChecklistVersion", opt=roles(frozenset({Role.admin})),
          summary="Publish a template's next version (published versions never change)")
    async def publish(self, access: Access, code: Annotated[str, PathParameter(max_length=50, description="Template code")],
                      data: JSONBody[ChecklistVersionIn]) -> ChecklistOut:
        return await checklists.publish_version(access, code, data)


class VisitController(Controller):
    path = "/api/visits"
    tags = ["inspections"]
    opt = roles(FIELD_TEAM)

    @post("/", operation_id="planVisit", summary="Plan a visit (idempotent by its id)")
    async def plan(self, access: Access, today: Today, data: JSONBody[VisitPlan]) -> Response[VisitOut]:
        visit, created = await service.plan_visit(access, data, today)
        return Response(visit, status_code=201 if created else 200)

    @get("/", operation_id="listVisits", opt=roles(EVERYONE), dependencies=VISIT_FILTER,
         summary="Visits in your jurisdiction by planned date: your day (mine=true), a review queue (status=submitted), a dossier")
    async def list_visits(self, access: Access, today: Today, cursors: Cursors, filters: VisitFilter,
                          limit: Limit = 50, cursor: Cursor = None) -> VisitPage:
        return await service.list_visits(access, filters, limit, cursor, cursors, today)

    @post("/submissions", operation_id="submitVisit",
          summary="Submit a whole visit as one batch (sent twice, it is filed once)")
    async def submit(self, request: Request, access: Access, today: Today, settings: NamedDependency[Settings],
                     tally: NamedDependency[Tally], paper: NamedDependency[Paper],
                     data: JSONBody[Submission]) -> Response[VisitOut]:
        key = request.headers.get("idempotency-key")
        if key is not None and key != str(data.visit.id):
            raise Invalid("The Idempotency-Key header must be the visit's id.", "Idempotency-Key", code="idempotency_key_mismatch")
        visit, created = await service.submit(access, data, today, settings.visit_intervals, tally, paper)
        return Response(visit, status_code=201 if created else 200)

    @get("/{visit_id:uuid}", operation_id="getVisit", summary="A visit with its answers and findings", opt=roles(EVERYONE))
    async def get_visit(self, access: Access, visit_id: VisitId) -> VisitOut:
        return await service.get_visit(access, visit_id)

    @get("/{visit_id:uuid}/media", operation_id="visitMedia", opt=roles(EVERYONE),
         summary="A visit's photos, videos and signature images, in the order taken")
    async def media(self, access: Access, visit_id: VisitId) -> list[MediaOut]:
        return await service.visit_media(access, visit_id)

    @post("/{visit_id:uuid}/review", operation_id="reviewVisit",
          summary="Accept a visit, or return it with a reason (its signature images with it)",
          opt=roles(REVIEWERS), status_code=200)
    async def review(self, access: Access, visit_id: VisitId, data: JSONBody[VisitReviewIn]) -> VisitOut:
        return await service.review_visit(access, visit_id, data)


class FindingController(Controller):
    path = "/api/findings"
    tags = ["inspections"]
    opt = roles(FIELD_TEAM)

    @get("/awaiting-decision", operation_id="findingsAwaitingDecision",
         summary="待处理: findings of your visits whose rectification evidence waits for your decision")
    async def awaiting(self, access: Access, today: Today) -> list[AwaitingOut]:
        return await rectification.awaiting_decision(access, today)

    @get("/{finding_id:uuid}", operation_id="getFinding", summary="A finding and its rectification", opt=roles(EVERYONE))
    async def get_finding(self, access: Access, today: Today,
                          finding_id: Annotated[UUID, PathParameter(description="Finding id")]) -> RectificationOut:
        return await rectification.get_finding(access, finding_id, today)

    @post("/{finding_id:uuid}/decision", operation_id="decideFinding", status_code=200,
          summary="Close a finding (on evidence or after a follow-up visit), or reject the evidence")
    async def decide(self, access: Access, today: Today, settings: NamedDependency[Settings],
                     links: NamedDependency[Links], tally: NamedDependency[Tally], paper: NamedDependency[Paper],
                     finding_id: Annotated[UUID, PathParameter(description="Finding id")],
                     data: JSONBody[FindingDecision]) -> RectificationOut:
        return await rectification.decide(access, links, tally, paper, finding_id, data, today,
                                          settings.visit_intervals)


class DossierFindingController(Controller):
    path = "/api/enterprises/{enterprise_id:uuid}/findings"
    tags = ["inspections"]
    opt = roles(EVERYONE)

    @get("/", operation_id="enterpriseFindings", summary="An enterprise's findings and rectification orders")
    async def findings(self, access: Access, today: Today,
                       enterprise_id: Annotated[UUID, PathParameter(description="The enterprise's id")]) -> list[RectificationOut]:
        return await rectification.dossier_findings(access, enterprise_id, today)

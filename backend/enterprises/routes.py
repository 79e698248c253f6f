from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend.access import EVERYONE, FIELD_STAFF, Scope, roles
from backend.enterprises import service
from backend.enterprises.schemas import (
    ControlPointIn,
    ControlPointOut,
    ControlPointPatch,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePage,
    EnterprisePatch,
    LicenceIn,
    LicenceOut,
    LicencePatch,
    RiskGradeOut,
)
from backend.enterprises.tables import Category, CreditClass, RiskGrade
from backend.fields import PRINTABLE, SIX_DIGITS, check_period
from backend.pagination import Cursor, Cursors, Limit
from backend.settings import Settings

EnterpriseId = Annotated[UUID, PathParameter(description="The enterprise's id")]
LicenceId = Annotated[UUID, PathParameter(description="The licence's id")]
PointId = Annotated[UUID, PathParameter(description="The control point's id")]
Access = NamedDependency[Scope]
Today = NamedDependency[date]


def registry_filter(
    region: Annotated[
        str | None, QueryParameter(pattern=SIX_DIGITS, description="Only enterprises under this region (any level)")
    ] = None,
    category: Annotated[Category | None, QueryParameter(description="Industry category")] = None,
    risk_grade: Annotated[RiskGrade | None, QueryParameter(description="Risk grade A-D")] = None,
    credit_class: Annotated[CreditClass | None, QueryParameter(description="Credit class A-D (信用风险分类)")] = None,
    licence: Annotated[
        Literal["valid", "missing", "expiring"] | None,
        QueryParameter(description="valid: holds a licence valid today; missing: holds none; expiring: a valid licence "
                                   "ends within `within_days`"),
    ] = None,
    due: Annotated[
        Literal["overdue", "due"] | None,
        QueryParameter(description="The visit schedule: overdue, or due within `within_days`"),
    ] = None,
    within_days: Annotated[int, QueryParameter(ge=1, le=3650, description="Window for licence=expiring and due=due")] = 30,
    due_from: Annotated[date | None, QueryParameter(description="Next visit due on or after this date")] = None,
    due_to: Annotated[date | None, QueryParameter(description="Next visit due on or before this date")] = None,
    q: Annotated[
        str | None,
        QueryParameter(min_length=1, max_length=100, pattern=PRINTABLE, description="Text within the name, USCC or address"),
    ] = None,
) -> service.EnterpriseFilter:
    """The registry's filters, as query parameters: its list and its exports take the same."""
    check_period(due_from, due_to, "due_from", "due_to")
    return service.EnterpriseFilter(region=region, category=category, risk_grade=risk_grade, credit_class=credit_class,
                                    licence=licence, due=due,
                                    within_days=within_days, due_from=due_from, due_to=due_to, q=q)


REGISTRY_FILTER = {"filters": Provide(registry_filter, sync_to_thread=False)}
RegistryFilter = NamedDependency[service.EnterpriseFilter]
RegistrySort = Annotated[service.Sort, QueryParameter(description="Sort field; a leading - sorts descending")]


class EnterpriseController(Controller):
    path = "/api/enterprises"
    tags = ["enterprises"]
    opt = roles(FIELD_STAFF)  # writes; reads are open to everyone, each in their scope

    @get("/", operation_id="listEnterprises", summary="Search and filter the registry", opt=roles(EVERYONE),
         dependencies=REGISTRY_FILTER)
    async def list_enterprises(self, access: Access, cursors: Cursors, today: Today, filters: RegistryFilter,
                               sort: RegistrySort = "name", limit: Limit = 50, cursor: Cursor = None) -> EnterprisePage:
        return await service.list_enterprises(access, filters, sort, limit, cursor, cursors, today)

    @post("/", operation_id="createEnterprise", summary="Register an enterprise (idempotent by its id, if it has one)")
    async def create_enterprise(self, access: Access, today: Today, data: JSONBody[EnterpriseIn]) -> Response[EnterpriseOut]:
        enterprise, created = await service.create_enterprise(access, data, today)
        return Response(enterprise, status_code=201 if created else 200)

    @get("/{enterprise_id:uuid}", operation_id="getEnterprise", summary="One enterprise's dossier profile", opt=roles(EVERYONE))
    async def get_enterprise(self, access: Access, today: Today, enterprise_id: EnterpriseId) -> EnterpriseOut:
        return await service.get_enterprise(access, enterprise_id, today)

    @patch("/{enterprise_id:uuid}", operation_id="updateEnterprise", summary="Change an enterprise's profile")
    async def update_enterprise(
        self, access: Access, today: Today, reschedule: NamedDependency[service.Reschedule], enterprise_id: EnterpriseId,
        data: JSONBody[EnterprisePatch],
    ) -> EnterpriseOut:
        return await service.update_enterprise(access, enterprise_id, data, today, reschedule)

    @post("/{enterprise_id:uuid}/licences", operation_id="addLicence", summary="Add a production licence")
    async def add_licence(self, access: Access, enterprise_id: EnterpriseId, data: JSONBody[LicenceIn]) -> LicenceOut:
        return await service.add_licence(access, enterprise_id, data)

    @patch(
        "/{enterprise_id:uuid}/licences/{licence_id:uuid}", operation_id="updateLicence", summary="Change a licence"
    )
    async def update_licence(
        self, access: Access, enterprise_id: EnterpriseId, licence_id: LicenceId, data: JSONBody[LicencePatch]
    ) -> LicenceOut:
        return await service.update_licence(access, enterprise_id, licence_id, data)

    @post(
        "/{enterprise_id:uuid}/control-points", operation_id="addControlPoint", summary="Add a control point"
    )
    async def add_control_point(
        self, access: Access, enterprise_id: EnterpriseId, data: JSONBody[ControlPointIn]
    ) -> ControlPointOut:
        return await service.add_control_point(access, enterprise_id, data)

    @patch(
        "/{enterprise_id:uuid}/control-points/{point_id:uuid}",
        operation_id="updateControlPoint",
        summary="Change a control point",
    )
    async def update_control_point(
        self, access: Access, enterprise_id: EnterpriseId, point_id: PointId, data: JSONBody[ControlPointPatch]
    ) -> ControlPointOut:
        return await service.update_control_point(access, enterprise_id, point_id, data)


class RiskGradeController(Controller):
    path = "/api/risk-grades"
    tags = ["enterprises"]
    opt = roles(EVERYONE)

    @get("/", operation_id="listRiskGrades", summary="Risk grades and how often each must be visited")
    async def list_risk_grades(self, settings: NamedDependency[Settings]) -> list[RiskGradeOut]:
        return [RiskGradeOut(grade=RiskGrade(g), visit_interval_days=d) for g, d in sorted(settings.visit_intervals.items())]

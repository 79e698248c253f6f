"""Random-draw plans over HTTP: inspection items, plans (drafts, the lock that draws, the
draw, its export, progress, redraws) and declared conflicts. Staff of a jurisdiction read;
supervisors and admins write (inspectors also declare their own conflicts)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, PathParameter, QueryParameter

from backend.access import FIELD_STAFF, MANAGERS, STAFF, Scope, roles
from backend.fields import SIX_DIGITS
from backend.plans import conflicts, draw, items, lock, service
from backend.plans.schemas import (
    ConflictIn, ConflictOut, DrawnOut, DrawOut, ItemIn, ItemOut, ItemPatch, PlanIn, PlanOut, PlanPatch, ProgressOut,
    RedrawIn,
)
from backend.plans.tables import PlanStatus

Access = NamedDependency[Scope]
Today = NamedDependency[date]
ItemId = Annotated[UUID, PathParameter(description="The inspection item's id")]
PlanId = Annotated[UUID, PathParameter(description="The plan's id")]


class PlanItemController(Controller):
    path = "/api/plan-items"
    tags = ["plans"]
    opt = roles(MANAGERS)  # writes; staff read

    @get("/", operation_id="listPlanItems", opt=roles(STAFF),
         summary="Inspection items (抽查事项) you may read, or those a bureau may use in its plans")
    async def list_items(self, access: Access, bureau: Annotated[str | None, QueryParameter(
            pattern=SIX_DIGITS, description="A bureau: its items and those of the bureaus above it")] = None,
                         ) -> list[ItemOut]:
        return await items.list_items(access, bureau)

    @post("/", operation_id="createPlanItem", summary="Add an inspection item to a bureau of your jurisdiction")
    async def create_item(self, access: Access, data: JSONBody[ItemIn]) -> ItemOut:
        return await items.create_item(access, data)

    @get("/{item_id:uuid}", operation_id="getPlanItem", opt=roles(STAFF), summary="One inspection item")
    async def get_item(self, access: Access, item_id: ItemId) -> ItemOut:
        return await items.get_item(access, item_id)

    @patch("/{item_id:uuid}", operation_id="updatePlanItem", summary="Change an inspection item")
    async def update_item(self, access: Access, item_id: ItemId, data: JSONBody[ItemPatch]) -> ItemOut:
        return await items.update_item(access, item_id, data)

    @delete("/{item_id:uuid}", operation_id="deletePlanItem", status_code=204,
            summary="Withdraw an inspection item no plan names")
    async def delete_item(self, access: Access, item_id: ItemId) -> None:
        await items.delete_item(access, item_id)


class PlanController(Controller):
    path = "/api/plans"
    tags = ["plans"]
    opt = roles(MANAGERS)  # writes; staff read

    @get("/", operation_id="listPlans", opt=roles(STAFF), summary="Plans of the bureaus of your jurisdiction")
    async def list_plans(self, access: Access,
                         year: Annotated[int | None, QueryParameter(ge=2000, le=2100, description="Of this year")] = None,
                         status: Annotated[PlanStatus | None, QueryParameter(description="draft or locked")] = None,
                         ) -> list[PlanOut]:
        return await service.list_plans(access, year, status)

    @post("/", operation_id="createPlan", summary="Draft a random-draw plan (抽查计划)")
    async def create_plan(self, access: Access, today: Today, data: JSONBody[PlanIn]) -> PlanOut:
        return await service.create_plan(access, data, today)

    @get("/{plan_id:uuid}", operation_id="getPlan", opt=roles(STAFF), summary="One plan")
    async def get_plan(self, access: Access, plan_id: PlanId) -> PlanOut:
        return await service.get_plan(access, plan_id)

    @patch("/{plan_id:uuid}", operation_id="updatePlan", summary="Change a draft (a locked plan answers 409)")
    async def update_plan(self, access: Access, today: Today, plan_id: PlanId, data: JSONBody[PlanPatch]) -> PlanOut:
        return await service.update_plan(access, plan_id, data, today)

    @delete("/{plan_id:uuid}", operation_id="deletePlan", status_code=204, summary="Discard a draft")
    async def delete_plan(self, access: Access, plan_id: PlanId) -> None:
        await service.delete_plan(access, plan_id)

    @post("/{plan_id:uuid}/lock", operation_id="lockPlan",
          summary="Lock the plan and draw it, once: inputs hashed into the audit chain, the seed from the lock's "
                  "event, visits planned for the drawn teams (GET …/draw shows the draw)",
          responses={200: ResponseSpec(PlanOut, description="Drawn already: the plan as it stands")})
    async def lock_plan(self, access: Access, today: Today, plan_id: PlanId) -> Response[PlanOut]:
        result, created = await lock.lock(access, plan_id, today)
        return Response(result, status_code=201 if created else 200)

    @get("/{plan_id:uuid}/draw", operation_id="getDraw", opt=roles(STAFF),
         summary="The draw: its inputs' hashes, chain head, seed, algorithm and result")
    async def get_draw(self, access: Access, plan_id: PlanId) -> DrawOut:
        return await service.get_draw(access, plan_id)

    @get("/{plan_id:uuid}/export", operation_id="exportPlan", opt=roles(STAFF),
         summary="The plan file: everything `dossier verify-draw --file` needs to check the draw without the database")
    async def export_plan(self, access: Access, plan_id: PlanId) -> Response[draw.Record]:
        return Response(await lock.record_of(access, plan_id), headers={
            "Content-Disposition": f'attachment; filename="plan-{plan_id}.json"'})

    @get("/{plan_id:uuid}/progress", operation_id="planProgress", opt=roles(STAFF),
         summary="Each drawn enterprise's visit: done, due, overdue or returned")
    async def progress(self, access: Access, today: Today, plan_id: PlanId) -> ProgressOut:
        return await service.progress(access, plan_id, today)

    @post("/{plan_id:uuid}/redraw", operation_id="redrawTeam",
          summary="Draw a new team for one enterprise whose visit is still planned, with a recorded reason",
          responses={200: ResponseSpec(DrawnOut, description="Done already (same id): the enterprise's draw")})
    async def redraw(self, access: Access, plan_id: PlanId, data: JSONBody[RedrawIn]) -> Response[DrawnOut]:
        result, created = await lock.redraw(access, plan_id, data)
        return Response(result, status_code=201 if created else 200)


class ConflictController(Controller):
    path = "/api/conflicts"
    tags = ["plans"]
    opt = roles(MANAGERS)

    @get("/", operation_id="listConflicts", opt=roles(STAFF), summary="Declared conflicts of interest (回避)")
    async def list_conflicts(
        self, access: Access,
        officer_id: Annotated[UUID | None, QueryParameter(description="Of this officer")] = None,
        enterprise_id: Annotated[UUID | None, QueryParameter(description="With this enterprise")] = None,
    ) -> list[ConflictOut]:
        return await conflicts.list_conflicts(access, officer_id, enterprise_id)

    @post("/", operation_id="declareConflict", opt=roles(FIELD_STAFF),
          summary="Declare that an officer must not inspect an enterprise (inspectors: their own)",
          responses={200: ResponseSpec(ConflictOut, description="Declared already: the conflict on record")})
    async def declare(self, access: Access, today: Today, data: JSONBody[ConflictIn]) -> Response[ConflictOut]:
        result, created = await conflicts.declare(access, data, today)
        return Response(result, status_code=201 if created else 200)

    @delete("/{conflict_id:uuid}", operation_id="withdrawConflict", status_code=204,
            summary="Withdraw a declared conflict")
    async def withdraw(self, access: Access,
                       conflict_id: Annotated[UUID, PathParameter(description="The conflict's id")]) -> None:
        await conflicts.withdraw(access, conflict_id)

"""The OpenAPI document tells the truth: schemathesis generates requests for every operation
of /schema/openapi.json (valid ones and ones that break the schema) and sends them to the
app in process, as an admin, an inspector and an enterprise user, each signed in with a
passkey. Every answer must be no server error, carry a status code the document declares
for that operation, and have a body that fits the declared schema.

Requests reach real records too: a parameter or top-level body field named like one of
the seeded records' ids (enterprise_id, visit_id, …) is sometimes set to that record's id.
The run is derandomised, so CI sees the same cases every time. Each operation gets twice
DOSSIER_FUZZ_EXAMPLES cases (default 10), valid and invalid mixed: about 3,000 in all, a
minute and a half on two cores; a failure is reported, not shrunk."""

from __future__ import annotations

import asyncio
import os
from typing import Any, Callable

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.api.test_notices import notice_body, world  # noqa: F401  (world is a fixture)
from tests.api.test_visits import scene, submission  # noqa: F401  (scene is a fixture)
from tests.conftest import ORIGIN, SignIn

EXAMPLES = int(os.environ.get("DOSSIER_FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
LAST = "signOut"  # ends the fuzzing client's session, so it runs last


async def test_every_operation_answers_as_documented(world: dict, client: httpx.AsyncClient, sign_in: SignIn) -> None:
    known = await _seed(world, client)
    enterprise_user = await sign_in("enterprise", enterprise_id=world["firm"]["id"], name="企业联系人")
    schema = schemathesis.openapi.from_dict((await client.get("/schema/openapi.json")).json())
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda operation: operation.definition.raw.get("operationId") == LAST)
    loop = asyncio.get_running_loop()
    failures = []
    # The enterprise user and the inspector first: the admin may deactivate users and
    # withdraw records the others would otherwise reach.
    for role, user in (("enterprise", enterprise_user), ("inspector", world["zhang"]), ("admin", client)):
        def send(request: requests.PreparedRequest, user: httpx.AsyncClient = user) -> httpx.Response:
            call = user.request(request.method, request.url, headers=dict(request.headers), content=request.body)
            return asyncio.run_coroutine_threadsafe(call, loop).result()

        cases, found = await asyncio.to_thread(_fuzz, operations, send, known)
        print(f"\nfuzz {role}: {cases} cases run, {len(found)} failures")
        failures += [f"{role}: {failure}" for failure in found]
    assert not failures, "\n\n".join(failures)


async def test_every_operation_documents_its_errors_and_their_body(anon: httpx.AsyncClient) -> None:
    schema = (await anon.get("/schema/openapi.json")).json()
    error_body = {"$ref": "#/components/schemas/ErrorBody"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            answers = operation["responses"]
            errors = {int(code) for code in answers if code.startswith("4")}
            assert all(answers[str(code)]["content"]["application/json"]["schema"] == error_body for code in errors)
            if not path.startswith(("/api/auth/", "/api/health")):
                assert {401, 403, 404} <= errors, (method, path)
            if method not in ("get", "head"):  # reads: HEAD answers as GET does, without a body
                assert {400, 403, 409} <= errors, (method, path)
    assert schema["components"]["schemas"]["ErrorBody"]["required"] == ["code", "detail", "params", "status_code"]


async def _seed(world: dict, admin: httpx.AsyncClient) -> dict[str, list[Any]]:
    """Records of every kind, by the names the API gives their ids."""
    firm, zhang = world["firm"]["id"], world["zhang"]
    body = submission(world)
    submitted = await zhang.post("/api/visits/submissions", json=body, headers={"Idempotency-Key": body["visit"]["id"]})
    assert submitted.status_code == 201, submitted.text
    notice = await zhang.post("/api/notices", json=notice_body(world))
    assert notice.status_code == 201, notice.text
    licence = await admin.post(f"/api/enterprises/{firm}/licences", json={
        "number": "SC10637162100015", "valid_from": "2024-01-01", "valid_to": "2029-01-01"})
    assert licence.status_code == 201, licence.text
    invitation = await admin.post("/api/invitations", json={"role": "reviewer", "display_name": "审核员",
                                                            "region_code": "371621"})
    assert invitation.status_code == 201, invitation.text
    reviewer_id = (await world["reviewer"].get("/api/me")).json()["id"]
    return {
        "enterprise_id": [firm],
        "visit_id": [world["visit"], body["visit"]["id"]],
        "finding_id": [f["id"] for f in submitted.json()["findings"]],
        "media_id": [world["evidence"], world["photo"], world["signatures"][0]],
        "photo_id": [world["photo"]],
        "notice_id": [notice.json()["id"]],
        "checklist_id": [world["checklist"]["id"]],
        "template_id": [t["id"] for t in world["templates"].values()],
        "point_id": list(world["points"].values()),
        "control_point_id": list(world["points"].values()),
        "licence_id": [licence.json()["id"]],
        "invitation_id": [invitation.json()["id"]],
        "token": [invitation.json()["link"].rsplit("/", 1)[1]],
        "user_id": [world["ids"][1], reviewer_id],  # never the fuzzing users themselves
        "code": ["371621", "food-routine"],
        "region": ["371621", "370000"],
        "region_code": ["371621"],
        "county_code": ["371621"],
    }


def _fuzz(operations: list, send: Callable[[requests.PreparedRequest], httpx.Response],
          known: dict[str, list[Any]]) -> tuple[int, list[str]]:
    """Run every operation's cases through ``send``: the number of cases and each distinct
    failure (by operation and check) with the first request that showed it."""
    cases = 0
    failures: dict[tuple[str, str], str] = {}
    for operation in operations:
        strategy = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in GenerationMode))

        @settings(max_examples=2 * EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy, data=st.data())
        def run(case: schemathesis.Case, data: st.DataObject) -> None:
            nonlocal cases
            _aim(case, data, known)
            request = _prepare(case)
            response = send(request)
            cases += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                for failure in group.exceptions:
                    failures.setdefault((operation.label, failure.title), (
                        f"{operation.label}: {failure.title}\n  {request.method} {request.url}\n"
                        f"  body: {(request.body or b'')[:400]!r}\n  -> {response.status_code} {response.text[:400]}"))

        run()
    return cases, list(failures.values())


def _aim(case: schemathesis.Case, data: st.DataObject, known: dict[str, list[Any]]) -> None:
    """Point some parameters and top-level body fields at seeded records."""
    containers = [case.path_parameters, case.query]
    if isinstance(case.body, dict):
        containers.append(case.body)
    for container in containers:
        for name in [name for name in (container or {}) if name in known]:
            choice = data.draw(st.sampled_from([None, *known[name]]))
            if choice is not None:
                container[name] = choice


def _prepare(case: schemathesis.Case) -> requests.PreparedRequest:
    """The request as bytes on the wire: schemathesis serialises the case (JSON, form,
    multipart) for the requests library; the app is then called with httpx."""
    kwargs = case.as_transport_kwargs(base_url=ORIGIN)
    fields = ("method", "url", "headers", "params", "cookies", "json", "data", "files")
    return requests.Request(**{key: kwargs[key] for key in fields if key in kwargs}).prepare()



# Rules of time the schema cannot state, pinned (the first period answered 500 before).
@pytest.mark.parametrize(("query", "field"), [
    ("start=2026-01-01&end=9999-12-31", "end"),
    ("start=1999-12-31", "start"),
    ("start=2016-01-01&end=2026-01-01", "end"),  # ten years and a day
    ("start=2026-02-01&end=2026-01-31", "end"),
])
async def test_a_period_lies_in_the_era_and_is_at_most_ten_years_long(client: httpx.AsyncClient, query: str,
                                                                        field: str) -> None:
    for path in ("/api/coverage?", "/api/coverage/visits?", "/api/coverage/findings?status=opened&"):
        response = await client.get(path + query)
        assert response.status_code == 400, (path, response.text)
        assert [error["key"] for error in response.json()["extra"]] == [field]
    assert (await client.get("/api/coverage?start=2016-01-01&end=2025-12-31")).status_code == 200


@pytest.mark.parametrize(("query", "field"), [
    ("since=2026-01-01T00:00:00", "since"),  # no time zone
    ("until=2026-01-01T00:00:00", "until"),
    ("since=9999-01-01T00:00:00Z", "since"),
    ("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until"),
])
async def test_audit_instants_carry_a_time_zone_and_lie_in_the_era(client: httpx.AsyncClient, query: str,
                                                                  field: str) -> None:
    response = await client.get(f"/api/audit?{query}")
    assert response.status_code == 400, response.text
    assert [error["key"] for error in response.json()["extra"]] == [field]
    assert (await client.get("/api/audit?since=2026-01-01T00:00:00%2B08:00")).status_code == 200

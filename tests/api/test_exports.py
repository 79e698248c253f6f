"""Lists as CSV and XLSX files: each export holds what its list shows (same filters, same
scope, same order, every batch), under Chinese headers with Chinese words and bureau
time; a filter that matches nothing gives the headers alone; bad input is a 4xx naming
the field; a client that goes away half way leaves no file behind."""

from __future__ import annotations

import asyncio
import csv
import gc
import io
import os
import re
import zipfile
from datetime import datetime, timedelta
from enum import Enum
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pytest
from litestar import Litestar

from backend.clock import BUREAU_TIME, bureau_today
from backend.coverage.routes import FINDINGS as COVERAGE_FINDINGS, UNCOVERED_POINTS
from backend.enterprises.tables import Category, ControlPointKind
from backend.exports import columns, tabular
from backend.inspections.tables import Conclusion, VisitStatus, VisitType
from backend.notices.tables import NoticeStatus
from tests.api.test_coverage_lists import pages
from tests.api.test_notices import notice_body, post, world  # noqa: F401  (world is a fixture)
from tests.api.test_visits import scene, submission  # noqa: F401  (scene is a fixture)
from tests.conftest import SignIn
from tests.factories import HUIMIN, LIXIA, enterprise_body

KINDS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def table(response: httpx.Response) -> list[list[str]]:
    """The rows of an exported file (CSV or XLSX), header first, each cell as text."""
    assert response.status_code == 200, response.text
    kind = response.url.path.rsplit(".", 1)[1]
    assert "attachment;" in response.headers["content-disposition"]
    if kind == "csv":
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.content.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(response.content.decode()[1:])))
    assert response.headers["content-type"] == XLSX
    assert int(response.headers["content-length"]) == len(response.content)
    sheet = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    rows = []
    for row in ElementTree.fromstring(sheet).iter(f"{SHEET}row"):
        cells = {}
        for cell in row.iter(f"{SHEET}c"):
            assert cell.find(f"{SHEET}f") is None  # text is never a formula
            column = re.match(r"[A-Z]+", cell.get("r")).group()
            index = sum((ord(c) - 64) * 26 ** i for i, c in enumerate(reversed(column))) - 1
            cells[index] = "".join(cell.itertext())
        rows.append([cells.get(i, "") for i in range(max(cells, default=-1) + 1)])
    return rows


def column(rows: list[list[str]], header: str) -> list[str]:
    i = rows[0].index(header)
    return [row[i] if i < len(row) else "" for row in rows[1:]]


def headers(spec: tuple[tabular.Column, ...]) -> list[str]:
    return [c.header for c in spec]


def bureau_time(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(BUREAU_TIME).strftime("%Y-%m-%d %H:%M:%S")


def assert_error(response: httpx.Response, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    if field is not None:  # in `extra`; Litestar names a missing parameter in the detail only
        keys, detail = [e["key"] for e in response.json()["extra"]], response.json()["detail"]
        assert keys == [field] or (not keys and f"parameter '{field}'" in detail), response.text


def test_every_code_has_its_chinese_word() -> None:
    for enum, words in ((Category, columns.CATEGORIES), (VisitType, columns.VISIT_TYPES),
                        (VisitStatus, columns.VISIT_STATUSES), (Conclusion, columns.CONCLUSIONS),
                        (NoticeStatus, columns.NOTICE_STATUSES), (ControlPointKind, columns.POINT_KINDS)):
        assert set(words) == set(enum), enum
        assert all(isinstance(member, Enum) and re.search(r"[\u4e00-\u9fff]", words[member]) for member in enum)


async def test_the_registry_export_is_the_list(client: httpx.AsyncClient, sign_in: SignIn,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for n, category in enumerate(["food_production", "industrial_products"] * 3):
        body = enterprise_body(n + 1, category=category, name=f"惠民{n}号厂" if n else "=1+1食品厂")
        created = await client.post("/api/enterprises", json=body)
        assert created.status_code == 201, created.text
    assert (await client.post("/api/enterprises", json=enterprise_body(9, LIXIA))).status_code == 201
    inspector = await sign_in("inspector", HUIMIN)
    monkeypatch.setattr(tabular, "BATCH", 2)  # several batches: each continues where the last ended
    today = bureau_today().isoformat()

    for params in ({}, {"sort": "-name", "category": "food_production"}, {"q": "号厂", "sort": "-created_at"}):
        listed = await pages(inspector, "/api/enterprises", params)
        for kind in KINDS:
            response = await inspector.get(f"/api/exports/enterprises.{kind}", params=params)
            rows = table(response)
            assert rows[0] == headers(columns.ENTERPRISES)
            assert column(rows, "统一社会信用代码") == [e["uscc"] for e in listed]  # in scope, in order
            assert column(rows, "行业类别") == [columns.CATEGORIES[e["category"]] for e in listed]
            assert column(rows, "所在区县") == ["惠民县"] * len(listed)
            assert response.headers["content-disposition"] == (
                f"attachment; filename=\"enterprises-{today}.{kind}\"; "
                f"filename*=UTF-8''{quote(f'企业名录-{today}.{kind}')}")
            if kind == "csv":
                assert column(rows, "登记时间") == [bureau_time(e["created_at"]) for e in listed]
    assert len(listed) == 5  # the last filter: 惠民1号厂 to 惠民5号厂
    assert "'=1+1食品厂" in column(table(await inspector.get("/api/exports/enterprises.csv")), "企业名称")
    xlsx_names = column(table(await inspector.get("/api/exports/enterprises.xlsx")), "企业名称")
    assert "=1+1食品厂" in xlsx_names and "惠民1号厂" in xlsx_names

    owner = await sign_in("enterprise", enterprise_id=created.json()["id"])
    for kind in KINDS:  # an enterprise user's registry is their enterprise; nothing matches: the headers alone
        assert column(table(await owner.get(f"/api/exports/enterprises.{kind}")), "统一社会信用代码") == [
            created.json()["uscc"]]
        assert table(await inspector.get(f"/api/exports/enterprises.{kind}", params={"q": "没有这家"})) == [
            headers(columns.ENTERPRISES)]
        assert_error(await inspector.get(f"/api/exports/enterprises.{kind}", params={"region": LIXIA}), 404)
        assert_error(await inspector.get(f"/api/exports/enterprises.{kind}", params={"category": "nope"}), 400,
                     "category")
        assert_error(await inspector.get(f"/api/exports/enterprises.{kind}",
                                         params={"due_from": "2026-02-01", "due_to": "2026-01-01"}), 400, "due_to")


async def test_visit_exports_are_the_list_and_enterprise_users_see_their_own(scene: dict, client: httpx.AsyncClient,
                                                                             sign_in: SignIn,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    firm = scene["firm"]["id"]
    filed = await scene["zhang"].post("/api/visits/submissions", json=submission(scene))
    assert filed.status_code == 201, filed.text
    later = submission(scene, findings=[])
    later["visit"]["planned_date"] = (bureau_today() + timedelta(days=26)).isoformat()
    assert (await scene["zhang"].post("/api/visits", json=later["visit"])).status_code == 201  # planned, not filed
    other = (await client.post("/api/enterprises", json=enterprise_body(7, HUIMIN))).json()
    monkeypatch.setattr(tabular, "BATCH", 1)

    for params in ({"enterprise_id": firm}, {"ascending": "true"}, {"status": "submitted"}, {"mine": "true"}):
        listed = await pages(scene["zhang"], "/api/visits", params)
        for kind in KINDS:
            rows = table(await scene["zhang"].get(f"/api/exports/visits.{kind}", params=params))
            assert rows[0] == headers(columns.VISITS)
            assert column(rows, "检查记录编号") == [v["id"] for v in listed], params
    rows = table(await scene["zhang"].get("/api/exports/visits.csv", params={"status": "submitted"}))
    assert rows[1][1:11] == [scene["started"].date().isoformat(), scene["firm"]["name"], "惠民县", "日常监督检查", "待审核",
                             "张伟、李娜", bureau_time(scene["started"].isoformat()),
                             bureau_time(filed.json()["submitted_at"]), "基本符合（限期整改）", ""]

    owner = await sign_in("enterprise", enterprise_id=firm)
    for kind in KINDS:  # a planned visit is not announced to the enterprise
        assert column(table(await owner.get(f"/api/exports/visits.{kind}")), "检查记录编号") == [filed.json()["id"]]
        assert_error(await owner.get(f"/api/exports/visits.{kind}", params={"enterprise_id": other["id"]}), 404)
        backwards = {"from": "2026-12-01", "to": "2026-11-01"}
        assert_error(await scene["zhang"].get(f"/api/exports/visits.{kind}", params=backwards), 400, "to")
        assert table(await scene["zhang"].get(f"/api/exports/visits.{kind}", params={"from": "2099-01-01"})) == [
            headers(columns.VISITS)]


async def test_a_dossier_exports_its_findings_and_notices(world: dict, client: httpx.AsyncClient,  # noqa: F811
                                                          sign_in: SignIn) -> None:
    firm = world["firm"]["id"]
    assert (await world["zhang"].post("/api/visits/submissions", json=submission(world))).status_code == 201
    await post(world, notice_body(world))
    await post(world, notice_body(world, kind="storage"))
    elsewhere = (await client.post("/api/enterprises", json=enterprise_body(8, LIXIA))).json()
    owner = await sign_in("enterprise", enterprise_id=firm)

    for user in (world["zhang"], owner):
        findings = (await user.get(f"/api/enterprises/{firm}/findings")).json()
        notices = (await user.get(f"/api/enterprises/{firm}/notices")).json()
        for kind in KINDS:
            rows = table(await user.get(f"/api/exports/findings.{kind}", params={"enterprise_id": firm}))
            assert rows[0] == headers(columns.FINDINGS) and len(findings) == 1
            assert column(rows, "问题编号") == [f["id"] for f in findings]
            assert (column(rows, "严重程度"), column(rows, "整改状态"), column(rows, "是否逾期")) == (["严重"], ["整改中"], ["否"])
            rows = table(await user.get(f"/api/exports/notices.{kind}", params={"enterprise_id": firm}))
            assert rows[0] == headers(columns.NOTICES) and len(notices) == 2
            assert column(rows, "告知编号") == [n["code"] for n in notices]
            assert column(rows, "状态") == ["现行", "现行"]
            assert column(rows, "张贴单位") == ["惠民县市场监督管理局"] * 2

    fresh = (await client.post("/api/enterprises", json=enterprise_body(9, HUIMIN))).json()
    for kind in KINDS:
        for name, spec in (("findings", columns.FINDINGS), ("notices", columns.NOTICES)):
            path = f"/api/exports/{name}.{kind}"
            assert table(await world["zhang"].get(path, params={"enterprise_id": fresh["id"]})) == [headers(spec)]
            assert_error(await world["zhang"].get(path, params={"enterprise_id": elsewhere["id"]}), 404)
            assert_error(await owner.get(path, params={"enterprise_id": fresh["id"]}), 404)
            assert_error(await world["zhang"].get(path), 400, "enterprise_id")


async def test_coverage_exports_are_their_lists(world: dict, sign_in: SignIn,  # noqa: F811
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    filed = (await world["zhang"].post("/api/visits/submissions", json=submission(world))).json()
    await post(world, notice_body(world))
    supervisor = await sign_in("supervisor", "371600", name="滨州科长")
    monkeypatch.setattr(tabular, "BATCH", 1)

    cases = [
        ("coverage-visits", "/api/coverage/visits", {"region": HUIMIN}, columns.VISITS, "检查记录编号"),
        ("coverage-visits", "/api/coverage/visits", {"awaiting_review": "true"}, columns.VISITS, "检查记录编号"),
        ("coverage-findings", "/api/coverage/findings", {"status": "open"}, COVERAGE_FINDINGS, "问题编号"),
        ("uncovered-points", "/api/coverage/uncovered-points", {"region": HUIMIN}, UNCOVERED_POINTS, "控制点编号"),
    ]
    for name, list_path, params, spec, ids in cases:
        listed = await pages(supervisor, list_path, params)
        assert listed, name
        for kind in KINDS:
            rows = table(await supervisor.get(f"/api/exports/{name}.{kind}", params=params))
            assert rows[0] == headers(spec)
            assert column(rows, ids) == [item["id"] for item in listed], (name, params)
    rows = table(await supervisor.get("/api/exports/coverage-findings.csv", params={"status": "open"}))
    assert column(rows, "企业名称") == [world["firm"]["name"]] and column(rows, "检查项") == ["B3"]
    assert column(rows, "发现时间") == [bureau_time(filed["submitted_at"])]
    rows = table(await supervisor.get("/api/exports/uncovered-points.csv"))
    assert sorted(column(rows, "类型")) == sorted(["原料进货查验", "贮存", "出厂检验"])

    for kind in KINDS:
        assert table(await supervisor.get(f"/api/exports/coverage-findings.{kind}", params={"status": "closed"})) == [
            headers(COVERAGE_FINDINGS)]
        assert_error(await supervisor.get(f"/api/exports/coverage-visits.{kind}", params={"region": LIXIA}), 404)
        assert_error(await supervisor.get(f"/api/exports/coverage-visits.{kind}",
                                          params={"start": "2026-02-01", "end": "2026-01-31"}), 400, "end")
        assert_error(await supervisor.get(f"/api/exports/coverage-findings.{kind}"), 400, "status")
        assert_error(await world["zhang"].get(f"/api/exports/uncovered-points.{kind}"), 403)


def _unnamed_files() -> set[str]:
    """This process's open temporary files that have no name on disk (Python's
    TemporaryFile on Linux): what an export writes its XLSX into."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if os.path.basename(target).startswith("#"):
            found.add(target)
    return found


async def test_a_client_gone_half_way_leaves_no_file(app: Litestar, client: httpx.AsyncClient,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        assert (await client.post("/api/enterprises", json=enterprise_body(n + 1))).status_code == 201
    monkeypatch.setattr(tabular, "CHUNK", 512)
    before = _unnamed_files()
    whole = await client.get("/api/exports/enterprises.xlsx")
    assert _unnamed_files() == before and len(whole.content) > 4 * 512

    sent, gone = [], asyncio.Event()

    async def receive() -> dict:  # the request (if asked for), then the client is gone once a chunk came
        if not gone.is_set() and not sent:
            return {"type": "http.request", "body": b"", "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            assert _unnamed_files() - before  # the file is open while it is sent…
            gone.set()
            await asyncio.sleep(0.05)  # …when the client goes away

    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/api/exports/enterprises.xlsx", "raw_path": b"/api/exports/enterprises.xlsx", "query_string": b"",
             "root_path": "", "headers": [(b"host", b"localhost:8000"), (b"cookie", cookies.encode())],
             "client": ("127.0.0.1", 50000), "server": ("localhost", 8000)}
    await app(scope, receive, send)

    chunks = [m for m in sent if m["type"] == "http.response.body" and m.get("body")]
    assert sent[0]["status"] == 200 and 0 < len(chunks) < len(whole.content) // 512  # cut short
    for _ in range(3):
        gc.collect()
        await asyncio.sleep(0)
    assert _unnamed_files() == before  # …and nothing of it is left

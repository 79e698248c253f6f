"""Registry benchmark: every query shape of the list (each sort, each filter, text search
with rare and common terms) over HTTP, next to the same SQL on the driver.

Loads N enterprises of demo data into a fresh database (a temporary SQLite file, or a
new database on the PostgreSQL server named by --database-url), starts the real server
(`dossier serve`) in its own process, and times each shape end to end over HTTP
(p50/p95; bench/common.py's Fetch, without httpx's own time). The floor is the SQL the
service sends for that shape (captured in this process, probe and licence lookup
included), replayed straight on the driver (sqlite3 / asyncpg). The last line is

    RESULT db=… enterprises=… list_p95_ms=… search_p95_ms=… filter_p95_ms=… http_over_sql_ratio=… overhead_ms=… worst_p95_ms=…

where the ratio is the HTTP median over the SQL median, summed over all shapes;
overhead_ms is the HTTP median minus the SQL median of a one-row page; worst_p95_ms the
slowest shape's HTTP p95 (the goal: every p95 under 50 ms). --plans prints each shape's
page query plan (EXPLAIN QUERY PLAN / EXPLAIN).

    .venv/bin/python bench/registry.py
    .venv/bin/python bench/registry.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/registry.py --existing postgresql://postgres@127.0.0.1:5432/dossier_bench_1m
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import sys
import time
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import asyncpg
from common import Fetch, admin_session, median, percentile, scratch_database, server, timed

from backend import db, demo, pagination
from backend.access import Role, Scope
from backend.clock import bureau_today
from backend.enterprises import service
from backend.enterprises.tables import Enterprise

SORTS = ["name", "-name", "uscc", "-uscc", "risk_grade", "-risk_grade", "created_at", "-created_at"]


def shapes(today: date, uscc_tail: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Each group's shapes: (label, query parameters). The demo's Huimin County (371621)
    holds the rope-net makers (绳网); Binzhou (371600) is its city."""
    month = {"due_from": (today + timedelta(days=30)).isoformat(), "due_to": (today + timedelta(days=60)).isoformat()}
    return {
        "list": [(f"sort={sort}", {"sort": sort}) for sort in SORTS],
        "filter": [
            ("the province, grade D", {"region": "370000", "risk_grade": "D"}),
            ("a city", {"region": "371600"}),
            ("a city by USCC", {"region": "371600", "sort": "uscc"}),
            ("a city, newest first", {"region": "371600", "sort": "-created_at"}),
            ("a city, food producers", {"region": "370100", "category": "food_production"}),
            ("a county", {"region": "371621"}),
            ("a county, newest first", {"region": "371621", "sort": "-created_at"}),
            ("a county by risk", {"region": "370102", "sort": "risk_grade"}),
            ("special equipment", {"category": "special_equipment"}),
            ("grade D, newest first", {"risk_grade": "D", "sort": "-created_at"}),
            ("credit class A", {"credit_class": "A"}),
            ("licence valid", {"licence": "valid"}),
            ("licence missing in a city", {"region": "371600", "licence": "missing"}),
            ("licence expiring in 30 days", {"licence": "expiring", "within_days": 30}),
            ("licence expiring in a county", {"region": "370102", "licence": "expiring"}),
            ("overdue", {"due": "overdue"}),
            ("overdue, newest first", {"due": "overdue", "sort": "-created_at"}),
            ("due within 30 days", {"due": "due"}),
            ("due in a month, by USCC", {**month, "sort": "uscc"}),
            ("a county, grade C, overdue", {"region": "371621", "risk_grade": "C", "due": "overdue"}),
        ],
        "search": [
            *((f"q={term}", {"q": term}) for term in (
                "面粉", "绳网", "乳", "鬼", "黄河路", "鑫泰乳业", "不存在的名字", "有限公司", "9137162", uscc_tail, "91")),
            ("q=面粉, newest first", {"q": "面粉", "sort": "-created_at"}),
            ("q=绳网, by USCC", {"q": "绳网", "sort": "uscc"}),
            ("q=有限公司 in a county", {"q": "有限公司", "region": "371621"}),
            ("q=乳业, food producers", {"q": "乳业", "category": "food_production"}),
        ],
    }


def enterprise_filter(params: dict[str, Any]) -> service.EnterpriseFilter:
    """The service's filter for a shape's query parameters (as the route builds it)."""
    values = {k: v for k, v in params.items() if k not in ("sort", "limit")}
    for key in ("due_from", "due_to"):
        if key in values:
            values[key] = date.fromisoformat(values[key])
    return service.EnterpriseFilter(**values)


class Capture:
    """The statements the service sends for one call, compiled for the driver."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []
        engine = db.current()
        cls, self.original = type(engine), type(engine).run_querystring
        capture = self

        async def spy(self: Any, querystring: Any, in_pool: bool = False) -> Any:
            capture.statements.append(querystring.compile_string(engine_type=self.engine_type))
            return await capture.original(self, querystring, in_pool)

        cls.run_querystring = spy

    async def of(self, scope: Scope, params: dict[str, Any], today: date) -> list[tuple[str, list[Any]]]:
        self.statements = []
        cursors = pagination.CursorCodec("bench")
        await service.list_enterprises(scope, enterprise_filter(params), params.get("sort", "name"),
                                       params.get("limit", 50), None, cursors, today)
        return self.statements


class SQLiteFloor:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path)

    def run(self, statements: list[tuple[str, list[Any]]]) -> None:
        for sql, args in statements:
            self.conn.execute(sql, args).fetchall()

    def plan(self, sql: str, args: list[Any]) -> list[str]:
        return [row[3] for row in self.conn.execute("EXPLAIN QUERY PLAN " + sql, args)]


class PostgresFloor:
    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(asyncpg.connect(url, server_settings=db.PG_SERVER_SETTINGS))

    def run(self, statements: list[tuple[str, list[Any]]]) -> None:
        async def go() -> None:
            for sql, args in statements:
                await self.conn.fetch(sql, *args)

        self.loop.run_until_complete(go())

    def plan(self, sql: str, args: list[Any]) -> list[str]:
        rows = self.loop.run_until_complete(self.conn.fetch("EXPLAIN (COSTS OFF) " + sql, *args))
        return [row[0] for row in rows]


async def prepare(url: str, count: int | None) -> tuple[float, str, str]:
    """Migrate, load ``count`` enterprises (None: the database holds them already)."""
    await db.migrate(url)
    started = time.perf_counter()
    async with db.connected(url):
        if count is not None:
            await demo.load(count, history=False)
        took = time.perf_counter() - started
        uscc = (await Enterprise.select(Enterprise.uscc).order_by(Enterprise.id).first())["uscc"]
        return took, await admin_session(), uscc[-6:].lower()


async def _count(url: str) -> int:
    async with db.connected(url):
        return await Enterprise.count()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a scratch database on (default: SQLite)")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per shape")
    parser.add_argument("--plans", action="store_true", help="print each shape's page query plan")
    parser.add_argument("--existing", help="the URL of a database an earlier load left (a million enterprises take "
                                           "half an hour to load): measured as it is, after migrating it")
    args = parser.parse_args()

    kind = "postgresql" if (args.existing or args.database_url or "").startswith("postgresql") else "sqlite"
    loaded = contextlib.nullcontext(args.existing) if args.existing else scratch_database(args.database_url)
    with loaded as url:
        load_s, token, uscc_tail = asyncio.run(prepare(url, None if args.existing else args.enterprises))
        if args.existing:
            args.enterprises = asyncio.run(_count(url))
        print(f"loaded {args.enterprises} enterprises of demo data into {kind} in {load_s:.1f} s")
        # This process binds the database too, to capture the SQL the service sends.
        loop, engine = asyncio.new_event_loop(), db.engine_for(url)
        db.use_engine(engine)
        loop.run_until_complete(db.start(engine))
        capture = Capture()
        # The signed-in admin's jurisdiction, the province, bounds every query too.
        scope = Scope(role=Role.admin, region_code="370000", region_level="province")
        with server(url, token) as client:
            today = bureau_today()
            floor = PostgresFloor(url) if kind == "postgresql" else SQLiteFloor(url.removeprefix("sqlite:///"))
            p95: dict[str, float] = {}
            worst = (0.0, "")
            http_total = sql_total = 0.0
            fetch = Fetch(client)
            print(f"{'shape':<40} {'http p50':>9} {'http p95':>9} {'sql p50':>8} {'sql p95':>8} {'rows':>5}")
            for group, items in shapes(today, uscc_tail).items():
                group_samples: list[float] = []
                for label, params in items:
                    path = "/api/enterprises?" + urlencode(params)
                    response = client.get(path)
                    assert response.status_code == 200, response.text
                    rows = len(response.json()["items"])
                    statements = loop.run_until_complete(capture.of(scope, params, today))
                    http_ms = timed(lambda: fetch(path), args.repeat)
                    sql_ms = timed(lambda: floor.run(statements), args.repeat)
                    group_samples += http_ms
                    http_total += median(http_ms)
                    sql_total += median(sql_ms)
                    worst = max(worst, (percentile(http_ms, 95), f"{group}: {label}"))
                    print(f"{group + ': ' + label:<40} {median(http_ms):9.1f} {percentile(http_ms, 95):9.1f} "
                          f"{median(sql_ms):8.1f} {percentile(sql_ms, 95):8.1f} {rows:5d}")
                    if args.plans:
                        page = next(s for s in statements if "ORDER BY" in s[0])
                        print("\n".join(f"{'':6}{line}" for line in floor.plan(*page)))
                p95[group] = percentile(group_samples, 95)

            # The server's own cost: a one-row page over HTTP, less its SQL on the driver.
            one_row = {"limit": 1}
            statements = loop.run_until_complete(capture.of(scope, one_row, today))
            http_ms = timed(lambda: fetch("/api/enterprises", one_row), args.repeat)
            sql_ms = timed(lambda: floor.run(statements), args.repeat)
            overhead = median(http_ms) - median(sql_ms)
            print(f"{'list: one row (server overhead)':<40} {median(http_ms):9.1f} {percentile(http_ms, 95):9.1f} "
                  f"{median(sql_ms):8.1f} {percentile(sql_ms, 95):8.1f}")

            # A deep page: follow cursors 20 pages in; keyset pages cost what the first does.
            cursor, deep = None, []
            for _ in range(20):
                started = time.perf_counter()
                page = json.loads(fetch("/api/enterprises", {"cursor": cursor} if cursor else None))
                deep.append((time.perf_counter() - started) * 1000)
                cursor = page["next_cursor"]
            print(f"{'list: pages 1-20 by cursor':<40} {median(deep):9.1f} {percentile(deep, 95):9.1f}")
        loop.run_until_complete(db.stop(engine))

    print(f"slowest p95: {worst[1]} ({worst[0]:.1f} ms)")
    print(
        f"RESULT db={kind} enterprises={args.enterprises} list_p95_ms={p95['list']:.1f} "
        f"search_p95_ms={p95['search']:.1f} filter_p95_ms={p95['filter']:.1f} "
        f"http_over_sql_ratio={http_total / sql_total:.2f} overhead_ms={overhead:.1f} worst_p95_ms={worst[0]:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

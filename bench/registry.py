"""Registry benchmark: list, filter and search over HTTP next to the same SQL on the driver.

Loads N enterprises of demo data into a fresh database (a temporary SQLite file, or a
new database on the PostgreSQL server named by --database-url), starts the real server
(`dossier serve`) in its own process, and times each query kind end to end over HTTP
(p50/p95), then the equivalent SQL straight on the driver (sqlite3 / asyncpg): the
floor. The last line is

    RESULT db=… enterprises=… list_p95_ms=… search_p95_ms=… filter_p95_ms=… http_over_sql_ratio=…

where the ratio is the HTTP median over the SQL median, summed over all queries.

    .venv/bin/python bench/registry.py
    .venv/bin/python bench/registry.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import time
from datetime import date, timedelta
from urllib.parse import urlencode

import asyncpg
from common import admin_session, median, percentile, scratch_database, server, timed

from backend import db, demo
from backend.clock import bureau_today

PAGE = 50

# Each query kind: (label, HTTP query parameters, SQL WHERE clause, its arguments). The
# SQL has the shape Piccolo sends (a LEFT JOIN for the county name), so the floor is the
# same query without the ORM, the server and HTTP. Placeholders are {}, numbered for
# the driver by sql_for().
def queries(today: date) -> dict[str, list[tuple[str, dict, str, list]]]:
    valid = "status = 'valid' AND valid_from <= {} AND valid_to >= {}"
    soon = today + timedelta(days=30)
    return {
        "list": [
            ("first page by name", {}, "TRUE", []),
            ("newest first", {"sort": "-created_at"}, "TRUE", []),
            ("by USCC", {"sort": "uscc"}, "TRUE", []),
        ],
        "filter": [
            ("a county", {"region": "371621"}, "e.county_code = {}", ["371621"]),
            ("a city, food producers", {"region": "370100", "category": "food_production"},
             "e.city_code = {} AND e.category = {}", ["370100", "food_production"]),
            ("grade D in the province", {"region": "370000", "risk_grade": "D"},
             "e.province_code = {} AND e.risk_grade = {}", ["370000", "D"]),
            ("licence missing in a city", {"region": "371600", "licence": "missing"},
             f"e.city_code = {{}} AND NOT EXISTS (SELECT 1 FROM licence WHERE enterprise = e.id AND {valid})",
             ["371600", today, today]),
            ("licence expiring in 30 days", {"licence": "expiring", "within_days": 30},
             f"EXISTS (SELECT 1 FROM licence WHERE enterprise = e.id AND {valid} AND valid_to <= {{}})",
             [today, today, soon]),
        ],
        "search": [
            (f"q={term}", {"q": term}, "(e.name LIKE {} OR e.uscc LIKE {} OR e.address LIKE {})",
             [f"%{term}%", f"%{term.upper()}%", f"%{term}%"])
            for term in ("面粉", "绳网", "黄河路", "9137162", "鑫泰乳业", "不存在的名字")
        ],
    }


ORDER = {"name": "e.name, e.id", "-created_at": "e.created_at DESC, e.id DESC", "uscc": "e.uscc, e.id"}


def sql_for(where: str, sort: str, numbered: bool) -> tuple[str, str]:
    """The page query and the licence lookup for its ids, in the driver's placeholders."""
    page = (
        "SELECT e.id, e.name, e.uscc, e.address, e.county_code, r.name AS county_name, e.city_code, "
        "e.province_code, e.category, e.risk_grade, e.created_at FROM enterprise e "
        # The signed-in admin's jurisdiction (the province) filters every query too.
        f"LEFT JOIN region r ON r.code = e.county_code WHERE e.province_code = '370000' AND {where} "
        f"ORDER BY {ORDER[sort]} LIMIT {PAGE + 1}"
    )
    licences = "SELECT enterprise, valid_to FROM licence WHERE enterprise IN ({ids}) AND status = 'valid' AND valid_from <= {} AND valid_to >= {}"
    if numbered:
        parts = page.split("{}")
        return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1], licences
    return page.replace("{}", "?"), licences


class SQLiteFloor:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path)

    def run(self, where: str, args: list, sort: str, today: date) -> None:
        page, licences = sql_for(where, sort, numbered=False)
        rows = self.conn.execute(page, [a.isoformat() if isinstance(a, date) else a for a in args]).fetchall()
        ids = [r[0] for r in rows[:PAGE]]
        if ids:
            sql = licences.format("?", "?", ids=",".join("?" * len(ids)))
            self.conn.execute(sql, [*ids, today.isoformat(), today.isoformat()]).fetchall()


class PostgresFloor:
    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(asyncpg.connect(url, server_settings=db.PG_SERVER_SETTINGS))

    def run(self, where: str, args: list, sort: str, today: date) -> None:
        page, licences = sql_for(where, sort, numbered=True)

        async def go() -> None:
            rows = await self.conn.fetch(page, *args)
            ids = [r["id"] for r in rows[:PAGE]]
            if ids:
                await self.conn.fetch(licences.format("$2", "$3", ids="SELECT unnest($1::uuid[])"), ids, today, today)

        self.loop.run_until_complete(go())


async def prepare(url: str, count: int) -> tuple[float, str]:
    await db.migrate(url)
    started = time.perf_counter()
    async with db.connected(url):
        await demo.load(count, history=False)
        took = time.perf_counter() - started
        return took, await admin_session()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a scratch database on (default: SQLite)")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per query")
    args = parser.parse_args()

    kind = "postgresql" if args.database_url else "sqlite"
    with scratch_database(args.database_url) as url:
        load_s, token = asyncio.run(prepare(url, args.enterprises))
        print(f"loaded {args.enterprises} enterprises of demo data into {kind} in {load_s:.1f} s")
        with server(url, token) as client:
            today = bureau_today()
            floor = PostgresFloor(url) if args.database_url else SQLiteFloor(url.removeprefix("sqlite:///"))
            p95: dict[str, float] = {}
            http_total = sql_total = 0.0
            print(f"{'query':<34} {'http p50':>9} {'http p95':>9} {'sql p50':>8} {'sql p95':>8} {'rows':>5}")
            for group, items in queries(today).items():
                group_samples: list[float] = []
                for label, params, where, sql_args in items:
                    path = "/api/enterprises?" + urlencode(params)
                    response = client.get(path)
                    assert response.status_code == 200, response.text
                    rows = len(response.json()["items"])
                    sort = params.get("sort", "name")
                    http_ms = timed(lambda: client.get(path).raise_for_status(), args.repeat)
                    sql_ms = timed(lambda: floor.run(where, sql_args, sort, today), args.repeat)
                    group_samples += http_ms
                    http_total += median(http_ms)
                    sql_total += median(sql_ms)
                    print(f"{group + ': ' + label:<34} {median(http_ms):9.1f} {percentile(http_ms, 95):9.1f} "
                          f"{median(sql_ms):8.1f} {percentile(sql_ms, 95):8.1f} {rows:5d}")
                p95[group] = percentile(group_samples, 95)

            # A deep page: follow cursors 20 pages in; keyset pages cost what the first does.
            cursor, deep = None, []
            for _ in range(20):
                started = time.perf_counter()
                page = client.get("/api/enterprises", params={"cursor": cursor} if cursor else {}).json()
                deep.append((time.perf_counter() - started) * 1000)
                cursor = page["next_cursor"]
            print(f"{'list: pages 1-20 by cursor':<34} {median(deep):9.1f} {percentile(deep, 95):9.1f}")

    print(
        f"RESULT db={kind} enterprises={args.enterprises} list_p95_ms={p95['list']:.1f} "
        f"search_p95_ms={p95['search']:.1f} filter_p95_ms={p95['filter']:.1f} "
        f"http_over_sql_ratio={http_total / sql_total:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

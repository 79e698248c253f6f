"""Overhead benchmark: what the server itself adds to a signed-in request, beyond its SQL.

Loads 200 enterprises of demo data into a fresh database (a temporary SQLite file, or a
new database on the PostgreSQL server named by --database-url), records the exact SQL
statements each request runs (in-process, through the app), starts the real server
(`dossier serve`) in its own process and times each request end to end over HTTP (the
standard library's http.client on a kept-alive connection: bench/common.py's Fetch), then
replays the recorded statements straight on the driver (sqlite3 / asyncpg, one open
connection): the floor. The last line is

    RESULT db=… me_p50_ms=… health_p50_ms=… page_p50_ms=… sql_p50_ms=… overhead_ms=…

where sql_p50_ms is the floor of the one-row registry page and overhead_ms the larger of
HTTP p50 minus SQL p50 for `GET /api/me` and for that page.

    .venv/bin/python bench/overhead.py
    .venv/bin/python bench/overhead.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
import tempfile
from typing import Any

import asyncpg
from common import Fetch, admin_session, median, percentile, scratch_database, server, timed
from litestar.testing import AsyncTestClient
from piccolo.querystring import QueryString

from backend import db, demo
from backend.app import create_app
from backend.settings import Settings

REQUESTS = {"me": "/api/me", "health": "/api/health", "page": "/api/enterprises?limit=1"}


async def prepare(url: str) -> str:
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(200, history=False)
        return await admin_session()


async def statements(url: str, token: str) -> dict[str, list[tuple[str, list[Any]]]]:
    """The SQL each request runs, as the driver receives it, recorded through the app."""
    recorded: list[tuple[str, list[Any]]] = []
    compile_string = QueryString.compile_string

    def recording(self: QueryString, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        sql, args = compile_string(self, engine_type)
        recorded.append((sql, list(args)))
        return sql, args

    found = {}
    with tempfile.TemporaryDirectory() as media:
        app = create_app(Settings(database_url=url, secret_key="bench", media_root=media))
        async with AsyncTestClient(app, cookies={"dossier_session": token}) as client:
            QueryString.compile_string = recording  # type: ignore[method-assign]
            try:
                for name, path in REQUESTS.items():
                    recorded.clear()
                    (await client.get(path)).raise_for_status()
                    found[name] = list(recorded)
            finally:
                QueryString.compile_string = compile_string  # type: ignore[method-assign]
    found["health"] = [("SELECT 1", [])]  # db.ping runs it as DDL, past compile_string
    return found


class SQLiteFloor:
    def __init__(self, url: str) -> None:
        self.conn = sqlite3.connect(url.removeprefix("sqlite:///"))

    def run(self, sqls: list[tuple[str, list[Any]]]) -> None:
        for sql, args in sqls:
            self.conn.execute(sql, args).fetchall()


class PostgresFloor:
    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.conn = self.loop.run_until_complete(asyncpg.connect(url, server_settings=db.PG_SERVER_SETTINGS))

    def run(self, sqls: list[tuple[str, list[Any]]]) -> None:
        async def go() -> None:
            for sql, args in sqls:
                await self.conn.fetch(sql, *args)

        self.loop.run_until_complete(go())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a scratch database on (default: SQLite)")
    parser.add_argument("--repeat", type=int, default=300, help="timed requests per kind")
    args = parser.parse_args()

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    kind = "postgresql" if args.database_url else "sqlite"
    with scratch_database(args.database_url) as url:
        token = asyncio.run(prepare(url))
        sqls = asyncio.run(statements(url, token))
        floor = PostgresFloor(url) if args.database_url else SQLiteFloor(url)
        http: dict[str, list[float]] = {}
        with server(url, token) as client:
            fetch = Fetch(client)
            for name, path in REQUESTS.items():
                http[name] = timed(lambda: fetch(path), args.repeat)
        sql = {name: timed(lambda: floor.run(sqls[name]), args.repeat) for name in REQUESTS}
    print(f"{'request':<28} {'statements':>10} {'http p50':>9} {'http p95':>9} {'sql p50':>8} {'overhead':>9}")
    for name, path in REQUESTS.items():
        print(f"{path:<28} {len(sqls[name]):>10} {median(http[name]):9.2f} {percentile(http[name], 95):9.2f} "
              f"{median(sql[name]):8.3f} {median(http[name]) - median(sql[name]):9.2f}")
    overhead = max(median(http[name]) - median(sql[name]) for name in ("me", "page"))
    print(
        f"RESULT db={kind} me_p50_ms={median(http['me']):.2f} health_p50_ms={median(http['health']):.2f} "
        f"page_p50_ms={median(http['page']):.2f} sql_p50_ms={median(sql['page']):.3f} overhead_ms={overhead:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

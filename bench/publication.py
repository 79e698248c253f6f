"""Publication benchmark (一公开): the public results page over 100,000 published results.

``load_published`` bulk-loads published results into a database that holds the demo
registry: one accepted visit per result, of six yearly province plans, published one
after another over the last five years and two months (the oldest, past five years, are
withdrawn and must be skipped). ``publication_p95`` times the public page /gs through
the real server: the first page, a search by a common name term of two characters (a
walk, newest first) and of four (in nearly every name), by a rare one (the name of one
enterprise: the trigram index), by a whole USCC and by a USCC's first 12 characters. Each address may ask 120 times a minute, so every 100 requests come from a
new address (X-Forwarded-For, which the server trusts from 127.0.0.1, as behind nginx).

bench/draw.py runs both after its draw (its RESULT line's publication_p95_ms); alone:

    .venv/bin/python bench/publication.py
    .venv/bin/python bench/publication.py --database-url postgresql://postgres@127.0.0.1:5432/test

ends with ``RESULT published=… publication_p95_ms=… rare_name_p95_ms=…``: the slowest
p95 of them all, and the rare name's.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import httpx
from common import admin_session, median, percentile, scratch_database, server, timed

from backend import db, demo
from backend.clock import bureau_today
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import ChecklistVersion, Visit
from backend.plans.tables import Plan
from backend.publication import service
from backend.publication.tables import Publication

CHUNK = 50_000
YEARS = 6
VISIT_COLUMNS = ("id", "enterprise", "province_code", "city_code", "county_code", "checklist", "visit_type",
                 "planned_date", "team", "status", "started_at", "answers", "signatures", "conclusion", "submitted_at",
                 "reviewed_at")
PUBLICATION_COLUMNS = ("id", "visit", "plan", "enterprise", "province_code", "city_code", "county_code",
                       "enterprise_name", "uscc", "plan_title", "plan_year", "plan_period", "bureau", "result",
                       "visit_date", "accepted_on", "due_on", "published_at", "published_on", "withdraw_on")
COMMON_TERM = "食品"  # in one demo name of ten
COMMON_LONG_TERM = "有限公司"  # in nine demo names of ten: the trigram index finds nearly every row
RARE = "name, rare"
RESULTS = ("pass",) * 6 + ("pass_with_rectification",) * 3 + ("fail",)


async def load_published(count: int, seed: int = 14) -> dict[str, str]:
    """``count`` published results over the bound database's enterprises; the search
    terms to time (by kind)."""
    today = bureau_today()
    rng = random.Random(seed)
    firms = [(r["id"], r["name"], r["uscc"], r["province_code"], r["city_code"], r["county_code"])
             for r in await Enterprise.select(Enterprise.id, Enterprise.name, Enterprise.uscc, Enterprise.province_code,
                                              Enterprise.city_code, Enterprise.county_code)]
    checklist = (await ChecklistVersion.select(ChecklistVersion.id).first())["id"]
    plans = {}
    for year in range(today.year - YEARS + 1, today.year + 1):
        plans[year] = uuid.uuid4()
        await Plan.insert(Plan(id=plans[year], title=f"{year}年山东省双随机抽查", year=year, period="全年", region="370000",
                               province_code="370000", window_start=date(year, 1, 1), window_end=date(year, 12, 31),
                               status="locked"))
    start = datetime.now(timezone.utc) - timedelta(days=365 * 5 + 60)
    step = (datetime.now(timezone.utc) - start) / count
    chosen = []
    for first in range(0, count, CHUNK):
        visits, rows = [], []
        for n in range(first + 1, min(count, first + CHUNK) + 1):
            firm_id, name, uscc, *codes = firm = rng.choice(firms)
            chosen.append(firm)
            published_at = start + step * n
            reviewed_at = published_at - timedelta(days=rng.randrange(1, 20))
            started_at = reviewed_at - timedelta(days=rng.randrange(1, 10))
            accepted_on, published_on = service.bureau_day(reviewed_at), service.bureau_day(published_at)
            year = min(max(started_at.year, min(plans)), max(plans))
            visit_id, result = uuid.UUID(int=rng.getrandbits(128), version=4), rng.choice(RESULTS)
            visits.append((visit_id, firm_id, *codes, checklist, "routine", started_at.date(), "[]", "accepted",
                           started_at, "[]", "[]", result, started_at, reviewed_at))
            rows.append((n, visit_id, plans[year], firm_id, *codes, name, uscc, f"{year}年山东省双随机抽查", year, "全年",
                         "山东省市场监督管理局", result, service.bureau_day(started_at), accepted_on,
                         accepted_on + timedelta(days=28), published_at, published_on, service.withdraw_on(published_on)))
        await db.bulk_insert(Visit, VISIT_COLUMNS, visits)
        await db.bulk_insert(Publication, PUBLICATION_COLUMNS, rows)
    if db.kind(db.current()) == "postgresql":  # rows came with their ids: move the serial past them
        await db.current().run_ddl("SELECT setval(pg_get_serial_sequence('publication', 'id'), "
                                   "(SELECT max(id) FROM publication))")
    await db.analyze()
    recent = chosen[-1]
    names = Counter(name for _, name, *_ in chosen)
    rare = next(name for _, name, *_ in chosen[len(chosen) // 2:] if names[name] == 1)
    return {"first page": "", "name, common": COMMON_TERM, "name, common, long": COMMON_LONG_TERM,
            RARE: rare, "USCC": recent[2],
            "USCC prefix": recent[2][:12]}


def publication_p95(client: httpx.Client, terms: dict[str, str], repeat: int = 100) -> dict[str, float]:
    """p95 (ms) of the public page /gs for each search term (by kind), through the real
    server; prints a line per kind."""
    addresses = (f"10.{n // 250}.{n % 250}.1" for n in itertools.count())
    sent = itertools.count()
    address = next(addresses)

    def get(q: str) -> None:
        nonlocal address
        if next(sent) % 100 == 99:
            address = next(addresses)
        client.get("/gs", params={"q": q} if q else None, headers={"x-forwarded-for": address}).raise_for_status()

    floor = percentile(timed(lambda: client.get("/api/health").raise_for_status(), repeat), 95)
    print(f"floor: GET /api/health p95 {floor:.1f} ms")
    p95 = {}
    print(f"{'public page /gs':<18} {'term':<24} {'found':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for kind, term in terms.items():
        found = client.get("/api/public/results", params={"q": term} if term else None,
                           headers={"x-forwarded-for": "10.255.0.1"}).raise_for_status().json()
        ms = timed(lambda: get(term), repeat)
        p95[kind] = percentile(ms, 95)
        print(f"{kind:<18} {term or '—':<24} {len(found['items']):>6} {median(ms):8.1f} {p95[kind]:8.1f}")
    return p95


async def load_into(url: str, count: int) -> dict[str, str]:
    """load_published into the database at ``url``, which holds the demo registry."""
    async with db.connected(url):
        return await load_published(count)


async def _load(url: str, enterprises: int, published: int) -> tuple[str, dict[str, str]]:
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(enterprises, history=False)
        terms = await load_published(published)
        return await admin_session(), terms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a scratch database on (default: SQLite)")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--published", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    kind = "postgresql" if args.database_url else "sqlite"
    with scratch_database(args.database_url) as url:
        started = time.perf_counter()
        token, terms = asyncio.run(_load(url, args.enterprises, args.published))
        print(f"loaded {args.enterprises} enterprises and {args.published} published results into {kind} in "
              f"{time.perf_counter() - started:.0f} s")
        with server(url, token) as client:
            p95 = publication_p95(client, terms, args.repeat)
    print(f"RESULT published={args.published} publication_p95_ms={max(p95.values()):.1f} rare_name_p95_ms={p95[RARE]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Coverage benchmark: the supervisors' coverage API over a province-sized history.

Loads 100,000 demo enterprises and 1,000,000 filed visits over the last year (two
inspectors each, a finding on one in ten, half of those closed) into a fresh database
(temporary SQLite, or a scratch database on the PostgreSQL server of --database-url),
starts the real server, and times GET /api/coverage for the province, a city and a
county over the year. The last line is

    RESULT db=… enterprises=… visits=… coverage_province_p95_ms=… coverage_county_p95_ms=…

    .venv/bin/python bench/coverage.py --database-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/coverage.py
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

from common import admin_session, median, percentile, scratch_database, server, timed

from backend import db, demo
from backend.clock import bureau_today
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import ChecklistVersion, Finding, Visit, VisitMember

CHUNK = 50_000
VISIT_COLUMNS = ("id", "enterprise", "province_code", "city_code", "county_code", "checklist", "visit_type", "planned_date", "team", "status", "started_at",
                 "answers", "signatures", "conclusion", "content_hash", "submitted_at")
FINDING_COLUMNS = ("id", "visit", "enterprise", "province_code", "city_code", "county_code", "found_at", "item_key", "severity", "legal_basis", "description", "deadline",
                   "status", "closed_at", "closed_via", "closure_note")


async def load(url: str, enterprises: int, visits: int) -> tuple[float, str]:
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(enterprises)
        started = time.perf_counter()
        firms = [(r["id"], r["province_code"], r["city_code"], r["county_code"]) for r in await Enterprise.select(
            Enterprise.id, Enterprise.province_code, Enterprise.city_code, Enterprise.county_code)]
        checklist = (await ChecklistVersion.select(ChecklistVersion.id).first())["id"]
        rng = random.Random(5)
        inspectors = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(2000)]
        now = datetime.now(timezone.utc)
        done = 0
        while done < visits:
            visit_rows, member_rows, finding_rows = [], [], []
            for _ in range(min(CHUNK, visits - done)):
                visit_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                firm, *codes = rng.choice(firms)
                at = now - timedelta(seconds=rng.randrange(365 * 86400))
                team = rng.sample(inspectors, 2)
                follow_up = rng.random() < 0.05
                visit_rows.append((visit_id, firm, *codes, checklist, "follow_up" if follow_up else "routine", at.date(),
                                   json.dumps([str(u) for u in team]), "accepted", at, "[]", "[]", "pass", "0" * 64, at))
                member_rows += [(visit_id, member, at, *codes) for member in team]
                if rng.random() < 0.1:
                    closed = rng.random() < 0.5
                    finding_rows.append((uuid.UUID(int=rng.getrandbits(128), version=4), visit_id, firm, *codes, at,
                                         "C3", "minor",
                                         "", "", (at + timedelta(days=30)).date(), "closed" if closed else "open",
                                         at + timedelta(days=rng.randrange(1, 40)) if closed else None,
                                         "follow_up" if closed else None, ""))
            await db.bulk_insert(Visit, VISIT_COLUMNS, visit_rows)
            await db.bulk_insert(VisitMember, ("visit", "user", "started_at", "province_code", "city_code", "county_code"),
                                 member_rows)
            await db.bulk_insert(Finding, FINDING_COLUMNS, finding_rows)
            done += len(visit_rows)
        await db.analyze()
        return time.perf_counter() - started, await admin_session()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a scratch database on (default: SQLite)")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    kind = "postgresql" if args.database_url else "sqlite"
    today = bureau_today()
    period = {"start": (today - timedelta(days=365)).isoformat(), "end": today.isoformat()}

    with scratch_database(args.database_url) as url:
        load_s, token = asyncio.run(load(url, args.enterprises, args.visits))
        print(f"loaded {args.enterprises} enterprises and {args.visits} visits into {kind} in {load_s:.0f} s")
        p95 = {}
        with server(url, token) as client:
            print(f"{'coverage over a year':<28} {'p50 ms':>8} {'p95 ms':>8}  figures")
            for label, region in (("province", "370000"), ("city", "371600"), ("county", "371621")):
                figures = client.get("/api/coverage", params={"region": region, **period}).raise_for_status().json()
                ms = timed(lambda: client.get("/api/coverage", params={"region": region, **period}).raise_for_status(),
                           args.repeat)
                p95[label] = percentile(ms, 95)
                print(f"{label + ' ' + region:<28} {median(ms):8.1f} {p95[label]:8.1f}  visits={figures['visits']} "
                      f"visited={figures['visited']} inspectors={len(figures['visits_per_inspector'])} "
                      f"return_rate={figures['return_visit_rate']}")
    print(f"RESULT db={kind} enterprises={args.enterprises} visits={args.visits} "
          f"coverage_province_p95_ms={p95['province']:.1f} coverage_county_p95_ms={p95['county']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

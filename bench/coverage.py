"""Coverage benchmark: the supervisors' coverage API over a province-sized history.

Loads 100,000 demo enterprises and 1,000,000 filed visits over the last year (two of the
county's inspectors each, a finding on one in ten, half of those closed) into a fresh database
(temporary SQLite, or a scratch database on the PostgreSQL server of --database-url),
rebuilds the schedule and the coverage rollups from them (as `dossier rebuild-rollups`),
starts the real server, and times GET /api/coverage for the province, a city and a
county over the year, against a floor: GET /api/me, a signed-in request that does next
to nothing. The last line is

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
from backend.coverage import rebuild
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import ChecklistVersion, Finding, Visit, VisitMember
from backend.settings import get_settings

CHUNK = 50_000
VISIT_COLUMNS = ("id", "enterprise", "province_code", "city_code", "county_code", "checklist", "visit_type", "planned_date", "team", "status", "started_at",
                 "answers", "signatures", "conclusion", "content_hash", "submitted_at")
FINDING_COLUMNS = ("id", "visit", "enterprise", "province_code", "city_code", "county_code", "found_at", "item_key", "severity", "legal_basis", "description", "deadline",
                   "status", "closed_at", "days_to_close", "closed_via", "closure_note")


async def load(url: str, enterprises: int, visits: int) -> tuple[float, float, str]:
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(enterprises, history=False)
        started = time.perf_counter()
        firms = [(r["id"], r["province_code"], r["city_code"], r["county_code"]) for r in await Enterprise.select(
            Enterprise.id, Enterprise.province_code, Enterprise.city_code, Enterprise.county_code)]
        checklist = (await ChecklistVersion.select(ChecklistVersion.id).first())["id"]
        rng = random.Random(5)
        # 2,000 inspectors, each working in one county, as a county bureau's staff do.
        counties = sorted({f[3] for f in firms})
        inspectors = {c: [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(max(2, 2000 // len(counties)))]
                      for c in counties}
        now = datetime.now(timezone.utc)
        done = 0
        while done < visits:
            visit_rows, member_rows, finding_rows = [], [], []
            for _ in range(min(CHUNK, visits - done)):
                visit_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                firm, *codes = rng.choice(firms)
                at = now - timedelta(seconds=rng.randrange(365 * 86400))
                team = rng.sample(inspectors[codes[2]], 2)
                follow_up = rng.random() < 0.05
                visit_rows.append((visit_id, firm, *codes, checklist, "follow_up" if follow_up else "routine", at.date(),
                                   json.dumps([str(u) for u in team]), "accepted", at, "[]", "[]", "pass", "0" * 64, at))
                member_rows += [(visit_id, member, at, *codes) for member in team]
                if rng.random() < 0.1:
                    days = rng.randrange(1, 40) if rng.random() < 0.5 else None
                    finding_rows.append((uuid.UUID(int=rng.getrandbits(128), version=4), visit_id, firm, *codes, at,
                                         "C3", "minor", "", "", (at + timedelta(days=30)).date(),
                                         "open" if days is None else "closed",
                                         None if days is None else at + timedelta(days=days), days,
                                         None if days is None else "follow_up", ""))
            await db.bulk_insert(Visit, VISIT_COLUMNS, visit_rows)
            await db.bulk_insert(VisitMember, ("visit", "user", "started_at", "province_code", "city_code", "county_code"),
                                 member_rows)
            await db.bulk_insert(Finding, FINDING_COLUMNS, finding_rows)
            done += len(visit_rows)
        loaded = time.perf_counter()
        await db.analyze()
        await rebuild.rebuild(get_settings().visit_intervals)
        await db.analyze()
        return loaded - started, time.perf_counter() - loaded, await admin_session()


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
        load_s, rebuild_s, token = asyncio.run(load(url, args.enterprises, args.visits))
        print(f"loaded {args.enterprises} enterprises and {args.visits} visits into {kind} in {load_s:.0f} s; "
              f"rollups rebuilt in {rebuild_s:.1f} s")
        p95 = {}
        with server(url, token) as client:
            floor = percentile(timed(lambda: client.get("/api/me").raise_for_status(), args.repeat), 95)
            print(f"floor: GET /api/me p95 {floor:.1f} ms")
            print(f"{'coverage over a year':<28} {'p50 ms':>8} {'p95 ms':>8} {'floors':>7}  figures")
            for label, region in (("province", "370000"), ("city", "371600"), ("county", "371621")):
                figures = client.get("/api/coverage", params={"region": region, **period}).raise_for_status().json()
                ms = timed(lambda: client.get("/api/coverage", params={"region": region, **period}).raise_for_status(),
                           args.repeat)
                p95[label] = percentile(ms, 95)
                print(f"{label + ' ' + region:<28} {median(ms):8.1f} {p95[label]:8.1f} {p95[label] / floor:7.1f}  "
                      f"visits={figures['visits']} "
                      f"visited={figures['visited']} inspectors={len(figures['visits_per_inspector'])} "
                      f"return_rate={figures['return_visit_rate']} median_days_to_close={figures['median_days_to_close']}")
    print(f"RESULT db={kind} enterprises={args.enterprises} visits={args.visits} "
          f"coverage_province_p95_ms={p95['province']:.1f} coverage_county_p95_ms={p95['county']:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

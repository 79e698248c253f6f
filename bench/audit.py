"""Audit benchmark: a million chained events, the filtered and paged audit API over HTTP,
and a full verification of the chain.

Loads the demo registry (10,000 enterprises) and N audit events with a valid hash chain
into a fresh database (temporary SQLite, or a scratch database on the PostgreSQL server
of --database-url), starts the real server, and times audit pages (unfiltered, by actor,
enterprise, action, time window, combined, and 20 pages deep) as a province admin.
Then it times `verify` over the whole chain. The last line is

    RESULT db=… events=… audit_page_p95_ms=… verify_s=…

    .venv/bin/python bench/audit.py
    .venv/bin/python bench/audit.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

from common import admin_session, median, percentile, scratch_database, server, timed

from backend import db, demo
from backend.audit import service as audit
from backend.audit.tables import AuditEvent
from backend.enterprises.tables import Enterprise

COLUMNS = ("at", "actor", "actor_name", "action", "target_type", "target_id", "enterprise", "province_code",
           "city_code", "county_code", "details", "digest", "prev_hash", "hash")
ACTIONS = ("enterprise.updated", "licence.updated", "control_point.added", "session.signed_in",
           "session.signed_out", "enterprise.created", "passkey.registered", "invitation.created")
CHUNK = 50_000


async def load(url: str, events: int) -> tuple[float, dict]:
    """Demo registry + ``events`` chained audit events; returns the load time and sample
    filter values."""
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(10_000, history=False)
        firms = await Enterprise.select(Enterprise.id, Enterprise.province_code, Enterprise.city_code, Enterprise.county_code)
        rng = random.Random(7)
        actors = [(uuid.UUID(int=rng.getrandbits(128), version=4), f"检查员{i}") for i in range(300)]
        started = time.perf_counter()
        prev = audit.GENESIS
        at = datetime.now(timezone.utc) - timedelta(days=365)
        step = timedelta(days=365) / events
        done = 0
        while done < events:
            rows = []
            for _ in range(min(CHUNK, events - done)):
                actor, name = rng.choice(actors)
                firm = rng.choice(firms)
                action = rng.choice(ACTIONS)
                details = audit.canonical({"risk_grade": rng.choice("ABCD")})
                at += step
                event = {
                    "at": at, "actor": actor, "actor_name": name, "action": action, "target_type": action.split(".")[0],
                    "target_id": str(firm["id"]), "enterprise": firm["id"], "province_code": firm["province_code"],
                    "city_code": firm["city_code"], "county_code": firm["county_code"],
                    "digest": hashlib.sha256(details.encode()).hexdigest(),
                }
                event_hash = audit.event_hash(prev, event)
                rows.append((*(event[c] for c in COLUMNS[:10]), details, event["digest"], prev, event_hash))
                sample_firm = firm["id"]
                prev = event_hash
            await db.bulk_insert(AuditEvent, COLUMNS, rows)
            done += len(rows)
        await db.analyze()
        took = time.perf_counter() - started
        samples = {"actor": str(actors[0][0]), "enterprise": str(sample_firm), "since": (at - timedelta(days=7)).isoformat()}
        samples["token"] = await admin_session()
    return took, samples


async def verify(url: str) -> tuple[float, audit.Verification]:
    async with db.connected(url):
        started = time.perf_counter()
        result = await audit.verify()
        return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a scratch database on (default: SQLite)")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40, help="timed requests per query")
    args = parser.parse_args()
    kind = "postgresql" if args.database_url else "sqlite"

    with scratch_database(args.database_url) as url:
        load_s, s = asyncio.run(load(url, args.events))
        print(f"loaded {args.events} chained audit events into {kind} in {load_s:.1f} s")
        queries = {
            "newest first": {},
            "by actor": {"actor": s["actor"]},
            "by enterprise": {"enterprise": s["enterprise"]},
            "by action": {"action": "licence.updated"},
            "last 7 days": {"since": s["since"]},
            "actor + action": {"actor": s["actor"], "action": "session.signed_in"},
            "enterprise + 7 days": {"enterprise": s["enterprise"], "since": s["since"]},
        }
        samples: list[float] = []
        with server(url, s["token"]) as client:
            print(f"{'audit page':<24} {'p50 ms':>8} {'p95 ms':>8} {'rows':>5}")
            for label, params in queries.items():
                rows = len(client.get("/api/audit", params=params).raise_for_status().json()["items"])
                ms = timed(lambda: client.get("/api/audit", params=params).raise_for_status(), args.repeat)
                samples += ms
                print(f"{label:<24} {median(ms):8.1f} {percentile(ms, 95):8.1f} {rows:5d}")
            cursor, deep = None, []
            for _ in range(20):
                started = time.perf_counter()
                page = client.get("/api/audit", params={"cursor": cursor} if cursor else {}).raise_for_status().json()
                deep.append((time.perf_counter() - started) * 1000)
                cursor = page["next_cursor"]
            samples += deep
            print(f"{'pages 1-20 by cursor':<24} {median(deep):8.1f} {percentile(deep, 95):8.1f}")

        verify_s, result = asyncio.run(verify(url))
        assert result.ok and result.events == args.events + 1, result  # + the admin's sign-in
        print(f"verify-audit: {result.events} events in {verify_s:.1f} s")
    print(f"RESULT db={kind} events={args.events} audit_page_p95_ms={percentile(samples, 95):.1f} verify_s={verify_s:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

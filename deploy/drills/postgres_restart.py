"""Drill: PostgreSQL restarts under a running app (issue 15, item 6).

It starts `dossier serve` (granian) on a scratch database of the machine's PostgreSQL,
checks that /api/health answers 200 and a signed-in request works, stops PostgreSQL,
checks that /api/health answers 503 within seconds (not 500, no hang) and a signed-in
request too, starts PostgreSQL again, and checks that the same app worker (not
restarted) answers 200 again on its own. It prints what it saw and a DRILL line; it
exits 1 if any check failed.

It really restarts the server (``pg_ctlcluster``): every other client of it loses its
connections. Run it as root (or postgres) where that is acceptable, never beside a test
run; the parallel-safe variant, which cuts only the app's own connections, is
tests/api/test_faults.py::test_cut_database_connections_are_replaced.

    .venv/bin/python deploy/drills/postgres_restart.py [--admin-url postgresql://postgres@127.0.0.1:5432/postgres] [--cluster 15/main]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from common import admin_session, scratch_database, server  # noqa: E402  (the benchmarks' server and session)

from backend import db  # noqa: E402
from backend.demo import region_rows  # noqa: E402
from backend.regions import service as regions  # noqa: E402

DOWN_ANSWER_S = 5  # a health check while the database is down answers within this
RECOVERY_S = 30  # how long the app may take to answer 200 again once the database is up


def pg_ctl(cluster: str, action: str) -> None:
    version, name = cluster.split("/")
    subprocess.run(["pg_ctlcluster", "--mode", "fast", version, name, action] if action == "stop"
                   else ["pg_ctlcluster", version, name, action], check=True)


async def prepare(url: str) -> str:
    await db.migrate(url)
    async with db.connected(url):
        await regions.insert_regions(region_rows())  # the admin's province
        return await admin_session()


def timed(client: httpx.Client, path: str) -> tuple[int | str, float]:
    """The status of GET ``path`` (or the transport error's name) and how long it took."""
    started = time.perf_counter()
    try:
        status: int | str = client.get(path, timeout=DOWN_ANSWER_S * 2).status_code
    except httpx.TransportError as e:
        status = type(e).__name__
    return status, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a database of the server to restart (a scratch database is made next to it)")
    parser.add_argument("--cluster", default="15/main", help="the pg_ctlcluster VERSION/NAME of that server")
    args = parser.parse_args()
    failures: list[str] = []

    def check(ok: bool, said: str) -> None:
        print(("ok    " if ok else "FAIL  ") + said, flush=True)
        if not ok:
            failures.append(said)

    with scratch_database(args.admin_url) as url:
        token = asyncio.run(prepare(url))
        with server(url, token) as client:
            worker = client.server_pid  # type: ignore[attr-defined]
            for path in ("/api/health", "/api/me"):
                status, took = timed(client, path)
                check(status == 200, f"before: {path} {status} in {took * 1000:.0f} ms")
            stopped = time.perf_counter()
            pg_ctl(args.cluster, "stop")
            try:
                print(f"PostgreSQL {args.cluster} stopped in {time.perf_counter() - stopped:.1f} s", flush=True)
                for path in ("/api/health", "/api/health", "/api/me"):
                    status, took = timed(client, path)
                    check(status == 503 and took < DOWN_ANSWER_S, f"down: {path} {status} in {took * 1000:.0f} ms")
            finally:
                pg_ctl(args.cluster, "start")
            started = time.perf_counter()
            print(f"PostgreSQL {args.cluster} started again", flush=True)
            answers: list[int | str] = []
            while time.perf_counter() - started < RECOVERY_S:
                answers.append(timed(client, "/api/health")[0])
                if answers[-1] == 200:
                    break
                time.sleep(0.2)
            recovered = time.perf_counter() - started
            check(answers[-1] == 200, f"after: /api/health 200 in {recovered:.1f} s (answers meanwhile: {answers[:-1]})")
            for path in ("/api/me", "/api/enterprises?limit=1"):
                status, took = timed(client, path)
                check(status == 200, f"after: signed in, {path} {status} in {took * 1000:.0f} ms")
            check(Path(f"/proc/{worker}").exists(), f"the app was not restarted (granian worker {worker} still serves)")
    print(f"DRILL postgres_restart passed={not failures} recovered_s={recovered:.1f} failures={len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

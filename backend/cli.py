"""The ``dossier`` command: serve, migrate, demo data, tools."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from backend.access import Role, SYSTEM
from backend import backup, db
from backend import demo as demo_data
from backend.accounts import service as accounts
from backend.accounts.schemas import InvitationIn
from backend.clock import bureau_today
from backend.audit import service as audit
from backend.coverage import rebuild
from backend.errors import DomainError
from backend.media import check, jobs
from backend.media.storage import media_store
from backend.plans import draw, lock
from backend.regions.tables import Region
from backend.settings import Settings, SettingsError, get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dossier", description="Field Dossier server and tools")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="apply pending database migrations (safe to repeat)")

    serve = commands.add_parser("serve", help="serve the API (and the PWA) over HTTP")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    serve.add_argument("--workers", type=int, help="app processes (default: DOSSIER_WORKERS, 1)")

    demo = commands.add_parser("demo", help="load the deterministic Shandong demo data set")
    demo.add_argument("--enterprises", type=int, default=demo_data.DEFAULT_ENTERPRISES, help="how many enterprises")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if enterprises already exist")
    demo.add_argument("--seed", type=int, default=2260, help="random seed (same seed, same data)")
    demo.add_argument("--without-history", action="store_true",
                      help="enterprises, licences and control points only: no visits, findings or photos (large sets)")

    invite = commands.add_parser("invite", help="print a one-time enrolment link (bootstraps the first admin)")
    invite.add_argument("--role", required=True, choices=[r.value for r in Role])
    invite.add_argument("--name", required=True, help="the person's display name")
    invite.add_argument("--region", help="jurisdiction (6-digit code) for staff; default: the first province")
    invite.add_argument("--enterprise", help="enterprise id, for an enterprise user")

    worker = commands.add_parser("worker", help="work the job queue (PostgreSQL): make missing derivatives first, "
                                                "then thumbnails and previews as uploads queue them")
    worker.add_argument("--drain", action="store_true", help="stop once nothing is queued")
    worker.add_argument("--heartbeat", type=float, default=jobs.HEARTBEAT.total_seconds(),
                        help="seconds of silence after which another worker takes a job over (default %(default)s)")

    commands.add_parser("rebuild-rollups", help="recompute the schedule and the coverage rollups from the visits and findings")

    commands.add_parser("verify-audit", help="recompute the audit chain; exit 1 naming the first broken link")

    commands.add_parser("check-media", help="re-hash every original in the media store against its recorded SHA-256; "
                                            "exit 1 if any is missing or corrupt")

    back_up = commands.add_parser("backup", help="copy the database and every media file into a new folder")
    back_up.add_argument("folder", type=Path, help="a new or empty folder")
    restore = commands.add_parser("restore", help="load a backup into an empty database and an empty media store")
    restore.add_argument("folder", type=Path, help="a folder `dossier backup` wrote")

    verify_draw = commands.add_parser("verify-draw", help="recompute a plan's random draw from its recorded inputs; "
                                                          "exit 1 if it does not match")
    verify_draw.add_argument("plan_id", nargs="?", help="a locked plan's id (reads the database)")
    verify_draw.add_argument("--file", help="an exported plan file (GET /api/plans/{id}/export) instead: no database")

    args = parser.parse_args(argv)
    if args.command == "verify-draw":  # from a file it needs neither settings nor a database
        return verify_draw_command(args.plan_id, args.file)
    try:
        settings = get_settings()
    except SettingsError as e:
        print(f"dossier: {e}", file=sys.stderr)
        return 2

    if args.command == "migrate":
        asyncio.run(db.migrate(settings.database_url))
        return 0
    if args.command == "serve":
        if args.workers is not None and args.workers < 1:
            print("dossier serve: --workers must be 1 or more", file=sys.stderr)
            return 2
        return _serve(settings, args.workers or settings.workers, args.reload)
    if args.command == "demo":
        async def load() -> str:
            async with db.connected(settings.database_url):
                return await demo_data.load(args.enterprises, seed=args.seed, if_empty=args.if_empty,
                                            history=not args.without_history, store=media_store(settings))

        started = time.perf_counter()
        try:
            summary = asyncio.run(load())
        except demo_data.DemoRefused as e:
            print(f"dossier demo: {e}", file=sys.stderr)
            return 1
        print(f"{summary} ({time.perf_counter() - started:.1f} s)")
        if args.if_empty and summary.startswith("Loaded"):
            asyncio.run(_print_demo_invitations(settings))
        return 0
    if args.command == "invite":
        return asyncio.run(_invite(settings, args))
    if args.command == "verify-audit":
        return asyncio.run(_verify_audit(settings))
    if args.command == "rebuild-rollups":
        return asyncio.run(_rebuild_rollups(settings))
    if args.command == "check-media":
        return asyncio.run(_check_media(settings))
    if args.command in ("backup", "restore"):
        try:
            print((backup.make if args.command == "backup" else backup.restore)(settings, args.folder))
        except backup.BackupError as e:
            print(f"dossier {args.command}: {e}", file=sys.stderr)
            return 2 if isinstance(e, backup.Refused) else 1
        return 0
    if args.command == "worker":
        return asyncio.run(_work(settings, args.drain, timedelta(seconds=args.heartbeat)))
    return 2


# How long a worker may take to stop before it is killed: granian would otherwise wait
# forever for one that was told to stop while it was still starting.
WORKER_STOP_S = 5


def _serve(settings: Settings, workers: int, reload: bool) -> int:
    """The app under granian: ``workers`` processes, each replaced once its memory passes
    ``worker_max_rss_mb`` (and respawned if it dies); with ``reload``, one that restarts
    on code changes."""
    from granian import Granian
    from granian.constants import Interfaces

    importlib.import_module("backend.app")  # imported once here, forked workers start at once
    print(f"Field Dossier on http://localhost:{settings.port}  (API schema: /schema)", flush=True)
    Granian(
        "backend.cli:served_app",
        factory=True,
        interface=Interfaces.ASGI,
        address=settings.host,
        port=settings.port,
        workers=1 if reload else workers,
        workers_max_rss=settings.worker_max_rss_mb or None,
        respawn_failed_workers=True,
        workers_kill_timeout=WORKER_STOP_S,
        reload=reload,
        reload_paths=[Path(__file__).parent],
    ).serve()
    return 0


def served_app() -> Any:
    """The app as `dossier serve` runs it: behind nginx, the client's address is the one
    X-Forwarded-For names when the request comes from a trusted proxy (the rate limits and
    sign-in records use it)."""
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    from backend.app import create_app

    settings = get_settings()
    return wrap_asgi_with_proxy_headers(create_app(settings), settings.trusted_proxies)


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    async with db.connected(settings.database_url):
        region = args.region
        if region is None and args.enterprise is None:
            province = await Region.select(Region.code).where(Region.level == "province").order_by(Region.code).first()
            if province is None:
                print("dossier invite: there are no regions yet; load them first (dossier demo)", file=sys.stderr)
                return 1
            region = province["code"]
        try:
            data = msgspec.convert(
                {"role": args.role, "display_name": args.name, "region_code": region, "enterprise_id": args.enterprise},
                InvitationIn,
            )
            invitation = await accounts.invite(SYSTEM, data, settings.public_url, bureau_today())
        except (DomainError, msgspec.ValidationError) as e:
            print(f"dossier invite: {e}", file=sys.stderr)
            return 1
    print(invitation.link)
    return 0


async def _print_demo_invitations(settings: Settings) -> None:
    """On a fresh demo install: one invitation link for each role, to try the product."""
    async with db.connected(settings.database_url):
        links = await demo_data.invitations(settings.public_url, bureau_today())
    print("\nDemo invitations (open one in a browser on this machine; each works once, for 72 hours):")
    for role, name, link in links:
        print(f"  {role:<11} {name:<24} {link}")


async def _work(settings: Settings, drain: bool, heartbeat: timedelta) -> int:
    from backend.app import job_queue
    async with db.connected(settings.database_url) as engine:
        store = media_store(settings)
        queue = job_queue(engine, store, settings)
        if queue.in_process:
            print("dossier worker: on SQLite the app works its jobs itself; workers need PostgreSQL", file=sys.stderr)
            return 2
        print(f"Worker: {await queue.sweep_all(store)} originals lacked derivatives; working the queue.", flush=True)
        await queue.work(store, drain=drain, heartbeat=heartbeat)
    return 0


async def _rebuild_rollups(settings: Settings) -> int:
    async with db.connected(settings.database_url):
        started = time.perf_counter()
        await rebuild.rebuild(settings.visit_intervals)
    print(f"Schedule and coverage rollups rebuilt in {time.perf_counter() - started:.1f} s.")
    return 0


async def _verify_audit(settings: Settings) -> int:
    async with db.connected(settings.database_url):
        started = time.perf_counter()
        result = await audit.verify()
    took = time.perf_counter() - started
    if result.ok:
        print(f"Audit chain intact: {result.events} events verified in {took:.1f} s.")
        return 0
    print(f"Audit chain BROKEN at event {result.broken_at}: {result.reason}. "
          f"({result.events} events read, {took:.1f} s)", file=sys.stderr)
    return 1


SHOWN = 5  # problems of each kind check-media names


async def _check_media(settings: Settings) -> int:
    async with db.connected(settings.database_url):
        started = time.perf_counter()
        report = await check.check(media_store(settings))
    out = sys.stdout if report.ok else sys.stderr
    print(f"Media {'intact' if report.ok else 'DAMAGED'}: {report.originals} originals recorded, "
          f"{len(report.missing)} missing, {len(report.corrupt)} corrupt; {len(report.unreferenced)} of "
          f"{report.stored} stored files unreferenced ({time.perf_counter() - started:.1f} s).", file=out)
    for kind, keys in (("missing", report.missing), ("corrupt", report.corrupt), ("unreferenced", report.unreferenced)):
        for name in keys[:SHOWN]:
            print(f"  {kind}: {name}", file=out)
        if len(keys) > SHOWN:
            print(f"  … and {len(keys) - SHOWN} more {kind}", file=out)
    return 0 if report.ok else 1


def verify_draw_command(plan_id: str | None, file: str | None) -> int:
    """`dossier verify-draw PLAN_ID` or `--file plan.json`: 0 if the draw matches its inputs."""
    if (plan_id is None) == (file is None):
        print("dossier verify-draw: give a plan id or --file, one of them", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        if file is not None:
            record = msgspec.json.decode(Path(file).read_bytes(), type=draw.Record)
        else:
            record = asyncio.run(_recorded_draw(get_settings().database_url, UUID(plan_id)))
    except (OSError, ValueError, msgspec.DecodeError, DomainError) as e:  # a SettingsError is a ValueError
        print(f"dossier verify-draw: {getattr(e, 'message', None) or e}", file=sys.stderr)
        return 1
    problems = draw.verify(record)
    took = time.perf_counter() - started
    plan = f"plan {record.plan.get('id')} ({record.plan.get('title')})"
    if problems:
        print(f"Draw of {plan} DOES NOT MATCH its recorded inputs ({took:.1f} s):", *problems, sep="\n  - ")
        return 1
    print(f"Draw of {plan} matches: {len(record.result)} of {len(record.pool)} enterprises drawn, "
          f"{len(record.redraws)} redraws, algorithm {record.algorithm}, seed {record.seed}, chain head "
          f"{record.chain_head} ({took:.1f} s).")
    return 0


async def _recorded_draw(database_url: str, plan_id: UUID) -> draw.Record:
    async with db.connected(database_url):
        return await lock.record_of(SYSTEM, plan_id)


if __name__ == "__main__":
    sys.exit(main())

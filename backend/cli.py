"""The ``dossier`` command: serve, migrate, demo data."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from backend import db
from backend import demo as demo_data
from backend.settings import SettingsError, get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dossier", description="Field Dossier server and tools")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="apply pending database migrations (safe to repeat)")

    serve = commands.add_parser("serve", help="serve the API (and the PWA) over HTTP")
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")

    demo = commands.add_parser("demo", help="load the deterministic Shandong demo data set")
    demo.add_argument("--enterprises", type=int, default=demo_data.DEFAULT_ENTERPRISES, help="how many enterprises")
    demo.add_argument("--if-empty", action="store_true", help="do nothing if enterprises already exist")
    demo.add_argument("--seed", type=int, default=2260, help="random seed (same seed, same data)")

    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except SettingsError as e:
        print(f"dossier: {e}", file=sys.stderr)
        return 2

    if args.command == "migrate":
        asyncio.run(db.migrate(settings.database_url))
        return 0
    if args.command == "serve":
        import uvicorn

        print(f"Field Dossier on http://localhost:{settings.port}  (API schema: /schema)")
        uvicorn.run(
            "backend.app:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=None if args.reload else settings.workers,
            reload=args.reload,
        )
        return 0
    if args.command == "demo":
        async def load() -> str:
            async with db.connected(settings.database_url):
                return await demo_data.load(args.enterprises, seed=args.seed, if_empty=args.if_empty)

        started = time.perf_counter()
        try:
            summary = asyncio.run(load())
        except demo_data.DemoRefused as e:
            print(f"dossier demo: {e}", file=sys.stderr)
            return 1
        print(f"{summary} ({time.perf_counter() - started:.1f} s)")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

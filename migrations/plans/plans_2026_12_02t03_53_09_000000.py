"""One draw row per plan and enterprise, one redraw per plan, enterprise and number, one
declared conflict per officer and enterprise (hand-written: Piccolo tables declare
single-column unique constraints only). On PostgreSQL a plan's recorded inputs (12 MB of
JSON for a pool of 100,000) are stored uncompressed: compressing them took half a second
of every lock."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-02T03:53:09:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique keys of plan_draw, plan_redraw and officer_conflict; plan inputs stored uncompressed"

KEYS = {
    "plan_draw_key": "plan_draw (plan, enterprise)",
    "plan_redraw_key": "plan_redraw (plan, enterprise, n)",
    "officer_conflict_key": "officer_conflict (officer, enterprise)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="plans", description=DESCRIPTION)

    async def create_keys():
        for name, columns in KEYS.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX {name} ON {columns}")
        if isinstance(engine_finder(), PostgresEngine):
            await engine_finder().run_ddl("ALTER TABLE inspection_plan ALTER COLUMN inputs SET STORAGE EXTERNAL")

    async def drop_keys():
        for name in KEYS:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_keys)
    manager.add_raw_backwards(drop_keys)
    return manager

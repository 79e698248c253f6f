"""The rollups' keys (hand-written: Piccolo tables declare single-column unique
constraints only). Writes upsert on them (INSERT … ON CONFLICT); county-level coverage
reads through them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T14:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique keys of the coverage rollups"

KEYS = {
    "coverage_day_key": "coverage_day (county_code, day)",
    "inspector_day_key": 'inspector_day (county_code, "user", day)',
    "inspector_month_key": 'inspector_month (county_code, "user", month)',
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="coverage", description=DESCRIPTION)

    async def create_keys():
        for name, on in KEYS.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX {name} ON {on}")

    async def drop_keys():
        for name in KEYS:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_keys)
    manager.add_raw_backwards(drop_keys)
    return manager

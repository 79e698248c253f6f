"""Coverage's enterprise figures from an index alone (hand-written: Piccolo tables
declare single-column indexes only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index enterprises by province with their schedule and coverage dates"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="enterprises", description=DESCRIPTION)

    async def create_index():
        # A province's coverage counts 100k enterprises by these dates: an index-only
        # scan reads a few MB instead of every whole row (PostgreSQL, 100k enterprises).
        await engine_finder().run_ddl(
            "CREATE INDEX enterprise_coverage ON enterprise (province_code, next_due_on, last_visited_on, "
            "last_finding_on, last_follow_up_on, id)")

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX enterprise_coverage")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager

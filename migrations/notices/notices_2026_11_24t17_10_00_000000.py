"""Notice coverage from the enterprises alone: count each enterprise's control points and
current notices, and let the coverage index carry the counts (hand-written: raw SQL)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Count control points and current notices; the coverage index carries the counts"

COVERAGE_COLUMNS = "province_code, next_due_on, last_visited_on, last_finding_on, last_follow_up_on, id"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notices", description=DESCRIPTION)

    async def count_and_index():
        engine = engine_finder()
        for column, rows in (("control_points", "SELECT enterprise, count(*) AS n FROM control_point GROUP BY enterprise"),
                             ("current_notices", "SELECT enterprise, count(*) AS n FROM notice WHERE status = 'current' "
                                                 "GROUP BY enterprise")):
            await engine.run_ddl(f"UPDATE enterprise SET {column} = counted.n FROM ({rows}) AS counted "
                                 "WHERE counted.enterprise = enterprise.id")
        # A province's coverage sums the counts of 100k enterprises with its dates: still
        # an index-only scan.
        await engine.run_ddl("DROP INDEX enterprise_coverage")
        await engine.run_ddl(
            f"CREATE INDEX enterprise_coverage ON enterprise ({COVERAGE_COLUMNS}, control_points, current_notices)")

    async def restore_index():
        await engine_finder().run_ddl("DROP INDEX enterprise_coverage")
        await engine_finder().run_ddl(f"CREATE INDEX enterprise_coverage ON enterprise ({COVERAGE_COLUMNS})")

    manager.add_raw(count_and_index)
    manager.add_raw_backwards(restore_index)
    return manager

"""The job queue's tables on PostgreSQL: pgqueuer installs its own (queue, log, statistics,
schedules; the NOTIFY trigger), or brings an older installation up to date. On SQLite the
queue lives in the app's memory and needs none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.queries import Queries

ID = "2026-12-02T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "pgqueuer's tables (PostgreSQL)"


async def _on_postgres(change) -> None:
    engine = engine_finder()
    if not isinstance(engine, PostgresEngine):
        return
    connection = await engine.get_new_connection()
    try:
        await change(Queries(AsyncpgDriver(connection)))
    finally:
        await connection.close()


async def _install(queries: Queries) -> None:
    if await queries.schema_is_installed():
        await queries.upgrade()
    else:
        await queries.install()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="media", description=DESCRIPTION)

    async def install():
        await _on_postgres(_install)

    async def uninstall():
        await _on_postgres(lambda queries: queries.uninstall())

    manager.add_raw(install)
    manager.add_raw_backwards(uninstall)
    return manager

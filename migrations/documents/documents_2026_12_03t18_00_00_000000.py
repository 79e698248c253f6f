"""The documents whose PDF was never rendered, newest first: what the start-up sweep
(backend/documents/service.py, sweep_unrendered) reads, from an index instead of a scan of
every document ever issued (hand-written: a partial index, the same SQL on both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index the unrendered documents by issued_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="documents", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl("CREATE INDEX document_unrendered ON document (issued_at) WHERE sha256 IS NULL")

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX document_unrendered")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager

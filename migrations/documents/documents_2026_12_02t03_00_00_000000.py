"""One document per kind and subject, and one per serial number of a bureau, year and kind
(hand-written: Piccolo tables declare single-column unique constraints only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique (kind, subject) and (bureau_code, year, kind, serial) of document"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="documents", description=DESCRIPTION)

    async def create_keys():
        engine = engine_finder()
        await engine.run_ddl("CREATE UNIQUE INDEX document_subject ON document (kind, subject)")
        await engine.run_ddl("CREATE UNIQUE INDEX document_serial_number ON document (bureau_code, year, kind, serial)")

    async def drop_keys():
        await engine_finder().run_ddl("DROP INDEX document_subject")
        await engine_finder().run_ddl("DROP INDEX document_serial_number")

    manager.add_raw(create_keys)
    manager.add_raw_backwards(drop_keys)
    return manager

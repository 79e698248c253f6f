"""The registry's name/search index (hand-written: Piccolo tables declare single-column
indexes only, and a migration's raw steps run before its table steps)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-24T10:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index enterprises by name (then id), USCC and address"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="enterprises", description=DESCRIPTION)

    async def create_index():
        # Serves ORDER BY name, id exactly (keyset pages), and lets a text search scan
        # this narrow index instead of whole rows. At 100k enterprises on SQLite: a term
        # found nowhere 121 -> 28 ms; with a province scope on every query, the first
        # page 14 -> 0.1 ms and "licence expiring" 127 -> 6 ms (without id in the index
        # SQLite chose a full scan and a sort).
        await engine_finder().run_ddl("CREATE INDEX enterprise_name_search ON enterprise (name, id, uscc, address)")

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX enterprise_name_search")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager

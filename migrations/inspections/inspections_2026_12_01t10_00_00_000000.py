"""One row per inspector of a visit (hand-written: Piccolo tables declare single-column
unique constraints only). Submissions once let a team name an inspector twice; such rows
are merged first, and `dossier rebuild-rollups` recounts the visits they counted twice."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique (visit, user) of visit_member"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inspections", description=DESCRIPTION)

    async def create_key():
        engine = engine_finder()
        await engine.run_ddl('DELETE FROM visit_member WHERE id NOT IN (SELECT min(id) FROM visit_member GROUP BY visit, "user")')
        await engine.run_ddl('CREATE UNIQUE INDEX visit_member_key ON visit_member (visit, "user")')

    async def drop_key():
        await engine_finder().run_ddl("DROP INDEX visit_member_key")

    manager.add_raw(create_key)
    manager.add_raw_backwards(drop_key)
    return manager

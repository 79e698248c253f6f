"""At most one current notice per control point (a partial unique index, the same SQL on
SQLite and PostgreSQL), and the standard notice templates (adds only the missing ones, so
it is safe on any database). Hand-written: Piccolo runs raw steps before table steps, so
they cannot share a migration with the tables they use."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T14:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "One current notice per control point; standard notice templates"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notices", description=DESCRIPTION)

    async def install():
        from backend.notices.service import install_standard_templates
        from backend.notices.tables import Notice

        await Notice.raw("CREATE UNIQUE INDEX IF NOT EXISTS notice_one_current ON notice (control_point) "
                         "WHERE status = 'current'")
        await install_standard_templates()

    manager.add_raw(install)
    return manager

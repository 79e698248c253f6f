"""Publish the food-production supervision template, the first with item classes and
rules (hand-written data migration; it adds only the standard templates that are missing,
so it is safe on any database)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Standard checklist template: food production supervision (重点项/一般项, rules)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inspections", description=DESCRIPTION)

    async def publish():
        from backend.inspections.checklists import install_standard_templates

        await install_standard_templates()

    manager.add_raw(publish)
    return manager

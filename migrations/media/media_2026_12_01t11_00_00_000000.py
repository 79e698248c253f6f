"""Uploads no longer carry an answer id: a checklist answer has no id of its own and cites
its photos in its ``media`` list, so the column never named a record (no client sent it)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-01T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Drop media_item.answer"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="media", description=DESCRIPTION)
    manager.drop_column(table_class_name="MediaItem", tablename="media_item", column_name="answer",
                        db_column_name="answer")
    return manager

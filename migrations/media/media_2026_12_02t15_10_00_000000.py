"""MediaItem.replaces, replaced_by and item_key: a retake of a returned upload, linked
both ways to the original it replaces (which stays), in the original's checklist item."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "MediaItem.replaces, replaced_by, item_key: retakes of returned uploads"


def _params(**extra):
    return {"default": None, "null": True, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="media", description=DESCRIPTION)
    for name, column_class, extra in (("replaces", UUID, {"index": True}), ("replaced_by", UUID, {}),
                                      ("item_key", Varchar, {"length": 20})):
        manager.add_column(
            table_class_name="MediaItem", tablename="media_item", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=_params(**extra), schema=None,
        )
    return manager

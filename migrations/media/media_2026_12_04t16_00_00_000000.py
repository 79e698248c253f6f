"""Blob.undecodable: the derivative job found that the original's pixels do not decode
(an upload checks only its file's structure). False for the blobs stored before: their
uploads decoded them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Blob.undecodable: the original's pixels do not decode"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="media", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Blob", tablename="blob", column_name="undecodable", db_column_name="undecodable",
        column_class_name="Boolean", column_class=Boolean,
        params={"default": False, "null": False, "primary_key": False, "unique": False, "index": False,
                "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
        schema=None,
    )
    return manager

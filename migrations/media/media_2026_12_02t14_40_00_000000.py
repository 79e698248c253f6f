"""Blob.derived_at: when an original's thumbnail and preview were stored. NULL for the
blobs stored before: the next start-up sweep (jobs.sweep) sets it where both derivatives
are in the store and queues the others."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Blob.derived_at: when the thumbnail and preview were stored"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="media", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Blob", tablename="blob", column_name="derived_at", db_column_name="derived_at",
        column_class_name="Timestamptz", column_class=Timestamptz,
        params={"default": None, "null": True, "primary_key": False, "unique": False, "index": False,
                "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
        schema=None,
    )
    return manager

"""Video evidence and parsed PDFs: a blob records a video's duration (seconds) and codec,
and a PDF's page count. Older blobs keep NULL (photos and PDFs filed before)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import DoublePrecision, Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T14:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Blob.duration, Blob.codec (videos) and Blob.pages (PDFs)"

_PARAMS = {"default": None, "null": True, "primary_key": False, "unique": False, "index": False,
           "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="media", description=DESCRIPTION)
    for name, column_class, extra in (("duration", DoublePrecision, {}), ("codec", Varchar, {"length": 16}),
                                      ("pages", Integer, {})):
        manager.add_column(table_class_name="Blob", tablename="blob", column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class,
                           params={**_PARAMS, **extra}, schema=None)
    return manager

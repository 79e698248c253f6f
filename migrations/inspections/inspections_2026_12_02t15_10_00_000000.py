"""Visit.verifications: a follow-up's verdict on each earlier open finding it checked
(closed, or carried on with a reason and a new deadline); Finding.follow_up_note: the
reason a follow-up carried the finding on."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T15:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Visit.verifications, Finding.follow_up_note: follow-ups verify earlier findings"


def _params(default):
    return {"default": default, "null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="inspections", description=DESCRIPTION)
    manager.add_column(table_class_name="Visit", tablename="visit", column_name="verifications",
                       db_column_name="verifications", column_class_name="JSON", column_class=JSON,
                       params=_params("[]"), schema=None)
    manager.add_column(table_class_name="Finding", tablename="finding", column_name="follow_up_note",
                       db_column_name="follow_up_note", column_class_name="Text", column_class=Text,
                       params=_params(""), schema=None)
    return manager

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T03:47:29:332324"
VERSION = "1.38.0"
DESCRIPTION = "Enterprises may have a credit class (信用风险分类)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="enterprises", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Enterprise",
        tablename="enterprise",
        column_name="credit_class",
        db_column_name="credit_class",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 1,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": Enum(
                "CreditClass", {"A": "A", "B": "B", "C": "C", "D": "D"}
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager

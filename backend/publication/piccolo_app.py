from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.publication.tables import Publication, WorkdayAdjustment

APP_CONFIG = AppConfig(
    app_name="publication",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "publication"),
    table_classes=[Publication, WorkdayAdjustment],
    migration_dependencies=["backend.plans.piccolo_app"],
)

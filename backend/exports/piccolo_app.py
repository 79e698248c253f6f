from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.exports.tables import ExportJob

APP_CONFIG = AppConfig(
    app_name="exports",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "exports"),
    table_classes=[ExportJob],
    migration_dependencies=["backend.accounts.piccolo_app"],
)

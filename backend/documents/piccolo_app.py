from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.documents.tables import Document, DocumentSerial

APP_CONFIG = AppConfig(
    app_name="documents",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "documents"),
    table_classes=[Document, DocumentSerial],
    migration_dependencies=["backend.notices.piccolo_app"],
)

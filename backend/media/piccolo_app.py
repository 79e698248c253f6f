from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.media.tables import Blob, MediaItem

APP_CONFIG = AppConfig(
    app_name="media",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "media"),
    table_classes=[Blob, MediaItem],
    migration_dependencies=["backend.enterprises.piccolo_app"],
)

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.notices.tables import Notice, NoticeTemplate

APP_CONFIG = AppConfig(
    app_name="notices",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "notices"),
    table_classes=[NoticeTemplate, Notice],
    migration_dependencies=["backend.inspections.piccolo_app", "backend.media.piccolo_app"],
)

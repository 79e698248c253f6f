from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.coverage.tables import CoverageDay, InspectorDay, InspectorMonth

APP_CONFIG = AppConfig(
    app_name="coverage",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "coverage"),
    table_classes=[CoverageDay, InspectorDay, InspectorMonth],
    migration_dependencies=["backend.inspections.piccolo_app"],
)

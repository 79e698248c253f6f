from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.inspections.tables import ChecklistTemplate, ChecklistVersion, Finding, Visit, VisitMember

APP_CONFIG = AppConfig(
    app_name="inspections",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "inspections"),
    table_classes=[ChecklistTemplate, ChecklistVersion, Visit, Finding, VisitMember],
    migration_dependencies=["backend.enterprises.piccolo_app"],
)

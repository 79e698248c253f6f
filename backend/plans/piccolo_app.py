from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.plans.tables import InspectionItem, OfficerConflict, Plan, PlanDraw, PlanRedraw

APP_CONFIG = AppConfig(
    app_name="plans",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "plans"),
    table_classes=[InspectionItem, Plan, PlanDraw, PlanRedraw, OfficerConflict],
    migration_dependencies=["backend.inspections.piccolo_app", "backend.accounts.piccolo_app"],
)

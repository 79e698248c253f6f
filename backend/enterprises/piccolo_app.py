from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.enterprises.tables import ControlPoint, Enterprise, Licence

APP_CONFIG = AppConfig(
    app_name="enterprises",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "enterprises"),
    table_classes=[Enterprise, Licence, ControlPoint],
    migration_dependencies=["backend.regions.piccolo_app"],
)

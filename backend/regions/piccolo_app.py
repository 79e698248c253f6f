from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.regions.tables import Region

APP_CONFIG = AppConfig(
    app_name="regions",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "regions"),
    table_classes=[Region],
)

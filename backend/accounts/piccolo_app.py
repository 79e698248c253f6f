from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.accounts.tables import Challenge, Invitation, Passkey, RateLimit, Session, User

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parents[2] / "migrations" / "accounts"),
    table_classes=[User, Passkey, Invitation, Session, Challenge, RateLimit],
    migration_dependencies=["backend.regions.piccolo_app", "backend.enterprises.piccolo_app"],
)

"""Piccolo's configuration module (PICCOLO_CONF=backend.piccolo_conf).

The engine comes from the settings; ``backend.db.use_engine`` replaces it when the app,
the CLI or a test picks a database explicitly.
"""

from piccolo.conf.apps import AppRegistry

from backend.db import engine_for
from backend.settings import get_settings

DB = engine_for(get_settings().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "backend.regions.piccolo_app",
        "backend.enterprises.piccolo_app",
        "backend.accounts.piccolo_app",
        "backend.audit.piccolo_app",
        "backend.media.piccolo_app",
        "backend.inspections.piccolo_app",
        "backend.notices.piccolo_app",
        "backend.coverage.piccolo_app",
    ]
)

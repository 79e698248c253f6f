"""Piccolo's configuration module (PICCOLO_CONF=backend.piccolo_conf): the apps, and an
engine that stands in until ``backend.db.use_engine`` binds the tables to the database
the app, the CLI or a test picks. It reads no settings and imports nothing of the
backend, so importing a table never opens, creates or configures anything.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.sqlite import SQLiteEngine

DB = SQLiteEngine(path=":memory:")  # never queried: backend.db.use_engine replaces it first

APP_REGISTRY = AppRegistry(
    apps=[
        "backend.regions.piccolo_app",
        "backend.enterprises.piccolo_app",
        "backend.accounts.piccolo_app",
        "backend.audit.piccolo_app",
        "backend.media.piccolo_app",
        "backend.inspections.piccolo_app",
        "backend.notices.piccolo_app",
        "backend.documents.piccolo_app",
        "backend.exports.piccolo_app",
        "backend.plans.piccolo_app",
        "backend.coverage.piccolo_app",
        "backend.publication.piccolo_app",
    ]
)

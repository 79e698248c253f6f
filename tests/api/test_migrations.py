"""`dossier migrate` is safe to repeat: a second run finds nothing to do."""

from __future__ import annotations

from backend import db
from piccolo.apps.migrations.tables import Migration


async def schema_of() -> list:
    if db.kind(db.current()) == "sqlite":
        return await Migration.raw("SELECT type, name, sql FROM sqlite_master ORDER BY name")
    return await Migration.raw(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' ORDER BY table_name, column_name"
    )


async def test_migrating_twice_changes_nothing(database_url: str) -> None:
    async with db.connected(database_url):
        ran = await Migration.count()
        before = await schema_of()
    assert ran >= 2
    await db.migrate(database_url)
    async with db.connected(database_url):
        assert await Migration.count() == ran
        assert await schema_of() == before

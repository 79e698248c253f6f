"""Name search on the public results page at any size: a trigram index of the published
names (hand-written: trigram indexes are raw SQL).

- SQLite: an FTS5 table with the trigram tokenizer holding each publication's name and
  id, kept in step by triggers, and its vocabulary (names per trigram): a term of 3
  characters or more whose rarest trigram is in few names is a MATCH in it.
- PostgreSQL: a pg_trgm GIN index on the name, which serves LIKE '%term%' from 3
  characters. pg_trgm ships with PostgreSQL (postgresql-contrib) and is a trusted
  extension: creating it takes the CREATE privilege on the database.
Shorter and common terms walk the newest first, where common ones are found at once.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-02T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "A trigram index of published enterprise names"

SQLITE = [
    "CREATE VIRTUAL TABLE publication_search USING fts5(enterprise_name, id UNINDEXED, tokenize='trigram')",
    "INSERT INTO publication_search (enterprise_name, id) SELECT enterprise_name, id FROM publication",
    # How many names hold each trigram: a term's rarest trigram says whether to look it up or walk.
    "CREATE VIRTUAL TABLE publication_search_terms USING fts5vocab(publication_search, 'row')",
    "CREATE TRIGGER publication_search_insert AFTER INSERT ON publication BEGIN "
    "INSERT INTO publication_search (enterprise_name, id) VALUES (new.enterprise_name, new.id); END",
    "CREATE TRIGGER publication_search_delete AFTER DELETE ON publication BEGIN "
    "DELETE FROM publication_search WHERE id = old.id; END",
    "CREATE TRIGGER publication_search_update AFTER UPDATE OF enterprise_name ON publication BEGIN "
    "UPDATE publication_search SET enterprise_name = new.enterprise_name WHERE id = new.id; END",
]
SQLITE_DROP = ["DROP TRIGGER publication_search_update", "DROP TRIGGER publication_search_delete",
               "DROP TRIGGER publication_search_insert", "DROP TABLE publication_search_terms",
               "DROP TABLE publication_search"]
POSTGRES = ["CREATE EXTENSION IF NOT EXISTS pg_trgm",
            "CREATE INDEX publication_name_trigrams ON publication USING gin (enterprise_name gin_trgm_ops)"]
POSTGRES_DROP = ["DROP INDEX publication_name_trigrams"]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="publication", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for statement in SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES:
            await engine.run_ddl(statement)

    async def drop():
        engine = engine_finder()
        for statement in SQLITE_DROP if isinstance(engine, SQLiteEngine) else POSTGRES_DROP:
            await engine.run_ddl(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager

"""USCC search: the USCC's start from a btree that holds every sort's columns, the rest
of it from the text indexes, which now hold substr(uscc, 2) (hand-written, raw SQL).

"USCC contains the term" is "starts with it" or "holds it after its first character"
(backend/enterprises/query.py, _union). The first is where a term is common: the start
of a region's code (9137162 in 29,546 of a million USCCs). The text indexes found those
rows but could not sort them without fetching each from the table (485 ms p95 at a
million on PostgreSQL, 68 ms on SQLite); the btree holds each row's sort keys and region
codes, so their page is found and sorted in the index and only its rows are fetched.
- PostgreSQL: (uscc text_pattern_ops, which serves LIKE 'term%' under any collation)
  INCLUDE the sorts' columns and the region codes; pg_trgm on substr(uscc, 2) replaces
  pg_trgm on uscc.
- SQLite: (uscc, the same columns); the FTS5 table's text becomes
  upper(name) ␟ substr(uscc, 2) ␟ upper(address) ␟␟, rebuilt (its triggers with it).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-03T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "USCC search: a prefix btree with the sorts' columns, text indexes on the rest"


# Every sort's columns, and the region codes that scope a registry (the province's, a
# city's, a county's): a search within a scope is sorted in the index too.
COVERED = "name, risk_grade, created_at, id, province_code, city_code, county_code"


def search_text(row: str, uscc: str) -> str:
    """SQLite: the text the FTS table indexes for ``row`` (new, old, or none), with
    ``uscc`` the USCC's part it holds (an SQL expression of ``uscc``)."""
    p = f"{row}." if row else ""
    return f"upper({p}name) || char(31) || {uscc.format(f'{p}uscc')} || char(31) || upper({p}address) || char(31, 31)"


def sqlite_search(uscc: str) -> list[str]:
    """The FTS table over search_text, kept in step by triggers, and rebuilt."""
    return [
        f"CREATE VIEW enterprise_search_text AS SELECT rowid AS enterprise_rowid, {search_text('', uscc)} AS body "
        "FROM enterprise",
        "CREATE VIRTUAL TABLE enterprise_search USING fts5(body, content='enterprise_search_text', "
        "content_rowid='enterprise_rowid', tokenize='trigram case_sensitive 1', columnsize=0)",
        "CREATE VIRTUAL TABLE enterprise_search_trigrams USING fts5vocab(enterprise_search, 'instance')",
        "CREATE TRIGGER enterprise_search_insert AFTER INSERT ON enterprise BEGIN "
        f"INSERT INTO enterprise_search (rowid, body) VALUES (new.rowid, {search_text('new', uscc)}); END",
        "CREATE TRIGGER enterprise_search_delete AFTER DELETE ON enterprise BEGIN "
        "INSERT INTO enterprise_search (enterprise_search, rowid, body) "
        f"VALUES ('delete', old.rowid, {search_text('old', uscc)}); END",
        "CREATE TRIGGER enterprise_search_update AFTER UPDATE OF name, uscc, address ON enterprise BEGIN "
        "INSERT INTO enterprise_search (enterprise_search, rowid, body) "
        f"VALUES ('delete', old.rowid, {search_text('old', uscc)}); "
        f"INSERT INTO enterprise_search (rowid, body) VALUES (new.rowid, {search_text('new', uscc)}); END",
        "INSERT INTO enterprise_search (enterprise_search) VALUES ('rebuild')",
    ]


SQLITE_SEARCH_DROP = [
    "DROP TRIGGER enterprise_search_update", "DROP TRIGGER enterprise_search_delete",
    "DROP TRIGGER enterprise_search_insert", "DROP TABLE enterprise_search_trigrams", "DROP TABLE enterprise_search",
    "DROP VIEW enterprise_search_text",
]
SQLITE = {
    "forwards": [f"CREATE INDEX enterprise_uscc_prefix ON enterprise (uscc, {COVERED})",
                 *SQLITE_SEARCH_DROP, *sqlite_search("substr({}, 2)"), "ANALYZE enterprise"],
    "backwards": [*SQLITE_SEARCH_DROP, *sqlite_search("{}"), "DROP INDEX enterprise_uscc_prefix"],
}
POSTGRES = {
    "forwards": [
        f"CREATE INDEX enterprise_uscc_prefix ON enterprise (uscc text_pattern_ops) INCLUDE ({COVERED})",
        "CREATE INDEX enterprise_uscc_tail_trigrams ON enterprise USING gin (substr(uscc, 2) gin_trgm_ops)",
        "DROP INDEX enterprise_uscc_trigrams",
        "ANALYZE enterprise",
    ],
    "backwards": [
        "CREATE INDEX enterprise_uscc_trigrams ON enterprise USING gin (uscc gin_trgm_ops)",
        "DROP INDEX enterprise_uscc_tail_trigrams",
        "DROP INDEX enterprise_uscc_prefix",
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="enterprises", description=DESCRIPTION)

    def run(direction: str):
        async def go():
            engine = engine_finder()
            for statement in (SQLITE if isinstance(engine, SQLiteEngine) else POSTGRES)[direction]:
                await engine.run_ddl(statement)
        return go

    manager.add_raw(run("forwards"))
    manager.add_raw_backwards(run("backwards"))
    return manager

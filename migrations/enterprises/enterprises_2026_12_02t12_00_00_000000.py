"""The registry at a million enterprises: an index for every sort, and text indexes
(hand-written: composite, trigram and full-text indexes are raw SQL).

Sorts. (created_at, id) and (risk_grade, id) replace the single-column indexes, which
could not serve ORDER BY created_at DESC, id DESC (SQLite sorted all 100k rows: 232 ms).
Each sort also has a (county_code, sort, id) and a (city_code, sort, id) twin, which
replace the county and city indexes: a county's or city's page (an inspector's or a
city bureau's registry) is 51 index entries whatever its sort. A walk of the sort's own
index checking the region row by row would do for the uncorrelated sorts, but names
begin with the place and USCCs hold its code: in those orders a region's enterprises
lie together, and the walk would first pass the rest of the province (60 ms for Jinan
by name at 100k enterprises). One province per deployment: its own filter walks.

Licences. (enterprise, status, valid_to, valid_from) replaces the enterprise index, so
that "holds a licence valid today" is one index probe per enterprise; (valid_to,
status, valid_from, enterprise) finds the enterprises whose licence ends soon.

Text (backend/enterprises/query.py says how each is queried):
- PostgreSQL: pg_trgm GIN indexes on name, uscc and address serve LIKE '%term%' from 3
  characters, and a GIN index on the bigrams of name and address serves 1-2 character
  terms (Chinese names are often searched by two characters), which trigrams cannot.
  pg_trgm ships with PostgreSQL (postgresql-contrib); creating it takes the CREATE
  privilege on the database (it is a trusted extension): where the app's role lacks
  it, a superuser runs `CREATE EXTENSION pg_trgm` once before `dossier migrate`.
- SQLite: an external-content FTS5 table with the trigram tokenizer over one text per
  enterprise, upper(name) ␟ uscc ␟ upper(address) ␟␟ (␟ is char(31), which no name,
  code, address or search term may contain; upper() folds ASCII only, as LIKE does),
  kept in step by triggers. Its 'instance' vocabulary lists every trigram, so a 1-2
  character term is found as the trigrams that begin with it: the two trailing ␟ make
  every character of the text begin one. The FTS rows are keyed by the enterprise's
  rowid, which VACUUM keeps for this table; should they ever part,
  `INSERT INTO enterprise_search(enterprise_search) VALUES ('rebuild')` rebuilds it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, ForeignKey, Timestamptz, Varchar
from piccolo.engine import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-02T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Index every registry sort (also within a county); trigram text search"

SORTS = {"name": "name, id", "uscc": "uscc, id", "risk_grade": "risk_grade, id", "created_at": "created_at, id"}
INDEXES = {
    "enterprise_created_at_id": "created_at, id",
    "enterprise_risk_grade_id": "risk_grade, id",
    **{f"enterprise_{level}_{sort}": f"{level}_code, {columns}" for level in ("county", "city")
       for sort, columns in SORTS.items()},
}
LICENCE_INDEXES = {
    "licence_enterprise_valid": "enterprise, status, valid_to, valid_from",
    "licence_valid_to_enterprise": "valid_to, status, valid_from, enterprise",
}


def search_text(row: str) -> str:
    """SQLite: the text the FTS table indexes for ``row`` (new, old, or none)."""
    p = f"{row}." if row else ""
    return f"upper({p}name) || char(31) || {p}uscc || char(31) || upper({p}address) || char(31, 31)"


SQLITE_SEARCH = [
    f"CREATE VIEW enterprise_search_text AS SELECT rowid AS enterprise_rowid, {search_text('')} AS body FROM enterprise",
    "CREATE VIRTUAL TABLE enterprise_search USING fts5(body, content='enterprise_search_text', "
    "content_rowid='enterprise_rowid', tokenize='trigram case_sensitive 1', columnsize=0)",
    "CREATE VIRTUAL TABLE enterprise_search_trigrams USING fts5vocab(enterprise_search, 'instance')",
    "CREATE TRIGGER enterprise_search_insert AFTER INSERT ON enterprise BEGIN "
    f"INSERT INTO enterprise_search (rowid, body) VALUES (new.rowid, {search_text('new')}); END",
    "CREATE TRIGGER enterprise_search_delete AFTER DELETE ON enterprise BEGIN "
    "INSERT INTO enterprise_search (enterprise_search, rowid, body) "
    f"VALUES ('delete', old.rowid, {search_text('old')}); END",
    "CREATE TRIGGER enterprise_search_update AFTER UPDATE OF name, uscc, address ON enterprise BEGIN "
    "INSERT INTO enterprise_search (enterprise_search, rowid, body) "
    f"VALUES ('delete', old.rowid, {search_text('old')}); "
    f"INSERT INTO enterprise_search (rowid, body) VALUES (new.rowid, {search_text('new')}); END",
    "INSERT INTO enterprise_search (enterprise_search) VALUES ('rebuild')",
]
SQLITE_SEARCH_DROP = [
    "DROP TRIGGER enterprise_search_update", "DROP TRIGGER enterprise_search_delete",
    "DROP TRIGGER enterprise_search_insert", "DROP TABLE enterprise_search_trigrams", "DROP TABLE enterprise_search",
    "DROP VIEW enterprise_search_text",
]

POSTGRES_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(f"CREATE INDEX enterprise_{column}_trigrams ON enterprise USING gin ({column} gin_trgm_ops)"
      for column in ("name", "uscc", "address")),
    # Every two consecutive characters of a text, as the lexemes of a tsvector (no
    # positions: it only says which occur). COST: planners evaluate it after cheaper checks.
    "CREATE FUNCTION enterprise_bigrams(body text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE COST 10000 "
    "AS $$ SELECT array_to_tsvector(array_agg(substr(body, i, 2))) FROM generate_series(1, length(body) - 1) AS i $$",
    "CREATE INDEX enterprise_bigrams ON enterprise USING gin "
    "(enterprise_bigrams(name || chr(31) || address || chr(31) || chr(31)))",
]
POSTGRES_SEARCH_DROP = [
    "DROP INDEX enterprise_bigrams", "DROP FUNCTION enterprise_bigrams(text)",
    *(f"DROP INDEX enterprise_{column}_trigrams" for column in ("name", "uscc", "address")),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="enterprises", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for table, indexes in (("enterprise", INDEXES), ("licence", LICENCE_INDEXES)):
            for name, columns in indexes.items():
                await engine.run_ddl(f"CREATE INDEX {name} ON {table} ({columns})")
        for statement in SQLITE_SEARCH if isinstance(engine, SQLiteEngine) else POSTGRES_SEARCH:
            await engine.run_ddl(statement)
        # Statistics for the new indexes (and PostgreSQL's for the bigrams' expression).
        await engine.run_ddl("ANALYZE enterprise")
        await engine.run_ddl("ANALYZE licence")

    async def drop_indexes():
        engine = engine_finder()
        for statement in SQLITE_SEARCH_DROP if isinstance(engine, SQLiteEngine) else POSTGRES_SEARCH_DROP:
            await engine.run_ddl(statement)
        for name in (*INDEXES, *LICENCE_INDEXES):
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)

    # The composite indexes above serve what these served.
    for table, column, column_class in (("Enterprise", "county_code", ForeignKey), ("Enterprise", "city_code", Varchar),
                                        ("Enterprise", "risk_grade", Varchar), ("Enterprise", "created_at", Timestamptz),
                                        ("Licence", "enterprise", ForeignKey), ("Licence", "valid_to", Date)):
        manager.alter_column(
            table_class_name=table,
            tablename=table.lower(),
            column_name=column,
            db_column_name=column,
            params={"index": False},
            old_params={"index": True},
            column_class=column_class,
            old_column_class=column_class,
            schema=None,
        )
    return manager

"""The database: engine choice, binding tables to it, migrations, transactions, bulk loads.

Everything that differs between SQLite and PostgreSQL lives here, so services stay
engine-agnostic.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Sequence

os.environ.setdefault("PICCOLO_CONF", "backend.piccolo_conf")

from piccolo.apps.migrations.commands.forwards import run_forwards  # noqa: E402
from piccolo.apps.migrations.tables import Migration  # noqa: E402
from piccolo.conf.apps import Finder  # noqa: E402
from piccolo.engine.base import Engine  # noqa: E402
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction  # noqa: E402
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory  # noqa: E402
from piccolo.querystring import QueryString  # noqa: E402
from piccolo.table import Table  # noqa: E402

SQLITE_BUSY_TIMEOUT_S = 15
SQLITE_READERS = 4  # threads, each with one open read-only connection
PING_TIMEOUT_S = 3  # a database that does not answer a health check within this is down

# Plan every statement for its own parameters. asyncpg prepares and caches statements,
# and after five runs PostgreSQL may switch to a generic plan that cannot see, say, that
# a LIKE pattern is rare, and walks an index over the whole table instead of scanning.
#
# No JIT: it compiles a query whose estimated cost is high (an aggregate over 100k
# enterprises with EXISTS probes) for ~180 ms, longer than the query then runs.
#
# No parallel workers: starting one costs more than a page's query saves (licence
# expiring in a county, at a million enterprises: 35 ms with one, 18 ms without), and
# many requests at once keep the cores busy anyway.
PG_SERVER_SETTINGS = {"plan_cache_mode": "force_custom_plan", "jit": "off", "max_parallel_workers_per_gather": "0"}

_engine: Engine | None = None


class ReadPoolSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLiteEngine opens a new connection, and a new thread, for every query
    outside a transaction: ~2 ms before a sub-millisecond SELECT. Here a SELECT outside
    a transaction runs on one of a few threads that each keep a read-only connection
    open (with WAL, readers never wait for the writer), in one hop from the event loop.

    It opens a new connection for every transaction too: ~1.3 ms to connect and close,
    and ~1 ms more for the first statement, which reads the schema again. Here the
    process's transactions take turns on one connection kept open (its writer), so they
    queue on a lock in the order they came instead of polling SQLite's busy timeout;
    other processes' writers still queue on that timeout. Writes outside a transaction
    and DDL go the way Piccolo sends them."""

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._readers: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._here: sqlite3.Connection | None = None
        self._writer: Any = None  # an aiosqlite connection, opened by the first transaction
        self._writing = asyncio.Lock()

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return _WriterTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def lease_writer(self) -> _Lease:
        """The writer, for one transaction: held until the lease is given back. Waiting
        longer than SQLite's busy timeout fails as SQLite's own wait would."""
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_S):
                await self._writing.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None
        try:
            if self._writer is None:
                self._writer = await self.get_connection()
        except BaseException:
            self._writing.release()
            raise
        return _Lease(self._writer)

    def give_back(self, lease: _Lease, clean: bool) -> None:
        """End a lease. A transaction that did not end cleanly (a COMMIT that failed, a
        request cancelled while it began) may have left its connection inside a
        transaction: that connection is closed after whatever it still has queued (an
        open transaction rolls back when it closes), and the next lease opens another."""
        if lease.given_back:
            return
        lease.given_back = True
        if not clean or lease.connection.in_transaction:
            self._writer = None
            lease.connection.stop()
        self._writing.release()

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None, query_type: str = "generic",
                                     table: type[Table] | None = None) -> Any:
        if not query.lstrip()[:7].upper().startswith("SELECT"):
            return await super()._run_in_new_connection(query, args, query_type, table)
        if self._readers is None:
            self._readers = ThreadPoolExecutor(SQLITE_READERS, thread_name_prefix="sqlite-reader")
        return await asyncio.get_running_loop().run_in_executor(self._readers, self._read, query, args or [])

    async def _run_in_existing_connection(self, connection: Any, query: str, args: list[Any] | None = None,
                                          query_type: str = "generic", table: type[Table] | None = None) -> Any:
        """A statement inside a transaction, in one hop to its connection's thread (Piccolo
        makes four: it sets PRAGMA foreign_keys again, a no-op inside a transaction, then
        executes, fetches and closes the cursor one hop each: ~0.75 ms a statement)."""
        if query_type == "insert" and self.get_version_sync() < 3.35:  # no RETURNING: Piccolo reads the rowid
            return await super()._run_in_existing_connection(connection, query, args, query_type, table)
        return await connection.execute_fetchall(query, args or [])

    def _read(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # Used by this thread only; close_connections closes it once the thread is done.
            conn = self._local.conn = self._reader()
        return conn.execute(query, args).fetchall()

    def _reader(self) -> sqlite3.Connection:
        conn = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
        conn.row_factory = dict_factory
        conn.execute("PRAGMA query_only = 1")  # a SELECT that writes would fail, not write
        self._opened.append(conn)
        return conn

    def read_here(self, querystring: QueryString) -> list[dict[str, Any]]:
        """A SELECT run on the calling (event loop's) thread, over a connection kept for
        it: for a lookup by a unique key, whose ~30 µs cost less than the hop to a reader
        thread and back (~0.2 ms)."""
        if self._here is None:
            self._here = self._reader()
        return self._here.execute(*querystring.compile_string(engine_type=self.engine_type)).fetchall()

    async def close_connections(self) -> None:
        """Close the writer, once the transaction under way (if any) is done, end the
        reader threads and close their connections (the last connection to close folds
        the WAL into the database file); a later query opens new ones."""
        async with self._writing:
            writer, self._writer = self._writer, None
            if writer is not None:
                await writer.close()
        readers, opened = self._readers, self._opened
        self._readers, self._local, self._opened, self._here = None, threading.local(), [], None
        if readers is not None:
            await asyncio.to_thread(readers.shutdown)
        for conn in opened:
            conn.close()


class _Lease:
    """The engine's writer lent to one transaction. Piccolo closes a transaction's
    connection when it ends; closing a lease gives the writer back instead."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.given_back = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connection, name)

    async def close(self) -> None:
        """Called by Piccolo once the transaction committed or rolled back."""


class _GivesBack:
    """Piccolo's transactions give their connection back only when they end cleanly. A
    request cancelled while its transaction began (its client gone), or a COMMIT or
    ROLLBACK that failed, kept the connection checked out (PostgreSQL's pool of ten ran
    dry after ten) and left the task inside the transaction. Here the connection goes
    back, and the task leaves the transaction, however it ends."""

    async def __aenter__(self) -> Any:
        if self._parent is not None:
            return self._parent
        try:
            return await super().__aenter__()
        except BaseException:
            if getattr(self, "connection", None) is not None:  # checked out, then BEGIN failed or was cancelled
                await self.give_back(clean=False)
            raise

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return await super().__aexit__(exception_type, exception, traceback)
        try:
            result = await super().__aexit__(exception_type, exception, traceback)
        except BaseException:
            self.engine.current_transaction.reset(self.context)
            await self.give_back(clean=False)
            raise
        await self.give_back(clean=True)
        return result

    async def give_back(self, clean: bool) -> None:
        """Return the connection, if Piccolo did not (``clean``: it ended as it should)."""
        raise NotImplementedError


class _WriterTransaction(_GivesBack, SQLiteTransaction):
    """A transaction on the engine's kept writer (ReadPoolSQLiteEngine.lease_writer)."""

    engine: ReadPoolSQLiteEngine

    async def get_connection(self) -> _Lease:
        return await self.engine.lease_writer()

    async def give_back(self, clean: bool) -> None:
        self.engine.give_back(self.connection, clean)


class _PoolTransaction(_GivesBack, PostgresTransaction):
    """A transaction on a pooled connection, which goes back to the pool however it ends
    (the pool rolls back what is left open)."""

    async def give_back(self, clean: bool) -> None:
        if not clean:
            await self.engine.pool.release(self.connection)  # shielded; a second release does nothing


class PooledPostgresEngine(PostgresEngine):
    """Piccolo's PostgresEngine, with transactions that return their connection to the
    pool however they end (_GivesBack)."""

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return _PoolTransaction(engine=self, allow_nested=allow_nested)


def engine_for(database_url: str) -> Engine:
    """An engine for ``sqlite:///path`` or ``postgresql://…``; nothing is opened yet."""
    if database_url.startswith("sqlite:///"):
        return ReadPoolSQLiteEngine(path=database_url.removeprefix("sqlite:///"), timeout=SQLITE_BUSY_TIMEOUT_S)
    return PooledPostgresEngine(config={"dsn": database_url, "server_settings": PG_SERVER_SETTINGS})


def kind(engine: Engine) -> str:
    return "sqlite" if isinstance(engine, SQLiteEngine) else "postgresql"


def all_tables() -> list[type[Table]]:
    """Every table of every domain, plus Piccolo's own migration table."""
    return [*Finder().get_table_classes(), Migration]


def use_engine(engine: Engine) -> None:
    """Point every table (and Piccolo's migration runner) at ``engine``.

    Piccolo remembers an engine per table class; one process serves one database, so
    this is called once by the app factory, the CLI, or a test fixture.
    """
    global _engine
    from backend import piccolo_conf

    piccolo_conf.DB = engine
    for table in all_tables():
        table._meta.db = engine
    _engine = engine


def current() -> Engine:
    if _engine is None:
        raise RuntimeError("backend.db.use_engine() has not been called")
    return _engine


async def start(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_session_kept)
    else:
        Path(engine.path).parent.mkdir(parents=True, exist_ok=True)
        # WAL is a property of the file: readers no longer wait for the writer.
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def _session_kept(connection: Any) -> None:
    """A pooled connection on its way back needs nothing more than asyncpg does anyway
    when a reset function is given (it rolls back a transaction left open). Its default
    reset also runs `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`,
    a second round trip after every query Piccolo runs outside a transaction; the app
    leaves no session state to undo: its advisory locks are the transaction's
    (serialise), it runs no SET or DECLARE, and only pgqueuer's listener, a connection
    it holds, LISTENs."""


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, ReadPoolSQLiteEngine):
        await engine.close_connections()


async def ping(engine: Engine) -> None:
    """Raises if the database cannot answer a trivial query within PING_TIMEOUT_S. On
    PostgreSQL the pool replaces a connection the server closed (a restart) when it is
    next acquired, so the app recovers once the server is back."""
    async with asyncio.timeout(PING_TIMEOUT_S):
        await engine.run_ddl("SELECT 1")


@contextlib.asynccontextmanager
async def connected(database_url: str) -> AsyncIterator[Engine]:
    """Bind every table to the database at ``database_url`` for the duration (CLI, tools)."""
    engine = engine_for(database_url)
    use_engine(engine)
    await start(engine)
    try:
        yield engine
    finally:
        await stop(engine)


async def migrate(database_url: str) -> None:
    """Apply every pending migration; a second run finds none and changes nothing."""
    async with connected(database_url):
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
        if not result.success:
            raise RuntimeError(f"migration failed: {result.message}")


_committed: contextvars.ContextVar[list[Callable[[], Awaitable[Any]]] | None] = contextvars.ContextVar(
    "after_commit", default=None)


@contextlib.asynccontextmanager
async def transaction() -> AsyncIterator[Any]:
    """A write transaction. On SQLite it takes the write lock up front (IMMEDIATE) so
    that two writers queue on the busy timeout instead of failing on lock upgrade.
    Inside another transaction it is that one; the outermost one runs what
    ``after_commit`` deferred, once it has committed."""
    engine = current()
    if engine.current_transaction.get() is not None:
        async with engine.transaction() as nested:
            yield nested
        return
    deferred: list[Callable[[], Awaitable[Any]]] = []
    token = _committed.set(deferred)
    try:
        async with (engine.transaction(transaction_type=TransactionType.immediate)
                    if isinstance(engine, SQLiteEngine) else engine.transaction()) as outermost:
            yield outermost
    finally:
        _committed.reset(token)
    for callback in deferred:
        await callback()


async def after_commit(callback: Callable[[], Awaitable[Any]]) -> None:
    """Run ``callback`` once the current transaction has committed (never, if it rolls
    back; now, outside a transaction): a job queued for a row another connection must
    see. A crash between the commit and the callback loses it: a sweep finds that work."""
    deferred = _committed.get()
    if deferred is None:
        await callback()
    else:
        deferred.append(callback)


async def lookup(table: type[Table], sql: str, *args: Any) -> list[dict[str, Any]]:
    """A SELECT by a unique key that runs on every request (the session's): on SQLite,
    outside a transaction, on the event loop's own thread (ReadPoolSQLiteEngine.read_here);
    otherwise as ``table.raw``."""
    engine = current()
    if isinstance(engine, ReadPoolSQLiteEngine) and engine.current_transaction.get() is None:
        return engine.read_here(QueryString(sql, *args))
    return await table.raw(sql, *args)


async def serialise(name: str) -> None:
    """Inside a write transaction: wait until no other transaction holds ``name``, and
    hold it until commit. SQLite's IMMEDIATE transactions already run one at a time; on
    PostgreSQL this is a transaction-scoped advisory lock."""
    engine = current()
    if isinstance(engine, PostgresEngine):
        await engine.run_querystring(QueryString("SELECT pg_advisory_xact_lock(hashtext({}))", name))


async def analyze() -> None:
    """Refresh the planner's statistics, as after a bulk load (on PostgreSQL also
    vacuum: reclaim the rows a mass update left behind, mark pages all-visible)."""
    await current().run_ddl("ANALYZE" if isinstance(current(), SQLiteEngine) else "VACUUM ANALYZE")


def bureau_day(timestamp: str) -> str:
    """SQL for the bureau's calendar day (Asia/Shanghai, UTC+8 all year) of a timestamptz
    expression."""
    if isinstance(current(), SQLiteEngine):
        return f"date({timestamp}, '+8 hours')"
    return f"(({timestamp}) AT TIME ZONE 'Asia/Shanghai')::date"


def month_of(day: str) -> str:
    """SQL for the first day of the month of a date expression."""
    if isinstance(current(), SQLiteEngine):
        return f"date({day}, 'start of month')"
    return f"date_trunc('month', {day})::date"


def plus_days(day: str, days: int) -> str:
    """SQL for a date expression plus a whole number of days."""
    if isinstance(current(), SQLiteEngine):
        return f"date({day}, '{int(days):+d} days')"
    return f"(({day}) + {int(days)})"


async def bulk_insert(table: type[Table], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Load many rows fast through the driver's own bulk path (COPY on PostgreSQL,
    executemany in one transaction on SQLite). Values must already be in column order
    and of the driver's types."""
    engine = current()
    name = table._meta.tablename
    if isinstance(engine, PostgresEngine):
        async with _pg_connection(engine) as conn:
            await conn.copy_records_to_table(name, records=list(rows), columns=list(columns))
        return
    conn = await engine.get_connection()
    try:
        await conn.execute("BEGIN IMMEDIATE")
        await conn.executemany(_insert_sql(name, columns), rows)
        await conn.execute("COMMIT")
    finally:
        await conn.close()


async def insert_rows(table: type[Table], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """bulk_insert inside the current transaction (``transaction()``): thousands of rows
    in one statement's time, where building Piccolo rows one by one takes seconds."""
    engine = current()
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("insert_rows runs inside db.transaction()")
    if isinstance(engine, PostgresEngine):
        await transaction.connection.copy_records_to_table(table._meta.tablename, records=rows, columns=list(columns))
    else:
        await transaction.connection.executemany(_insert_sql(table._meta.tablename, columns), rows)


def _insert_sql(name: str, columns: Sequence[str]) -> str:
    quoted = ", ".join(f'"{column}"' for column in columns)
    return f'INSERT INTO "{name}" ({quoted}) VALUES ({", ".join("?" for _ in columns)})'


@contextlib.asynccontextmanager
async def _pg_connection(engine: PostgresEngine) -> AsyncIterator[Any]:
    if engine.pool is not None:
        async with engine.pool.acquire() as conn:
            yield conn
    else:
        conn = await engine.get_new_connection()
        try:
            yield conn
        finally:
            await conn.close()

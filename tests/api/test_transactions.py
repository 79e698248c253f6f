"""backend.db's transactions, on both databases: those sent at once take turns under
one lock name, one that fails or is cancelled leaves nothing behind, and the next one
still runs (on SQLite they share the process's kept writer connection)."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from backend import db
from backend.accounts.tables import RateLimit


async def _bump(key: str) -> None:
    """A read, then a write of what was read, plus one."""
    async with db.transaction():
        await db.serialise(key)
        row = await RateLimit.select(RateLimit.hits).where(RateLimit.key == key).first()
        await asyncio.sleep(0)  # let the others run their reads, if they could
        await RateLimit.update({RateLimit.hits: row["hits"] + 1}).where(RateLimit.key == key)


async def _hits(key: str) -> int | None:
    row = await RateLimit.select(RateLimit.hits).where(RateLimit.key == key).first()
    return None if row is None else row["hits"]


async def test_transactions_sent_at_once_each_see_the_one_before(database_url: str) -> None:
    async with db.connected(database_url):
        await RateLimit.insert(RateLimit(key="counter", window_start=0, hits=0))
        await asyncio.gather(*(_bump("counter") for _ in range(8)))
        assert await _hits("counter") == 8


async def test_a_failed_transaction_writes_nothing_and_the_next_one_runs(database_url: str) -> None:
    async with db.connected(database_url):
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await RateLimit.insert(RateLimit(key="failed", window_start=0, hits=1))
                raise RuntimeError("after the insert")
        assert await _hits("failed") is None
        async with db.transaction():
            await RateLimit.insert(RateLimit(key="next", window_start=0, hits=1))
        assert await _hits("next") == 1


async def test_transactions_cancelled_anywhere_leave_the_next_one_running(database_url: str) -> None:
    """A request cancelled (its client gone) at any point of its transaction: while it
    waits for its turn, begins, writes or commits. What it wrote is there only if it
    committed; the transactions after it run."""
    async def write(n: int) -> None:
        async with db.transaction():
            await RateLimit.insert(RateLimit(key=f"cancelled-{n}", window_start=0, hits=n))
            await RateLimit.update({RateLimit.hits: -n}).where(RateLimit.key == f"cancelled-{n}")

    async with asyncio.timeout(30):  # a connection never given back hangs the next transaction, or the pool's close
        async with db.connected(database_url):
            for n in range(30):
                task = asyncio.create_task(write(n))
                for _ in range(n % 10):  # cancelled after a different number of steps each time
                    await asyncio.sleep(0)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            await RateLimit.insert(RateLimit(key="after", window_start=0, hits=0))
            await _bump("after")
            assert await _hits("after") == 1
            written = await RateLimit.select(RateLimit.key, RateLimit.hits).where(RateLimit.key.like("cancelled-%"))
            assert all(row["hits"] == -int(row["key"].split("-")[1]) for row in written)  # whole transactions only


async def test_a_transaction_waits_for_the_writer_no_longer_than_sqlites_busy_timeout(
        database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """On SQLite a process's transactions queue for its kept writer: one that waits longer
    than the busy timeout fails as SQLite's own wait did before ("database is locked"),
    rather than waiting for ever; the next one runs once the writer is free."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's transactions wait on their rows' locks, not on one writer")
    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_S", 0.2)
    async with asyncio.timeout(10), db.connected(database_url):  # without the timeout, the second one hangs
        holding, release = asyncio.Event(), asyncio.Event()

        async def hold() -> None:
            async with db.transaction():
                await RateLimit.insert(RateLimit(key="held", window_start=0, hits=1))
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        try:
            await holding.wait()
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                await _insert("waited")
        finally:
            release.set()
            await holder
        await _insert("after")
        assert (await _hits("held"), await _hits("waited"), await _hits("after")) == (1, None, 1)


async def _insert(key: str) -> None:
    async with db.transaction():
        await RateLimit.insert(RateLimit(key=key, window_start=0, hits=1))

"""Fixtures: a fresh, migrated database per test, on SQLite or on PostgreSQL.

Each pytest-xdist worker migrates one template database once; every test gets its own
copy of it (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so tests
run in parallel without seeing each other's rows. Set DOSSIER_TEST_DATABASE_URL to a
PostgreSQL URL (its database is only used to create and drop the per-test ones) to run
the suite there.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
from pathlib import Path
from typing import AsyncIterator, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import httpx

from backend import db
from backend.app import create_app
from backend.demo import region_rows
from backend.regions import service as regions
from backend.settings import Settings

PG_URL = os.environ.get("DOSSIER_TEST_DATABASE_URL")
_counter = itertools.count()


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """The URL of a migrated, empty database that tests copy."""
    if PG_URL:
        name = f"dossier_tpl_{worker_id}_{os.getpid()}"
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = _with_database(PG_URL, name)
        asyncio.run(db.migrate(url))
        yield url
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite"
        asyncio.run(db.migrate(f"sqlite:///{path}"))
        yield f"sqlite:///{path}"


@pytest.fixture
def database_url(template_database: str, tmp_path: Path, worker_id: str) -> Iterator[str]:
    if PG_URL:
        template = urlsplit(template_database).path.lstrip("/")
        name = f"dossier_t_{worker_id}_{os.getpid()}_{next(_counter)}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        yield _with_database(PG_URL, name)
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path / "dossier.sqlite"
        shutil.copyfile(template_database.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret")


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the real app and its real database, in the test's own event
    loop, so tests may also query the database directly (the connection pool is tied to
    the loop that made it)."""
    app = create_app(settings)
    # Litestar's lifespan context spans tasks (which pytest-asyncio fixtures do not
    # allow), so its hooks run here directly.
    for hook in app.on_startup:
        await hook()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as client:
            yield client
    finally:
        for hook in app.on_shutdown:
            await hook()


@pytest.fixture
async def shandong(client: httpx.AsyncClient) -> None:
    """The real Shandong regions (province, 16 cities, their counties)."""
    await regions.insert_regions(region_rows())

"""Fixtures: a fresh, migrated database per test, on SQLite or on PostgreSQL.

Each pytest-xdist worker migrates one template database once; every test gets its own
copy of it (a file copy on SQLite, CREATE DATABASE … TEMPLATE on PostgreSQL), so tests
run in parallel without seeing each other's rows. Set DOSSIER_TEST_DATABASE_URL to a
PostgreSQL URL (its database is only used to create and drop the per-test ones) to run
the suite there.

Media go to a folder per test, or with DOSSIER_TEST_MEDIA=s3 to an object store: each
worker starts a real S3 server (SeaweedFS, tests/seaweedfs.py) and every test gets its
own key prefix in its bucket.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any, AsyncIterator, Awaitable, Callable, Coroutine, Iterator, TypeVar
from uuid import UUID
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import httpx
import time_machine

from litestar import Litestar

from backend.access import Role, SYSTEM
from backend import db
from backend.accounts import service as accounts
from backend.accounts.schemas import InvitationIn
from backend.app import create_app
from backend.clock import bureau_today
from backend.demo import region_rows
from backend.media.storage import media_store
from backend.regions import service as regions
from backend.settings import Settings
from tests.seaweedfs import SeaweedFS
from tests.softauthn import SoftAuthenticator

PG_URL = os.environ.get("DOSSIER_TEST_DATABASE_URL")
MEDIA = os.environ.get("DOSSIER_TEST_MEDIA", "local")  # or s3
ORIGIN = "http://localhost:8000"  # the default origin and RP ID (localhost) of Settings
_counter = itertools.count()
T = TypeVar("T")

# Every test runs at one fixed instant, from which the clock ticks on: no test depends on
# the day it runs. DOSSIER_TEST_NOW moves the whole suite to another instant
# (say 2028-02-29T09:00:00+08:00) to show that none depends on this one either.
TEST_NOW = datetime.fromisoformat(os.environ.get("DOSSIER_TEST_NOW") or "2026-11-24T10:00:00+08:00")


@pytest.fixture(scope="session", autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(TEST_NOW, tick=True):
        yield


async def at_once(n: int, send: Callable[[], Awaitable[httpx.Response]]) -> list[httpx.Response]:
    """The same request ``n`` times at once, as retries from a phone and a second tab
    send it: the state change it asks for must happen exactly once."""
    return list(await asyncio.gather(*(send() for _ in range(n))))


def media_record(response: httpx.Response) -> dict:
    """An upload's record as answered, but for when its derivatives were made (the job
    may finish between two answers to the same upload)."""
    return {k: v for k, v in response.json().items() if k != "derived_at"}


def dossier_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a ``dossier`` process the test's settings (its database,
    secret key and media store)."""
    env = {**os.environ, "DOSSIER_DATABASE_URL": settings.database_url, "DOSSIER_SECRET_KEY": settings.secret_key,
           "DOSSIER_MEDIA_ROOT": settings.media_root}
    if settings.s3_url:
        env |= {f"DOSSIER_{name.upper()}": str(getattr(settings, name)) for name in (
            "s3_url", "s3_bucket", "s3_access_key", "s3_secret_key", "s3_prefix", "s3_link_seconds")}
    return env


def dossier(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    """Run the ``dossier`` command on the test's database and media root."""
    return subprocess.run([sys.executable, "-m", "backend.cli", *args], cwd=Path(__file__).resolve().parents[1],
                          env=dossier_env(settings), capture_output=True, text=True, timeout=60)


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from a synchronous fixture or test, in a thread of its own: it
    works whether or not an event loop already runs here (Playwright's sync API keeps
    one running)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


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
        run_async(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        run_async(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = _with_database(PG_URL, name)
        run_async(db.migrate(url))
        yield url
        run_async(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite"
        run_async(db.migrate(f"sqlite:///{path}"))
        yield f"sqlite:///{path}"


@pytest.fixture
def database_url(template_database: str, tmp_path: Path, worker_id: str) -> Iterator[str]:
    if PG_URL:
        template = urlsplit(template_database).path.lstrip("/")
        name = f"dossier_t_{worker_id}_{os.getpid()}_{next(_counter)}"
        run_async(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        yield _with_database(PG_URL, name)
        run_async(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        path = tmp_path / "dossier.sqlite"
        shutil.copyfile(template_database.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """A real S3 server for this worker, with one bucket (DOSSIER_TEST_MEDIA=s3)."""
    with SeaweedFS(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


def s3_settings(s3: SeaweedFS) -> dict[str, Any]:
    """The Settings fields for media in a prefix of their own in the server's bucket."""
    return {"s3_url": s3.url, "s3_bucket": s3.bucket, "s3_access_key": s3.access_key, "s3_secret_key": s3.secret_key,
            "s3_prefix": f"test-{next(_counter)}-{os.urandom(4).hex()}"}


def media_settings(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The Settings fields that choose the test's media store: the folder (the default
    media_root), or with DOSSIER_TEST_MEDIA=s3 the worker's S3 server."""
    return s3_settings(request.getfixturevalue("seaweedfs")) if MEDIA == "s3" else {}


@pytest.fixture
def settings(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret", media_root=str(tmp_path / "media"),
                    **media_settings(request))


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    """The real app on its real database, in the test's own event loop, so tests may
    also query the database directly (the connection pool is tied to the loop that made
    it). Litestar's lifespan context spans tasks, which pytest-asyncio fixtures do not
    allow, so its hooks run here directly."""
    app = create_app(settings)
    for hook in app.on_startup:
        if inspect.isawaitable(result := hook()):
            await result
    try:
        yield app
    finally:
        for hook in app.on_shutdown:
            if inspect.isawaitable(result := hook()):
                await result


def http_client(app: Litestar) -> httpx.AsyncClient:
    """A browser-like client: its own cookie jar, and the CSRF cookie echoed in the
    header on every write, as the PWA does."""

    async def csrf(request: httpx.Request) -> None:
        if request.method not in ("GET", "HEAD", "OPTIONS") and (token := client.cookies.get("dossier_csrf")):
            request.headers.setdefault("x-csrf-token", token)

    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=ORIGIN, event_hooks={"request": [csrf]}
    )
    return client


@pytest.fixture
def settle(app: Litestar, settings: Settings) -> Callable[[], Awaitable[None]]:
    """Waits until the job queue has made every queued derivative: on SQLite the app's own
    worker is waited for; on PostgreSQL a worker runs until the queue is empty."""
    return partial(app.state.jobs.settle, media_store(settings))


async def fetched(client: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response:
    """GET ``url`` as a browser does: when the app redirects to a presigned link of the
    object store, that link is fetched (with the same headers, Range included)."""
    response = await client.get(url, **kwargs)
    if response.status_code != 307:
        return response
    async with httpx.AsyncClient() as direct:
        return await direct.get(response.headers["location"], headers=kwargs.get("headers"))


@pytest.fixture
async def anon(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """A visitor who is not signed in (but holds a CSRF cookie, like any page visitor)."""
    async with http_client(app) as client:
        await client.get("/api/health")
        yield client


@pytest.fixture
async def shandong(app: Litestar) -> None:
    """The real Shandong regions (province, 16 cities, their counties)."""
    await regions.insert_regions(region_rows())


SignIn = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def sign_in(app: Litestar, shandong: None) -> AsyncIterator[SignIn]:
    """``await sign_in(role, region_code=…, enterprise_id=…)``: a new client signed in as a
    new user, enrolled through the real WebAuthn ceremony with a software authenticator
    (the authenticator is on ``client.authenticator``)."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(role: str, region_code: str | None = None, enterprise_id: Any = None,
                       name: str | None = None) -> httpx.AsyncClient:
            client = await stack.enter_async_context(http_client(app))
            await client.get("/api/health")
            token = await invitation_token(role, region_code, enterprise_id, name or f"{role} {region_code or ''}")
            client.authenticator = SoftAuthenticator()  # type: ignore[attr-defined]
            response = await enrol(client, client.authenticator, token)  # type: ignore[attr-defined]
            assert response.status_code == 201, response.text
            return client

        yield make


async def invitation_token(role: str, region_code: str | None, enterprise_id: Any, name: str) -> str:
    """An invitation made by the system itself, as `dossier invite` makes one."""
    data = InvitationIn(role=Role(role), display_name=name, region_code=region_code,
                        enterprise_id=UUID(str(enterprise_id)) if enterprise_id else None)
    invitation = await accounts.invite(SYSTEM, data, ORIGIN, bureau_today())
    return invitation.link.rsplit("/", 1)[1]


async def enrol(client: httpx.AsyncClient, authenticator: SoftAuthenticator, token: str, **create: Any) -> httpx.Response:
    """The enrolment ceremony a browser performs when its user opens an invitation link."""
    start = await client.post("/api/auth/enrol/options", json={"invitation": token})
    assert start.status_code == 201, start.text
    credential = authenticator.create(start.json()["options"], create.pop("origin", ORIGIN), **create)
    return await client.post("/api/auth/enrol", json={"ceremony": start.json()["ceremony"], "credential": credential})


async def sign_in_with(client: httpx.AsyncClient, authenticator: SoftAuthenticator, **get: Any) -> httpx.Response:
    """The usernameless sign-in ceremony."""
    start = await client.post("/api/auth/sign-in/options")
    assert start.status_code == 201, start.text
    credential = authenticator.get(start.json()["options"], get.pop("origin", ORIGIN), **get)
    return await client.post("/api/auth/sign-in", json={"ceremony": start.json()["ceremony"], "credential": credential})


@pytest.fixture
async def client(sign_in: SignIn) -> httpx.AsyncClient:
    """Signed in as a province-level admin: sees and may change the whole registry."""
    return await sign_in("admin", "370000", name="省局管理员")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in its
    worker for the rest of the session, and an async test cannot start one after it."""
    items.sort(key=lambda item: item.path.is_relative_to(Path(__file__).parent / "e2e"))

"""What the benchmarks share: a scratch database, the real server, a signed-in session,
timing and percentiles."""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend import clock, db  # noqa: E402
from backend.documents import service as documents  # noqa: E402
from backend.documents.tables import Document  # noqa: E402
from backend.accounts import service as accounts  # noqa: E402
from backend.accounts.tables import User  # noqa: E402


@contextlib.contextmanager
def scratch_database(admin_url: str | None) -> Iterator[str]:
    """A new, empty database: a temporary SQLite file, or a database created on the
    PostgreSQL server of ``admin_url`` and dropped afterwards."""
    folder = tempfile.mkdtemp(prefix="dossier-bench-")
    name = f"dossier_bench_{os.getpid()}"
    try:
        if admin_url:
            asyncio.run(_pg(admin_url, f'CREATE DATABASE "{name}"'))
            yield urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
        else:
            yield f"sqlite:///{folder}/bench.sqlite"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if admin_url:
            asyncio.run(_pg(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def admin_session(region_code: str = "370000") -> str:
    """A session token for a new admin of ``region_code`` (the bound database)."""
    return (await signed_in("admin", region_code, "bench admin"))[1]


async def signed_in(role: str, region_code: str, name: str) -> tuple[uuid.UUID, str]:
    """A new user of ``role`` in ``region_code`` (the bound database), and a session token for them."""
    user_id = uuid.uuid4()
    await User.insert(User(id=user_id, display_name=name, role=role, region_code=region_code))
    scope = await accounts.scope_of_user(user_id)
    async with db.transaction():
        return user_id, await accounts.start_session(scope, "bench", 24, await accounts.place_of(scope))


STARTUP_S = 60  # how long the server may take to start (importing the app on a busy machine)


def environment(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a `dossier` command on ``database_url`` (``settings`` as DOSSIER_* variables)."""
    return {**os.environ, "DOSSIER_DATABASE_URL": database_url, "DOSSIER_SECRET_KEY": "bench",
            **{f"DOSSIER_{k.upper()}": v for k, v in settings.items()}}


@contextlib.contextmanager
def server(database_url: str, session_token: str, **settings: str) -> Iterator[httpx.Client]:
    """`dossier serve` in its own process (``settings`` as DOSSIER_* variables), and a
    signed-in HTTP client for it; the client's ``server_pid`` is the process that serves
    (granian's worker, a child of its main process: the first, with DOSSIER_WORKERS > 1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = environment(database_url, port=str(port), **settings)
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=log)
    try:
        client = httpx.Client(base_url=f"http://localhost:{port}", timeout=60, cookies={"dossier_session": session_token})
        for _ in range(STARTUP_S * 10):
            try:
                if client.get("/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            log.seek(0)
            raise SystemExit(f"the server did not start:\n{log.read().decode(errors='replace')[-2000:]}")
        if database_url.startswith("sqlite"):
            asyncio.run(_start_up_renders_done(database_url))
        client.headers["x-csrf-token"] = client.cookies["dossier_csrf"]  # writes echo the CSRF cookie
        worker, *_ = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        client.server_pid = int(worker)  # type: ignore[attr-defined]
        yield client
    finally:
        process.terminate()
        process.wait(10)


async def _start_up_renders_done(database_url: str, timeout_s: float = 300) -> None:
    """Until the PDFs the server queued at start are rendered (on SQLite the app renders
    the demo's recent documents in its own process): measurements start on an idle server."""
    async with db.connected(database_url):
        for _ in range(int(timeout_s * 5)):
            if not await Document.exists().where(Document.sha256.is_null(),
                                                 Document.issued_at >= clock.now() - documents.RECENT):
                return
            await asyncio.sleep(0.2)
    raise SystemExit("the server's start-up renders did not finish")


def memory_baseline_kb(pid: int) -> int:
    """The process's memory now (VmRSS), from which its peak (VmHWM) counts again: the
    peak is reset (clear_refs 5), so an earlier one (a PDF rendered at start) is not
    taken for the growth measured from here."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return memory_kb(pid, "VmRSS")


def memory_kb(pid: int, field: str) -> int:
    """A /proc/PID/status figure in kB: VmRSS (now) or VmHWM (the peak so far)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class Fetch:
    """Requests on one kept-alive connection of the standard library's http.client, signed
    in as ``client`` is: for timing the server, since httpx spends some 0.65 ms of its own
    on each request (measured here: /api/health answered in 1.02 ms through httpx, in
    0.35 ms through this), and more on a large upload (it encodes the multipart body)."""

    def __init__(self, client: httpx.Client) -> None:
        self.conn = http.client.HTTPConnection(client.base_url.host, client.base_url.port)
        self.headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in client.cookies.items())}
        if "x-csrf-token" in client.headers:
            self.headers["X-CSRF-Token"] = client.headers["x-csrf-token"]

    def __call__(self, path: str, params: dict[str, object] | None = None) -> bytes:
        return self.send("GET", f"{path}?{urlencode(params)}" if params else path)

    def send(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> bytes:
        """The response's body; SystemExit for an error status."""
        headers = {**self.headers, "Content-Type": content_type} if content_type else self.headers
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        answer = response.read()
        if response.status >= 400:
            raise SystemExit(f"{method} {path}: {response.status} {answer[:500]!r}")
        return answer


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    """A multipart/form-data body of ``fields`` and one file, and its Content-Type."""
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls, after one untimed warm-up call."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)

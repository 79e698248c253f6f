"""Browser tests: the real server in its own process, Debian's Chromium driven by
Playwright, passkeys answered by Chromium's virtual authenticator. Never skipped: a
missing browser or an unbuilt app is a failure with a message saying how to fix it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from backend import db, demo
from backend.webapp import DIST
from tests.conftest import run_async

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make test` installs it (apt-get install chromium)"
    assert (DIST / "index.html").exists(), "The PWA is not built: `make test` builds it (npm ci && npm run build in pwa/)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """`dossier serve` on a free port over this test's database, with 30 demo enterprises.
    The origin is http://localhost:PORT: a passkey needs a domain name, not an IP."""
    run_async(_seed(database_url))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DOSSIER_DATABASE_URL": database_url, "DOSSIER_PORT": str(port), "DOSSIER_SECRET_KEY": "e2e"}
    server = subprocess.Popen([sys.executable, "-m", "backend.cli", "serve"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    origin = f"http://localhost:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(f"{origin}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError(f"the server did not start: {server.stderr.read().decode() if server.stderr else ''}")
        yield origin
    finally:
        server.terminate()
        server.wait(10)


async def _seed(database_url: str) -> None:
    async with db.connected(database_url):
        await demo.load(30)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone-sized page (390x844, zh-CN) whose browser holds a virtual passkey
    authenticator with user verification (fingerprint) that always succeeds."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", device_scale_factor=2)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    """Each main screen at 390x844, kept as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)

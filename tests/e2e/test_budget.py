"""The app shell's weight budget: all JavaScript and CSS under 200 KB gzipped, so that a
phone on one bar of signal gets the app in a few seconds."""

from __future__ import annotations

import gzip

from backend.webapp import DIST

BUDGET_BYTES = 200 * 1024


def test_app_shell_fits_the_budget() -> None:
    assets = [p for p in (DIST / "assets").glob("*") if p.suffix in (".js", ".css")]
    assert assets, "The PWA is not built: `make test` builds it"
    gzipped = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in assets)
    print(f"app shell: {gzipped / 1024:.1f} KB gzipped in {len(assets)} files (budget {BUDGET_BYTES // 1024} KB)")
    assert gzipped < BUDGET_BYTES

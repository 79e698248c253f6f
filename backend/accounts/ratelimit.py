"""Fixed-window rate limits kept in the database, so they hold across app workers."""

from __future__ import annotations

import time

from backend.accounts.tables import RateLimit
from backend.errors import TooManyRequests

# (attempts, window in seconds)
SIGN_IN_PER_ADDRESS = (30, 60)
SIGN_IN_PER_CREDENTIAL = (10, 60)
REGISTER_PER_ADDRESS = (10, 60)


async def hit(key: str, limit: tuple[int, int]) -> None:
    """Count one attempt under ``key``; TooManyRequests once the window's budget is spent."""
    attempts, window = limit
    now = int(time.time())
    start = now - now % window
    rows = await RateLimit.raw(
        "INSERT INTO rate_limit (key, window_start, hits) VALUES ({}, {}, 1) "
        "ON CONFLICT (key) DO UPDATE SET "
        "hits = CASE WHEN rate_limit.window_start = excluded.window_start THEN rate_limit.hits + 1 ELSE 1 END, "
        "window_start = excluded.window_start "
        "RETURNING hits",
        key,
        start,
    )
    if rows[0]["hits"] > attempts:
        retry_after = max(1, start + window - now)
        raise TooManyRequests(f"Too many attempts; try again in {retry_after} seconds.", retry_after)

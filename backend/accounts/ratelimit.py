"""Rate limits kept in the database, so they hold across app workers."""

from __future__ import annotations

from backend import clock

from backend.accounts.tables import RateLimit
from backend.errors import TooManyRequests

# (attempts, window in seconds)
SIGN_IN_PER_ADDRESS = (30, 60)
SIGN_IN_PER_CREDENTIAL = (10, 60)
REGISTER_PER_ADDRESS = (10, 60)


async def hit(key: str, limit: tuple[int, int]) -> None:
    """Count one attempt under ``key``; TooManyRequests once the budget is spent. A
    window opens at the first attempt and lasts ``window`` seconds."""
    attempts, window = limit
    now = int(clock.now().timestamp())
    rows = await RateLimit.raw(
        "INSERT INTO rate_limit (key, window_start, hits) VALUES ({}, {}, 1) "
        "ON CONFLICT (key) DO UPDATE SET "
        "hits = CASE WHEN rate_limit.window_start > {} THEN rate_limit.hits + 1 ELSE 1 END, "
        "window_start = CASE WHEN rate_limit.window_start > {} THEN rate_limit.window_start ELSE {} END "
        "RETURNING hits, window_start",
        key,
        now,
        now - window,
        now - window,
        now,
    )
    hits, start = rows[0]["hits"], rows[0]["window_start"]
    if hits > attempts:
        retry_after = max(1, start + window - now)
        raise TooManyRequests(f"Too many attempts; try again in {retry_after} seconds.", retry_after)

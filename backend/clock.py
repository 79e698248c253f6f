"""Time, from one source. Services ask ``now()`` for the instant and the ``today``
dependency (``bureau_today``) for the bureau's date; tests freeze both with time-machine.

Dates are Asia/Shanghai dates, whatever the server's zone.
"""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

BUREAU_TIME = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """The current instant, time-zone aware (UTC)."""
    return datetime.now(timezone.utc)


def bureau_today() -> date:
    return now().astimezone(BUREAU_TIME).date()

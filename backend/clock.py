"""Time, from one source. Services ask ``now()`` for the instant and the ``today``
dependency (``bureau_today``) for the bureau's date; tests freeze both with time-machine.

Dates are Asia/Shanghai dates, whatever the server's zone.
"""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BUREAU_TIME = ZoneInfo("Asia/Shanghai")
PHONE_DRIFT = timedelta(minutes=10)  # how far ahead of ours a phone's clock may run


def now() -> datetime:
    """The current instant, time-zone aware (UTC)."""
    return datetime.now(timezone.utc)


def bureau_today() -> date:
    return now().astimezone(BUREAU_TIME).date()


def in_future(instant: datetime) -> bool:
    """Whether a phone's reading of the time lies ahead of now by more than its clock may drift."""
    return instant > now() + PHONE_DRIFT

"""Time as the bureaus keep it: dates are Asia/Shanghai dates, whatever the server's zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

BUREAU_TIME = ZoneInfo("Asia/Shanghai")


def bureau_today() -> date:
    return datetime.now(BUREAU_TIME).date()

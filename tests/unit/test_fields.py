"""Shared request field rules: instants carry a time zone, dates lie in 2000–2100, and
every refusal names its field in words."""

from __future__ import annotations

from datetime import date

import msgspec
import pytest

from backend.fields import AwareDatetime, Strict, error_field, humanise


class Inner(Strict, kw_only=True):
    day: date | None = None


class Body(Strict, kw_only=True):
    at: AwareDatetime | None = None
    inner: Inner | None = None


def refusal(value: dict) -> tuple[str | None, str]:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(value, Body, strict=False)
    return error_field(str(caught.value)), humanise(str(caught.value))


def test_an_instant_without_a_time_zone_is_refused_by_name() -> None:
    field, message = refusal({"at": "2026-11-24T09:30:00"})
    assert field == "at" and "time zone" in message


@pytest.mark.parametrize("day", ["1999-12-31", "2101-01-01", "0202-03-04"])
def test_dates_outside_2000_to_2100_are_refused_by_name(day: str) -> None:
    assert refusal({"inner": {"day": day}}) == ("inner.day", "Expected a date that must lie between 2000-01-01 and 2100-12-31")
    assert refusal({"at": f"{day}T09:30:00+08:00"})[0] == "at"


def test_dates_in_the_era_pass() -> None:
    body = msgspec.convert({"at": "2000-01-01T00:00:00+08:00", "inner": {"day": "2100-12-31"}}, Body, strict=False)
    assert body.inner and body.inner.day == date(2100, 12, 31)

"""Field types shared by every domain's request bodies, with the sentence a person reads
when a value does not fit (msgspec would only print the pattern)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from backend.errors import Invalid

# Every date or instant a request carries lies in this era: a year typed as 0202 or
# 20266 is a slip of the thumb, not a record.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
OUT_OF_ERA = f"must lie between {EARLIEST} and {LATEST}"

# An instant always carries its time zone: a phone's "09:30" alone is not a time.
AwareDatetime = Annotated[datetime, Meta(tz=True, description="An instant with its time zone (ISO 8601), "
                                                             "e.g. 2026-11-24T09:30:00+08:00")]


class Strict(msgspec.Struct, forbid_unknown_fields=True):
    """A request body: a field it does not know is refused, and every date or instant
    in it lies between EARLIEST and LATEST."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            day = value.date() if isinstance(value, datetime) else value
            if isinstance(day, date) and not EARLIEST <= day <= LATEST:
                raise ValueError(f"`{name}` {OUT_OF_ERA}")

# Printable text: control characters (NUL above all, which PostgreSQL refuses) are a 400
# naming the field, never a database error.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SIX_DIGITS = r"^\d{6}$"
PHONE = r"^[0-9+\-() ]*$"


def _reason(*, code: str, **params: Any) -> tuple[str, dict[str, Any]]:
    return code, params


PATTERN_REASONS = {PRINTABLE: _reason(code="control_characters"), SIX_DIGITS: _reason(code="region_code_format"),
                   PHONE: _reason(code="phone_format")}

PATTERN_MESSAGES = {
    PRINTABLE: "must not contain control characters",
    SIX_DIGITS: "must be a 6-digit GB/T 2260 region code",
    PHONE: "may hold only digits, spaces and + - ( )",
}


def text(max_length: int, min_length: int = 0, description: str | None = None) -> Any:
    return Annotated[str, Meta(min_length=min_length, max_length=max_length, pattern=PRINTABLE, description=description)]


def humanise(message: str) -> str:
    """msgspec's "Expected `str` matching regex '…'" as a sentence, for known patterns."""
    for pattern, sentence in PATTERN_MESSAGES.items():
        if f"matching regex {pattern!r}" in message:
            return f"Expected text that {sentence}"
    if "with a timezone component" in message:
        return "Expected a date and time with its time zone, e.g. 2026-11-24T09:30:00+08:00"
    if OUT_OF_ERA in message:
        return f"Expected a date that {OUT_OF_ERA}"
    return message


_LIMIT = re.compile(r"^Expected `(\w+)`(?: of length)? ([<>]=?) (\S+)")


def reason_of(message: str) -> tuple[str, dict[str, Any]]:
    """A msgspec or Litestar validation message as a stable code and its params, for the
    PWA to say in the user's language (backend.errors); the message itself when no code
    fits better (code "invalid_field", params {"reason": message})."""
    message = message.split(" - at ")[0]
    for pattern, reason in PATTERN_REASONS.items():
        if f"matching regex {pattern!r}" in message:
            return reason
    if "with a timezone component" in message:
        return _reason(code="instant_needs_zone")
    if OUT_OF_ERA in message:
        return _reason(code="date_out_of_era", earliest=EARLIEST.isoformat(), latest=LATEST.isoformat())
    if limit := _LIMIT.match(message):
        kind, sign, bound = limit.groups()
        sized = " of length " in message
        return _reason(code="value_too_large" if "<" in sign else "value_too_small", bound=bound, strict="=" not in sign,
                       kind="text" if kind == "str" and sized else "list" if sized else "number")
    if unknown := _UNKNOWN_FIELD.search(message):
        return _reason(code="field_unknown", name=unknown.group(1))
    if missing := _MISSING_FIELD.search(message) or re.search(r"Missing required \w+ parameter '([^']+)'", message):
        return _reason(code="field_missing", name=missing.group(1))
    if expected := re.match(r"^Expected `([^`]+)`, got `([^`]+)`", message):
        return _reason(code="wrong_type", expected=expected.group(1), got=expected.group(2))
    if enum := re.match(r"^Invalid enum value (.+)$", message):
        return _reason(code="enum_value", value=enum.group(1).strip("'"))
    if "RFC3339" in message or "ISO 8601" in message:
        return _reason(code="date_format")
    if message.startswith("Invalid UUID"):
        return _reason(code="uuid_format")
    return _reason(code="invalid_field", reason=message)


_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
_AT_PATH = re.compile(r" - at `\$\.([^`]+)`")
_STRICT_RULE = re.compile(rf"^`([^`]+)` {OUT_OF_ERA}")


def error_field(message: str) -> str | None:
    """The field a msgspec validation message is about, if it names one."""
    if unknown := _UNKNOWN_FIELD.search(message):
        return unknown.group(1)
    path = _AT_PATH.search(message)
    if named := _MISSING_FIELD.search(message) or _STRICT_RULE.search(message):
        return f"{path.group(1)}.{named.group(1)}" if path else named.group(1)
    return path.group(1) if path else None


def field_of(key: str, message: str) -> str:
    """The whole name of the field a Litestar validation error is about. Litestar gives
    the path of the object at fault ("data" for the body itself); msgspec's message may
    name a field within that object (a missing one, or a date out of the era)."""
    if key == "data":
        return error_field(message) or "body"
    named = _MISSING_FIELD.search(message) or _STRICT_RULE.search(message)
    return f"{key}.{named.group(1)}" if named else key


def check_period(start: date | None, end: date | None, start_field: str = "start", end_field: str = "end") -> None:
    """A period a request asks about (query parameters, either end may be open): each day
    in the era, the end not before the start, at most ten years long; else Invalid
    naming the field."""
    for day, field in ((start, start_field), (end, end_field)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise Invalid(f"A date {OUT_OF_ERA}.", field, code="date_out_of_era", params={"earliest": EARLIEST, "latest": LATEST})
    if start is None or end is None:
        return
    if end < start:
        raise Invalid("The period ends before it starts.", end_field, code="period_reversed")
    if end >= _years_after(start, 10):
        raise Invalid("A period is at most ten years long.", end_field, code="period_too_long")


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year that has none
        return date(day.year + years, 3, 1)

"""Field types shared by every domain's request bodies, with the sentence a person reads
when a value does not fit (msgspec would only print the pattern)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from msgspec import Meta

# Printable text: control characters (NUL above all, which PostgreSQL refuses) are a 400
# naming the field, never a database error.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SIX_DIGITS = r"^\d{6}$"
PHONE = r"^[0-9+\-() ]*$"

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
    return message


_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")
_MISSING_FIELD = re.compile(r"missing required field `([^`]+)`")
_AT_PATH = re.compile(r" - at `\$\.([^`]+)`")


def error_field(message: str) -> str | None:
    """The field a msgspec validation message is about, if it names one."""
    if unknown := _UNKNOWN_FIELD.search(message):
        return unknown.group(1)
    path = _AT_PATH.search(message)
    if missing := _MISSING_FIELD.search(message):
        return f"{path.group(1)}.{missing.group(1)}" if path else missing.group(1)
    return path.group(1) if path else None

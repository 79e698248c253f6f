"""Keyset pagination with signed cursors.

A cursor carries the sort it belongs to and the sort key of the last row served, signed
with the server's secret: an edited or truncated cursor is refused with a 400 instead of
silently jumping to another page. Pages never use OFFSET, so page 1,000 costs what page 1
does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from backend.errors import Invalid

_SIG_BYTES = 16


class CursorCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"cursor:" + secret.encode()).digest()

    def encode(self, sort: str, key: list[Any]) -> str:
        payload = json.dumps([sort, key], separators=(",", ":"), ensure_ascii=False).encode()
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(self, cursor: str, sort: str) -> list[Any]:
        """The sort key stored in ``cursor``; Invalid if it was altered or made for
        another sort order."""
        tampered = Invalid("This page cursor is damaged or was altered; start again from the first page.", "cursor")
        body, _, sig = cursor.partition(".")
        try:
            payload = _unb64(body)
            ok = hmac.compare_digest(_unb64(sig), self._sign(payload))
            cursor_sort, key = json.loads(payload) if ok else (None, None)
        except (ValueError, TypeError):
            raise tampered from None
        if not ok or not isinstance(key, list):
            raise tampered
        if cursor_sort != sort:
            raise Invalid(
                f"This cursor belongs to sort={cursor_sort!r}, not sort={sort!r}; start again from the first page.",
                "cursor",
            )
        return key

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_SIG_BYTES]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

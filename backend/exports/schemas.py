"""Export jobs' request and answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from backend.exports.tables import ExportStatus
from backend.fields import Strict

Format = Literal["csv", "xlsx"]
QueryValue = str | int | float | bool | None


class ExportJobIn(Strict, kw_only=True):
    id: UUID  # the client's: asking again with it is the same job
    list: Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[a-z-]+$")]
    format: Format
    query: Annotated[dict[str, QueryValue], msgspec.Meta(max_length=30)] = {}  # the list's query parameters


class ExportJobOut(msgspec.Struct, kw_only=True):
    id: UUID
    list: str
    format: Format
    query: dict[str, Any]
    status: ExportStatus
    rows_done: int
    rows_total: int | None  # known for a counted list, once its first page is read
    file_size: int | None  # once done
    error_code: str | None  # when failed: what errors.js says of it
    error_params: dict[str, Any]  # and what its sentence names
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime  # the job and its file are gone after this

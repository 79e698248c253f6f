"""Signed cursors, and the keyset pages every list is served in (walked here over the
Shandong regions: 1 province, 16 cities and 136 counties, so that the level ties)."""

from datetime import datetime, timezone
from typing import Any
from uuid import uuid4

import pytest

from backend.audit.tables import AuditEvent
from backend.enterprises.tables import Enterprise
from backend.errors import Invalid
from backend.pagination import CursorCodec, kind_of, page
from backend.regions.tables import Region

REGIONS = 153
in_shandong = pytest.mark.usefixtures("shandong")


def test_round_trip() -> None:
    codec = CursorCodec("k")
    cursor = codec.encode("name", ["惠民县", "2b0c"])
    assert codec.decode(cursor, "name") == ["惠民县", "2b0c"]


def test_another_secret_cannot_forge() -> None:
    forged = CursorCodec("other").encode("name", ["a", "b"])
    with pytest.raises(Invalid) as e:
        CursorCodec("k").decode(forged, "name")
    assert e.value.field == "cursor"


def test_sort_is_bound_into_the_cursor() -> None:
    codec = CursorCodec("k")
    with pytest.raises(Invalid, match="sort='name'"):
        codec.decode(codec.encode("name", ["a", "b"]), "-name")


async def _walk(order: tuple, size: int, descending: bool = False, kind: str = "regions") -> list[list[dict]]:
    """Every page of the regions in ``order``, following the cursors."""
    cursors, pages, cursor = CursorCodec("k"), [], None
    while True:
        rows, cursor = await page(Region.select(Region.code, Region.level), order, size, cursor, cursors, kind=kind,
                                  descending=descending)
        pages.append(rows)
        if cursor is None:
            return pages


@in_shandong
@pytest.mark.parametrize("descending", [False, True])
async def test_pages_follow_a_key_with_ties_in_either_direction(descending: bool) -> None:
    pages = await _walk((Region.level, Region.code), 7, descending)
    everything = await Region.select(Region.code, Region.level).order_by(Region.level, Region.code,
                                                                         ascending=not descending)
    assert [row for rows in pages for row in rows] == everything
    assert len(everything) == REGIONS and [len(rows) for rows in pages] == [7] * (REGIONS // 7) + [REGIONS % 7]


@in_shandong
async def test_a_unique_column_alone_is_a_key() -> None:
    pages = await _walk((Region.code,), 50, descending=True)
    codes = [row["code"] for rows in pages for row in rows]
    assert codes == sorted(codes, reverse=True) and len(codes) == REGIONS and len(pages) == 4


@in_shandong
@pytest.mark.parametrize("size, pages", [(REGIONS, 1), (REGIONS - 1, 2)])
async def test_the_last_page_has_no_cursor(size: int, pages: int) -> None:
    assert [len(rows) for rows in await _walk((Region.code,), size)] == [size, REGIONS - size][:pages]


@in_shandong
async def test_a_cursor_serves_only_its_kind() -> None:
    cursors = CursorCodec("k")
    _, cursor = await page(Region.select(), (Region.code,), 10, None, cursors, kind=kind_of("regions", ("city",)))
    assert kind_of("regions", ("city",)) == kind_of("regions", ("city",)) != kind_of("regions", ("county",))
    with pytest.raises(Invalid) as e:
        await page(Region.select(), (Region.code,), 10, cursor, cursors, kind=kind_of("regions", ("county",)))
    assert e.value.field == "cursor"


NOW = datetime(2026, 11, 24, 2, tzinfo=timezone.utc).isoformat()


@in_shandong
@pytest.mark.parametrize("table, order, key", [
    (Region, (Region.level, Region.code), ["city"]),  # too short
    (Region, (Region.level, Region.code), ["city", "370100", "370200"]),  # too long
    (Region, (Region.level, Region.code), ["city", 370100]),  # a number for text
    (AuditEvent, (AuditEvent.id,), ["12"]),  # text for a number
    (AuditEvent, (AuditEvent.id,), [True]),
    (Enterprise, (Enterprise.created_at, Enterprise.id), ["yesterday", str(uuid4())]),
    (Enterprise, (Enterprise.created_at, Enterprise.id), [NOW, "not a uuid"]),
    (Enterprise, (Enterprise.created_at, Enterprise.id), [NOW, 7]),
])
async def test_a_signed_key_that_does_not_fit_the_order_is_refused(table: Any, order: tuple, key: list) -> None:
    cursors = CursorCodec("k")
    with pytest.raises(Invalid, match="damaged") as e:
        await page(table.select(), order, 10, cursors.encode("x", key), cursors, kind="x")
    assert e.value.field == "cursor"

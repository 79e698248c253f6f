import pytest

from backend.errors import Invalid
from backend.pagination import CursorCodec


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

"""Valid request bodies for tests."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from backend.enterprises import uscc

HUIMIN = "371621"  # 惠民县, Binzhou
BINCHENG = "371602"  # 滨城区, Binzhou
LIXIA = "370102"  # 历下区, Jinan


def make_uscc(n: int, county: str = HUIMIN) -> str:
    first17 = f"91{county}{n:09d}"
    return first17 + uscc.check_character(first17)


def enterprise_body(n: int = 1, county: str = HUIMIN, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"惠民县鑫达绳网制品{n}厂",
        "uscc": make_uscc(n, county),
        "address": f"山东省滨州市惠民县李庄镇工业园{n}号",
        "county_code": county,
        "category": "industrial_products",
        "risk_grade": "B",
    }
    body.update(overrides)
    return body


def png(colour: tuple[int, int, int] = (30, 120, 200), size: tuple[int, int] = (32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


PNG = png()


def photo(seed: int = 1, size: tuple[int, int] = (640, 480), gps: tuple[float, float, float] | None = None,
          when: str | None = None, offset: str = "+08:00", orientation: int | None = None, quality: int = 90) -> bytes:
    """A phone-like JPEG: shapes that differ per seed, and EXIF with make, model,
    capture time (``when`` as "YYYY:MM:DD HH:MM:SS"), GPS (lat, lon, altitude) and
    orientation."""
    import random

    from PIL import ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        draw.rectangle([x0, y0, x0 + rng.randrange(size[0] // 2), y0 + rng.randrange(size[1] // 2)],
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    exif = Image.Exif()
    exif[271], exif[272] = "Xiaomi", "Mi 13"
    if orientation:
        exif[274] = orientation
    if when:
        detail = exif.get_ifd(0x8769)
        detail[36867], detail[36881] = when, offset
    if gps:
        lat, lon, alt = gps
        tags = exif.get_ifd(0x8825)
        tags[1], tags[2] = ("N" if lat >= 0 else "S"), _dms(abs(lat))
        tags[3], tags[4] = ("E" if lon >= 0 else "W"), _dms(abs(lon))
        tags[5], tags[6] = b"\x00", alt
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=quality)
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 4)


def pdf(complete: bool = True) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n"
    return body + (b"%%EOF\n" if complete else b"")


def png_bomb() -> bytes:
    """A tiny PNG whose header claims 20000 x 20000 pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")

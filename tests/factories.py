"""Valid request bodies for tests."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any, Callable

from PIL import Image, ImageDraw
from pypdf import PdfWriter

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


def pdf(complete: bool = True, pages: int = 1, change: Callable[[PdfWriter], Any] | None = None) -> bytes:
    """A real PDF of A4 pages (made by pypdf); ``change`` alters it before it is written
    (encrypt it, add JavaScript…); not ``complete``: cut off before its end."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if change is not None:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    body = out.getvalue()
    return body if complete else body[: len(body) * 2 // 3]


def video(container: str = "mp4", codec: str = "libx264", seconds: int = 3, size: tuple[int, int] = (160, 120),
          metadata: dict[str, str] | None = None, options: dict[str, str] | None = None) -> bytes:
    """A short real video encoded by PyAV (10 frames a second, a white box moving over a
    colour that changes): mp4/mov with libx264 or mpeg4, webm with libvpx (VP8) or libvpx-vp9."""
    import av  # only the video tests need FFmpeg

    out = io.BytesIO()
    with av.open(out, "w", format=container, options=options or {}) as output:
        output.metadata.update(metadata or {})
        stream = output.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = *size, "yuv420p"
        for n in range(seconds * 10):
            frame = Image.new("RGB", size, ((n * 8) % 256, 60, 120))
            ImageDraw.Draw(frame).rectangle((n * 4 % size[0], 10, n * 4 % size[0] + 20, 50), fill="white")
            output.mux(stream.encode(av.VideoFrame.from_image(frame)))
        output.mux(stream.encode())
    return out.getvalue()


def png_bomb() -> bytes:
    """A tiny PNG whose header claims 20000 x 20000 pixels."""
    return _png(20000, 20000, zlib.compress(b"\x00" * 64))


def damaged_png() -> bytes:
    """A PNG whole in its structure (every chunk with its CRC, the IEND at the end) whose
    pixel data is not zlib data: it opens, and fails only when its pixels are decoded."""
    return _png(64, 48, b"\x78\x9c" + bytes(range(256)) * 4, colour_type=2)


def _png(width: int, height: int, pixels: bytes, colour_type: int = 0) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")

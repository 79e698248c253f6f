"""Draws a warning notice at its paper size and 300 DPI with Pillow: the standard red
frame and heading, the template's title and text in Noto Sans CJK SC, the enterprise,
control point, bureau and date, the short code in large letters and a QR code (segno)
of the public verification URL. The PDF is the same image, one page of exactly A4/A5."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from backend.clock import BUREAU_TIME
from backend.errors import DomainError
from backend.notices.schemas import NoticeOut

DPI = 300
PIXELS = {"A4": (2480, 3508), "A5": (1748, 2480)}  # 210 x 297 mm and 148 x 210 mm at 300 DPI
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".local/share/fonts"))
SC = 2  # the face of the Noto Sans CJK collection drawn with Simplified Chinese glyphs
RED, INK, GREY, WHITE = (200, 16, 46), (30, 30, 30), (90, 90, 90), (255, 255, 255)
NO_LINE_START = "，。、；：？！）》」』”’）%"


class FontMissing(DomainError):
    """The server cannot draw Chinese: the CJK font is not installed."""

    status_code = 503


@lru_cache(maxsize=2)
def font_file(weight: str) -> Path:
    """NotoSansCJK-{weight}.ttc (Debian's fonts-noto-cjk), wherever the system keeps it."""
    name = f"NotoSansCJK-{weight}.ttc"
    for root in FONT_DIRS:
        if (found := next(iter(sorted(Path(root).rglob(name))), None)) is not None:
            return found
    raise FontMissing(f"Notices cannot be drawn: the Chinese font {name} is not installed on the server "
                      "(apt-get install fonts-noto-cjk, or run `make run`, which installs it).", code="font_missing", params={"font": name})


def _font(weight: str, size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(weight)), max(8, round(size)), index=SC)


def render(notice: NoticeOut, verify_url: str) -> Image.Image:
    width, height = PIXELS[notice.paper_size]
    s = width / PIXELS["A4"][0]  # A5 is A4 scaled down, so one layout serves both
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    margin = 150 * s
    inner = width - 2 * margin

    draw.rectangle([60 * s, 60 * s, width - 60 * s, height - 60 * s], outline=RED, width=round(18 * s))
    band_bottom = margin + 380 * s
    draw.rectangle([margin, margin, width - margin, band_bottom], fill=RED)
    draw.text((width / 2, (margin + band_bottom) / 2), "质量安全警示告知", font=_font("Bold", 180 * s), fill=WHITE, anchor="mm")

    y = band_bottom + 90 * s
    title_font = _font("Bold", 104 * s)
    for line in _wrap(notice.title, title_font, inner):
        draw.text((width / 2, y), line, font=title_font, fill=RED, anchor="mt")
        y += 140 * s
    y += 50 * s

    # The footer: who posted it where and when (left), the QR code and short code (right).
    qr = _qr(verify_url, 600 * s)
    footer_top = height - margin - qr.height - 300 * s
    body_bottom = footer_top - 100 * s
    size = 76 * s
    while True:  # the longest template fits at the largest size that leaves room for the footer
        body_font = _font("Regular", size)
        lines = [line for paragraph in notice.body.split("\n") for line in _wrap(paragraph, body_font, inner)]
        if y + len(lines) * size * 1.55 <= body_bottom or size <= 30 * s:
            break
        size *= 0.94
    for line in lines:
        draw.text((margin, y), line, font=body_font, fill=INK)
        y += size * 1.55

    draw.line([margin, footer_top - 60 * s, width - margin, footer_top - 60 * s], fill=RED, width=round(6 * s))
    qr_left = width - margin - qr.width
    centre = qr_left + qr.width / 2
    image.paste(qr, (round(qr_left), round(footer_top)))
    code_size = 150 * s
    while _font("Bold", code_size).getlength(notice.code) > qr.width + 40 * s:
        code_size *= 0.95
    draw.text((centre, footer_top + qr.height), notice.code, font=_font("Bold", code_size), fill=INK, anchor="mt")
    draw.text((centre, footer_top + qr.height + code_size * 1.25), "扫码核验真伪", font=_font("Regular", 54 * s),
              fill=GREY, anchor="mt")

    posted = notice.posted_at.astimezone(BUREAU_TIME).date()
    label_font, value_font = _font("Regular", 50 * s), _font("Bold", 62 * s)
    rows = (("企业", notice.enterprise_name), ("控制点", notice.control_point_name), ("张贴单位", notice.bureau),
            ("张贴日期", f"{posted.year}年{posted.month}月{posted.day}日"))
    left_width = qr_left - margin - 60 * s
    y = footer_top
    for label, value in rows:
        draw.text((margin, y), label, font=label_font, fill=GREY)
        y += 70 * s
        for line in _wrap(value, value_font, left_width)[:2]:
            draw.text((margin, y), line, font=value_font, fill=INK)
            y += 82 * s
        y += 30 * s
    return image


def png(notice: NoticeOut, verify_url: str) -> bytes:
    out = io.BytesIO()
    render(notice, verify_url).save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def pdf(notice: NoticeOut, verify_url: str) -> bytes:
    out = io.BytesIO()
    render(notice, verify_url).save(out, "PDF", resolution=DPI, title=f"{notice.title} {notice.code}")
    return out.getvalue()


def _qr(url: str, target: float) -> Image.Image:
    code = segno.make(url, error="m", micro=False)
    modules = code.symbol_size(scale=1, border=4)[0]
    out = io.BytesIO()
    code.save(out, kind="png", scale=max(1, round(target / modules)), border=4)
    out.seek(0)
    return Image.open(out).convert("RGB")


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break Chinese text anywhere, but never before closing punctuation."""
    lines, line = [], ""
    for char in text:
        if line and font.getlength(line + char) > width and char not in NO_LINE_START:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines

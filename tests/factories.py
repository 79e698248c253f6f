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

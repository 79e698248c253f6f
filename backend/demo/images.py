"""The demo's images: small photos of a few coloured blocks and drawn signatures, and how
they are kept in the media store, as an upload is kept."""

from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor

from PIL import Image, ImageDraw

from backend import clock
from backend.media.images import derive
from backend.media.decoded import bands
from backend.media.store import MediaStore

PHOTO_COLOURS = {"premises": (120, 140, 110), "licence": (200, 60, 50), "evidence": (150, 120, 90),
                 "notice": (225, 195, 60)}
BLOB_COLUMNS = ("sha256", "size", "mime", "width", "height", "phash", "band0", "band1", "band2", "band3", "derived_at")


def photo(rng: random.Random, category: str) -> tuple[bytes, str]:
    """A small JPEG drawn from ``rng``: a scene of a few blocks in the colours of ``category``;
    its bytes and MIME type."""
    image = Image.new("RGB", (320, 240), tuple(min(255, c + rng.randint(-30, 30)) for c in PHOTO_COLOURS[category]))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(280), rng.randrange(200)
        draw.rectangle((x, y, x + rng.randint(20, 120), y + rng.randint(15, 90)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue(), "image/jpeg"


def signature(signer: str) -> tuple[bytes, str]:
    """A drawn signature as a PNG, the same each time the same person signs; its bytes and MIME type."""
    rng = random.Random(signer)
    image = Image.new("L", (240, 80), 255)
    ImageDraw.Draw(image).line([(20 + 25 * k + rng.randint(-8, 8), rng.randint(15, 65)) for k in range(9)],
                               fill=0, width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue(), "image/png"


def store_images(store: MediaStore, found: dict[str, tuple[bytes, str]]) -> list[tuple]:
    """Keep the images (in parallel: each write waits for its fsync); their Blob rows (as BLOB_COLUMNS)."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(lambda item: _store_image(store, item[0], *item[1]), found.items()))


def _store_image(store: MediaStore, sha256: str, data: bytes, mime: str) -> tuple:
    """Keep an image as an upload is kept: the original under its hash, its derivatives."""
    temp = store.new_temp()
    temp.write_bytes(data)
    derived = derive(temp, mime)
    store.commit_original(temp, sha256, mime)
    for variant in ("thumbnail", "preview"):
        if (variant_data := getattr(derived, variant)) is not None:
            store.put_derivative(sha256, variant, variant_data)
    b = bands(derived.phash)
    return (sha256, len(data), mime, derived.width, derived.height, b["phash"], b["band0"], b["band1"], b["band2"],
            b["band3"], clock.now())

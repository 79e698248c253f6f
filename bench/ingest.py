"""Ingest benchmark: 12-megapixel phone photos through the real upload route, against
the floor of doing the same work in-process.

It generates realistic 12 MP JPEGs (4000 x 3000, textured like photos, 3-5 MB, with
EXIF) and two HEICs, then measures in one run:
- the floor: SHA-256 + decode + both derivatives + writing them, in-process;
- the acknowledgement floor: SHA-256 + writing the original into the store (its temp
  folder, fsync, rename), in-process: no decoding, what an upload cannot answer faster than;
- the upload answered: one at a time, each sent once the previous one's thumbnail and
  preview are made (as a phone's next photo arrives: a 4 MB photo takes seconds to send
  over a mobile network, its predecessor's derivatives a tenth of one), timed over the
  standard library's http.client (httpx spends milliseconds of its own encoding 4 MB);
- HTTP uploads through `dossier serve` with 1 and with 4 concurrent clients, back to back
  (each competes with its predecessors' derivatives; every upload distinct bytes, so
  nothing is skipped as already stored);
- HEIC: decode + derivatives in-process;
- the server's peak memory growth while it takes one 200 MB file.
The last line is

    RESULT jpeg_floor_ms=… http_ms_per_photo_c1=… http_over_floor_ratio=… photos_per_s_c4=… heic_ms=… rss_growth_mb_200mb=… ack_ms=… ack_floor_ms=… ack_over_floor=…

ack_over_floor is the upload's answered time (one at a time, median) over the
acknowledgement floor; http_over_floor_ratio is the back-to-back upload (1 client) over
the whole in-process floor, derivatives included.

    .venv/bin/python bench/ingest.py
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

from common import Fetch, admin_session, memory_baseline_kb, memory_kb, multipart, scratch_database, server
from PIL import Image, ImageDraw, ImageFilter

from backend import db, demo
from backend.enterprises.tables import Enterprise
from backend.media import images
from backend.media.store import LocalMediaStore


def phone_photo(seed: int, fmt: str = "JPEG") -> bytes:
    """A 4000 x 3000 photo-like image: smooth shapes over fine grain, with EXIF."""
    rng = random.Random(seed)
    size = (4000, 3000)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        r = rng.randrange(80, 900)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    base = base.filter(ImageFilter.GaussianBlur(6))
    grain = Image.effect_noise(size, 18).convert("RGB")
    photo = Image.blend(base, grain, 0.25)
    exif = Image.Exif()
    exif[271], exif[272] = "Xiaomi", "Mi 13"
    exif.get_ifd(0x8769)[36867] = "2026:11:20 10:15:00"
    out = BytesIO()
    photo.save(out, fmt, exif=exif, quality=95)
    return out.getvalue()


def unique(jpeg: bytes, n: int) -> bytes:
    """The same photo with a different JPEG comment: other bytes, same pixels."""
    comment = f"upload {n} {uuid.uuid4()}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


def floor_ms(photos: list[bytes], mime: str, folder: Path, derive: bool = True) -> list[float]:
    """What an upload costs without HTTP: hash, write the original into the store and,
    with ``derive``, decode it and write both derivatives."""
    store = LocalMediaStore(folder)
    samples = []
    for n, content in enumerate(photos):
        content = unique(content, n) if mime == "image/jpeg" else content
        started = time.perf_counter()
        temp = store.new_temp()
        temp.write_bytes(content)
        sha = hashlib.sha256(content).hexdigest()
        derived = images.derive(temp, mime) if derive else None
        store.commit_original(temp, sha)
        if derived is not None:
            store.put_derivative(sha, "thumbnail", derived.thumbnail)
            store.put_derivative(sha, "preview", derived.preview)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def post(client, enterprise_id: str, content: bytes, name: str, category: str = "evidence") -> float:
    started = time.perf_counter()
    response = client.post("/api/media", data={"id": str(uuid.uuid4()), "enterprise_id": enterprise_id, "category": category},
                           files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 201, response.text
    return (time.perf_counter() - started) * 1000


def answered(fetch: Fetch, enterprise_id: str, content: bytes) -> float:
    """Milliseconds until one upload is answered; then waits for its derivatives."""
    body, content_type = multipart({"id": str(uuid.uuid4()), "enterprise_id": enterprise_id, "category": "evidence"},
                                   "photo.jpg", content)
    started = time.perf_counter()
    media = json.loads(fetch.send("POST", "/api/media", body, content_type))
    elapsed = (time.perf_counter() - started) * 1000
    derived(fetch, media["id"])
    return elapsed


def derived(fetch: Fetch, media_id: str, timeout_s: float = 60) -> None:
    """Until the upload's thumbnail and preview are made."""
    deadline = time.monotonic() + timeout_s
    while json.loads(fetch(f"/api/media/{media_id}"))["derived_at"] is None:
        if time.monotonic() > deadline:
            raise SystemExit(f"the derivatives of {media_id} were not made within {timeout_s} s")
        time.sleep(0.01)


async def prepare(url: str) -> tuple[str, str]:
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(5)
        firm = await Enterprise.select(Enterprise.id).first()
        return str(firm["id"]), await admin_session()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=int, default=16, help="uploads per measurement")
    args = parser.parse_args()

    started = time.perf_counter()
    originals = [phone_photo(seed) for seed in range(4)]
    heics = [phone_photo(seed, "HEIF") for seed in (10, 11)]
    sizes = [len(p) / 2**20 for p in originals]
    print(f"generated 4 JPEGs of {min(sizes):.1f}-{max(sizes):.1f} MB and 2 HEICs in {time.perf_counter() - started:.0f} s")
    photos = [originals[n % len(originals)] for n in range(args.photos)]

    with tempfile.TemporaryDirectory() as folder:
        floor = statistics.median(floor_ms(photos, "image/jpeg", Path(folder, "floor")))
        heic = statistics.median(floor_ms(heics * 2, "image/heic", Path(folder, "heic")))
        ack_floor = statistics.median(floor_ms(photos, "image/jpeg", Path(folder, "ack"), derive=False))
        print(f"floor (in-process): JPEG {floor:.0f} ms, HEIC {heic:.0f} ms per photo; "
              f"hash + write only {ack_floor:.1f} ms")

        with scratch_database(None) as url:
            firm, token = asyncio.run(prepare(url))
            media = str(Path(folder, "media"))
            with server(url, token, media_root=media, media_max_mb="250") as client:
                post(client, firm, unique(photos[0], -1), "warm.jpg")  # warm up decoders and the database
                fetch = Fetch(client)
                answered(fetch, firm, unique(photos[0], -2))  # after the warm-up's derivatives
                ack = statistics.median([answered(fetch, firm, unique(p, 2000 + n)) for n, p in enumerate(photos)])
                c1 = [post(client, firm, unique(p, n), f"{n}.jpg") for n, p in enumerate(photos)]
                with ThreadPoolExecutor(4) as pool:
                    begun = time.perf_counter()
                    list(pool.map(lambda n: post(client, firm, unique(photos[n], 1000 + n), "c4.jpg"), range(args.photos)))
                    per_second = args.photos / (time.perf_counter() - begun)
            c1_ms = statistics.median(c1)
            print(f"HTTP: answered in {ack:.1f} ms one at a time; {c1_ms:.0f} ms per photo back to back with 1 client; "
                  f"{per_second:.1f} photos/s with 4 clients")

            # A fresh server for the memory test, so earlier decoding does not hide growth.
            with server(url, token, media_root=media, media_max_mb="250") as client:
                post(client, firm, images_pdf(1), "small.pdf", "licence")
                baseline = memory_baseline_kb(client.server_pid)
                post(client, firm, images_pdf(200 * 2**20), "big.pdf", "licence")
                growth = (memory_kb(client.server_pid, "VmHWM") - baseline) / 1024
            print(f"server memory: peak growth {growth:.1f} MB while taking a 200 MB file")

    print(f"RESULT jpeg_floor_ms={floor:.0f} http_ms_per_photo_c1={c1_ms:.0f} http_over_floor_ratio={c1_ms / floor:.2f} "
          f"photos_per_s_c4={per_second:.1f} heic_ms={heic:.0f} rss_growth_mb_200mb={growth:.1f} "
          f"ack_ms={ack:.1f} ack_floor_ms={ack_floor:.1f} ack_over_floor={ack / ack_floor:.2f}")
    return 0


def images_pdf(size: int) -> bytes:
    """A real PDF of about ``size`` bytes, as a scanned ledger is: one page per 2 MB scan
    (grey pixels, uncompressed: the parser reads them, never decodes them)."""
    side = 1448  # 1448² bytes ≈ 2 MB a page
    pages = max(1, size // (side * side))
    scan = bytes(range(256)) * (side * side // 256) + bytes(side * side % 256)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (3 + 3 * n) for n in range(pages))
               + b"] /Count %d >>" % pages]
    for n in range(pages):
        page, image, content = 3 + 3 * n, 4 + 3 * n, 5 + 3 * n
        draw = b"q 595 0 0 842 0 0 cm /Im Do Q"
        objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im %d 0 R >> >> "
                    b"/Contents %d 0 R >>" % (image, content),
                    b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                    b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, len(scan)) + scan + b"\nendstream",
                    b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


if __name__ == "__main__":
    raise SystemExit(main())

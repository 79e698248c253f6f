"""Export benchmark: an enterprise's evidence package past 4 GiB, the visits of a county as
XLSX, and the on-site record of a visit with 20 photos, through the real server.

Loads into a fresh database (temporary SQLite, or a scratch database on the PostgreSQL
server of --database-url) the demo registry, one enterprise with --photos distinct photos
of realistic size (phone photos as the app keeps them, ~300 KB each by default: 16,000
of them make a ZIP past 4 GiB, so ZIP64), --visits filed visits of its neighbours in its
county, and --records visits of it each citing 20 photos. Then, in one run:
- the floor: reading the same original files in-process (1 MiB reads);
- the transport floor: the same files sent by the kernel (sendfile) to curl over loopback
  TCP, no server code at all: on this 2-core machine loopback TCP, not reading, is what
  bounds any download (about 1 GB/s against reads from the page cache at several GB/s);
- the first request of each record's PDF (rendered on demand): its median;
- the evidence package downloaded over HTTP, with the server's peak RSS growth;
- the XLSX export of every visit, with the server's peak RSS growth.
The last line is

    RESULT photos=… zip_gib=… zip_over_floor=… zip_over_transport=… zip_rss_growth_mb=… xlsx_100k_s=… xlsx_rss_growth_mb=… record_pdf_ms=…

    .venv/bin/python bench/export.py
    .venv/bin/python bench/export.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Callable

from common import admin_session, memory_kb, scratch_database, server
from PIL import Image, ImageDraw, ImageFilter

from backend import db, demo
from backend.enterprises.tables import Enterprise
from backend.inspections.tables import ChecklistVersion, Visit
from backend.media import images
from backend.media.store import LocalMediaStore
from backend.media.tables import Blob, MediaItem

CHUNK = 5_000
READ = 1 << 20  # the floor's reads
BLOB_COLUMNS = ("sha256", "size", "mime", "width", "height", "crc32")
MEDIA_COLUMNS = ("id", "enterprise", "blob", "category", "caption", "original_name", "visit", "captured_at",
                 "captured_at_source", "latitude", "longitude", "flags", "taken_at", "uploaded_at", "status")
VISIT_COLUMNS = ("id", "enterprise", "province_code", "city_code", "county_code", "checklist", "visit_type",
                 "planned_date", "team", "status", "started_at", "start_latitude", "start_longitude", "answers",
                 "signatures", "conclusion", "content_hash", "submitted_at")


def kept_photo(seed: int, size: tuple[int, int] = (1800, 1350)) -> bytes:
    """A photo as a phone keeps it after upload resizing: 1800 x 1350, textured, ~300 KB."""
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(30):
        x, y, r = rng.randrange(size[0]), rng.randrange(size[1]), rng.randrange(40, 400)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    photo = Image.blend(base.filter(ImageFilter.GaussianBlur(4)), Image.effect_noise(size, 18).convert("RGB"), 0.2)
    out = BytesIO()
    photo.save(out, "JPEG", quality=85)
    return out.getvalue()


def unique(jpeg: bytes, n: int) -> bytes:
    """The same photo with a different JPEG comment: other bytes, same pixels."""
    comment = f"photo {n}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


async def load(url: str, media: Path, photos: int, visits: int, records: int) -> dict:
    await db.migrate(url)
    store = LocalMediaStore(media)
    rng = random.Random(13)
    async with db.connected(url):
        await demo.load(200, history=False, store=store)
        firm = await Enterprise.select(Enterprise.id, Enterprise.province_code, Enterprise.city_code,
                                       Enterprise.county_code).order_by(Enterprise.id).first()
        codes = (firm["province_code"], firm["city_code"], firm["county_code"])
        others = [r["id"] for r in await Enterprise.select(Enterprise.id).where(
            Enterprise.county_code == firm["county_code"], Enterprise.id != firm["id"])]
        checklist = await ChecklistVersion.select(ChecklistVersion.id, ChecklistVersion.content).output(
            load_json=True).first()
        keys = [i["key"] for s in checklist["content"]["sections"] for i in s["items"] if i["kind"] == "pass_fail"]
        now = datetime.now(timezone.utc)

        # The photos: written into the store as uploads leave them (with their CRC-32, their
        # thumbnail and preview: those of the photo they differ from by a comment only, so
        # that the server's start-up sweep finds nothing to make), recorded in bulk.
        base = [kept_photo(seed) for seed in range(4)]
        derived = []
        for photo in base:
            scratch = store.new_temp()
            scratch.write_bytes(photo)
            derived.append(images.derive(scratch, "image/jpeg"))
            scratch.unlink()
        ids, total = [], 0
        for start in range(0, photos, CHUNK):
            blobs, items = [], []
            for n in range(start, min(photos, start + CHUNK)):
                content = unique(base[n % len(base)], n)
                sha = hashlib.sha256(content).hexdigest()
                path = store.path(sha, "original")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)
                for variant in ("thumbnail", "preview"):
                    store.put_derivative(sha, variant, getattr(derived[n % len(base)], variant))
                total += len(content)
                taken = now - timedelta(minutes=n)
                media_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                ids.append((media_id, sha))
                blobs.append((sha, len(content), "image/jpeg", 1600, 1200, zlib.crc32(content)))
                items.append((media_id, firm["id"], sha, rng.choice(["premises", "evidence", "ledger", "licence"]),
                              f"第 {n} 张", f"IMG_{n:05d}.jpg", None, taken, "exif", 37.49 + n * 1e-6, 117.51, "[]",
                              taken, taken, "accepted"))
            await db.bulk_insert(Blob, BLOB_COLUMNS, blobs)
            await db.bulk_insert(MediaItem, MEDIA_COLUMNS, items)

        # The visits to export, and the visits whose records are printed (20 photos each).
        team = json.dumps([str(uuid.uuid4()), str(uuid.uuid4())])
        for start in range(0, visits, 50_000):
            rows = []
            for n in range(start, min(visits, start + 50_000)):
                at = now - timedelta(seconds=rng.randrange(365 * 86400))
                rows.append((uuid.UUID(int=rng.getrandbits(128), version=4), rng.choice(others), *codes,
                             checklist["id"], "routine", at.date(), team, "accepted", at, None, None, "[]", "[]",
                             "pass", "0" * 64, at))
            await db.bulk_insert(Visit, VISIT_COLUMNS, rows)
        cited = ids[:20]
        printed = []
        for n in range(records):
            visit_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            answers = [{"item": key, "result": "pass", "media": [str(m) for m, _ in cited] if i == 0 else []}
                       for i, key in enumerate(keys)]
            at = now - timedelta(days=n + 1)
            await db.bulk_insert(Visit, VISIT_COLUMNS, [(
                visit_id, firm["id"], *codes, checklist["id"], "routine", at.date(), team, "submitted", at, 37.49,
                117.51, json.dumps(answers), "[]", "pass", hashlib.sha256(str(visit_id).encode()).hexdigest(), at)])
            printed.append(str(visit_id))
        await db.analyze()
        return {"firm": str(firm["id"]), "total": total, "files": [sha for _, sha in ids], "printed": printed,
                "token": await admin_session()}


def floor_seconds(store: LocalMediaStore, files: list[str]) -> float:
    """Reading every original once, in-process: what any ZIP of them costs at least."""
    started = time.perf_counter()
    for sha in files:
        with open(store.path(sha, "original"), "rb") as f:
            while f.read(READ):
                pass
    return time.perf_counter() - started


def transport_seconds(store: LocalMediaStore, files: list[str]) -> float:
    """The same originals sent to curl over loopback TCP as one HTTP body, by the kernel
    (os.sendfile, no copy in Python): what any server on this machine can reach at best."""
    paths = [store.path(sha, "original") for sha in files]
    total = sum(p.stat().st_size for p in paths)
    with socket.create_server(("127.0.0.1", 0)) as listening:
        def send() -> None:
            connection, _ = listening.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % total)
                for path in paths:
                    with open(path, "rb") as f:
                        offset, size = 0, path.stat().st_size
                        while offset < size:
                            offset += os.sendfile(connection.fileno(), f.fileno(), offset, size - offset)

        sender = threading.Thread(target=send)
        sender.start()
        started = time.perf_counter()
        subprocess.run(["curl", "--silent", "--fail", "--output", "/dev/null",
                        f"http://127.0.0.1:{listening.getsockname()[1]}/"], check=True)
        elapsed = time.perf_counter() - started
        sender.join()
    return elapsed


def peak_growth_mb(pid: int, work: Callable[[], object]) -> tuple[float, float]:
    """Run ``work``; the seconds it took and the server's peak RSS growth meanwhile (sampled
    every 20 ms: VmHWM is the process's lifetime peak, so it cannot be reset)."""
    baseline = memory_kb(pid, "VmRSS")
    peak, done = baseline, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, memory_kb(pid, "VmRSS"))

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    try:
        work()
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
    return elapsed, (peak - baseline) / 1024


def download(client, path: str) -> int:
    """Fetch a download to nowhere with curl (a client that costs the 2-core machine little,
    so the figure is the server's); its size in bytes, checked against Content-Length."""
    token = client.cookies["dossier_session"]
    done = subprocess.run(["curl", "--silent", "--fail", "--output", "/dev/null", "--cookie", f"dossier_session={token}",
                           "--write-out", "%{size_download} %header{content-length}", f"{client.base_url}{path}"],
                          capture_output=True, text=True, check=True)
    received, expected = done.stdout.split()
    if int(expected) != int(received):
        raise SystemExit(f"{path}: Content-Length {expected}, received {received}")
    return int(received)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a scratch database on (default: SQLite)")
    parser.add_argument("--photos", type=int, default=16_000)
    parser.add_argument("--visits", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dossier-export-") as folder, scratch_database(args.database_url) as url:
        media = Path(folder, "media")
        begun = time.perf_counter()
        world = asyncio.run(load(url, media, args.photos, args.visits, args.records))
        print(f"loaded {args.photos} photos ({world['total'] / 2**30:.2f} GiB) and {args.visits} visits "
              f"in {time.perf_counter() - begun:.0f} s")
        floor = floor_seconds(LocalMediaStore(media), world["files"])
        print(f"floor: read {world['total'] / 2**30:.2f} GiB in {floor:.1f} s ({world['total'] / floor / 2**20:.0f} MB/s)")
        transport = transport_seconds(LocalMediaStore(media), world["files"])
        print(f"transport floor: the same bytes by sendfile to curl in {transport:.1f} s "
              f"({world['total'] / transport / 2**20:.0f} MB/s)")
        with server(url, world["token"], media_root=str(media)) as client:
            record_ms = []  # first: the package would render these records itself
            for visit_id in world["printed"]:
                record = next(d for d in client.get(f"/api/visits/{visit_id}/documents").raise_for_status().json()
                              if d["kind"] == "record")
                started = time.perf_counter()
                client.get(f"/api/documents/{record['id']}/pdf").raise_for_status()
                record_ms.append((time.perf_counter() - started) * 1000)
            record = statistics.median(record_ms)
            print(f"record with 20 photos, first request (rendered): p50 {record:.0f} ms over {len(record_ms)}")
            size = 0

            def package() -> None:
                nonlocal size
                size = download(client, f"/api/enterprises/{world['firm']}/package.zip")

            zip_s, zip_growth = peak_growth_mb(client.server_pid, package)
            print(f"package: {size / 2**30:.2f} GiB in {zip_s:.1f} s ({size / zip_s / 2**20:.0f} MB/s), "
                  f"{floor / zip_s:.2f}x the floor, {transport / zip_s:.2f}x the transport floor; "
                  f"server RSS +{zip_growth:.1f} MB")
            xlsx_s, xlsx_growth = peak_growth_mb(client.server_pid, lambda: download(client, "/api/exports/visits.xlsx"))
            print(f"visits.xlsx: {args.visits} visits in {xlsx_s:.1f} s; server RSS +{xlsx_growth:.1f} MB")
    print(f"RESULT photos={args.photos} zip_gib={size / 2**30:.2f} zip_over_floor={floor / zip_s:.2f} "
          f"zip_over_transport={transport / zip_s:.2f} "
          f"zip_rss_growth_mb={zip_growth:.1f} xlsx_100k_s={xlsx_s:.1f} xlsx_rss_growth_mb={xlsx_growth:.1f} "
          f"record_pdf_ms={record:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Resumable upload benchmark: a 200 MB video sent over tus (/api/uploads) through a link
that drops every 10 MB, against `dossier serve`.

The client streams the rest of the file in one PATCH; the link counts every byte it
carries and cuts the connection each time another 10 MB went through (bytes in flight
when it drops are lost, as on a real link). After each cut the client asks the server how
much it holds (HEAD) and resumes from there, until the last byte is in and the video is
filed. Measured: the bytes the link carried over the file's size (1.0 would be no byte
sent twice) and the server's peak memory growth while it takes the file. The video is a
short real MP4 (PyAV) padded with a `free` box to the size asked for; without PyAV, a
PDF of that size. The last line is

    RESULT file_mb=… cuts=… sent_over_size=… rss_growth_mb=…

    .venv/bin/python bench/resume.py                # 200 MB, a cut every 10 MB
    .venv/bin/python bench/resume.py --file-mb 20   # a quick check
Goals: sent_over_size at most 1.1; RSS growth under 64 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import os
import struct
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

import httpx
from common import memory_baseline_kb, memory_kb, scratch_database, server
from ingest import images_pdf, prepare

PIECE = 256 * 1024  # bytes the client hands the link at once
TUS = {"Tus-Resumable": "1.0.0"}


class Cut(Exception):
    """The link dropped."""


class Link:
    """Counts the bytes it carries and drops the connection every ``cut_every`` bytes."""

    def __init__(self, cut_every: int) -> None:
        self.cut_every, self.carried, self.since_cut, self.cuts = cut_every, 0, 0, 0

    def carry(self, path: Path, start: int) -> Iterator[bytes]:
        with open(path, "rb") as f:
            f.seek(start)
            while piece := f.read(PIECE):
                if self.since_cut >= self.cut_every:
                    self.since_cut, self.cuts = 0, self.cuts + 1
                    raise Cut
                self.carried += len(piece)
                self.since_cut += len(piece)
                yield piece


def video_file(folder: Path, size: int) -> Path:
    """A real MP4 padded to ``size`` bytes with a top-level `free` box (a PDF without PyAV)."""
    path = folder / "video.bin"
    try:
        from tests.factories import video
        head = video(seconds=2)
    except ImportError:
        path.write_bytes(images_pdf(size))
        return path
    with open(path, "wb") as f:
        f.write(head)
        padding = max(8, size - len(head))
        f.write(struct.pack(">I", padding) + b"free")
        left = padding - 8
        while left > 0:  # incompressible, as video is
            f.write(os.urandom(min(left, 2**20)))
            left -= min(left, 2**20)
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(2**20):
            digest.update(chunk)
    return digest.hexdigest()


def held(client: httpx.Client, url: str) -> int:
    response = client.head(url, headers=TUS)
    assert response.status_code == 200, response.status_code
    return int(response.headers["upload-offset"])


def send(client: httpx.Client, firm: str, path: Path, link: Link) -> httpx.Response:
    """The whole tus exchange: create, then PATCH the rest until the server files it."""
    size = path.stat().st_size
    fields = {"id": str(uuid.uuid4()), "enterprise_id": firm, "category": "evidence", "filename": "巡查.mp4",
              "sha256": sha256_of(path)}
    created = client.post("/api/uploads", headers={**TUS, "Upload-Length": str(size), "Upload-Metadata": ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())})
    assert created.status_code == 201, created.text
    url, offset = created.headers["location"], 0
    while True:
        try:
            response = client.patch(url, content=link.carry(path, offset), headers={
                **TUS, "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"})
        except (Cut, httpx.TransportError):
            offset = held(client, url)
            continue
        if response.status_code == 409:  # the server is still closing the cut request
            time.sleep(0.1)
            offset = held(client, url)
            continue
        assert response.status_code in (200, 201), response.text
        return response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file-mb", type=int, default=200, help="the video's size")
    parser.add_argument("--cut-mb", type=int, default=10, help="the link drops after carrying this much")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, scratch_database(None) as url:
        path = video_file(Path(folder), args.file_mb * 2**20)
        size = path.stat().st_size
        firm, token = asyncio.run(prepare(url))
        limit = str(args.file_mb + 10)  # the PDF stand-in is held to the photos' limit
        with server(url, token, media_root=str(Path(folder, "media")), media_max_mb=limit,
                    video_max_mb=limit) as client:
            small = Path(folder, "small")
            small.mkdir()
            send(client, firm, video_file(small, 2**20), Link(2**40))  # warm up the route and the decoders
            baseline = memory_baseline_kb(client.server_pid)
            link = Link(args.cut_mb * 2**20)
            started = time.perf_counter()
            filed = send(client, firm, path, link)
            took = time.perf_counter() - started
            growth = (memory_kb(client.server_pid, "VmHWM") - baseline) / 1024
        assert filed.json()["size"] == size, filed.text
    ratio = link.carried / size
    print(f"{size / 2**20:.0f} MB filed as {filed.json()['mime']} in {took:.1f} s over {link.cuts} cuts; the link "
          f"carried {link.carried / 2**20:.1f} MB; server memory peak growth {growth:.1f} MB")
    print(f"RESULT file_mb={size / 2**20:.0f} cuts={link.cuts} sent_over_size={ratio:.3f} rss_growth_mb={growth:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

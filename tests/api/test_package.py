"""The dossier evidence package: a ZIP anyone can check (sha256sum -c, verify_chain.py),
its ranges for resumed downloads, its filters and scope, and ZIP64 past 4 GiB."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import asyncio
import os
import shutil
import subprocess
import sys
import uuid
import zipfile
import zlib
from datetime import datetime, timezone
from pathlib import Path
from unittest.mock import patch

import pytest
import zipstream
from httpx import AsyncClient
from litestar import Litestar

from backend.exports import package as packages
from backend.exports.package import CHUNK, Package, _Entry
from backend.media.s3 import S3MediaStore
from backend.media.store import LocalMediaStore
from backend.media.tables import Blob
from backend.settings import Settings
from tests.conftest import SignIn
from tests.factories import HUIMIN, LIXIA, enterprise_body, photo

Photos = dict[str, bytes]


async def upload(client: AsyncClient, enterprise_id: str, content: bytes, **fields: str) -> dict:
    data = {"id": str(uuid.uuid4()), "enterprise_id": enterprise_id, "category": "evidence", **fields}
    response = await client.post("/api/media", data=data, files={"file": ("p.jpg", content, "image/jpeg")})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def firm(client: AsyncClient) -> dict:
    return (await client.post("/api/enterprises", json=enterprise_body(1))).json()


@pytest.fixture
async def photos(client: AsyncClient, firm: dict) -> Photos:
    """Three photos of the firm, taken on three days, by id."""
    taken = {"2026:03:01 09:00:00": "premises", "2026:05:01 09:00:00": "evidence", "2026:07:01 09:00:00": "evidence"}
    out = {}
    for seed, (when, category) in enumerate(taken.items()):
        content = photo(seed=60 + seed, when=when, gps=(37.49, 117.51, 10.0))
        out[(await upload(client, firm["id"], content, category=category))["id"]] = content
    return out


async def download(client: AsyncClient, firm: dict, **params: str) -> tuple[zipfile.ZipFile, bytes]:
    response = await client.get(f"/api/enterprises/{firm['id']}/package.zip", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert int(response.headers["content-length"]) == len(response.content)
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None  # every CRC-32 right
    return archive, response.content


def manifest(archive: zipfile.ZipFile) -> list[dict]:
    return json.loads(archive.read("manifest.json"))["files"]


def media_ids(archive: zipfile.ZipFile) -> set[str]:
    return {row["media_id"] for row in manifest(archive)}


async def test_every_file_checks_out(client: AsyncClient, firm: dict, photos: Photos, sign_in: SignIn) -> None:
    owner = await sign_in("enterprise", enterprise_id=firm["id"], name="企业联系人")
    evidence = photo(seed=70, when="2026:08:01 09:00:00")
    returned = await upload(owner, firm["id"], evidence, category="rectification")
    decided = await client.post(f"/api/media/{returned['id']}/review", json={"decision": "return", "reason": "看不清"})
    assert decided.status_code == 200, decided.text
    photos[returned["id"]] = evidence

    with patch("backend.exports.package.BATCH", 2):  # the uploads and events read in batches
        archive, _ = await download(client, firm)

    names = archive.namelist()
    sums = dict(reversed(line.split("  ", 1)) for line in archive.read("SHA256SUMS").decode().splitlines())
    assert set(sums) == set(names) - {"SHA256SUMS"}  # sha256sum -c SHA256SUMS, in Python
    assert all(hashlib.sha256(archive.read(name)).hexdigest() == digest for name, digest in sums.items())
    rows = {row["media_id"]: row for row in manifest(archive)}
    assert rows.keys() == photos.keys()
    for media_id, content in photos.items():  # the originals, byte for byte
        assert archive.read(rows[media_id]["path"]) == content
        assert rows[media_id]["sha256"] == hashlib.sha256(content).hexdigest() and rows[media_id]["size"] == len(content)
    first = min(rows.values(), key=lambda r: r["captured_at"])
    assert first["path"].startswith("originals/premises/20260301_") and first["path"].endswith(".jpg")
    assert (first["captured_at"], first["latitude"], first["uploader"]) == ("2026-03-01T09:00:00+08:00", 37.49, "省局管理员")
    assert rows[returned["id"]]["review_status"] == "returned" and rows[returned["id"]]["uploader"] == "企业联系人"

    table = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    assert table[0][:5] == ["文件路径", "SHA-256", "大小（字节）", "类型", "类别"] and len(table) == 5
    assert archive.read("manifest.csv").startswith(b"\xef\xbb\xbf")
    assert ["整改", "已退回", "企业联系人"] == [next(r for r in table if r[-1] == returned["id"])[i] for i in (4, 10, 8)]
    readme = archive.read("README.txt").decode("utf-8-sig")
    assert "sha256sum -c SHA256SUMS" in readme and "python3 verify_chain.py" in readme and firm["name"] in readme
    events = [json.loads(line) for line in archive.read("audit/events.jsonl").decode().splitlines()]
    assert {"enterprise.created", "media.uploaded", "media.returned"} <= {e["action"] for e in events}
    assert all(e["enterprise"] == firm["id"] for e in events)
    head = dict(line.split(": ", 1) for line in archive.read("audit/chain_head.txt").decode().splitlines())
    assert int(head["id"]) >= events[-1]["id"] and len(head["hash"]) == 64


async def test_verify_chain_says_ok_and_names_an_edited_event(client: AsyncClient, firm: dict, photos: Photos,
                                                              tmp_path: Path) -> None:
    archive, _ = await download(client, firm)
    archive.extractall(tmp_path)

    def verify() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "verify_chain.py"], cwd=tmp_path, capture_output=True, text=True,
                              timeout=30)

    assert (checked := verify()).returncode == 0 and checked.stdout.startswith("OK"), checked.stdout + checked.stderr
    if shutil.which("sha256sum"):  # the command README.txt gives
        assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=tmp_path).returncode == 0
    events = (tmp_path / "audit" / "events.jsonl").read_text().splitlines()
    for field, value in (("actor_name", "别人"), ("details", {"sha256": "0" * 64})):
        edited = [*events]
        second = json.loads(edited[1])
        edited[1] = json.dumps({**second, field: value}, ensure_ascii=False)
        (tmp_path / "audit" / "events.jsonl").write_text("\n".join(edited) + "\n")
        broken = verify()
        assert broken.returncode == 1 and broken.stdout.startswith("BROKEN"), broken.stdout + broken.stderr
        assert f"第 2 行（事件 {second['id']}）" in broken.stdout


async def test_ranges_resume_the_same_bytes(client: AsyncClient, firm: dict, photos: Photos) -> None:
    path = f"/api/enterprises/{firm['id']}/package.zip"
    whole = await client.get(path)
    body, size, etag = whole.content, len(whole.content), whole.headers["etag"]
    assert whole.headers["accept-ranges"] == "bytes" and whole.headers["content-length"] == str(size)

    middle = await client.get(path, headers={"Range": "bytes=1000-40999"})
    assert middle.status_code == 206 and middle.content == body[1000:41000]
    assert middle.headers["content-range"] == f"bytes 1000-40999/{size}" and middle.headers["content-length"] == "40000"
    tail = await client.get(path, headers={"Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == body[-100:]
    for outside in (f"bytes={size}-", f"bytes={size + 5}-{size + 9}", "bytes=-0"):
        refused = await client.get(path, headers={"Range": outside})
        assert refused.status_code == 416 and refused.headers["content-range"] == f"bytes */{size}", outside
        assert refused.json()["extra"][0]["key"] == "range"
    for ignored in ("bytes=0-1,5-6", "items=0-5", "bytes=9-3"):  # RFC 9110: ignored, the whole package
        assert (await client.get(path, headers={"Range": ignored})).content == body

    await upload(client, firm["id"], photo(seed=99))  # the dossier grows meanwhile: new events, a new photo
    half = size // 2
    rest = await client.get(path, headers={"Range": f"bytes={half}-", "If-Range": etag})
    assert rest.status_code == 206 and rest.headers["etag"] == etag  # the ETag pins the cut
    assert body[:half] + rest.content == body
    again = await client.get(path, params={"as_of": whole.headers["dossier-as-of"]}, headers={"Range": f"bytes={half}-"})
    assert again.status_code == 206 and again.content == rest.content  # so does as_of, for clients without If-Range

    grown = await client.get(path, headers={"Range": f"bytes={half}-", "If-Range": '"1-' + "0" * 32 + '"'})
    assert grown.status_code == 200 and grown.headers["etag"] != etag and len(grown.content) > size  # a new package
    zipfile.ZipFile(io.BytesIO(grown.content)).testzip()


async def test_resuming_reads_only_what_it_sends(client: AsyncClient, firm: dict, photos: Photos,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A range from the middle of the last photo reads that photo only: the files before it
    are skipped, their CRCs known from the first download."""
    whole = await client.get(f"/api/enterprises/{firm['id']}/package.zip")
    archive = zipfile.ZipFile(io.BytesIO(whole.content))
    last = archive.infolist()[-1]
    opened: list[tuple[str, str]] = []
    for store in (LocalMediaStore, S3MediaStore):
        def spying_open(self, sha256: str, variant: str, real=store.open):  # noqa: ANN001, ANN202
            opened.append((sha256, variant))
            return real(self, sha256, variant)

        monkeypatch.setattr(store, "open", spying_open)
    rest = await client.get(f"/api/enterprises/{firm['id']}/package.zip",
                            headers={"Range": f"bytes={last.header_offset + 100}-", "If-Range": whole.headers["etag"]})
    monkeypatch.undo()
    assert rest.status_code == 206 and rest.content == whole.content[last.header_offset + 100:]
    assert [sha for sha, variant in opened if variant == "original"] == [hashlib.sha256(archive.read(last)).hexdigest()]


async def test_entries_carry_the_crc_their_upload_recorded(client: AsyncClient, firm: dict, photos: Photos,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Each upload's CRC-32 is recorded with its blob and the package's entries carry it:
    the central directory alone reads no original. A blob stored without one (before
    uploads recorded it) has it computed, once, and stored."""
    crcs = {hashlib.sha256(c).hexdigest(): zlib.crc32(c) for c in photos.values()}
    assert {r["sha256"]: r["crc32"] for r in await Blob.select(Blob.sha256, Blob.crc32)} == crcs
    old = list(crcs)[:2]
    await Blob.update({Blob.crc32: None}).where(Blob.sha256.is_in(old))
    monkeypatch.setattr(packages, "_CRCS", {})  # a fresh worker: nothing learnt in-process
    monkeypatch.setattr(packages, "BATCH_SQL", 1)  # recorded by two statements
    opened: list[str] = []

    def spying_open(self, sha256: str, variant: str, real=LocalMediaStore.open):  # noqa: ANN001, ANN202
        opened.append(variant == "original" and sha256)
        return real(self, sha256, variant)

    monkeypatch.setattr(LocalMediaStore, "open", spying_open)
    whole = await client.get(f"/api/enterprises/{firm['id']}/package.zip")
    archive = zipfile.ZipFile(io.BytesIO(whole.content))
    assert archive.testzip() is None
    rows = {row["path"]: row["sha256"] for row in manifest(archive)}
    assert {rows[i.filename]: i.CRC for i in archive.infolist() if i.filename in rows} == crcs
    assert {r["sha256"]: r["crc32"] for r in await Blob.select(Blob.sha256, Blob.crc32)} == crcs

    opened.clear()
    monkeypatch.setattr(packages, "_CRCS", {})
    directory = min(i.header_offset for i in archive.infolist()) + len(whole.content) - 200  # in the central directory
    tail = await client.get(f"/api/enterprises/{firm['id']}/package.zip",
                            headers={"Range": f"bytes={directory}-", "If-Range": whole.headers["etag"]})
    assert tail.status_code == 206 and tail.content == whole.content[directory:]
    assert not [sha for sha in opened if sha]  # every CRC from the blobs


async def test_filters(client: AsyncClient, sign_in: SignIn, firm: dict, photos: Photos) -> None:
    team = [(await (await sign_in("inspector", HUIMIN, name=n)).get("/api/me")).json()["id"] for n in ("甲", "乙")]
    checklist = (await client.get("/api/checklists")).json()[0]["id"]
    planner = await sign_in("supervisor", "370000", name="省局科长")
    visit = (await planner.post("/api/visits", json={
        "id": str(uuid.uuid4()), "enterprise_id": firm["id"], "checklist_id": checklist, "visit_type": "routine",
        "planned_date": "2026-12-01", "team": team})).json()
    during = await upload(client, firm["id"], photo(seed=80, when="2026:05:02 09:00:00"), visit_id=visit["id"])

    assert media_ids((await download(client, firm, visit_id=visit["id"]))[0]) == {during["id"]}
    assert len(media_ids((await download(client, firm, category="evidence"))[0])) == 3
    in_may = (await download(client, firm, since="2026-05-01", until="2026-05-31"))[0]
    assert sorted(row["captured_at"][:10] for row in manifest(in_may)) == ["2026-05-01", "2026-05-02"]

    empty, _ = await download(client, firm, since="2026-12-01")  # nothing: a valid package, headers only
    assert manifest(empty) == [] and not any(n.startswith("originals/") for n in empty.namelist())
    assert empty.read("manifest.csv").decode("utf-8-sig").splitlines()[0].startswith("文件路径,SHA-256")

    other = (await client.post("/api/enterprises", json=enterprise_body(2))).json()
    path = f"/api/enterprises/{firm['id']}/package.zip"
    for params, field in (({"visit_id": str(uuid.uuid4())}, "visit_id"),
                          ({"since": "2026-05-01", "until": "2026-04-01"}, "until"),
                          ({"as_of": "2099-01-01T00:00:00Z"}, "as_of"), ({"as_of": "2026-01-01T00:00:00"}, "as_of"),
                          ({"category": "nonsense"}, "category")):
        response = await client.get(path, params=params)
        assert response.status_code in (400, 404) and response.json()["extra"][0]["key"] == field, response.text
    wrong_visit = await client.get(f"/api/enterprises/{other['id']}/package.zip", params={"visit_id": visit["id"]})
    assert wrong_visit.status_code == 404


async def test_scope(client: AsyncClient, sign_in: SignIn, firm: dict, photos: Photos) -> None:
    elsewhere = (await client.post("/api/enterprises", json=enterprise_body(3, LIXIA))).json()
    neighbour = (await client.post("/api/enterprises", json=enterprise_body(4))).json()
    inspector = await sign_in("inspector", HUIMIN)
    assert (await inspector.get(f"/api/enterprises/{firm['id']}/package.zip")).status_code == 200
    assert (await inspector.get(f"/api/enterprises/{elsewhere['id']}/package.zip")).status_code == 404
    assert (await inspector.get(f"/api/enterprises/{uuid.uuid4()}/package.zip")).status_code == 404

    team = [(await (await sign_in("inspector", HUIMIN, name=n)).get("/api/me")).json()["id"] for n in ("甲", "乙")]
    checklist = (await client.get("/api/checklists")).json()[0]["id"]
    planner = await sign_in("supervisor", "370000", name="省局科长")
    planned = await planner.post("/api/visits", json={
        "id": str(uuid.uuid4()), "enterprise_id": firm["id"], "checklist_id": checklist, "visit_type": "routine",
        "planned_date": "2026-12-01", "team": team})
    owner = await sign_in("enterprise", enterprise_id=firm["id"])
    assert (await owner.get(f"/api/enterprises/{neighbour['id']}/package.zip")).status_code == 404
    own, _ = await download(owner, firm)
    assert media_ids(own) == photos.keys()  # what its image archive shows it
    actions = {json.loads(line)["action"] for line in own.read("audit/events.jsonl").decode().splitlines()}
    assert "visit.planned" not in actions and "media.uploaded" in actions  # an inspection is not announced
    staff, _ = await download(inspector, firm)
    assert any(json.loads(line)["target_id"] == planned.json()["id"]
               for line in staff.read("audit/events.jsonl").decode().splitlines())
    refused = await owner.get(f"/api/enterprises/{firm['id']}/package.zip", params={"visit_id": planned.json()["id"]})
    assert refused.status_code == 404


async def test_a_client_gone_half_way_leaves_nothing(app: Litestar, client: AsyncClient, firm: dict, photos: Photos,
                                                     settings: Settings, settle) -> None:
    await settle()  # the photos' derivatives are made before the media folder is listed
    before = set(Path(settings.media_root).rglob("*"))
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    path = f"/api/enterprises/{firm['id']}/package.zip"
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "client": ("127.0.0.1", 5000), "server": ("localhost", 8000),
             "headers": [(b"host", b"localhost:8000"), (b"cookie", cookies.encode())]}
    sent: list[dict] = []
    gone = asyncio.Event()

    async def receive() -> dict:
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)
        if message["type"] == "http.response.body":
            gone.set()  # the phone lost its signal after the first chunk

    with patch("backend.exports.package.CHUNK", 1000):
        await app(scope, receive, send)
    await asyncio.sleep(0.1)  # the abandoned stream is closed as it is collected
    assert sent[0]["status"] == 200 and sum(len(m.get("body", b"")) for m in sent[1:]) < int(
        dict(sent[0]["headers"])[b"content-length"])
    assert set(Path(settings.media_root).rglob("*")) == before
    media_root = str(Path(settings.media_root).resolve())
    assert not [fd for fd in os.listdir("/proc/self/fd") if os.path.realpath(f"/proc/self/fd/{fd}").startswith(media_root)]


# ---------------------------------------------------------------------------- the ZIP itself


def _zeros(size: int):  # noqa: ANN202
    class Zeros(io.RawIOBase):
        position = 0

        def readable(self) -> bool:
            return True

        def seek(self, offset: int, whence: int = 0) -> int:
            self.position = offset
            return offset

        def readinto(self, buffer) -> int:  # noqa: ANN001
            n = min(len(buffer), size - self.position)
            buffer[:n] = bytes(n)
            self.position += n
            return n

    return Zeros


def read(package: Package, start: int = 0, stop: int | None = None) -> bytes:
    return b"".join(piece for pieces in package.chunks(start, stop) for piece in pieces)


class Ranged(io.RawIOBase):
    """A package read as a file through its ranges only (what zipfile reads is all that is produced)."""

    def __init__(self, package: Package) -> None:
        self.package, self.position = package, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.package.size + offset}[whence]
        return self.position

    def tell(self) -> int:
        return self.position

    def readinto(self, buffer) -> int:  # noqa: ANN001
        stop = min(self.position + len(buffer), self.package.size)
        data = read(self.package, self.position, stop)
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)


def test_zip64_past_4_gib_without_writing_it() -> None:
    """A 4.5 GiB entry (its CRC given, as if known from a first download) and small files
    after it, at offsets past 4 GiB: the layout is zipstream-ng's to the byte count, and
    zipfile reads the small files through ranges that never touch the big one."""
    stamp = (2026, 11, 24, 10, 0, 0)
    big = 9 * 2**29
    entries = [_Entry.of_bytes("README.txt", "说明".encode(), stamp),
               _Entry("originals/evidence/big.bin", big, "f" * 64, _zeros(big), stamp, crc=0x12345678),
               *(_Entry.of_bytes(f"after/{n}.txt", f"file {n}".encode() * 50, stamp) for n in range(3))]
    package = Package(entries, datetime(2026, 11, 24, 2, tzinfo=timezone.utc), "p.zip")

    reference = zipstream.ZipStream(sized=True)
    for e in entries:
        reference.add(iter(()), e.name, size=e.size)
    assert package.size == len(reference) > 2**32
    archive = zipfile.ZipFile(Ranged(package))
    infos = {i.filename: i for i in archive.infolist()}
    assert infos["originals/evidence/big.bin"].file_size == big and infos["after/2.txt"].header_offset > 2**32
    assert archive.read("after/2.txt") == b"file 2" * 50 and archive.read("README.txt") == "说明".encode()
    start = package.size - 3 * CHUNK  # the tail: the end of the big file (read from where it starts), the rest
    assert len(read(package, start)) == package.size - start


def test_small_packages_match_zipstream_in_size(tmp_path: Path) -> None:
    stamp = (2026, 11, 24, 10, 0, 0)
    for count in (0, 1, 7):
        entries = [_Entry.of_bytes(f"文件/{n}.txt", os.urandom(n * 1000), stamp) for n in range(count)]
        package = Package(entries, datetime(2026, 11, 24, 2, tzinfo=timezone.utc), "p.zip")
        reference = zipstream.ZipStream(sized=True)
        for e in entries:
            reference.add(iter(()), e.name, size=e.size)
        body = read(package)
        assert len(body) == package.size == len(reference)
        (tmp_path / "p.zip").write_bytes(body)
        assert zipfile.ZipFile(tmp_path / "p.zip").testzip() is None
        if count:
            assert subprocess.run(["unzip", "-tq", str(tmp_path / "p.zip")], capture_output=True).returncode == 0

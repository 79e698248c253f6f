"""Video evidence (body cameras, phones): MP4, MOV and WebM made by PyAV in the test, filed
with their duration, picture size, codec and own tags; a poster frame as thumbnail and
preview; the original played with Range requests; anything that only looks like a video
refused, naming the field "file". Both databases, both stores (DOSSIER_TEST_MEDIA=s3)."""

from __future__ import annotations

import io
import os
import struct

import av
import pytest
from httpx import AsyncClient
from PIL import Image

from backend.errors import TooLarge
from backend.media.images import Limits
from backend.media.tables import Blob, MediaItem
from backend.settings import Settings
from tests.api.test_media import firm, stored_files, upload  # noqa: F401  (firm is a fixture)
from tests.conftest import fetched
from tests.factories import photo, video

AT_THE_FACTORY = "+37.4901+117.5102/"  # ISO 6709, a few metres from the firm


def _audio_only() -> bytes:
    """An MP4 holding sound and no picture."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as output:
        stream = output.add_stream("aac", rate=8000, layout="mono")
        for n in range(20):
            frame = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            frame.planes[0].update(bytes(4096))
            frame.sample_rate, frame.pts = 8000, n * 1024
            output.mux(stream.encode(frame))
        output.mux(stream.encode())
    return out.getvalue()


def _damaged_pictures(content: bytes) -> bytes:
    """The same MP4 with its first pictures overwritten by noise (the container intact)."""
    damaged = bytearray(content)
    start = damaged.find(b"mdat") + 40
    damaged[start:start + 1500] = os.urandom(1500)
    return bytes(damaged)


def _held_upright(content: bytes) -> bytes:
    """The same MOV as a phone held upright records it: pictures stored sideways, and the
    track header's matrix turning them a quarter clockwise for display."""
    turned = bytearray(content)
    matrix = turned.find(b"tkhd") + 4 + 40  # version/flags, times, track id, duration, layer, volume…
    assert turned[matrix:matrix + 36] == struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    turned[matrix:matrix + 36] = struct.pack(">9I", 0, 0x10000, 0, 0xFFFF0000, 0, 0, 0, 0, 0x40000000)
    return bytes(turned)


@pytest.mark.parametrize(
    ("name", "content", "mime", "codec"),
    [
        ("body-camera.mp4", video("mp4", "libx264"), "video/mp4", "h264"),
        ("old-phone.mp4", video("mp4", "mpeg4"), "video/mp4", "mpeg4"),
        ("browser.webm", video("webm", "libvpx"), "video/webm", "vp8"),
        ("browser-vp9.webm", video("webm", "libvpx-vp9"), "video/webm", "vp9"),
        ("iphone.mov", video("mov", "libx264"), "video/quicktime", "h264"),
    ],
)
async def test_videos_are_filed_with_their_facts_and_a_poster(client: AsyncClient, firm: dict, settle, name: str,
                                                             content: bytes, mime: str, codec: str) -> None:
    status, media = await upload(client, firm["id"], content, name)
    assert status == 201, media
    assert (media["mime"], media["codec"], media["width"], media["height"]) == (mime, codec, 160, 120)
    assert media["duration"] == pytest.approx(3.0, abs=0.15) and media["pages"] is None and media["size"] == len(content)
    await settle()  # the poster frame is made by a job
    for variant, box in (("thumbnail", 320), ("preview", 1600)):
        answer = await fetched(client, f"/api/media/{media['id']}/{variant}")
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
        poster = Image.open(io.BytesIO(answer.content))
        assert poster.format == "JPEG" and poster.size == (160, 120) and max(poster.size) <= box


@pytest.mark.parametrize(
    ("metadata", "options"),
    [  # Android and FFmpeg write ©xyz and the container's UTC time; iPhones Apple's keys, with their offset
        ({"creation_time": "2026-11-20T02:15:00Z", "location": AT_THE_FACTORY}, None),
        ({"com.apple.quicktime.creationdate": "2026-11-20T10:15:00+0800",
          "com.apple.quicktime.location.ISO6709": "+37.4901+117.5102+012.500/",
          "com.apple.quicktime.make": "Apple", "com.apple.quicktime.model": "iPhone 15"}, {"movflags": "use_metadata_tags"}),
    ],
)
async def test_a_video_s_own_time_and_place_are_its_capture(client: AsyncClient, firm: dict, metadata: dict,
                                                           options: dict | None) -> None:
    content = video("mov", "libx264", metadata=metadata, options=options)
    status, media = await upload(client, firm["id"], content, "v.mov", latitude=30.0, longitude=120.0,
                                 captured_at="2026-11-21T09:00:00+08:00")  # the phone's readings lose
    assert status == 201, media
    assert (media["captured_at"], media["captured_at_source"]) == ("2026-11-20T02:15:00Z", "exif")
    assert (media["latitude"], media["longitude"], media["location_source"]) == (37.4901, 117.5102, "exif")
    assert "far_from_enterprise" not in media["flags"]
    if options:
        assert (media["altitude"], media["device_make"], media["device_model"]) == (12.5, "Apple", "iPhone 15")
    again = await upload(client, firm["id"], content, "copy.mov")  # stored bytes: the tags are read again
    assert again[0] == 201 and again[1]["captured_at"] == "2026-11-20T02:15:00Z" and again[1]["latitude"] == 37.4901


async def test_a_video_shot_upright_has_an_upright_poster(client: AsyncClient, firm: dict, settle) -> None:
    status, media = await upload(client, firm["id"], _held_upright(video("mov", "libx264")), "portrait.mov")
    assert status == 201 and (media["width"], media["height"]) == (120, 160)  # as displayed
    await settle()
    poster = Image.open(io.BytesIO((await fetched(client, f"/api/media/{media['id']}/preview")).content)).convert("L")
    # the white box drawn near the stored picture's top-left is near the top-right once turned clockwise
    assert poster.size == (120, 160) and poster.getpixel((90, 50)) > 200 and poster.getpixel((30, 110)) < 150


async def test_the_original_is_played_with_range_requests(client: AsyncClient, firm: dict) -> None:
    content = video("mp4", "libx264", seconds=5)
    _, media = await upload(client, firm["id"], content, "v.mp4")
    url = f"/api/media/{media['id']}/original"
    whole = await fetched(client, url)
    assert whole.status_code == 200 and whole.content == content and whole.headers["content-type"] == "video/mp4"
    part = await fetched(client, url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == content[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(content)}"
    opening = await fetched(client, url, headers={"Range": "bytes=0-"})  # what a <video> asks first
    assert opening.status_code == 206 and opening.content == content
    tail = await fetched(client, url, headers={"Range": "bytes=-500"})  # where an MP4's index may lie
    assert tail.status_code == 206 and tail.content == content[-500:]


FTYP = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("noise.mp4", FTYP + os.urandom(20000), "could not be read"),
        ("noise.mov", b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + os.urandom(20000), "could not be read"),
        ("noise.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
                       b"\x42\x82\x84webm" + os.urandom(20000), "could not be read"),
        ("damaged.mp4", _damaged_pictures(video("mp4", "libx264")), "could not be"),
        ("sound.mp4", _audio_only(), "no video picture"),
        ("cut.mp4", video("mp4", "libx264")[:2000], "could not be read"),
    ],
)
async def test_what_only_looks_like_a_video_is_refused(client: AsyncClient, firm: dict, settings: Settings, name: str,
                                                      content: bytes, words: str) -> None:
    code, body = await upload(client, firm["id"], content, name)
    assert code == 400, body
    assert words in body["detail"] and body["extra"][0]["key"] == "file"
    assert stored_files(settings) == []
    assert await MediaItem.count() == 0 and await Blob.count() == 0


async def test_a_photo_named_like_a_video_is_a_photo(client: AsyncClient, firm: dict) -> None:
    status, media = await upload(client, firm["id"], photo(seed=61), "clip.mp4")
    assert status == 201 and (media["mime"], media["duration"], media["codec"]) == ("image/jpeg", None, None)


def test_videos_have_their_own_size_limit() -> None:
    limits = Limits(photo_mb=1, video_mb=3)
    limits.check("video/mp4", 3 * 2**20)
    limits.check("image/jpeg", 2**20)
    with pytest.raises(TooLarge, match="3 MB"):
        limits.check("video/webm", 3 * 2**20 + 1)
    with pytest.raises(TooLarge, match="1 MB"):
        limits.check("application/pdf", 2**20 + 1)

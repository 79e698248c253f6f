"""Recognising, validating and deriving uploads. Types come from the bytes, never the
name; an image is valid if its structure is whole (checked at upload), and its pixels
are decoded by the derivative job; derivatives are upright and carry no EXIF.
Videos are validated and given a poster frame by backend.media.videos, PDFs parsed by
backend.media.pdfs; this module is where every upload's type is told and dispatched.

JPEG thumbnails use draft mode (the decoder scales by 1/2, 1/4 or 1/8 while decoding),
so they are made before rotating upright with exif_transpose.
"""

from __future__ import annotations

import io
import mmap
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.errors import Invalid, TooLarge, Unsupported
from backend.media import pdfs, videos

pillow_heif.register_heif_opener()

THUMBNAIL = 320
PREVIEW = 1600
RESIZE_SLACK = 1.25
PDF = "application/pdf"
VIDEOS = frozenset(videos.DEMUXERS)
HEAD = 64  # bytes of a file's start that tell its type
# What each accepted type's bytes start with, and the Pillow formats that may decode it.
_FORMATS = {"image/jpeg": {"JPEG", "MPO"}, "image/png": {"PNG"}, "image/webp": {"WEBP"}, "image/heic": {"HEIF"}}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


def sniff(head: bytes) -> str:
    """The media type of a file from its first bytes; Unsupported for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return PDF
    if video := videos.sniff(head):
        return video
    raise Unsupported("Only photos (JPEG, PNG, WebP, HEIC), videos (MP4, MOV, WebM) and PDF documents are accepted; "
                      "this file is none of them.", "file", code="file_type_unsupported")


@dataclass(frozen=True)
class Limits:
    """The largest file of each kind, in MB: videos have their own limit."""

    photo_mb: int  # photos and documents
    video_mb: int

    def check(self, mime: str, size: int) -> None:
        """TooLarge (field "file") for a file over its kind's limit."""
        video = mime in VIDEOS
        limit = self.video_mb if video else self.photo_mb
        if size > limit * 2**20:
            raise TooLarge(f"The {'video' if video else 'file'} is larger than the {limit} MB limit.", "file", code="file_too_large", params={"mb": limit})


@dataclass
class Derived:
    """What an upload yields besides its original bytes."""

    mime: str
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None
    preview: bytes | None = None
    phash: int | None = None
    exif: dict[str, Any] = field(default_factory=dict)  # a video's own tags likewise
    duration: float | None = None  # videos: seconds
    codec: str | None = None  # videos
    pages: int | None = None  # PDFs


def inspect(path: Path, mime: str) -> Derived:
    """Validate the file at ``path`` (of the sniffed ``mime``) by its structure, and read
    its facts (size, EXIF): what an upload needs before it answers, in about a millisecond.
    An image must open as the type its bytes claim, have a pixel size a photo can have, and
    reach the end its format declares (a photo cut off on the phone or in transfer is
    refused here). Its pixels are decoded by the derivative job (backend.media.jobs), which
    also computes its perceptual hash and returns it for a retake if they turn out damaged
    (backend.media.decoded). Blocking: run it in a worker thread."""
    if mime == PDF or mime in VIDEOS:
        return _decode(path, mime, THUMBNAIL, derivatives=False)
    with _image(path, mime) as image:
        width, height = image.size
        exif = read_exif(image)
    if not _whole(path, mime):
        raise Invalid("The image could not be decoded (damaged or cut off?): it ends before its picture does.", "file",
                      code="image_undecodable", params={"reason": "cut off"})
    return Derived(mime=mime, width=width, height=height, exif=exif)


def derive(path: Path | BinaryIO, mime: str) -> Derived:
    """Decode the file at ``path`` (of the sniffed ``mime``, already inspected), make its
    derivatives and its perceptual hash; Invalid if its pixels do not decode. Blocking:
    run it in a worker thread."""
    return _decode(path, mime, PREVIEW, derivatives=True)


def _decode(path: Path | BinaryIO, mime: str, size: int, derivatives: bool) -> Derived:
    if mime == PDF:
        document = pdfs.check(path)
        return Derived(mime=mime, width=document.width, height=document.height, pages=document.pages)
    if mime in VIDEOS:
        video = videos.probe(path, mime, poster=derivatives)
        derived = Derived(mime=mime, width=video.width, height=video.height, exif=video.tags,
                          duration=video.duration, codec=video.codec)
        if video.poster is not None:
            derived.preview = _jpeg(_upright(video.poster, size))
            derived.thumbnail = _jpeg(_upright(video.poster, THUMBNAIL))
        return derived
    with _image(path, mime) as image:
        width, height = image.size
        image.draft("RGB", _fitted(image.size, size))
        image.load()  # decodes all the data: a corrupt file fails here (before read_exif, which loads a PNG itself)
        exif = read_exif(image)
        upright = _upright(image, size)
    thumbnail = _fit(upright, THUMBNAIL)
    derived = Derived(mime=mime, width=width, height=height, exif=exif, phash=dhash(thumbnail))
    if derivatives:
        derived.thumbnail, derived.preview = _jpeg(thumbnail), _jpeg(upright)
    return derived


@contextmanager
def _image(path: Path | BinaryIO, mime: str) -> Iterator[Image.Image]:
    """The image opened (its header read, nothing decoded), as the type its bytes claim;
    whatever goes wrong, opening it or decoding it in the ``with`` block, is an Invalid
    naming the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                if image.format not in _FORMATS[mime]:
                    raise Invalid(f"The file starts like {mime} but is not one.", "file", code="file_type_mismatch", params={"mime": mime})
                yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid("The image's pixel size is too large to be a photo (a decompression bomb?).", "file", code="image_too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise Invalid(f"The image could not be decoded (damaged or cut off?): {e}", "file", code="image_undecodable", params={"reason": str(e)}) from None


_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the IEND chunk: no data, then its CRC


def _whole(path: Path, mime: str) -> bool:
    """Does the file reach the end its format declares? A JPEG's picture ends with an EOI
    marker after its scans (the file may go on: an MPO's second picture, a motion photo's
    video), a PNG with its IEND chunk, a WebP where its RIFF header says, a HEIC's boxes
    where their headers say. Reads no more than it must."""
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if mime == "image/jpeg":
            return _jpeg_whole(data)
        if mime == "image/png":
            return data.rfind(_PNG_END) > 8
        if mime == "image/webp":
            return int.from_bytes(data[4:8], "little") + 8 <= len(data)
        return _boxes_whole(data)


def _boxes_whole(data: mmap.mmap) -> bool:
    """An ISO BMFF file's (a HEIC's) top-level boxes, each as long as its header says, fit
    in the file (a few bytes left over after the last are tolerated)."""
    at = 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        if size == 0:  # the last box runs to the file's end
            return True
        if size == 1:  # a 64-bit size follows the type
            size = int.from_bytes(data[at + 8:at + 16], "big")
        if size < 8:
            return False
        at += size
    return at <= len(data)


def _jpeg_whole(data: mmap.mmap) -> bool:
    """Walk the JPEG's segments to its first scan; an EOI marker must follow (inside the
    compressed scans a 0xFF byte is always followed by 0x00 or a restart marker, so the
    first FF D9 after them is the picture's end; an EXIF thumbnail's own EOI lies in a
    segment skipped whole before)."""
    at = 2  # past SOI
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return False
        marker = data[at + 1]
        if marker == 0xFF:  # a fill byte
            at += 1
        elif marker == 0xDA:  # SOS: the scans follow
            return data[-2:] == b"\xff\xd9" or data.find(b"\xff\xd9", at) != -1  # most end right there
        else:
            at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return False


def exif_of(path: Path, mime: str) -> dict[str, Any]:
    """The EXIF facts of a file whose bytes were already validated (a second upload of a
    stored blob), read without decoding its pixels. Blocking: run it in a worker thread."""
    if mime == PDF:
        return {}
    if mime in VIDEOS:
        return videos.tags_of(path, mime)
    try:
        with Image.open(path) as image:
            return read_exif(image)
    except Exception:  # noqa: BLE001 - the same bytes decoded once; EXIF is never fatal
        return {}


def _fitted(pixels: tuple[int, int], size: int) -> tuple[int, int]:
    """``pixels`` scaled down to fit a ``size`` square: what draft needs, as it decodes at
    the smallest scale that still covers both sides (a 4000 x 3000 photo at 1/2 for a
    preview; asked for 1600 x 1600, it would decode all 12 MP)."""
    scale = min(1.0, size / max(pixels))
    return max(1, round(pixels[0] * scale)), max(1, round(pixels[1] * scale))


def _upright(image: Image.Image, size: int) -> Image.Image:
    """The image no larger than ``size`` (or up to a quarter larger: resizing by so little
    costs the most CPU of a derivative, 50 ms for an 1800-pixel phone photo, for little
    gain), turned upright as its EXIF says, in RGB: a new image, ``image`` left as it was."""
    image = _fit(image, size) if max(image.size) > size * RESIZE_SLACK else image.copy()
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except Exception:  # noqa: BLE001 - unreadable EXIF: the photo stays as it was taken
        pass
    return image if image.mode == "RGB" else image.convert("RGB")


def _fit(image: Image.Image, size: int) -> Image.Image:
    """A new image scaled down to fit a ``size`` square (as Image.thumbnail, unmutated)."""
    return image.resize(_fitted(image.size, size), Image.Resampling.BICUBIC, reducing_gap=2.0)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)  # no exif= argument: no EXIF
    return out.getvalue()


def dhash(image: Image.Image) -> int:
    """A 64-bit difference hash: near-identical photos differ in a few bits."""
    small = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    pixels = small.tobytes()  # mode L: one byte per pixel
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return bits


# ---------------------------------------------------------------------------- EXIF

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825


def read_exif(image: Image.Image) -> dict[str, Any]:
    """Capture time, GPS, device and orientation; a broken tag is skipped, never fatal."""
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001 - malformed EXIF must not refuse the photo
        return {}
    out: dict[str, Any] = {}
    for key, read in (("orientation", lambda: int(exif[274])), ("make", lambda: _text(exif[271])),
                      ("model", lambda: _text(exif[272]))):
        _try(out, key, read)
    try:
        detail = exif.get_ifd(_EXIF_IFD)
        gps = exif.get_ifd(_GPS_IFD)
    except Exception:  # noqa: BLE001
        return out
    _try(out, "captured_at", lambda: _capture_time(detail.get(36867) or exif.get(306), detail.get(36881)))
    _try(out, "latitude", lambda: _degrees(gps[2], gps.get(1, "N"), "S"))
    _try(out, "longitude", lambda: _degrees(gps[4], gps.get(3, "E"), "W"))
    _try(out, "altitude", lambda: float(gps[6]) * (-1 if gps.get(5) in (1, b"\x01") else 1))
    return out


def _try(out: dict[str, Any], key: str, read: Any) -> None:
    try:
        value = read()
    except Exception:  # noqa: BLE001 - one unreadable tag loses that value only
        return
    if value is not None and value != "":
        out[key] = value


def _text(value: Any) -> str:
    return (value.decode(errors="replace") if isinstance(value, bytes) else str(value)).strip("\x00 ")[:100]


def _capture_time(value: Any, offset: Any) -> datetime | None:
    if not value:
        return None
    moment = datetime.strptime(_text(value), "%Y:%m:%d %H:%M:%S")
    if offset:
        sign = -1 if _text(offset).startswith("-") else 1
        hours, minutes = _text(offset).lstrip("+-").split(":")
        zone = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    else:
        zone = timezone(timedelta(hours=8))  # phones in China without an offset tag keep Beijing time
    return moment.replace(tzinfo=zone)


def _degrees(value: Any, ref: Any, negative: str) -> float:
    d, m, s = (float(v) for v in value)
    degrees = d + m / 60 + s / 3600
    if not -180 <= degrees <= 180:
        raise ValueError(degrees)
    return round(-degrees if _text(ref).upper() == negative else degrees, 7)

"""Video evidence: MP4 and MOV from phones and body cameras (执法记录仪), WebM from browsers.

A video is recognised by its bytes (the ISO base media `ftyp` brand; the EBML DocType),
then opened with FFmpeg's own demuxer for that type only (PyAV: no format guessing, so no
playlist or other demuxer that reaches for files or URLs) and proven by decoding its first
picture with error detection at its strictest: a container that opens, holds a video
stream of a known codec, lasts longer than zero and yields a whole first frame. Anything
else refuses the upload, naming the field "file".

The file's own readings fill what EXIF does for photos: its creation time (Apple's
`com.apple.quicktime.creationdate`, with its UTC offset, before the container's UTC
`creation_time`) and its place (ISO 6709: `location` on Android and FFmpeg,
`com.apple.quicktime.location.ISO6709` on iPhones). The poster frame (about 1 s in, upright
as the phone held it) becomes the thumbnail and the preview.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import av
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from PIL import Image

from backend.errors import Invalid

Source = str | Path | BinaryIO  # a file's path, or the file open (from either store)
# The sniffed type and the demuxer that alone may open it.
DEMUXERS = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}
MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH", b"M4VP",
              b"MSNV", b"XAVC"}
QUICKTIME_BRAND = b"qt  "
EBML = b"\x1a\x45\xdf\xa3"
CODECS = {"h264", "hevc", "mpeg4", "vp8", "vp9", "av1"}  # what phones, body cameras and browsers record
MAX_PIXELS = 8192 * 4320  # 8K: larger is no camera's
FIRST_FRAME_PACKETS = 300  # a video whose first picture does not come within these packets is refused
POSTER_AT_S = 1.0
READ_BUFFER = 2**20  # bytes PyAV reads at once (one ranged GET from an object store)


def sniff(head: bytes) -> str | None:
    """The video type of a file from its first bytes, or None."""
    if head[4:8] == b"ftyp":
        if head[8:12] in MP4_BRANDS:
            return "video/mp4"
        if head[8:12] == QUICKTIME_BRAND:
            return "video/quicktime"
    if head.startswith(EBML) and re.search(rb"\x42\x82[\x80-\xff]webm", head):  # DocType "webm" in the EBML header
        return "video/webm"
    return None


@dataclass
class Video:
    """What an upload learns of a video by opening it."""

    width: int
    height: int
    duration: float  # seconds
    codec: str
    tags: dict[str, Any] = field(default_factory=dict)  # captured_at, latitude, longitude, altitude, make, model
    poster: Image.Image | None = None


def probe(source: Source, mime: str, poster: bool = False) -> Video:
    """Validate the video in ``source`` (a path or a seekable file) by decoding its first
    picture and read its facts; with ``poster``, also the poster frame. Blocking."""
    try:
        with _open(source, mime) as container:
            stream = _video_stream(container)
            duration = _duration(container, stream)
            first = _first_frame(container, stream)
            width, height = (stream.height, stream.width) if first.rotation % 180 else (stream.width, stream.height)
            video = Video(width=width, height=height, duration=round(duration, 3), codec=stream.codec_context.name,
                          tags=_tags(container, stream))
            if poster:
                video.poster = _upright(_poster_frame(container, stream, duration) or first)
            return video
    except Invalid:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError, MemoryError) as e:
        raise Invalid(f"The video could not be read (damaged, cut off, or not a video): {e}", "file", code="video_unreadable", params={"reason": str(e)}) from None


def tags_of(source: Source, mime: str) -> dict[str, Any]:
    """The creation time, place and device of a video already validated (a second upload
    of stored bytes), read without decoding. Blocking."""
    try:
        with _open(source, mime) as container:
            return _tags(container, container.streams.video[0])
    except Exception:  # noqa: BLE001 - the same bytes were validated once; tags are never fatal
        return {}


def _open(source: Source, mime: str) -> InputContainer:
    return av.open(source, mode="r", format=DEMUXERS[mime], buffer_size=READ_BUFFER)


def _video_stream(container: InputContainer) -> VideoStream:
    if not container.streams.video:
        raise Invalid("The file holds no video picture (sound only, or not a video).", "file", code="video_no_picture")
    stream = container.streams.video[0]
    name = stream.codec_context.name
    if name not in CODECS:
        raise Invalid(f"Videos recorded as {', '.join(sorted(CODECS))} are accepted; this one is {name}.", "file", code="video_codec_unsupported", params={"codecs": sorted(CODECS), "codec": name})
    if not 0 < stream.width * stream.height <= MAX_PIXELS:
        raise Invalid(f"The video's picture size ({stream.width}×{stream.height}) is no camera's.", "file", code="video_size_odd", params={"width": stream.width, "height": stream.height})
    stream.codec_context.options = {"err_detect": "explode"}  # a damaged picture is an error, not hidden
    stream.thread_type = "AUTO"
    return stream


def _duration(container: InputContainer, stream: VideoStream) -> float:
    if stream.duration and stream.time_base:
        seconds = float(stream.duration * stream.time_base)
    else:
        seconds = (container.duration or 0) / av.time_base
    if not seconds > 0:
        raise Invalid("The video has no length (no recorded pictures).", "file", code="video_no_length")
    return seconds


def _frames(container: InputContainer, stream: VideoStream, packets: int) -> Iterator[VideoFrame]:
    """The stream's pictures from where the container stands, giving up after ``packets``."""
    for n, packet in enumerate(container.demux(stream)):
        if n >= packets:
            return
        yield from packet.decode()  # the last, empty packet flushes the decoder


def _first_frame(container: InputContainer, stream: VideoStream) -> VideoFrame:
    for frame in _frames(container, stream, FIRST_FRAME_PACKETS):
        if frame.is_corrupt:
            break
        return frame
    raise Invalid("The video's first picture could not be decoded (damaged, or not a video).", "file", code="video_frame_undecodable")


def _poster_frame(container: InputContainer, stream: VideoStream, duration: float) -> VideoFrame | None:
    """The first picture at or after POSTER_AT_S (or mid-way through a shorter video);
    None when it cannot be reached (the first frame serves)."""
    at = min(POSTER_AT_S, duration / 2)
    try:
        container.seek(int(at / stream.time_base), stream=stream, backward=True)
        stream.codec_context.flush_buffers()
        for frame in _frames(container, stream, FIRST_FRAME_PACKETS):
            if frame.time is None or frame.time >= at:
                return None if frame.is_corrupt else frame
    except av.FFmpegError:
        return None
    return None


def _upright(frame: VideoFrame) -> Image.Image:
    """The picture as the phone was held: the display matrix's rotation applied."""
    image = frame.to_image()
    return image.rotate(frame.rotation, expand=True) if frame.rotation else image


# ---------------------------------------------------------------------------- tags

_ISO6709 = re.compile(r"([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")


def _tags(container: InputContainer, stream: VideoStream) -> dict[str, Any]:
    """The capture time, place and device the file records; an unreadable tag is skipped."""
    meta = {k.lower(): v for k, v in {**stream.metadata, **container.metadata}.items()}
    out: dict[str, Any] = {}
    for name in ("com.apple.quicktime.creationdate", "creation_time"):
        if (moment := _moment(meta.get(name))) is not None:
            out["captured_at"] = moment
            break
    for name in ("com.apple.quicktime.location.iso6709", "location", "location-eng"):
        if (place := _place(meta.get(name))) is not None:
            out.update(place)
            break
    for key, names in (("make", ("com.apple.quicktime.make", "make")), ("model", ("com.apple.quicktime.model", "model"))):
        if value := next((meta[n] for n in names if meta.get(n)), ""):
            out[key] = str(value).strip("\x00 ")[:100]
    return out


def _moment(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip()) if value else None
    except ValueError:
        return None
    if moment is None or moment.year < 2000:  # an unset clock (1904 or 1970), not a capture time
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _place(value: str | None) -> dict[str, float] | None:
    """ISO 6709 (±DD.D±DDD.D[±AAA.A]/, or its ±DDMM.M / ±DDMMSS.S forms)."""
    match = _ISO6709.match(value.strip()) if value else None
    if match is None:
        return None
    try:
        latitude, longitude = _angle(match[1], 2), _angle(match[2], 3)
    except ValueError:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or (latitude, longitude) == (0, 0):
        return None
    place = {"latitude": round(latitude, 7), "longitude": round(longitude, 7)}
    if match[3] is not None:
        place["altitude"] = float(match[3])
    return place


def _angle(text: str, degree_digits: int) -> float:
    """An ISO 6709 angle: degrees, degrees and minutes, or degrees, minutes and seconds,
    told apart by the digits before the point."""
    sign = -1 if text[0] == "-" else 1
    whole, _, fraction = text[1:].partition(".")
    value = float(f"{whole}.{fraction or 0}")
    extra = len(whole) - degree_digits
    if extra == 0:
        return sign * value
    if extra == 2:
        return sign * (int(whole[:degree_digits]) + (value - int(whole[:degree_digits]) * 100) / 60)
    if extra == 4:
        d, m = int(whole[:degree_digits]), int(whole[degree_digits:degree_digits + 2])
        return sign * (d + m / 60 + (value - d * 10000 - m * 100) / 3600)
    raise ValueError(text)

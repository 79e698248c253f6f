"""What decoding an original's pixels tells, put into the records. An upload checks only
its file's structure (images.inspect: a millisecond, where decoding a 12 MP photo costs
40 ms of CPU the phone would wait for); the derivative job decodes it (jobs.py) and
brings here either its perceptual hash — recorded, and the near-duplicate flag raised on
its uploads when a near copy is filed elsewhere — or the news that its pixels do not
decode: its uploads are returned to their senders for a retake.

Near duplicates: the same bytes are found at upload (by SHA-256); a near copy (the same
photo re-encoded, within NEAR_DUPLICATE_BITS of its perceptual hash) once the later of
the two has been decoded."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from backend import clock, db
from backend.audit import service as audit
from backend.enterprises import service as enterprises
from backend.media.tables import Blob, MediaItem, ReviewStatus

NEAR_DUPLICATE_BITS = 6
NEAR_DUPLICATE = "near_duplicate"
RETAKE = "照片无法解码（文件已损坏），请重新拍摄后上传。"  # the reason an undecodable upload is returned with


def bands(phash: int | None) -> dict[str, int | None]:
    """A Blob's perceptual hash columns."""
    if phash is None:
        return {"phash": None, "band0": None, "band1": None, "band2": None, "band3": None}
    signed = phash - (1 << 64) if phash >= 1 << 63 else phash  # fits a BIGINT
    return {"phash": signed, **{f"band{i}": (phash >> (16 * i)) & 0xFFFF for i in range(4)}}


async def near_copies(phash: int) -> set[str]:
    """The blobs whose perceptual hash is within NEAR_DUPLICATE_BITS of ``phash``."""
    own = bands(phash)
    rows = await Blob.select(Blob.sha256, Blob.phash).where(
        (Blob.band0 == own["band0"]) | (Blob.band1 == own["band1"])
        | (Blob.band2 == own["band2"]) | (Blob.band3 == own["band3"]))
    return {r["sha256"] for r in rows if bin((r["phash"] ^ own["phash"]) & (2**64 - 1)).count("1") <= NEAR_DUPLICATE_BITS}


async def seen_elsewhere(blobs: set[str], enterprise_id: UUID, visit_id: UUID | None) -> bool:
    """Is one of these ``blobs`` already filed for another enterprise, or another visit?"""
    elsewhere = MediaItem.enterprise != enterprise_id
    if visit_id is not None:
        elsewhere = elsewhere | (MediaItem.visit.is_null()) | (MediaItem.visit != visit_id)
    return await MediaItem.exists().where(MediaItem.blob.is_in(sorted(blobs)), elsewhere)


async def hashed(sha256: str, phash: int | None) -> None:
    """The original decoded: record its perceptual hash, and flag those of its uploads of
    which a near copy (other bytes) is filed for another enterprise or visit. Running it
    again changes nothing."""
    if phash is None:  # a video: its poster frame is no photo to compare
        return
    await Blob.update(bands(phash)).where(Blob.sha256 == sha256)
    copies = await near_copies(phash) - {sha256}
    if not copies:
        return
    for item in await MediaItem.select(MediaItem.id, MediaItem.enterprise, MediaItem.visit).where(MediaItem.blob == sha256):
        if await seen_elsewhere(copies, item["enterprise"], item["visit"]):
            await _flag(item["id"], NEAR_DUPLICATE)


async def _flag(media_id: UUID, flag: str) -> None:
    async with db.transaction():
        await db.serialise(f"media:{media_id}")
        row: Any = await MediaItem.select(MediaItem.flags).where(MediaItem.id == media_id).output(load_json=True).first()
        if flag not in row["flags"]:
            await MediaItem.update({MediaItem.flags: [*row["flags"], flag]}).where(MediaItem.id == media_id)


async def undecodable(sha256: str, reason: str) -> None:
    """The original's pixels do not decode: its blob says so (no preview will come, and
    the start-up sweep leaves it be), and its uploads still pending are returned to their
    senders for a retake, each recorded in the audit chain as the system's decision. Once:
    running it again returns nothing more."""
    now = clock.now()
    async with db.transaction():
        await Blob.update({Blob.undecodable: True}).where(Blob.sha256 == sha256)
        returned = await MediaItem.update({
            MediaItem.status: ReviewStatus.returned, MediaItem.review_reason: RETAKE, MediaItem.reviewed_at: now,
        }).where(MediaItem.blob == sha256, MediaItem.status == ReviewStatus.pending).returning(
            MediaItem.id, MediaItem.enterprise)
        for row in returned:
            await audit.record(None, "media.returned", "media", row["id"], {"reason": RETAKE, "decoder": reason},
                               await enterprises.place_of(row["enterprise"]))

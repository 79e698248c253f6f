"""Media rules: filing an upload in a dossier, reviewer flags, review, the archive.
Knows nothing of HTTP: it receives a streamed file already in the store's temp area."""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import anyio
import msgspec
from piccolo.columns.combination import Where
from piccolo.query.functions.aggregate import Count
from piccolo.querystring import QueryString

from backend.access import Scope
from backend import access, clock, db, pagination
from backend.audit import service as audit
from backend.enterprises import service as enterprises
from backend.enterprises.tables import ControlPoint
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.fields import error_field, humanise, reason_of
from backend.media import decoded, images
from backend.media.jobs import Jobs
from backend.media.links import Links
from backend.media.receive import Received
from backend.media.schemas import Archive, MediaOut, MediaPage, ReturnedPage, ReviewIn, UploadFields
from backend.media.store import MediaStore
from backend.media.tables import Blob, Category, MediaItem, ReviewStatus
from backend.regions import service as regions

VISIT_HOURS = 12  # a photo taken further than this from its visit's start is flagged
ENTERPRISE_CATEGORIES = {Category.rectification, Category.licence, Category.ledger}

_COLUMNS = (
    *(c for c in MediaItem.all_columns()
      if c._meta.name not in ("enterprise", "blob", "visit", "control_point", "replaces", "replaced_by")),
    MediaItem.enterprise.as_alias("enterprise_id"),
    MediaItem.enterprise.name.as_alias("enterprise_name"),
    MediaItem.visit.as_alias("visit_id"),
    MediaItem.control_point.as_alias("control_point_id"),
    MediaItem.control_point.name.as_alias("control_point_name"),
    MediaItem.replaces.as_alias("replaces_id"),
    MediaItem.replaced_by.as_alias("replaced_by_id"),
    MediaItem.blob.sha256.as_alias("sha256"),
    MediaItem.blob.mime.as_alias("mime"),
    MediaItem.blob.size.as_alias("size"),
    MediaItem.blob.width.as_alias("width"),
    MediaItem.blob.height.as_alias("height"),
    MediaItem.blob.derived_at.as_alias("derived_at"),
    MediaItem.blob.undecodable.as_alias("undecodable"),
    MediaItem.blob.duration.as_alias("duration"),
    MediaItem.blob.codec.as_alias("codec"),
    MediaItem.blob.pages.as_alias("pages"),
)


@dataclass(frozen=True)
class Upload:
    media: MediaOut
    created: bool


# ---------------------------------------------------------------------------- filing


async def file_upload(scope: Scope, store: MediaStore, jobs: Jobs, links: Links, received: Received,
                      gps_flag_metres: int, limits: images.Limits) -> Upload:
    """File a received upload in its enterprise's dossier, once: the same upload sent again
    (or many times at once) is answered with the first record. The temp file is consumed:
    moved into the store, or deleted with nothing recorded. It answers once the original is
    stored and recorded, its file's structure checked (images.inspect): the job queued
    (``jobs``) decodes it soon after, for its thumbnail, preview and perceptual hash
    (backend.media.decoded).
    ``limits`` hold each kind of file to its size (a video may be larger than a photo)."""
    placed: str | None = None
    new_blob = False
    flushing = None
    try:
        if received.path is None or received.size == 0:
            raise Invalid("Attach the photo or document (the file is missing or empty).", "file", code="file_missing")
        flushing = asyncio.ensure_future(anyio.to_thread.run_sync(store.flush, received.path))  # while checking
        fields, enterprise = await admit(scope, received.fields)
        original = None if fields.replaces_id is None else await _original(scope, fields)
        if original is not None:
            fields = _in_place_of(original, fields)
        if (existing := await _existing(scope, fields.id)) is not None:
            return Upload(_same_upload(existing, fields, received.sha256), created=False)
        await _check_references(scope, links, fields)
        if original is not None:
            await _may_replace(scope, links, original)

        mime = images.sniff(received.head)
        limits.check(mime, received.size)
        known = await Blob.select(Blob.phash, Blob.undecodable).where(Blob.sha256 == received.sha256).first()
        if known is None:
            derived = await anyio.to_thread.run_sync(images.inspect, received.path, mime)
        elif known["undecodable"]:
            raise Invalid("The image could not be decoded: its pixels are damaged.", "file", code="image_undecodable",
                          params={"reason": "damaged"})
        else:  # the same bytes as a stored blob: already validated, but its facts are read again
            derived = images.Derived(mime=mime, exif=await anyio.to_thread.run_sync(images.exif_of, received.path, mime),
                                     phash=None if known["phash"] is None else known["phash"] & (2**64 - 1))
        now = clock.now()
        item = _item(fields, received, derived, scope, now)
        if original is not None:
            item["replaces"] = original.id
            context = (await links.visit_context([original])).get(str(original.id))
            item["item_key"] = original.item_key or (context and context.item_key)
        item["flags"] = await _flags(item, enterprise, links, received.sha256, derived.phash, gps_flag_metres)
        async with db.transaction():
            await db.serialise(f"media:{fields.id}")
            raced = await MediaItem.exists().where(MediaItem.id == fields.id)
            if not raced:
                await db.serialise(f"blob:{received.sha256}")
                if not await Blob.exists().where(Blob.sha256 == received.sha256):
                    placed, new_blob = received.sha256, True
                    assert received.path is not None
                    await anyio.to_thread.run_sync(store.commit_original, received.path, received.sha256, mime)
                    await Blob.insert(Blob(sha256=received.sha256, size=received.size, crc32=received.crc32, mime=mime,
                                           width=derived.width, height=derived.height, duration=derived.duration,
                                           codec=derived.codec, pages=derived.pages, **decoded.bands(derived.phash)))
                await MediaItem.insert(MediaItem(**item))
                if original is not None:
                    await _link_replacement(original.id, fields.id)
                await audit.record(scope, "media.uploaded", "media", fields.id,
                                   {"sha256": received.sha256, "category": fields.category.value, "flags": item["flags"],
                                    **({"replaces": str(original.id)} if original is not None else {})},
                                   enterprises.place(enterprise))
        placed = None
        if new_blob:  # a crash before this line leaves them to the start-up sweep (jobs.sweep)
            await jobs.derive([(received.sha256, mime)])
        if raced:  # the same id was filed meanwhile, by a request sent at the same time
            return Upload(_same_upload(await _one(scope, fields.id), fields, received.sha256), created=False)
        return Upload(await _one(scope, fields.id), created=True)
    finally:
        if flushing is not None:
            await asyncio.wait([flushing])  # its thread is done with the file before it goes
        if received.path is not None:
            received.path.unlink(missing_ok=True)
        if placed is not None:
            await _forget_unrecorded(store, placed)


async def _forget_unrecorded(store: MediaStore, sha256: str) -> None:
    """Files stored by an upload whose transaction failed: removed, unless a blob row
    refers to them. Files and blob rows of one hash are written under the same lock,
    so no upload is recording them meanwhile."""
    async with db.transaction():
        await db.serialise(f"blob:{sha256}")
        if not await Blob.exists().where(Blob.sha256 == sha256):
            await anyio.to_thread.run_sync(store.delete, sha256)


def _same_upload(existing: MediaOut, fields: UploadFields, sha256: str) -> MediaOut:
    """The record an upload id already names, when this request is a retry of it."""
    if existing.sha256 != sha256:
        raise Conflict("This upload id was already used for a different file.", "id", code="id_reused")
    sent = (fields.enterprise_id, fields.category, fields.visit_id, fields.replaces_id)
    if (existing.enterprise_id, existing.category, existing.visit_id, existing.replaces_id) != sent:
        raise Conflict("This upload id was already used for the same file filed differently "
                       "(another enterprise, category, visit or replaced upload).", "id", code="upload_id_filed_differently")
    return existing


# ---------------------------------------------------------------------------- retakes


async def _original(scope: Scope, fields: UploadFields) -> MediaOut:
    """The upload a retake replaces: one in the caller's scope."""
    row = await MediaItem.select(*_COLUMNS).where(MediaItem.id == fields.replaces_id, *_in_scope(scope)).output(
        load_json=True).first()
    if row is None:
        raise Invalid(f"No upload {fields.replaces_id} in your jurisdiction to replace.", "replaces_id",
                      code="retake_original_not_found")
    return msgspec.convert(row, MediaOut)


def _in_place_of(original: MediaOut, fields: UploadFields) -> UploadFields:
    """A retake's fields: where the original was filed. Those sent must be the same; those
    left out are the original's."""
    same = {"enterprise_id": original.enterprise_id, "category": original.category, "visit_id": original.visit_id,
            "control_point_id": original.control_point_id}
    for name, value in same.items():
        sent = getattr(fields, name)
        if sent is not None and sent != value:
            raise Invalid(f"A retake is filed where the upload it replaces was: its {name} is {value}.", name,
                          code="retake_elsewhere")
    return msgspec.structs.replace(fields, **same)


async def _may_replace(scope: Scope, links: Links, original: MediaOut) -> None:
    """Only a returned upload not replaced yet, and only by its uploader or its visit's team."""
    if original.status != ReviewStatus.returned:
        raise Conflict(f"Only a returned upload is retaken; this one is {original.status.value}.", "replaces_id",
                       code="retake_not_returned", params={"status": original.status.value})
    if original.replaced_by_id is not None:
        raise Conflict(f"This returned upload was already replaced by {original.replaced_by_id}.", "replaces_id",
                       code="retake_done")
    if scope.user_id != original.uploaded_by and (
            original.visit_id is None or str(scope.user_id) not in await links.visit_team(original.visit_id)):
        raise Forbidden("Only whoever uploaded it, or its visit's team, retakes a returned upload.", "replaces_id",
                        code="retake_forbidden")


async def _link_replacement(original_id: UUID, replacement_id: UUID) -> None:
    """Point the original at its retake, in the retake's transaction: of retakes sent at
    once, the first links; the others find it replaced, and their filing rolls back."""
    linked = await MediaItem.update({MediaItem.replaced_by: replacement_id}).where(
        MediaItem.id == original_id, MediaItem.status == ReviewStatus.returned,
        MediaItem.replaced_by.is_null()).returning(MediaItem.id)
    if not linked:
        raise Conflict("This returned upload was just replaced by another retake.", "replaces_id", code="retake_done")


async def admit(scope: Scope, sent: dict[str, str]) -> tuple[UploadFields, enterprises.Located]:
    """The checks an upload's fields pass before its bytes matter: well formed, a category
    the caller may file, an enterprise in the caller's scope. Returns the fields and the
    enterprise. (A resumable upload passes them at its creation, and again when filed.)"""
    fields = _fields(sent)
    if scope.enterprise_id is not None and fields.category not in ENTERPRISE_CATEGORIES:
        raise Invalid("Enterprises upload rectification evidence, licences and ledgers.", "category", code="enterprise_upload_category")
    return fields, await enterprises.located(scope, fields.enterprise_id)


def _fields(sent: dict[str, str]) -> UploadFields:
    try:
        fields = msgspec.convert({k: v for k, v in sent.items() if v != ""}, UploadFields, strict=False)
    except msgspec.ValidationError as e:
        code, params = reason_of(str(e))
        raise Invalid(humanise(str(e).split(" - at ")[0]), error_field(str(e)) or "body", code=code, params=params) from None
    if fields.captured_at is not None and clock.in_future(fields.captured_at):
        raise Invalid("The capture time is in the future; check the phone's date and time.", "captured_at", code="capture_in_future")
    return fields


async def _check_references(scope: Scope, links: Links, fields: UploadFields) -> None:
    """Every record an upload names is one of its enterprise's: control points here; the
    visit, notice and rectification order by the links (see Links.check)."""
    if fields.rectification_id is not None and fields.category != Category.rectification:
        raise Invalid("Evidence against a rectification order has category 'rectification'.", "category", code="evidence_category")
    if fields.control_point_id is not None and not await ControlPoint.exists().where(
            ControlPoint.id == fields.control_point_id, ControlPoint.enterprise == fields.enterprise_id):
        raise Invalid("That control point is not one of this enterprise's.", "control_point_id", code="control_point_not_enterprises")
    await links.check(scope, fields)


def _item(fields: UploadFields, received: Received, derived: images.Derived, scope: Scope, now: datetime) -> dict:
    exif = derived.exif
    captured_at, time_source = _pick(exif.get("captured_at"), fields.captured_at)
    latitude, location_source = _pick(exif.get("latitude"), fields.latitude)
    longitude = exif.get("longitude") if location_source == "exif" else fields.longitude
    altitude = exif.get("altitude") if location_source == "exif" else fields.altitude
    return {
        "id": fields.id, "enterprise": fields.enterprise_id, "blob": received.sha256, "category": fields.category,
        "caption": fields.caption.strip(), "original_name": received.filename, "visit": fields.visit_id,
        "control_point": fields.control_point_id, "notice": fields.notice_id,
        "rectification": fields.rectification_id, "captured_at": captured_at, "captured_at_source": time_source,
        "latitude": latitude, "longitude": longitude, "altitude": altitude, "location_source": location_source,
        "device_make": exif.get("make", ""), "device_model": exif.get("model", ""),
        "orientation": exif.get("orientation"), "taken_at": captured_at or now, "uploaded_by": scope.user_id,
        "uploaded_at": now,
    }


def _pick(from_exif: Any, from_device: Any) -> tuple[Any, str | None]:
    """The photo's own reading first; the phone's as the fallback; and which one it was."""
    if from_exif is not None:
        return from_exif, "exif"
    if from_device is not None:
        return from_device, "device"
    return None, None


async def _flags(item: dict, enterprise: Any, links: Links, sha256: str, phash: int | None,
                 gps_flag_metres: int) -> list[str]:
    """What a reviewer should look at twice (shown, not refused)."""
    flags = []
    if None not in (item["latitude"], item["longitude"], enterprise.latitude, enterprise.longitude):
        if _metres(item["latitude"], item["longitude"], enterprise.latitude, enterprise.longitude) > gps_flag_metres:
            flags.append("far_from_enterprise")
    copies = {sha256} if phash is None else {sha256, *await decoded.near_copies(phash)}
    if await decoded.seen_elsewhere(copies, item["enterprise"], item["visit"]):
        flags.append(decoded.NEAR_DUPLICATE)
    if item["visit"] is not None and item["captured_at"] is not None:
        if _far_in_time(item["captured_at"], await links.visit_started(item["visit"])):
            flags.append("far_from_visit_time")
    return flags


def _far_in_time(captured_at: datetime | None, visit_started: datetime | None) -> bool:
    return None not in (captured_at, visit_started) and abs(captured_at - visit_started) > timedelta(hours=VISIT_HOURS)


async def flag_against_visit(media_ids: list[str], visit_started: datetime) -> None:
    """When a visit arrives after its photos (phones upload as signal allows), flag the
    ones taken far from its start. Runs inside the visit's transaction."""
    if not media_ids:
        return
    rows = await MediaItem.select(MediaItem.id, MediaItem.captured_at, MediaItem.flags).where(
        MediaItem.id.is_in(media_ids)).output(load_json=True)
    for row in rows:
        if _far_in_time(row["captured_at"], visit_started) and "far_from_visit_time" not in row["flags"]:
            await MediaItem.update({MediaItem.flags: [*row["flags"], "far_from_visit_time"]}).where(MediaItem.id == row["id"])


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


# ---------------------------------------------------------------------------- reading


def _in_scope(scope: Scope) -> list[Where]:
    return access.in_scope(scope, MediaItem.enterprise, MediaItem.enterprise)


async def _existing(scope: Scope, media_id: UUID) -> MediaOut | None:
    row = await MediaItem.select(MediaItem.enterprise).where(MediaItem.id == media_id).first()
    if row is None:
        return None
    return await _one(scope, media_id)  # NotFound when it belongs outside the caller's scope


async def _one(scope: Scope, media_id: UUID) -> MediaOut:
    row = await MediaItem.select(*_COLUMNS).where(MediaItem.id == media_id, *_in_scope(scope)).output(load_json=True).first()
    if row is None:
        raise NotFound(f"No media {media_id} in your jurisdiction.", code="media_not_found", params={"id": media_id})
    return msgspec.convert(row, MediaOut)


async def get_media(scope: Scope, media_id: UUID) -> MediaOut:
    return await _one(scope, media_id)


async def review(scope: Scope, links: Links, media_id: UUID, decision: ReviewIn) -> MediaOut:
    """Accept an upload, or return it to its sender with a reason, once: the same decision
    sent again (or many times at once) answers with the record; another one is a 409."""
    reason = decision.reason.strip()
    if decision.decision == "return" and not reason:
        raise Invalid("Say why the upload is returned, so the inspector can put it right.", "reason", code="return_reason_missing")
    media = await _one(scope, media_id)
    await _not_own_work(scope, links, media)
    now = clock.now()
    status = ReviewStatus.accepted if decision.decision == "accept" else ReviewStatus.returned
    async with db.transaction():
        decided = await MediaItem.update({
            MediaItem.status: status, MediaItem.review_reason: reason, MediaItem.reviewed_by: scope.user_id,
            MediaItem.reviewed_at: now, MediaItem.review_seconds: int((now - media.uploaded_at).total_seconds()),
        }).where(MediaItem.id == media_id, MediaItem.status == ReviewStatus.pending).returning(MediaItem.id)
        if decided:
            await audit.record(scope, f"media.{status.value}", "media", media_id, {"reason": reason},
                               await enterprises.place_of(media.enterprise_id))
    media = await _one(scope, media_id)
    if not decided and (media.status, media.review_reason) != (status, reason):
        raise Conflict(f"This upload was already {media.status.value}"
                       + (f" ({media.review_reason})." if media.review_reason else "."), "decision", code="already_decided", params={"status": media.status.value, "reason": media.review_reason})
    return media


async def _not_own_work(scope: Scope, links: Links, media: MediaOut) -> None:
    """Nobody reviews their own work: not the uploader, nor a member of the team of the
    visit whose photo a teammate took. (An enterprise's rectification evidence, even
    named against a visit, is decided by the inspectors.)"""
    if scope.user_id is None:
        return
    if media.uploaded_by == scope.user_id:
        raise Forbidden("You uploaded this; another reviewer decides on it.", "decision", code="review_own_upload")
    if media.visit_id is not None:
        team = await links.visit_team(media.visit_id)
        if str(scope.user_id) in team and str(media.uploaded_by) in team:
            raise Forbidden("You are on the team of the visit this photo belongs to; a reviewer from outside "
                            "the team decides on it.", "decision", code="review_own_visit")


@dataclass(frozen=True)
class QueueFilter:
    region: str | None = None
    category: Category | None = None
    flag: str | None = None


async def review_queue(scope: Scope, links: Links, f: QueueFilter, limit: int, cursor: str | None,
                       cursors: pagination.CursorCodec) -> MediaPage:
    """Pending uploads in the caller's jurisdiction, oldest first, each of a visit with
    its visit and checklist item (``links``). The signature images of a visit awaiting
    review are not among them: they are decided with their visit (decide_signatures)."""
    query = MediaItem.select(*_COLUMNS).where(
        MediaItem.status == ReviewStatus.pending, *_in_scope(scope),
        (MediaItem.category != Category.signature) | MediaItem.visit.is_null()
        | MediaItem.visit.not_in(links.visits_in_review()))
    if f.region is not None:
        region = await regions.get_region(scope, f.region, field="region")
        query = query.where(access.under(MediaItem.enterprise, region.code, region.level))
    if f.category is not None:
        query = query.where(MediaItem.category == f.category)
    if f.flag is not None:
        # JSON as text, so that the same LIKE works on SQLite and PostgreSQL's json type
        query = query.where(QueryString('CAST("media_item"."flags" AS TEXT) LIKE {}', f'%"{f.flag}"%'))
    page = await _page(query, MediaItem.uploaded_at, False, "queue", limit, cursor, cursors)
    await _in_context(page.items, links)
    return page


async def of_visit(scope: Scope, visit_id: UUID, named: list[str]) -> list[MediaOut]:
    """A visit's photos, videos and signature images: those filed with it and those its
    record names (``named``), in the order they were taken."""
    rows = await MediaItem.select(*_COLUMNS).where(
        _of_visit(visit_id, named), *_in_scope(scope),
    ).order_by(MediaItem.taken_at, MediaItem.id).output(load_json=True)
    return [msgspec.convert(r, MediaOut) for r in rows]


def _of_visit(visit_id: UUID, named: list[str]) -> Any:
    filed_with = MediaItem.visit == visit_id
    return filed_with | MediaItem.id.is_in(named) if named else filed_with


async def decide_signatures(scope: Scope, visit_id: UUID, named: list[str], status: ReviewStatus, reason: str,
                            place: Any) -> None:
    """Decide a visit's pending signature images (filed with it, or named by its record)
    as its review decides the visit: inside that review's transaction, after the visit's
    own conditional update, so that they are decided once with it."""
    now = clock.now()
    pending = await MediaItem.select(MediaItem.id, MediaItem.uploaded_at).where(
        MediaItem.category == Category.signature, MediaItem.status == ReviewStatus.pending,
        _of_visit(visit_id, named))
    for row in pending:
        decided = await MediaItem.update({
            MediaItem.status: status, MediaItem.review_reason: reason, MediaItem.reviewed_by: scope.user_id,
            MediaItem.reviewed_at: now, MediaItem.review_seconds: int((now - row["uploaded_at"]).total_seconds()),
        }).where(MediaItem.id == row["id"], MediaItem.status == ReviewStatus.pending).returning(MediaItem.id)
        if decided:
            await audit.record(scope, f"media.{status.value}", "media", row["id"], {"reason": reason, "visit": str(visit_id)},
                               place)


async def my_uploads(scope: Scope, status: ReviewStatus | None, limit: int, cursor: str | None,
                     cursors: pagination.CursorCodec) -> MediaPage:
    """What the caller sent, newest first (returned ones tell them what to put right)."""
    query = MediaItem.select(*_COLUMNS).where(MediaItem.uploaded_by == scope.user_id, *_in_scope(scope))
    if status is not None:
        query = query.where(MediaItem.status == status)
    return await _page(query, MediaItem.uploaded_at, True, f"mine:{status}", limit, cursor, cursors)


async def returned(scope: Scope, links: Links, limit: int, cursor: str | None,
                   cursors: pagination.CursorCodec) -> ReturnedPage:
    """The caller's returned uploads not retaken yet, newest first, each with its control
    point, visit and checklist item named (two queries a page, however long)."""
    query = MediaItem.select(*_COLUMNS).where(
        MediaItem.uploaded_by == scope.user_id, MediaItem.status == ReviewStatus.returned,
        MediaItem.replaced_by.is_null(), *_in_scope(scope))
    rows, next_cursor = await pagination.page(query.output(load_json=True), (MediaItem.uploaded_at, MediaItem.id), limit,
                                              cursor, cursors, kind="returned", descending=True)
    return ReturnedPage(items=await _in_context([msgspec.convert(r, MediaOut) for r in rows], links),
                        next_cursor=next_cursor)


async def _in_context(items: list[MediaOut], links: Links) -> list[MediaOut]:
    """The uploads, each naming its visit and checklist item (one query, however many)."""
    context = await links.visit_context(items)
    for m in items:
        m.visit_context = context.get(str(m.id))
    return items


async def archive(scope: Scope, enterprise_id: UUID, category: Category | None, limit: int, cursor: str | None,
                  cursors: pagination.CursorCodec) -> Archive:
    """An enterprise's image archive: its timeline (newest first) and counts per category."""
    await enterprises.located(scope, enterprise_id)  # NotFound outside the caller's scope
    counts = await MediaItem.select(MediaItem.category, Count()).where(MediaItem.enterprise == enterprise_id).group_by(
        MediaItem.category
    )
    query = MediaItem.select(*_COLUMNS).where(MediaItem.enterprise == enterprise_id)
    if category is not None:
        query = query.where(MediaItem.category == category)
    page = await _page(query, MediaItem.taken_at, True, f"archive:{category}", limit, cursor, cursors)
    return Archive(items=page.items, next_cursor=page.next_cursor, counts={r["category"]: r["count"] for r in counts})


async def _page(query: Any, column: Any, descending: bool, kind: str, limit: int, cursor: str | None,
                cursors: pagination.CursorCodec) -> MediaPage:
    """A page of uploads in the order of ``column``, then id."""
    rows, next_cursor = await pagination.page(query.output(load_json=True), (column, MediaItem.id), limit, cursor,
                                              cursors, kind=kind, descending=descending)
    return MediaPage(items=[msgspec.convert(r, MediaOut) for r in rows], next_cursor=next_cursor)

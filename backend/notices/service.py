"""Warning-notice rules: templates, posting (which replaces the point's current notice),
removal, the public verification by short code, and notice coverage. Knows nothing of HTTP."""

from __future__ import annotations

import secrets
import uuid
from uuid import UUID

import msgspec

from backend.access import Scope
from backend import access, clock, db
from backend.audit import service as audit
from backend.enterprises import service as enterprises
from backend.enterprises.tables import ControlPoint, ControlPointKind, Enterprise
from backend.errors import Conflict, Invalid, NotFound
from backend.inspections.tables import Visit, VisitStatus
from backend.media.tables import Category, MediaItem
from backend.notices.schemas import NoticeIn, NoticeOut, NoticeTemplateOut
from backend.notices.standard_templates import STANDARD_NOTICES
from backend.notices.tables import Notice, NoticeStatus, NoticeTemplate

# The short public code: no 0/O, 1/I/L, so it survives being read aloud or typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def bureau_name(county_name: str) -> str:
    """The county bureau that posts notices in a county: 惠民县 -> 惠民县市场监督管理局."""
    return f"{county_name}市场监督管理局"


# ---------------------------------------------------------------------------- templates


async def install_standard_templates() -> int:
    """Add each standard notice template that is not there yet."""
    added = 0
    for t in STANDARD_NOTICES:
        if await NoticeTemplate.exists().where(NoticeTemplate.code == t["code"]):
            continue
        await NoticeTemplate.insert(NoticeTemplate(id=uuid.uuid4(), code=t["code"], title=t["title"], body=t["body"],
                                                   control_point_kind=t["kind"], paper_size=t["paper_size"]))
        added += 1
    return added


async def list_templates() -> list[NoticeTemplateOut]:
    rows = await NoticeTemplate.select().order_by(NoticeTemplate.code)
    return msgspec.convert(rows, list[NoticeTemplateOut])


def fits(template_kind: str, point_kind: str) -> bool:
    """A template serves control points of its own kind; the general one (kind "other") any."""
    return template_kind in (ControlPointKind.other.value, point_kind)


# ---------------------------------------------------------------------------- reading


_COLUMNS = (
    Notice.all_columns(exclude=[Notice.enterprise, Notice.control_point, Notice.template, Notice.visit, Notice.photo]),
    Notice.enterprise.as_alias("enterprise_id"), Notice.enterprise.name.as_alias("enterprise_name"),
    Notice.enterprise.county_code.name.as_alias("county_name"),
    Notice.control_point.as_alias("control_point_id"), Notice.control_point.name.as_alias("control_point_name"),
    Notice.template.as_alias("template_id"), Notice.template.title.as_alias("title"), Notice.template.body.as_alias("body"),
    Notice.template.paper_size.as_alias("paper_size"), Notice.visit.as_alias("visit_id"), Notice.photo.as_alias("photo_id"),
)


def _out(row: dict) -> NoticeOut:
    return msgspec.convert({**row, "bureau": bureau_name(row["county_name"])}, NoticeOut)


async def get_notice(scope: Scope, notice_id: UUID) -> NoticeOut:
    row = await Notice.select(*_COLUMNS).where(Notice.id == notice_id, *access.in_scope(scope, Notice.enterprise, Notice.enterprise)).first()
    if row is None:
        raise NotFound(f"No notice {notice_id} in your jurisdiction.", code="notice_not_found", params={"id": notice_id})
    return _out(row)


async def enterprise_notices(scope: Scope, enterprise_id: UUID) -> list[NoticeOut]:
    """An enterprise's notices: the current ones first, then the newest."""
    if not await Enterprise.exists().where(Enterprise.id == enterprise_id, *access.in_scope(scope, Enterprise, Enterprise.id)):
        raise NotFound(f"No enterprise {enterprise_id} in your jurisdiction.", code="enterprise_not_found", params={"id": enterprise_id})
    rows = await Notice.select(*_COLUMNS).where(Notice.enterprise == enterprise_id).order_by(Notice.posted_at, ascending=False)
    return sorted((_out(r) for r in rows), key=lambda n: n.status != NoticeStatus.current)


async def by_code(code: str) -> NoticeOut | None:
    """The notice printed with ``code`` (any case), for the public verification page."""
    row = await Notice.select(*_COLUMNS).where(Notice.code == code.strip().upper()).first()
    return _out(row) if row else None


# ---------------------------------------------------------------------------- posting and removal
#
# Each change checks and writes in one transaction: a conditional UPDATE whose returned
# rows are checked, or a lock on the records it decides about. The same request sent
# again, or many times at once, has one effect; the others answer with the record (a
# retry) or a 409 that says what happened.


async def post_notice(scope: Scope, data: NoticeIn) -> tuple[NoticeOut, bool]:
    """Post a notice at a control point during a visit; the point's current notice, if any,
    becomes replaced. Sending the same notice again returns it (False: not created)."""
    if (posted := await _posted(scope, data)) is not None:
        return posted, False
    visit = await Visit.select(Visit.enterprise, Visit.status, Visit.team).where(
        Visit.id == data.visit_id, *access.in_scope(scope, Visit.enterprise, Visit.enterprise)).output(load_json=True).first()
    if visit is None:
        raise NotFound(f"No visit {data.visit_id} in your jurisdiction.", "visit_id", code="visit_not_found", params={"id": data.visit_id})
    point = await ControlPoint.select(ControlPoint.enterprise, ControlPoint.kind).where(
        ControlPoint.id == data.control_point_id, *access.in_scope(scope, ControlPoint.enterprise, ControlPoint.enterprise)).first()
    if point is None:
        raise NotFound(f"No control point {data.control_point_id} in your jurisdiction.", "control_point_id", code="control_point_not_found", params={"id": data.control_point_id})
    if str(point["enterprise"]) != str(visit["enterprise"]):
        raise Invalid("That control point is not one of the visited enterprise's.", "control_point_id", code="control_point_not_enterprises")
    if visit["status"] == VisitStatus.accepted:
        raise Conflict("The visit was accepted and is closed; post the notice during a new visit.", "visit_id", code="visit_closed_notice")
    if scope.user_id is not None and str(scope.user_id) not in {str(u) for u in visit["team"]}:
        raise Invalid("Only a member of the visit's team posts its notices.", "visit_id", code="notice_team_only")
    template = await NoticeTemplate.select().where(NoticeTemplate.id == data.template_id).first()
    if template is None:
        raise Invalid(f"No notice template {data.template_id}.", "template_id", code="notice_template_not_found", params={"id": data.template_id})
    if not fits(template["control_point_kind"], point["kind"]):
        raise Invalid(f"This template is for {template['control_point_kind']} control points; this point is "
                      f"{point['kind']} (the general template fits any).", "template_id", code="notice_template_kind", params={"template_kind": template['control_point_kind'], "point_kind": point['kind']})
    if data.photo_id is not None:
        await _check_photo(data.photo_id, point["enterprise"])

    enterprise_id = point["enterprise"]
    place = await enterprises.place_of(enterprise_id)
    now = clock.now()
    code = await _new_code()
    async with db.transaction():
        # This notice id, then this point: a second post of either waits here, then sees the first.
        await db.serialise(f"notice:{data.id}")
        await db.serialise(f"control_point:{data.control_point_id}")
        raced = await Notice.exists().where(Notice.id == data.id)
        if not raced:
            replaced = await Notice.update({Notice.status: NoticeStatus.replaced, Notice.ended_at: now,
                                            Notice.replaced_by: data.id}).where(
                Notice.control_point == data.control_point_id, Notice.status == NoticeStatus.current
            ).returning(Notice.id, Notice.code)
            await Notice.insert(Notice(id=data.id, code=code, enterprise=enterprise_id, control_point=data.control_point_id,
                                       template=data.template_id, visit=data.visit_id, photo=data.photo_id,
                                       posted_at=now, posted_by=scope.user_id))
            if data.photo_id is not None:
                await _link_photo(data.photo_id, data.id, data.control_point_id)
            if not replaced:  # one more covered point
                await _count_current(enterprise_id, +1)
            for old in replaced:
                await audit.record(scope, "notice.replaced", "notice", old["id"],
                                   {"code": old["code"], "replaced_by": str(data.id)}, place)
            await audit.record(scope, "notice.posted", "notice", data.id,
                               {"code": code, **{k: str(v) for k, v in _sent(data).items()},
                                "template_code": template["code"], "replaces": [str(old["id"]) for old in replaced]}, place)
    if raced:  # posted meanwhile by the same request sent at the same time
        return await _posted(scope, data), False  # type: ignore[return-value]
    return await get_notice(scope, data.id), True


def _sent(data: NoticeIn) -> dict:
    return {"visit": data.visit_id, "control_point": data.control_point_id, "template": data.template_id,
            "photo": data.photo_id}


async def _posted(scope: Scope, data: NoticeIn) -> NoticeOut | None:
    """The notice ``data.id`` names, when this post is a retry of it; None when there is
    none yet. A retry sent without a photo also matches the notice photographed since."""
    sent = _sent(data)
    existing = await Notice.select(*(getattr(Notice, k) for k in sent)).where(Notice.id == data.id).first()
    if existing is None:
        return None
    if data.photo_id is None:
        del sent["photo"], existing["photo"]
    if {k: str(v) for k, v in existing.items()} != {k: str(v) for k, v in sent.items()}:
        raise Conflict("This notice id was already used for a different notice.", "id", code="id_reused")
    return await get_notice(scope, data.id)


async def attach_photo(scope: Scope, notice_id: UUID, photo_id: UUID) -> NoticeOut:
    """The photo of a notice printed first, now in place. Sending it again changes nothing."""
    notice = await get_notice(scope, notice_id)
    if _photographed(notice, photo_id):
        return notice
    await _check_photo(photo_id, notice.enterprise_id)
    async with db.transaction():
        attached = await Notice.update({Notice.photo: photo_id}).where(
            Notice.id == notice_id, Notice.photo.is_null(), Notice.status == NoticeStatus.current).returning(Notice.id)
        if attached:
            await _link_photo(photo_id, notice_id, notice.control_point_id)
            await audit.record(scope, "notice.photographed", "notice", notice_id, {"code": notice.code, "photo": str(photo_id)},
                               await enterprises.place_of(notice.enterprise_id))
    notice = await get_notice(scope, notice_id)
    if not attached:
        _photographed(notice, photo_id)  # a retry, or the 409 of what happened meanwhile
    return notice


def _photographed(notice: NoticeOut, photo_id: UUID) -> bool:
    """True when ``photo_id`` is the notice's photo already; a 409 when the notice takes no photo."""
    if notice.photo_id == photo_id:
        return True
    if notice.photo_id is not None:
        raise Conflict("This notice already has its photo in place; post a new notice to replace it.", "photo_id", code="notice_photo_in_place")
    if notice.status != NoticeStatus.current:
        raise Conflict(f"Only a current notice is photographed in place; this one is {notice.status.value}.", "photo_id", code="notice_not_current", params={"status": notice.status.value})
    return False


async def _check_photo(photo_id: UUID, enterprise_id: UUID) -> None:
    photo = await MediaItem.select(MediaItem.enterprise, MediaItem.category, MediaItem.blob.mime.as_alias("mime")).where(
        MediaItem.id == photo_id).first()
    if (photo is None or str(photo["enterprise"]) != str(enterprise_id) or photo["category"] != Category.notice
            or not photo["mime"].startswith("image/")):
        raise Invalid("The photo of the notice in place is an image uploaded to this enterprise's dossier with "
                      "category 'notice'; upload it first.", "photo_id", code="notice_photo_not_uploaded")


async def _link_photo(photo_id: UUID, notice_id: UUID, control_point_id: UUID) -> None:
    await MediaItem.update({MediaItem.notice: notice_id, MediaItem.control_point: control_point_id}).where(
        MediaItem.id == photo_id)


async def remove_notice(scope: Scope, notice_id: UUID, reason: str) -> NoticeOut:
    """Take a current notice down. The same removal sent again answers with the notice."""
    notice = await get_notice(scope, notice_id)
    reason = reason.strip()
    if not reason:
        raise Invalid("Say why the notice is removed; the public verification page shows it.", "reason", code="removal_reason_missing")
    if _removed(notice, reason):
        return notice
    async with db.transaction():
        removed = await Notice.update({Notice.status: NoticeStatus.removed, Notice.ended_at: clock.now(),
                                       Notice.removed_by: scope.user_id, Notice.removed_reason: reason}).where(
            Notice.id == notice_id, Notice.status == NoticeStatus.current).returning(Notice.id)
        if removed:
            await _count_current(notice.enterprise_id, -1)
            await audit.record(scope, "notice.removed", "notice", notice_id, {"code": notice.code, "reason": reason},
                               await enterprises.place_of(notice.enterprise_id))
    notice = await get_notice(scope, notice_id)
    if not removed:
        _removed(notice, reason)  # a retry, or the 409 of what happened meanwhile
    return notice


def _removed(notice: NoticeOut, reason: str) -> bool:
    """True when the notice was removed already for ``reason``; a 409 when it is not current."""
    if notice.status == NoticeStatus.removed and notice.removed_reason == reason:
        return True
    if notice.status != NoticeStatus.current:
        raise Conflict(f"Only a current notice is removed; this one is {notice.status.value}"
                       + (f" ({notice.removed_reason})." if notice.removed_reason else "."), "status", code="notice_not_current", params={"status": notice.status.value, "reason": notice.removed_reason})
    return False


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def _new_code() -> str:
    """A short code no notice has yet (31^8 codes: a collision is rare; try again if so)."""
    for _ in range(10):
        code = new_code()
        if not await Notice.exists().where(Notice.code == code):
            return code
    raise RuntimeError("Could not find an unused notice code in 10 attempts.")


# ---------------------------------------------------------------------------- coverage


async def _count_current(enterprise_id: UUID, change: int) -> None:
    await Enterprise.update({Enterprise.current_notices: Enterprise.current_notices + change}).where(
        Enterprise.id == enterprise_id)


async def recount() -> None:
    """Every enterprise's control points and current notices, counted from the records
    (after a bulk load, or to check the running counts): grouped counts joined to the
    enterprises, not a count per enterprise (which, on a fresh table without statistics,
    PostgreSQL planned as a scan of every current notice for each enterprise)."""
    async with db.transaction():
        await Enterprise.raw("UPDATE enterprise SET control_points = 0, current_notices = 0 "
                             "WHERE control_points <> 0 OR current_notices <> 0")
        for column, rows in (("control_points", "SELECT enterprise, count(*) AS n FROM control_point GROUP BY enterprise"),
                             ("current_notices", "SELECT enterprise, count(*) AS n FROM notice WHERE status = 'current' "
                                                 "GROUP BY enterprise")):
            await Enterprise.raw(f"UPDATE enterprise SET {column} = counted.n FROM ({rows}) AS counted "
                                 "WHERE counted.enterprise = enterprise.id")

"""What a document shows, as plain data: the record, order and re-check contexts the
templates in templates/ render. Every value is a finished string (or a list of them), so
that the phone's offline preview (pwa/src/paper.js) can fill the same template with
Nunjucks from the visit it holds, and print the same words.

A photo's or signature's ``src`` is ``media:<sha256>/<variant>``; render.py serves those
from the media store, the phone uses its own copies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from backend.accounts.tables import User
from backend.clock import BUREAU_TIME
from backend.documents.tables import DocumentKind
from backend.enterprises.tables import Enterprise, Licence
from backend.glossary import LABELS
from backend.inspections import checklists
from backend.inspections.tables import Finding, Visit
from backend.media.tables import Category, MediaItem

APPEAL_DAYS, SUIT_MONTHS = 60, 6


def day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(BUREAU_TIME).date()
    return f"{value.year}年{value.month}月{value.day}日"


def moment(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(BUREAU_TIME)
    return f"{day(local)} {local:%H:%M}"


def position(latitude: float | None, longitude: float | None) -> str:
    if latitude is None or longitude is None:
        return ""
    return (f"{'北纬' if latitude >= 0 else '南纬'} {abs(latitude):.5f}°，"
            f"{'东经' if longitude >= 0 else '西经'} {abs(longitude):.5f}°")


async def record(visit_id: UUID) -> dict[str, Any]:
    """The on-site inspection record (现场检查笔录) of a filed visit."""
    visit = await _visit(visit_id)
    checklist = await checklists.get_checklist(visit["checklist"])
    answers = {a["item"]: a for a in visit["answers"]}
    photos = await _photos(visit_id, [m for a in visit["answers"] for m in a.get("media", [])], answers, checklist)
    names = await _people(visit["team"])
    signatures = {s.get("user_id"): s for s in visit["signatures"] if s["signer"] == "inspector"}
    firm = next((s for s in visit["signatures"] if s["signer"] == "enterprise"), None)
    return {
        **await _heading(visit["enterprise"], DocumentKind.record),
        "visit_type": LABELS["visit_types"][visit["visit_type"]],
        "started": moment(visit["started_at"]),
        "ended": moment(visit["submitted_at"]),
        "place": _place(visit["enterprise_address"], visit["start_latitude"], visit["start_longitude"]),
        "team": [{"name": names[m]["name"], "certificate_no": names[m]["certificate_no"]} for m in visit["team"]],
        "sections": [{"title": section["title"], "rows": [_item(item, answers.get(item["key"]))
                                                           for item in section["items"]]}
                     for section in checklist.sections],
        "findings": await _findings(visit_id, checklist),
        "photos": photos,
        "conclusion": LABELS["conclusions"].get(visit["conclusion"] or "", ""),
        "inspectors": [{"name": signatures.get(m, {}).get("name") or names[m]["name"],
                        "src": _src(signatures.get(m, {}).get("sha256"), "original")} for m in visit["team"]],
        "enterprise_signature": _firm_signature(firm),
        "content_hash": visit["content_hash"] or "",
    }


async def order(visit_id: UUID, record_number: str) -> dict[str, Any]:
    """The order to correct (责令改正通知书) of a filed visit with findings."""
    visit = await _visit(visit_id)
    checklist = await checklists.get_checklist(visit["checklist"])
    firm = next((s for s in visit["signatures"] if s["signer"] == "enterprise"), None)
    heading = await _heading(visit["enterprise"], DocumentKind.order)
    return {
        **heading,
        "visit_date": day(visit["started_at"]),
        "record_number": record_number,
        "findings": await _findings(visit_id, checklist),
        "served": _firm_signature(firm),
        "served_on": day(visit["submitted_at"]),
        "appeal": (f"如不服本通知，可以自收到本通知书之日起{APPEAL_DAYS}日内向{heading['county']}人民政府申请行政复议，"
                   f"也可以自收到本通知书之日起{SUIT_MONTHS}个月内依法向人民法院提起行政诉讼。"),
    }


async def recheck(finding_id: UUID, record_number: str) -> dict[str, Any]:
    """The re-check record (复查记录) of a closed finding."""
    finding = await Finding.select(Finding.all_columns(), Finding.visit.checklist.as_alias("checklist")).where(
        Finding.id == finding_id).first()
    visit = await _visit(finding["visit"])
    checklist = await checklists.get_checklist(finding["checklist"])
    item = checklists.items(checklist).get(finding["item_key"], {})
    closer = (await _people([finding["closed_by"]]))[str(finding["closed_by"])] if finding["closed_by"] else None
    evidence = await MediaItem.select(MediaItem.id).where(MediaItem.rectification == finding_id,
                                                          MediaItem.status == "accepted")
    return {
        **await _heading(visit["enterprise"], DocumentKind.recheck),
        "record_number": record_number,
        "visit_date": day(visit["started_at"]),
        "finding": {"key": finding["item_key"], "text": item.get("text", ""), "description": finding["description"],
                    "legal_basis": finding["legal_basis"], "deadline": day(finding["deadline"])},
        "closed_via": LABELS["closed_via"].get(finding["closed_via"] or "", ""),
        "closed_on": moment(finding["closed_at"]),
        "on_time": finding["deadline"] is None or finding["closed_at"].astimezone(BUREAU_TIME).date() <= finding["deadline"],
        "note": finding["closure_note"],
        "closed_by": closer or {"name": "", "certificate_no": ""},
        "photos": await _photos(None, [e["id"] for e in evidence], {}, checklist),
    }


# ---------------------------------------------------------------------------- parts


async def _visit(visit_id: UUID) -> dict[str, Any]:
    return await Visit.select(Visit.all_columns(), Visit.enterprise.address.as_alias("enterprise_address")).where(
        Visit.id == visit_id).output(load_json=True).first()


async def _heading(enterprise_id: UUID, kind: DocumentKind) -> dict[str, Any]:
    firm = await Enterprise.select(Enterprise.name, Enterprise.uscc, Enterprise.address,
                                   Enterprise.county_code.name.as_alias("county")).where(
        Enterprise.id == enterprise_id).first()
    licences = await Licence.select().where(Licence.enterprise == enterprise_id).order_by(Licence.valid_to,
                                                                                          ascending=False)
    return {
        "kind": kind.value, "title": LABELS["document_kinds"][kind.value], "number": "", "code": "", "qr": "",
        "county": firm["county"], "bureau": f"{firm['county']}市场监督管理局",
        "enterprise": {"name": firm["name"], "uscc": firm["uscc"], "address": firm["address"],
                       "licences": [{"number": lic["number"], "scope": lic["scope"], "valid_to": day(lic["valid_to"]),
                                     "status": LABELS["licence_status"][lic["status"]]} for lic in licences]},
    }


def _place(address: str, latitude: float | None, longitude: float | None) -> str:
    where = position(latitude, longitude)
    return f"{address}（定位：{where}）" if where else address


def _item(item: dict[str, Any], answer: dict[str, Any] | None) -> dict[str, Any]:
    detail = ""
    if answer is not None:
        if answer.get("number") is not None:
            detail = f"{answer['number']:g} {item.get('unit') or ''}".strip()
        elif answer.get("choice"):
            detail = answer["choice"]
        elif answer.get("text"):
            detail = answer["text"]
        if answer.get("note"):
            detail = f"{detail}；{answer['note']}" if detail else answer["note"]
    result = (answer or {}).get("result")
    item_class = checklists.item_class(item)
    return {"key": item["key"], "text": item["text"], "key_item": item_class == "key",
            "item_class": LABELS["item_classes"][item_class],
            "result": LABELS["results"][result] if result else ("已记录" if detail else "未检查"), "detail": detail}


async def _findings(visit_id: UUID, checklist: Any) -> list[dict[str, Any]]:
    items = checklists.items(checklist)
    rows = await Finding.select().where(Finding.visit == visit_id).order_by(Finding.item_key)
    return [{"n": n, "key": f["item_key"], "text": items.get(f["item_key"], {}).get("text", ""),
             "description": f["description"], "legal_basis": f["legal_basis"], "deadline": day(f["deadline"])}
            for n, f in enumerate(rows, 1)]


async def _photos(visit_id: UUID | None, cited: list[Any], answers: dict[str, dict], checklist: Any) -> list[dict]:
    """The visit's photos, videos and documents (and any it cites), oldest first, numbered."""
    where = MediaItem.id.is_in([str(m) for m in cited]) if cited else None
    if visit_id is not None:
        mine = (MediaItem.visit == visit_id) & (MediaItem.category != Category.signature)
        where = mine if where is None else (where | mine)
    if where is None:
        return []
    rows = await MediaItem.select(MediaItem.id, MediaItem.category, MediaItem.caption, MediaItem.taken_at,
                                  MediaItem.captured_at, MediaItem.captured_at_source, MediaItem.latitude,
                                  MediaItem.longitude, MediaItem.blob.sha256.as_alias("sha256"),
                                  MediaItem.blob.mime.as_alias("mime"), MediaItem.blob.duration.as_alias("duration"),
                                  ).where(where).order_by(MediaItem.taken_at)
    items = checklists.items(checklist)
    cited_by = {str(m): key for key, a in answers.items() for m in a.get("media", [])}
    photos = []
    for n, row in enumerate(rows, 1):
        key = cited_by.get(str(row["id"]))
        what = f"{key} {items[key]['text']}" if key in items else LABELS["media_categories"][row["category"]]
        source = LABELS["time_sources"].get(row["captured_at_source"] or "", "上传时间")
        photos.append({
            "n": n, "what": what, "caption": row["caption"],
            "src": _src(row["sha256"], "thumbnail") if row["mime"].startswith(("image/", "video/")) else "",
            "file": _file_words(row["mime"], row["duration"]),
            "captured": f"{moment(row['captured_at'] or row['taken_at'])}（{source}）",
            "place": position(row["latitude"], row["longitude"]), "sha256": row["sha256"][:16],
        })
    return photos


async def _people(ids: list[Any]) -> dict[str, dict[str, str]]:
    rows = await User.select(User.id, User.display_name, User.certificate_no).where(User.id.is_in([str(i) for i in ids]))
    found = {str(r["id"]): {"name": r["display_name"], "certificate_no": r["certificate_no"]} for r in rows}
    return {str(i): found.get(str(i), {"name": "", "certificate_no": ""}) for i in ids}


def _firm_signature(signature: dict[str, Any] | None) -> dict[str, Any]:
    if signature is None:
        return {"name": "", "src": "", "refused": False, "witness_note": ""}
    return {"name": signature["name"], "src": _src(signature.get("sha256"), "original"),
            "refused": bool(signature.get("refused")), "witness_note": signature.get("witness_note", "")}


def _file_words(mime: str, duration: float | None) -> str:
    """Under a video's poster frame its length (视频 1:05); for a document, that it is a file."""
    if mime.startswith("image/"):
        return ""
    if not mime.startswith("video/"):
        return LABELS["evidence_files"]["other"]
    if duration is None:
        return LABELS["evidence_files"]["video"]
    hours, rest = divmod(round(duration), 3600)
    length = f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"
    return f"{LABELS['evidence_files']['video']} {length}"


def _src(sha256: str | None, variant: str) -> str:
    return f"media:{sha256}/{variant}" if sha256 else ""

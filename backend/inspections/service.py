"""Inspection rules: planning, the offline batch submission, locking, review (checklists
are in checklists.py). Knows nothing of HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Mapping
from uuid import UUID

import msgspec
from piccolo.querystring import QueryString

from backend.access import FIELD_TEAM, Role, Scope
from backend import access, clock, db, pagination
from backend.accounts.tables import User
from backend.audit import service as audit
from backend.inspections import schedule
from backend.enterprises import service as enterprises
from backend.enterprises.tables import Enterprise
from backend.errors import Conflict, Forbidden, Invalid, NotFound
from backend.inspections import checklists, follow_up
from backend.inspections.schemas import (
    ChecklistOut, Submission, VisitOut, VisitPage, VisitPlan, VisitReviewIn, VisitSummary,
)
from backend.inspections.paper import Paper
from backend.inspections.tally import Tally
from backend.inspections.tables import Finding, Visit, VisitMember, VisitStatus
from backend.media import service as media_service
from backend.media.schemas import MediaOut
from backend.media.tables import Category, MediaItem, ReviewStatus


# ---------------------------------------------------------------------------- planning

PLANNED_COLUMNS = ("id", "enterprise", "province_code", "city_code", "county_code", "checklist", "visit_type",
                   "planned_date", "team", "status", "answers", "signatures", "review_reason", "created_by")


async def plan_visit(scope: Scope, plan: VisitPlan, today: date) -> tuple[VisitOut, bool]:
    """Plan a visit; sending the same plan again returns it (False: not created)."""
    enterprise = await _check_plan(scope, plan, today)
    async with db.transaction():
        created = await Visit.insert(Visit(**_plan_row(plan), **_codes(enterprise), created_by=scope.user_id)).on_conflict(
            action="DO NOTHING").returning(Visit.id)
        if created:
            await audit.record(scope, "visit.planned", "visit", plan.id, _plan_dict(plan), enterprises.place(enterprise))
        elif await _stored_plan(plan.id) != _plan_dict(plan):
            raise Conflict("This visit id was already used for a different plan.", "id", code="id_reused")
    return await get_visit(scope, plan.id), bool(created)


async def _check_plan(scope: Scope, plan: VisitPlan, today: date, team_of_record: bool = False) -> Any:
    """The plan's enterprise (in scope), checklist and team; ``team_of_record``: the team
    is the stored plan's, checked when it was planned (a member moved or deactivated since
    does not undo work done offline with them)."""
    enterprise = await enterprises.get_enterprise(scope, plan.enterprise_id, today)  # 404 outside scope
    await checklists.get_checklist(plan.checklist_id, "visit.checklist_id")
    if not team_of_record:
        _check_team(plan.team, await _members(plan.team), _codes(enterprise), "visit.team")
    if plan.amends is not None:
        original = await Visit.select(Visit.enterprise, Visit.status).where(Visit.id == plan.amends).first()
        if original is None or str(original["enterprise"]) != str(plan.enterprise_id) or original["status"] == VisitStatus.planned:
            raise Invalid("An amendment corrects a submitted visit of the same enterprise.", "visit.amends", code="amendment_not_submitted")
    return enterprise


async def _members(ids: Any) -> dict[str, dict]:
    """The users who may be named in teams, by id (as text)."""
    rows = await User.select(User.id, User.display_name, User.role, User.active,
                             User.region_code.level.as_alias("level"), User.region_code).where(
        User.id.is_in(list({str(u) for u in ids})))
    return {str(m["id"]): m for m in rows}


def _check_team(team: list[UUID], members: dict[str, dict], codes: Mapping[str, Any], field: str) -> None:
    """Two or more active inspectors, each named once, whose jurisdiction covers the
    enterprise (``codes``: its region codes)."""
    named = {str(u) for u in team}
    if len(named) != len(team):
        raise Invalid("An inspector is named twice in the team; name each once.", field, code="team_member_twice")
    if len(named) < 2:
        raise Invalid("The law requires a team of at least two enforcement officers.", field, code="team_too_small")
    missing = {u for u in named if not ((m := members.get(u)) and m["active"] and m["role"] in FIELD_TEAM
                                        and _covers(m, codes))}
    if missing:
        raise Invalid(f"Not an active inspector with jurisdiction over this enterprise: {', '.join(sorted(missing))}.",
                      field, code="team_not_eligible", params={"names": sorted(missing)})


def _covers(member: dict, codes: Mapping[str, Any]) -> bool:
    column = access.LEVEL_COLUMNS.get(member["level"])
    return member["region_code"] is not None and column is not None and codes.get(column) == member["region_code"]


async def plan_visits(scope: Scope, plans: list[VisitPlan], batch: str, place: audit.Place) -> None:
    """Plan many new visits at once (a random draw's), in the caller's transaction: the
    rules of plan_visit checked in a few queries, the rows inserted in bulk, and one
    audit event (``visits.planned``) naming the ``batch`` with their count and digest."""
    firms = {str(r["id"]): r for r in await Enterprise.select(
        Enterprise.id, Enterprise.province_code, Enterprise.city_code, Enterprise.county_code).where(
        Enterprise.id.is_in([str(p.enterprise_id) for p in plans]), *access.in_scope(scope, Enterprise, Enterprise.id))}
    for checklist_id in {p.checklist_id for p in plans}:
        await checklists.get_checklist(checklist_id, "visit.checklist_id")
    members = await _members({u for p in plans for u in p.team})
    rows = []
    for plan in plans:
        firm = firms.get(str(plan.enterprise_id))
        if firm is None:
            raise NotFound(f"No enterprise {plan.enterprise_id} in your jurisdiction.", "visit.enterprise_id", code="enterprise_not_found", params={"id": plan.enterprise_id})
        if plan.amends is not None:
            raise Invalid("Visits planned together are new visits, not amendments.", "visit.amends", code="plan_visits_not_amendments")
        _check_team(plan.team, members, firm, "visit.team")
        rows.append((plan.id, plan.enterprise_id, firm["province_code"], firm["city_code"], firm["county_code"],
                     plan.checklist_id, plan.visit_type.value, plan.planned_date,
                     msgspec.json.encode([str(u) for u in plan.team]).decode(), VisitStatus.planned.value, "[]", "[]", "",
                     scope.user_id))
    await db.insert_rows(Visit, PLANNED_COLUMNS, rows)
    await audit.record(scope, "visits.planned", "batch", batch, {
        "count": len(plans), "digest": checklists.sha256_of(sorted((_plan_dict(p) for p in plans), key=lambda d: d["id"]))},
        place)


async def reassign(scope: Scope, visit_id: UUID, team: list[UUID], reason: str) -> None:
    """Give a planned visit a new team (a redraw), in the caller's transaction; a visit
    no longer planned keeps its team (Conflict)."""
    visit = await Visit.select(Visit.enterprise, Visit.province_code, Visit.city_code, Visit.county_code).where(
        Visit.id == visit_id, *access.in_scope(scope, Visit, Visit.enterprise)).first()
    if visit is None:
        raise NotFound(f"No visit {visit_id} in your jurisdiction.", code="visit_not_found", params={"id": visit_id})
    _check_team(team, await _members(team), visit, "team")
    changed = await Visit.update({Visit.team: [str(u) for u in team]}).where(
        Visit.id == visit_id, Visit.status == VisitStatus.planned).returning(Visit.id)
    if not changed:
        raise Conflict("The visit is no longer planned: its team stays as it went.", "team", code="visit_not_planned_team")
    await audit.record(scope, "visit.reassigned", "visit", visit_id, {"team": sorted(str(u) for u in team),
                                                                       "reason": reason},
                       await enterprises.place_of(visit["enterprise"]))


def _plan_row(plan: VisitPlan) -> dict:
    return {"id": plan.id, "enterprise": plan.enterprise_id, "checklist": plan.checklist_id, "visit_type": plan.visit_type,
            "planned_date": plan.planned_date, "team": [str(u) for u in plan.team], "amends": plan.amends}


def _plan_dict(plan: VisitPlan) -> dict:
    return msgspec.to_builtins({**_plan_row(plan), "team": sorted(str(u) for u in plan.team)})


def digest(plan: VisitPlan, started_at: datetime, answers: list[dict], findings: list[dict], signatures: list[dict],
           conclusion: str, media_hashes: dict[str, str], verifications: list[dict] | None = None) -> str:
    """The content hash of a filed visit: what was checked, found, verified and signed,
    and the bytes of every photo it cites (a visit without verifications hashes as before
    they existed)."""
    content = {"plan": _plan_dict(plan), "started_at": started_at, "answers": answers, "findings": findings,
               "signatures": signatures, "conclusion": conclusion, "media": media_hashes}
    return checklists.sha256_of({**content, "verifications": verifications} if verifications else content)


async def _stored_plan(visit_id: UUID, *where: Any) -> dict | None:
    """The plan of a stored visit (meeting ``where``), comparable with _plan_dict's."""
    row = await Visit.select(Visit.id, Visit.enterprise, Visit.checklist, Visit.visit_type, Visit.planned_date,
                             Visit.team, Visit.amends).where(Visit.id == visit_id, *where).output(load_json=True).first()
    return None if row is None else msgspec.to_builtins({**row, "team": sorted(str(u) for u in row["team"])})


# ---------------------------------------------------------------------------- submission


async def submit(scope: Scope, data: Submission, today: date, intervals: Mapping[str, int],
                 tally: Tally, paper: Paper) -> tuple[VisitOut, bool]:
    """File a whole visit in one go. Sending it again changes nothing (False); anything
    else sent for a submitted visit is refused: corrections are amendments.

    The visit is filed by one statement that only a planned or new visit lets through
    (an UPDATE of the planned row, or an INSERT that does nothing on a taken id); a
    request that finds the visit filed, even by its own twin a moment earlier, is a retry."""
    plan = data.visit
    _check_started(data.started_at)
    # Offline work is judged as of the visit's own time: its team as planned, its deadlines
    # against the day it was done (a phone may send it days later).
    stored = await _stored_plan(plan.id, Visit.status == VisitStatus.planned)
    enterprise = await _check_plan(scope, plan, today, team_of_record=stored == _plan_dict(plan))
    if scope.user_id is not None and str(scope.user_id) not in {str(u) for u in plan.team}:
        raise Invalid("Only a member of the visit's team submits it.", "visit.team", code="submit_team_only")
    checklist = await checklists.get_checklist(plan.checklist_id)
    media = await _media({str(m) for a in data.answers for m in a.media} | {str(s.media_id) for s in data.signatures if s.media_id}
                         | {str(v.media_id) for v in data.verifications if v.media_id})
    answers = _check_answers(data, checklist, enterprise.id, media)
    _check_rules(data, checklist, answers)
    visit_day = data.started_at.astimezone(clock.BUREAU_TIME).date()
    findings = _check_findings(data, checklist, visit_day)
    signatures = _check_signatures(data, enterprise.id, media, await _members(plan.team))
    verifications = await follow_up.check(data, enterprise.id, media, visit_day)
    content_hash = digest(plan, data.started_at, answers, findings, signatures, data.conclusion.value,
                          {media_id: row["sha256"] for media_id, row in media.items()}, verifications)

    now = clock.now()
    values = {
        **_plan_row(plan), **_codes(enterprise), "status": VisitStatus.submitted, "started_at": data.started_at,
        "start_latitude": data.start_latitude, "start_longitude": data.start_longitude, "answers": answers,
        "signatures": signatures, "verifications": verifications, "conclusion": data.conclusion,
        "content_hash": content_hash, "submitted_at": now, "submitted_by": scope.user_id,
    }
    async with db.transaction():
        planned = await _stored_plan(plan.id, Visit.status == VisitStatus.planned)
        if planned is not None:
            if planned != _plan_dict(plan):
                raise Conflict("The submission does not match the visit's plan.", "visit", code="submission_plan_mismatch")
            filed = await Visit.update({getattr(Visit, k): v for k, v in values.items() if k != "id"}).where(
                Visit.id == plan.id, Visit.status == VisitStatus.planned).returning(Visit.id)
        else:
            filed = await Visit.insert(Visit(**values, created_by=scope.user_id)).on_conflict(
                action="DO NOTHING").returning(Visit.id)
        if not filed:
            if not await Visit.exists().where(Visit.id == plan.id, Visit.content_hash == content_hash):
                raise Conflict("This visit was submitted and cannot change; file an amendment (visit.amends).", "visit.id", code="visit_submitted_amend")
            return await get_visit(scope, plan.id), False
        if findings:
            await _check_finding_ids_free([f["id"] for f in findings])
            await Finding.insert(*(Finding(visit=plan.id, enterprise=plan.enterprise_id, found_at=now, **_codes(enterprise), **f)
                                   for f in findings))
        await VisitMember.insert(*(VisitMember(visit=plan.id, user=member, started_at=data.started_at, **_codes(enterprise))
                                   for member in plan.team))
        await tally.record_visit(enterprise, plan.visit_type.value, data.started_at, plan.team, plan.amends,
                                   len(findings), now)
        await media_service.flag_against_visit(sorted({str(m) for a in data.answers for m in a.media}), data.started_at)
        await follow_up.apply(scope, tally, paper, verifications, data.started_at, intervals)
        await schedule.refresh(plan.enterprise_id, intervals)
        await audit.record(scope, "visit.submitted", "visit", plan.id,
                           {"content_hash": content_hash, "conclusion": data.conclusion.value,
                            "findings": len(findings), "verifications": len(verifications), "amends": str(plan.amends) if plan.amends else None},
                           enterprises.place(enterprise))
        await paper.visit_filed(plan.id)
    return await get_visit(scope, plan.id), True


async def _check_finding_ids_free(ids: list[UUID]) -> None:
    taken = {str(r["id"]) for r in await Finding.select(Finding.id).where(Finding.id.is_in(ids))}
    for i, finding_id in enumerate(ids):
        if str(finding_id) in taken:
            raise Conflict(f"Finding id {finding_id} is already used by another visit.", f"findings[{i}].id", code="finding_id_taken", params={"id": finding_id})


MAX_OFFLINE_DAYS = 60  # a visit sent later than this after its start is refused: a phone's clock gone wrong


def _check_started(started_at: datetime) -> None:
    """A visit started before it is submitted, give or take a phone's clock, and not
    longer ago than a phone stays offline."""
    if clock.in_future(started_at):
        raise Invalid(f"The visit cannot start in the future ({started_at.isoformat()}); check the phone's clock.",
                      "started_at", code="visit_start_in_future", params={"started_at": started_at.isoformat()})
    if started_at < clock.now() - timedelta(days=MAX_OFFLINE_DAYS):
        raise Invalid(f"The visit started more than {MAX_OFFLINE_DAYS} days ago ({started_at.isoformat()}); "
                      "check the phone's clock, or record it on paper.", "started_at", code="visit_start_too_old", params={"days": MAX_OFFLINE_DAYS, "started_at": started_at.isoformat()})


async def _media(ids: set[str]) -> dict[str, dict]:
    """The uploads a submission refers to, by id."""
    if not ids:
        return {}
    rows = await MediaItem.select(
        MediaItem.id, MediaItem.enterprise, MediaItem.category, MediaItem.blob.sha256.as_alias("sha256"),
        MediaItem.blob.mime.as_alias("mime")).where(MediaItem.id.is_in(list(ids)))
    return {str(r["id"]): r for r in rows}


def _check_answers(data: Submission, checklist: ChecklistOut, enterprise_id: UUID, media: dict[str, dict]) -> list[dict]:
    items = checklists.items(checklist)
    seen: set[str] = set()
    answers = []
    for i, answer in enumerate(data.answers):
        field = f"answers[{i}]"
        item = items.get(answer.item)
        if item is None:
            raise Invalid(f"Item {answer.item} is not in the pinned checklist (version {checklist.version}).", f"{field}.item", code="answer_item_unknown", params={"item": answer.item, "version": checklist.version})
        if answer.item in seen:
            raise Invalid(f"Item {answer.item} is answered twice.", f"{field}.item", code="answer_item_twice", params={"item": answer.item})
        seen.add(answer.item)
        _check_value(answer, item, field)
        for media_id in answer.media:
            found = media.get(str(media_id))
            if found is None or str(found["enterprise"]) != str(enterprise_id):
                raise Invalid(f"Photo {media_id} is not in this enterprise's dossier; upload it first.", f"{field}.media", code="photo_not_in_dossier", params={"id": media_id})
        if answer.result == "fail" and item.get("photo_required_on_fail") and not answer.media:
            raise Invalid(f"Item {answer.item} failed: a photo of the evidence is required.", f"{field}.media", code="answer_photo_missing", params={"item": answer.item})
        answers.append(msgspec.to_builtins(answer))
    return answers


def _check_value(answer: Any, item: dict, field: str) -> None:
    kind = item["kind"]
    if kind == "pass_fail" and answer.result is None:
        raise Invalid(f"Item {answer.item} needs a result: pass, fail or na.", f"{field}.result", code="answer_result_missing", params={"item": answer.item})
    if kind == "number" and answer.number is None and answer.result != "na":
        raise Invalid(f"Item {answer.item} needs a number ({item.get('unit', '')}).", f"{field}.number", code="answer_number_missing", params={"item": answer.item, "unit": item.get('unit', '')})
    if kind == "choice" and answer.choice not in item.get("choices", []) and answer.result != "na":
        raise Invalid(f"Item {answer.item} takes one of: {', '.join(item.get('choices', []))}.", f"{field}.choice", code="answer_choice_unknown", params={"item": answer.item, "choices": item.get('choices', [])})
    if kind == "text" and not (answer.text or "").strip() and answer.result != "na":
        raise Invalid(f"Item {answer.item} needs a written answer.", f"{field}.text", code="answer_text_missing", params={"item": answer.item})


def _check_rules(data: Submission, checklist: ChecklistOut, answers: list[dict]) -> None:
    """The pinned version's rules (checklists.assess): a reason for each 合理缺项, enough
    key items and items examined, and the conclusion its rule gives."""
    if not checklist.rules:
        return
    found = checklists.assess({"sections": checklist.sections, "rules": checklist.rules}, data.visit.visit_type.value,
                              answers)
    for key in found["na_without_reason"]:
        index = next(i for i, a in enumerate(answers) if a["item"] == key)
        raise Invalid(f"Item {key} is marked not applicable (合理缺项): say why in its note.", f"answers[{index}].note", code="na_reason_missing", params={"item": key})
    required, examined = found["required"] or {}, found["examined"]
    for count, what in (("key_items", "key items (重点项)"), ("items", "items in all")):
        if examined[count] < required.get(count, 0):
            raise Invalid(f"Checklist version {checklist.version} asks a {data.visit.visit_type.value} visit to examine at "
                          f"least {required[count]} {what}; this one examines {examined[count]} (合理缺项 does not count).",
                          "answers", code="too_few_examined", params={"version": checklist.version, "visit_type": data.visit.visit_type.value, "required": required[count], "what": count, "examined": examined[count]})
    if found["conclusion"] is not None and found["conclusion"] != data.conclusion.value:
        line = checklist.rules["conclusion"][found["line"]]
        raise Invalid(f"By the checklist's conclusion rule ({_rule_line(line)}) these answers conclude "
                      f"{found['conclusion']!r}, not {data.conclusion.value!r}.", "conclusion", code="conclusion_mismatch", params={"rule": _rule_line(line), "expected": found['conclusion'], "given": data.conclusion.value})


def _rule_line(line: dict) -> str:
    when = line.get("when")
    if when is None:
        return "no line above applies"
    what = {"key": "key item", "general": "general item"}.get(when.get("class", ""), "item")
    count = when.get("at_least", 1)
    amount = f"at least {count} {what}s" if count > 1 else f"{'an' if what == 'item' else 'a'} {what}"
    return f"{amount} answered {when['result']}"


def _check_findings(data: Submission, checklist: ChecklistOut, visit_day: date) -> list[dict]:
    """The findings, each of a failed item, with a deadline no earlier than the visit's day."""
    items = checklists.items(checklist)
    failed = {a.item for a in data.answers if a.result == "fail"}
    ids: set[UUID] = set()
    findings = []
    for i, finding in enumerate(data.findings):
        if finding.item not in failed:
            raise Invalid(f"A finding records a failed item; {finding.item} did not fail.", f"findings[{i}].item", code="finding_item_not_failed", params={"item": finding.item})
        if finding.id in ids:
            raise Invalid(f"Finding id {finding.id} is used twice; each finding needs its own.", f"findings[{i}].id", code="finding_id_twice", params={"id": finding.id})
        ids.add(finding.id)
        if finding.deadline is not None and finding.deadline < visit_day:
            raise Invalid(f"The rectification deadline {finding.deadline} is before the visit's day ({visit_day}).",
                          f"findings[{i}].deadline", code="deadline_before_visit", params={"deadline": finding.deadline, "visit_day": visit_day})
        item = items[finding.item]
        findings.append({"id": finding.id, "item_key": finding.item, "severity": item["severity"],
                         "legal_basis": item["legal_basis"], "description": finding.description.strip(),
                         "deadline": finding.deadline})
    return findings


def _check_signatures(data: Submission, enterprise_id: UUID, media: dict[str, dict],
                      members: dict[str, dict]) -> list[dict]:
    """The signatures as filed: an inspector's under their name on record (the paper names
    the officer, whatever name a phone typed), each image's SHA-256 beside it."""
    team = {str(u) for u in data.visit.team}
    signed: set[str] = set()
    enterprise_signed = False
    out = []
    for i, signature in enumerate(data.signatures):
        field = f"signatures[{i}]"
        if signature.refused:
            if signature.signer != "enterprise" or not signature.witness_note.strip():
                raise Invalid("Only the enterprise's representative may refuse, and a witness note says who saw it.",
                              f"{field}.witness_note", code="refusal_witness_missing")
        else:
            found = media.get(str(signature.media_id))
            if (found is None or str(found["enterprise"]) != str(enterprise_id)
                    or found["category"] != Category.signature or not found["mime"].startswith("image/")):
                raise Invalid("A signature is an image uploaded to this dossier with category 'signature'.",
                              f"{field}.media_id", code="signature_not_image")
        if signature.signer == "inspector":
            if str(signature.user_id) not in team:
                raise Invalid("An inspector's signature comes from a member of the team.", f"{field}.user_id", code="signature_not_team")
            signed.add(str(signature.user_id))
            on_record = members.get(str(signature.user_id), {}).get("display_name")
            signature = msgspec.structs.replace(signature, name=on_record or signature.name)
        else:
            enterprise_signed = True
        found = media.get(str(signature.media_id))
        out.append({**msgspec.to_builtins(signature), "sha256": found["sha256"] if found else None})
    if signed != team:
        raise Invalid("Every inspector of the team signs the visit.", "signatures", code="inspector_signatures_missing")
    if not enterprise_signed:
        raise Invalid("The enterprise's representative signs, or refuses with a witness note.", "signatures", code="representative_signature_missing")
    return out


# ---------------------------------------------------------------------------- reading and review


def _announced(scope: Scope) -> list[Any]:
    """An enterprise's own users see its visits once filed: a planned inspection is not
    announced."""
    if scope.enterprise_id is not None or scope.role == Role.enterprise:
        return [Visit.status != VisitStatus.planned]
    return []


async def get_visit(scope: Scope, visit_id: UUID) -> VisitOut:
    row = await Visit.select(Visit.all_columns(), Visit.enterprise.as_alias("enterprise_id"),
                             Visit.checklist.as_alias("checklist_id")).where(
        Visit.id == visit_id, *access.in_scope(scope, Visit.enterprise, Visit.enterprise), *_announced(scope)).output(
        load_json=True).first()
    if row is None:
        raise NotFound(f"No visit {visit_id} in your jurisdiction.", code="visit_not_found", params={"id": visit_id})
    findings = await Finding.select().where(Finding.visit == visit_id).order_by(Finding.item_key)
    amendments = await Visit.select(Visit.id).where(Visit.amends == visit_id).order_by(Visit.submitted_at)
    people = {str(u["id"]): u for u in await User.select(User.id, User.display_name, User.certificate_no).where(
        User.id.is_in([str(m) for m in row["team"]]))} if row["team"] else {}
    members = [people[str(m)] for m in row["team"] if str(m) in people]
    return msgspec.convert({**row, "findings": findings, "amended_by": [a["id"] for a in amendments],
                            "members": members}, VisitOut)


async def visit_media(scope: Scope, visit_id: UUID) -> list[MediaOut]:
    """The photos, videos and signature images of a visit the caller may see, as its
    record shows them: those filed with it and those its answers and signatures name."""
    visit = await get_visit(scope, visit_id)
    named = [str(m) for a in visit.answers for m in a.get("media", [])]
    return await media_service.of_visit(scope, visit_id, named + [str(s["media_id"]) for s in visit.signatures
                                                                  if s.get("media_id")])


@dataclass(frozen=True)
class VisitFilter:
    enterprise_id: UUID | None = None
    status: VisitStatus | None = None
    member: UUID | None = None  # visits whose team includes this inspector
    since: date | None = None  # planned on or after
    until: date | None = None  # planned on or before
    ascending: bool = False  # by planned date; newest first by default


SUMMARY_COLUMNS = (
    Visit.id, Visit.enterprise.as_alias("enterprise_id"), Visit.enterprise.name.as_alias("enterprise_name"),
    Visit.county_code, Visit.checklist.as_alias("checklist_id"), Visit.visit_type, Visit.planned_date, Visit.team,
    Visit.status, Visit.amends, Visit.started_at, Visit.conclusion, Visit.submitted_at, Visit.review_reason,
)


async def list_visits(scope: Scope, f: VisitFilter, limit: int, cursor: str | None,
                      cursors: pagination.CursorCodec, today: date) -> VisitPage:
    """Visits in the caller's scope by planned date, in keyset pages."""
    query = Visit.select(*SUMMARY_COLUMNS).where(*access.in_scope(scope, Visit, Visit.enterprise), *_announced(scope))
    if f.enterprise_id is not None:
        await enterprises.get_enterprise(scope, f.enterprise_id, today)  # 404 outside scope
        query = query.where(Visit.enterprise == f.enterprise_id)
    if f.status is not None:
        query = query.where(Visit.status == f.status)
    if f.member is not None:
        # JSON as text, so that the same LIKE works on SQLite and PostgreSQL's json type
        query = query.where(QueryString('CAST("visit"."team" AS TEXT) LIKE {}', f'%"{f.member}"%'))
    if f.since is not None:
        query = query.where(Visit.planned_date >= f.since)
    if f.until is not None:
        query = query.where(Visit.planned_date <= f.until)
    rows, next_cursor = await pagination.page(query.output(load_json=True), (Visit.planned_date, Visit.id), limit,
                                              cursor, cursors, kind=pagination.kind_of("visits", f),
                                              descending=not f.ascending)
    return VisitPage(items=[msgspec.convert(r, VisitSummary) for r in rows], next_cursor=next_cursor)


async def review_visit(scope: Scope, visit_id: UUID, decision: VisitReviewIn) -> VisitOut:
    """Accept a submitted visit, or return it, and its signature images with it (they are
    not reviewed one by one). The decision is one conditional UPDATE:
    of requests sent at once, one decides; the others find it taken, a retry of the same
    decision (the visit as it stands) or a conflict naming the decision taken."""
    reason = decision.reason.strip()
    if decision.decision == "return" and not reason:
        raise Invalid("Say why the visit is returned, so the team can amend it.", "reason", code="return_reason_missing")
    status = VisitStatus.accepted if decision.decision == "accept" else VisitStatus.returned
    async with db.transaction():
        visit = await get_visit(scope, visit_id)
        if scope.user_id is not None and scope.user_id in visit.team:
            raise Forbidden("You are on this visit's team: someone who was not there reviews it.", "decision", code="review_own_visit")
        done = await Visit.update({Visit.status: status, Visit.review_reason: reason, Visit.reviewed_by: scope.user_id,
                                   Visit.reviewed_at: clock.now()}).where(
            Visit.id == visit_id, Visit.status == VisitStatus.submitted).returning(Visit.id)
        if done:
            place = await enterprises.place_of(visit.enterprise_id)
            await audit.record(scope, f"visit.{status.value}", "visit", visit_id, {"reason": reason}, place)
            signatures = [str(s["media_id"]) for s in visit.signatures if s.get("media_id")]
            await media_service.decide_signatures(scope, visit_id, signatures, ReviewStatus(status.value), reason, place)
        else:
            current = (await Visit.select(Visit.status).where(Visit.id == visit_id).first())["status"]
            if current == VisitStatus.planned:
                raise Conflict("Only a submitted visit is reviewed; this one is still planned.", "decision", code="review_still_planned")
            if current != status:
                raise Conflict(f"This visit was already {current}; that decision stands.", "decision", code="already_decided", params={"status": current})
    return await get_visit(scope, visit_id)


def _codes(enterprise: Any) -> dict[str, Any]:
    """The enterprise's region codes, repeated on visits, members and findings."""
    return {"province_code": enterprise.province_code, "city_code": enterprise.city_code,
            "county_code": enterprise.county_code}

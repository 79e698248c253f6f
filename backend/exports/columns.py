"""What each list's export shows: its columns under Chinese headers, the Chinese word for
each code, and the names a visit row carries only as codes and ids (its county, its team)."""

from __future__ import annotations

from backend.accounts.tables import User
from backend.exports.tabular import Batch, Batches, Column
from backend.glossary import LABELS
from backend.regions.tables import Region

CATEGORIES = LABELS["categories"]
LICENCE_STATES = {"valid": "有效", "expiring": "即将到期", "missing": "无有效许可证"}
VISIT_TYPES, VISIT_STATUSES, CONCLUSIONS = LABELS["visit_types"], LABELS["visit_statuses"], LABELS["conclusions"]
SEVERITIES, FINDING_STATUSES, CLOSED_VIA = LABELS["severities"], LABELS["finding_statuses"], LABELS["closed_via"]
NOTICE_STATUSES, POINT_KINDS = LABELS["notice_statuses"], LABELS["point_kinds"]

NAME, ADDRESS, ID, TEXT, INSTANT = 36, 40, 38, 30, 20  # column widths

ENTERPRISES = (
    Column("企业名称", "name", width=NAME),
    Column("统一社会信用代码", "uscc", width=22),
    Column("地址", "address", width=ADDRESS),
    Column("所在区县", "county_name"),
    Column("行业类别", "category", CATEGORIES, 14),
    Column("风险等级", "risk_grade", width=9),
    Column("许可证状态", "licence_state", LICENCE_STATES, 14),
    Column("许可证有效期至", "licence_valid_to", width=15),
    Column("上次检查日期", "last_visited_on", width=13),
    Column("下次检查日期", "next_due_on", width=13),
    Column("登记时间", "created_at", width=INSTANT),
)

VISITS = (  # rows of named_visits
    Column("检查记录编号", "id", width=ID),
    Column("计划日期", "planned_date"),
    Column("企业名称", "enterprise_name", width=NAME),
    Column("所在区县", "county_name"),
    Column("检查类型", "visit_type", VISIT_TYPES, 14),
    Column("状态", "status", VISIT_STATUSES),
    Column("检查人员", "team_names", width=24),
    Column("开始时间", "started_at", width=INSTANT),
    Column("提交时间", "submitted_at", width=INSTANT),
    Column("检查结论", "conclusion", CONCLUSIONS),
    Column("退回原因", "review_reason", width=TEXT),
    Column("所更正的检查记录", "amends", width=ID),
)

FINDINGS = (  # a dossier's findings and their rectification orders
    Column("问题编号", "id", width=ID),
    Column("检查记录编号", "visit_id", width=ID),
    Column("检查项", "item_key", width=8),
    Column("严重程度", "severity", SEVERITIES, 9),
    Column("问题描述", "description", width=ADDRESS),
    Column("法律依据", "legal_basis", width=ADDRESS),
    Column("整改期限", "deadline"),
    Column("整改状态", "status", FINDING_STATUSES),
    Column("是否逾期", "overdue", width=9),
    Column("销号时间", "closed_at", width=INSTANT),
    Column("销号方式", "closed_via", CLOSED_VIA, 15),
    Column("销号说明", "closure_note", width=TEXT),
)

NOTICES = (  # a dossier's warning notices
    Column("告知编号", "code"),
    Column("企业名称", "enterprise_name", width=NAME),
    Column("控制点", "control_point_name", width=20),
    Column("警示告知", "title", width=TEXT),
    Column("纸张", "paper_size", width=8),
    Column("状态", "status", NOTICE_STATUSES),
    Column("张贴时间", "posted_at", width=INSTANT),
    Column("张贴单位", "bureau", width=24),
    Column("失效时间", "ended_at", width=INSTANT),
    Column("撤除原因", "removed_reason", width=TEXT),
)


async def named_visits(batches: Batches) -> Batches:
    """Visit rows (VisitSummary) with their county's name and their team's names."""
    async for batch in batches:
        users = list({str(u) for row in batch for u in row["team"]})
        codes = list({row["county_code"] for row in batch})
        people = {str(r["id"]): r["display_name"] for r in await User.select(User.id, User.display_name).where(
            User.id.is_in(users))} if users else {}
        counties = {r["code"]: r["name"] for r in await Region.select(Region.code, Region.name).where(
            Region.code.is_in(codes))} if codes else {}
        named = Batch({**row, "county_name": counties.get(row["county_code"], row["county_code"]),
                       "team_names": [people.get(str(u), str(u)) for u in row["team"]]} for row in batch)
        named.total = getattr(batch, "total", None)
        yield named

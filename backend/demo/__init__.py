"""``dossier demo``: a realistic, deterministic data set after ../shared/DOMAIN.md.

Four modules, importing one way: ``registry`` generates Shandong's regions and the
enterprises with their licences, control points and warning notices; ``history``
simulates their visits, findings, staff, photos and signatures (it uses ``registry`` and
``images``); ``images`` draws the photos and signatures and keeps them as uploads are
kept; ``plans`` makes a random-draw plan through the real services and carries it on
over the history. Here: loading it all into the bound database, and invitations to try it.
The same seed and the same day give the same data, but for whom the plan draws: as any
draw's, its seed comes from the audit chain at its lock. ``--enterprises N`` scales to a
million through the drivers' bulk paths.
"""

from __future__ import annotations

from datetime import date

from backend.access import Role, SYSTEM
from backend import db
from backend.accounts import service as accounts
from backend.accounts.schemas import InvitationIn
from backend.accounts.tables import User
from backend.clock import bureau_today
from backend.demo.history import CHECKLIST_OF, Firm, History, Rows, load_history
from backend.demo.plans import load_plan
from backend.demo.registry import (
    ENTERPRISE_COLUMNS, LICENCE_COLUMNS, NOTICE_COLUMNS, POINT_COLUMNS, ROPE_NET_COUNTY, ROPE_NET_LICENSED,
    ROPE_NET_MAKERS, ROPE_NETS, Generator, region_rows,
)
from backend.enterprises.tables import ControlPoint, Enterprise, Licence
from backend.media.storage import media_store
from backend.media.store import MediaStore
from backend.notices import service as notice_service
from backend.notices.tables import Notice, NoticeTemplate
from backend.regions import service as regions
from backend.settings import get_settings

__all__ = [
    "CHECKLIST_OF", "DEFAULT_ENTERPRISES", "ROPE_NETS", "ROPE_NET_COUNTY", "ROPE_NET_LICENSED", "ROPE_NET_MAKERS",
    "DemoRefused", "Firm", "Generator", "History", "Rows", "invitations", "load", "region_rows",
]

DEFAULT_ENTERPRISES = 600

# One person of each role, for `make run` to print enrolment links.
DEMO_PEOPLE = (
    ("admin", "省局系统管理员", "370000"),
    ("supervisor", "滨州市局质监科长", "371600"),
    ("reviewer", "惠民县局内勤审核员", "371621"),
    ("inspector", "惠民县局检查员张伟", "371621"),
)


async def invitations(public_url: str, today: date) -> list[tuple[str, str, str]]:
    """Invitation links for the demo people, and for a Huimin rope-net maker."""
    people = [InvitationIn(role=Role(role), display_name=name, region_code=region) for role, name, region in DEMO_PEOPLE]
    # The inspector is the history's 张伟 of Huimin, certified and on the roster, so that the
    # demo plan's visits and any plan a supervisor draws reach the phone enrolled here.
    zhang = await User.select(User.id).where(User.role == Role.inspector, User.region_code == ROPE_NET_COUNTY,
                                             User.display_name == "张伟").first()
    if zhang is not None:
        people = [InvitationIn(role=p.role, display_name=p.display_name, region_code=p.region_code, user_id=zhang["id"])
                  if p.role == Role.inspector else p for p in people]
    maker = await Enterprise.select(Enterprise.id, Enterprise.name).where(
        Enterprise.county_code == ROPE_NET_COUNTY
    ).order_by(Enterprise.name).first()
    if maker is not None:
        people.append(InvitationIn(role=Role.enterprise, display_name=f"{maker['name']}联系人", enterprise_id=maker["id"]))
    links = []
    for data in people:
        invitation = await accounts.invite(SYSTEM, data, public_url, today)
        links.append((data.role.value, data.display_name, invitation.link))
    return links


class DemoRefused(Exception):
    """Demo data would mix with existing data, or the request makes no sense."""


async def load(count: int = DEFAULT_ENTERPRISES, seed: int = 2260, if_empty: bool = False, today: date | None = None,
               history: bool = True, store: MediaStore | None = None) -> str:
    """Load the demo data set into the bound database; it must hold no enterprises yet.
    Without ``history`` only the registry: regions, enterprises, licences, control points
    and notices (for the benchmarks, which bring their own visits). Photos go to ``store`` (by default the
    configured media store)."""
    if count < 1:
        raise DemoRefused("--enterprises must be at least 1")
    existing = await Enterprise.count()
    if existing:
        if if_empty:
            return f"Demo data not loaded: the database already holds {existing} enterprises."
        raise DemoRefused(
            f"the database already holds {existing} enterprises; demo data goes into an "
            "empty database (use --if-empty to skip quietly)."
        )
    today = today or bureau_today()
    await regions.insert_regions(region_rows())
    templates = {t["control_point_kind"]: t for t in await NoticeTemplate.select().order_by(NoticeTemplate.code)}
    licences = points = notices = 0
    firms: list[Firm] = []
    generator = Generator(count, seed, today)
    for e_rows, l_rows, p_rows in generator.chunks():
        n_rows = generator.notices(p_rows, templates)
        await db.bulk_insert(Enterprise, ENTERPRISE_COLUMNS, e_rows)
        await db.bulk_insert(Licence, LICENCE_COLUMNS, l_rows)
        await db.bulk_insert(ControlPoint, POINT_COLUMNS, p_rows)
        await db.bulk_insert(Notice, NOTICE_COLUMNS, n_rows)
        licences += len(l_rows)
        points += len(p_rows)
        notices += len(n_rows)
        if history:
            firms += Firm.all_of(e_rows, l_rows, n_rows)
    await notice_service.recount()
    summary = (f"Loaded {count} enterprises, {licences} licences, {points} control points and {notices} warning notices "
               "in Shandong")
    if history:
        store = store or media_store(get_settings())
        rows = await load_history(firms, seed, today, store)
        summary += (f"; {len(rows.visits)} visits, {len(rows.findings)} findings, {len(rows.media)} photos and "
                    f"signatures by {len(rows.users)} staff")
        summary += await load_plan(today, store, seed)
    await db.analyze()
    return summary + "."

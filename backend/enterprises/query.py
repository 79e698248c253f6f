"""The registry's list query: its scope and filters as SQL conditions, planned so that
every page costs about the same at a million enterprises.

PostgreSQL plans a page well from its statistics: it walks the sort's index and checks
each row while matches are common, and fetches the few rows an index finds (btree,
pg_trgm GIN) and sorts them while they are rare. Three things need help:

- SQLite's planner does not weigh the LIMIT and knows only average rows per value (no
  STAT4 histograms in this build): left alone it sorts the 150,000 enterprises due within
  30 days to serve 50, or walks the whole name index to find the none of a credit class.
  So on SQLite every filter an index can serve is first counted, up to DRIVE_AT rows, all
  in one probe query. The rarest filter under DRIVE_AT drives the query (`rowid IN` its
  rows: they are fetched and sorted); filters over it are hidden from the planner
  (`+column`), which then walks the sort's index and checks them row by row, finding a
  page after about 50·N/matches rows. A county and a city have an index per sort; the
  province (one per deployment) is walked.
- A term of USCC characters (digits, capitals) may start many USCCs (a region's code):
  its rows are the union of those, sorted in an index of the USCC, and the rest, each
  paged on its own (_union).
- A term shorter than 3 characters has no trigram. SQLite finds it as the trigrams that
  begin with it (the FTS5 table's instance vocabulary); PostgreSQL in a GIN index of
  bigrams, whose tsvector costs too much to compute row by row in a walk, so there too a
  probe picks the bigram index (rare terms) or LIKE in a walk (common ones); it counts
  LIKE in a 1% sample of the table's pages, far cheaper than counting a common bigram's
  rows in its index. On PostgreSQL a 1-2 character term of USCC characters is in 2% of
  all USCCs or more: always a walk.

Every form of a filter selects exactly the rows its plain condition does (text: name and
address contain the term, ASCII letters in any case on SQLite as its LIKE does, or the
USCC contains it in capitals); the forms differ in speed only.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Literal

from piccolo.columns.combination import Where
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString

from backend import access, db
from backend.access import Scope
from backend.enterprises import uscc
from backend.enterprises.schemas import LicenceFilter
from backend.enterprises.tables import Enterprise, LicenceStatus
from backend.errors import Invalid
from backend.regions import service as regions

# A filter matching m of N enterprises drives the page when fetching and sorting its m
# rows costs less than walking the sort's index past the others, some PAGE·N/m rows:
# when m² < PAGE·N (about 7,000 of a million), and never beyond DRIVE_AT (so the probe
# counts no further).
DRIVE_AT = 5000
PAGE = 51
SAMPLE_PERCENT = 1  # PostgreSQL's bigram probe counts this share of the table's pages
FENCE_AT = 100_000  # USCCs starting with a term, sorted from their index up to this many (_union)
FENCE_SHARE = 0.5  # and up to this share of all enterprises
_SORTED = "id, name, uscc, risk_grade, created_at"  # every sort's columns, all in the USCC's prefix index

Condition = Where | QueryString
Window = Callable[[Select], Select]
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_USCC_CHARACTERS = frozenset(uscc.ALPHABET)
_LAST_CHARACTER = "\U0010ffff"  # sorts after any text that follows a prefix


@dataclass(frozen=True)
class EnterpriseFilter:
    region: str | None = None
    category: str | None = None
    risk_grade: str | None = None
    credit_class: str | None = None
    licence: LicenceFilter | None = None
    due: Literal["overdue", "due"] | None = None  # the visit schedule: past due, or due within within_days
    within_days: int = 30
    due_from: date | None = None  # next visit due in [due_from, due_to] (coverage's "due in the period")
    due_to: date | None = None
    q: str | None = None


@dataclass(frozen=True)
class _Part:
    """One filter. ``check`` serves any plan. Where an index can list the rows it matches,
    ``rows`` is that query (for the probe), ``only`` the condition that drives the page
    from those rows, and ``hidden`` the check with its index out of the planner's sight.
    Where an index can list the rows it does not match, ``others`` is that query: if it
    finds none, the filter is dropped (a walk checks it no more). ``arms``: a text
    search whose rows are paged as a union of two halves (_union)."""

    check: Condition
    rows: QueryString | None = None
    only: Condition | None = None
    hidden: Condition | None = None
    others: QueryString | None = None
    scale: int = 1  # ``rows`` counts a sample: each row found stands for this many
    arms: tuple[Condition, _Part] | None = None  # (the USCC starts with the term, the other matches)


async def conditions(scope: Scope, f: EnterpriseFilter, today: date, window: Window) -> list[Condition]:
    """The conditions that keep the registry's list inside ``scope`` and ``f``;
    ``window`` narrows a query of enterprises to the rows of the page being served (the
    arms of a union are each paged, see _union)."""
    sqlite = db.kind(db.current()) == "sqlite"
    parts = _scope(scope, sqlite)
    if f.region is not None:
        region = await regions.get_region(scope, f.region, field="region")
        parts.append(_region(region.code, region.level, sqlite))
    for name in ("category", "risk_grade", "credit_class"):
        if (value := getattr(f, name)) is not None:
            parts.append(_equal(name, value, sqlite))
    if f.licence is not None:
        parts.append(_licence(f.licence, today, f.within_days, sqlite))
    if (due := _due(f, today, sqlite)) is not None:
        parts.append(due)
    text = _text(f.q, sqlite) if f.q is not None else None
    if text is not None and text.arms is not None:
        return await _union(parts, text, window)
    return await _planned(parts + ([text] if text is not None else []))


def licence_condition(state: LicenceFilter, today: date, within_days: int = 30) -> QueryString:
    """Enterprises that hold a licence valid today (valid), hold none (missing), or hold
    one ending within ``within_days`` (expiring)."""
    if state == "expiring":
        return _has_valid_licence(today, ending_by=today + timedelta(days=within_days))
    return _has_valid_licence(today, negate=state == "missing")


_VALID_TODAY = ("FROM licence WHERE licence.enterprise = enterprise.id "
                "AND licence.status = {} AND licence.valid_from <= {} AND licence.valid_to >= {}")


def _has_valid_licence(today: date, ending_by: date | None = None, negate: bool = False) -> QueryString:
    """[NOT] EXISTS a licence valid today (and ending by ``ending_by``). Correlated, so
    each candidate probes the licence index instead of materialising every licence
    (12 ms against 165 ms for "missing in a city" at 100k enterprises)."""
    sql = f"{'NOT ' if negate else ''}EXISTS (SELECT 1 {_VALID_TODAY}"
    args: list[Any] = [LicenceStatus.valid.value, today, today]
    if ending_by is not None:
        sql += " AND licence.valid_to <= {}"
        args.append(ending_by)
    return QueryString(sql + ")", *args)


def latest_valid_to(today: date) -> QueryString:
    """A column for the registry's page: the end date of the enterprise's longest-running
    licence valid today, in the page's own statement (one round trip, not two)."""
    return QueryString(f"(SELECT MAX(licence.valid_to) {_VALID_TODAY})", LicenceStatus.valid.value, today, today,
                       alias="latest_valid_to")


def _scope(scope: Scope, sqlite: bool) -> list[_Part]:
    parts = []
    if scope.region_code is not None:
        parts.append(_region(scope.region_code, scope.region_level or "county", sqlite))
    if scope.enterprise_id is not None:
        parts.append(_Part(Enterprise.id == scope.enterprise_id))
    return parts


def _region(code: str, level: str, sqlite: bool) -> _Part:
    """A county's or city's enterprises in any order are an index walk (county_code or
    city_code, sort, id); the province's are (nearly) all, walked, and when they are all
    the filter is dropped: checking it would fetch every walked row from the table."""
    if level != "province" or not sqlite:
        return _Part(access.under(Enterprise, code, level))
    hidden = QueryString('+"enterprise"."province_code" = {}', code)
    others = QueryString("SELECT rowid FROM enterprise WHERE province_code < {} OR province_code > {}", code, code)
    return _Part(hidden, hidden=hidden, others=others)


def _equal(column: str, value: Any, sqlite: bool) -> _Part:
    check = getattr(Enterprise, column) == value
    if not sqlite:
        return _Part(check)
    rows = QueryString(f'SELECT rowid FROM enterprise WHERE "{column}" = {{}}', value)
    return _Part(check, rows, _rowid_in(rows), QueryString(f'+"enterprise"."{column}" = {{}}', value))


def _licence(state: LicenceFilter, today: date, within_days: int, sqlite: bool) -> _Part:
    check = licence_condition(state, today, within_days)
    if state != "expiring" or not sqlite:
        return _Part(check)  # most enterprises hold a valid licence, or none: walked
    rows = QueryString("SELECT enterprise FROM licence WHERE status = {} AND valid_from <= {} AND valid_to >= {} "
                       "AND valid_to <= {}", LicenceStatus.valid.value, today, today, today + timedelta(days=within_days))
    return _Part(check, rows, QueryString('"enterprise"."id" IN ({})', rows), check)


def _due(f: EnterpriseFilter, today: date, sqlite: bool) -> _Part | None:
    """The visit-schedule filters, as one range of next visit dates."""
    if f.due_from is not None and f.due_to is not None and f.due_to < f.due_from:
        raise Invalid("due_to is before due_from.", "due_to", code="period_reversed")
    lows = [d for d in (f.due_from, today if f.due == "due" else None) if d is not None]
    highs = [d for d in (f.due_to, today - timedelta(days=1) if f.due == "overdue" else None,
                         today + timedelta(days=f.within_days) if f.due == "due" else None) if d is not None]
    if not lows and not highs:
        return None
    bounds = ([(">=", max(lows))] if lows else []) + ([("<=", min(highs))] if highs else [])

    def within(column: str) -> QueryString:
        return QueryString(" AND ".join(f"{column} {op} {{}}" for op, _ in bounds), *(day for _, day in bounds))

    check = within('"enterprise"."next_due_on"')
    if not sqlite:
        return _Part(check)
    rows = QueryString("SELECT rowid FROM enterprise WHERE {}", within("next_due_on"))
    return _Part(check, rows, _rowid_in(rows), within('+"enterprise"."next_due_on"'))


def _text(q: str, sqlite: bool) -> _Part:
    # % and _ are LIKE wildcards and never part of a name, code or address.
    term = q.replace("%", "").replace("_", "").replace("\\", "").strip()
    if not term:
        raise Invalid("Type some characters of a name, USCC or address to search for.", "q", code="search_text_missing")
    # LIKE, not ILIKE: names and addresses are Chinese, USCCs are upper case, and
    # PostgreSQL's ILIKE costs 4x more (70 ms against 18 ms for a scan of 100k rows).
    pattern = f"%{term}%"
    in_names = Enterprise.name.like(pattern) | Enterprise.address.like(pattern)
    code = term.upper()
    in_code = set(code) <= _USCC_CHARACTERS
    check = in_names | Enterprise.uscc.like(f"%{code}%") if in_code else in_names  # no USCC holds another character
    if in_code and (sqlite or len(term) >= 3):
        # A USCC contains the term where it starts with it (btree) or holds it after its
        # first character (the text indexes hold substr(uscc, 2)): exactly one of them
        # finds each place it occurs, and the first the many USCCs that share a region's
        # code without reading them from the table (see _union).
        prefix = QueryString('"enterprise"."uscc" >= {} AND "enterprise"."uscc" < {}', code, code + _LAST_CHARACTER) \
            if sqlite else Enterprise.uscc.like(code + "%")
        rest = QueryString("({} OR {})", in_names.querystring,
                           QueryString('substr("enterprise"."uscc", 2) LIKE {}', f"%{code}%"))
        return _Part(check, arms=(prefix, _found(rest, term, sqlite)))
    return _found(check, term, sqlite)


def _found(check: Condition, term: str, sqlite: bool) -> _Part:
    """``check`` (the term in a name, an address or a USCC after its first character)
    with the text index that finds its rows."""
    if sqlite:
        # The FTS5 table indexes upper(name) ␟ substr(uscc, 2) ␟ upper(address) ␟␟ (see the migrations).
        text = term.translate(_ASCII_UPPER)
        if len(text) > 3 and set(text) <= _USCC_CHARACTERS:
            # Digits and capitals: the region's code in every USCC makes some of their
            # trigrams common (371 in 405,000 of a million), and a phrase reads each
            # trigram's list (9137162: 9.7 ms). Its first and last trigram find every row
            # that holds it (0.5 ms), and LIKE checks those.
            rows = QueryString("SELECT rowid FROM enterprise_search WHERE enterprise_search MATCH {}",
                               f'"{text[:3]}" AND "{text[-3:]}"')
            return _Part(check, rows, QueryString("{} AND {}", _rowid_in(rows), _sql(check)), check)
        if len(text) >= 3:
            rows = QueryString("SELECT rowid FROM enterprise_search WHERE enterprise_search MATCH {}",
                               '"' + text.replace('"', '""') + '"')
        else:
            rows = QueryString("SELECT doc FROM enterprise_search_trigrams WHERE term >= {} AND term < {}",
                               text, text + _LAST_CHARACTER)
        return _Part(check, rows, _rowid_in(rows), check)
    if len(term) >= 3:
        return _Part(check)  # pg_trgm's GIN indexes
    if set(term.upper()) <= _USCC_CHARACTERS:
        return _Part(check)  # in 2% of USCCs or more: a walk
    # No USCC holds this term: the bigrams (or, for one character, those beginning
    # with it) of name ␟ address ␟␟.
    lexeme = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if len(term) == 1 else "")
    bigrams = QueryString('enterprise_bigrams("enterprise"."name" || chr(31) || "enterprise"."address" || chr(31) '
                          "|| chr(31)) @@ {}::tsquery", lexeme)
    # Driving, LIKE comes too: should the planner walk after all, it checks LIKE first
    # (the bigrams' COST is high) and builds a tsvector only for the rows that match.
    # Counted in a sample of the table's pages, not in the bigram index: a common bigram
    # (面粉 in 37,649 of a million) costs 35 ms to count to DRIVE_AT there, 6 ms here.
    sample = QueryString(f"SELECT 1 FROM enterprise TABLESAMPLE SYSTEM ({SAMPLE_PERCENT}) REPEATABLE (0) WHERE {{}}",
                         _sql(check))
    return _Part(check, sample, QueryString("{} AND {}", _sql(check), bigrams), check, scale=100 // SAMPLE_PERCENT)


async def _union(parts: list[_Part], text: _Part, window: Window) -> list[Condition]:
    """The enterprises of ``parts`` whose text holds a term of USCC characters, as the
    page of a union of two windows: the USCCs that start with the term, and the rest.
    The first are many where the term starts a region's code (9137162: 29,546 of a
    million; PostgreSQL's planner guesses 133). Fetching them from the table to sort them
    cost 140-260 ms on PostgreSQL, and a walk of the sort's index passes 147,000 names
    (which begin with the place) before the first. So they are read from an index on the
    USCC that holds every sort's columns (and the region codes), and sorted as they come
    (a fenced CTE: planners would walk): only the page's rows are fetched from the table.
    Up to FENCE_AT of them, counted in that index, and no more than FENCE_SHARE of all
    enterprises: past that, sorting them costs more (91, in every USCC: 46 ms p95 at
    100,000 on SQLite) than a walk, which at that share meets a match in about every
    other row."""
    prefix, rest = text.arms
    (n,), total, _ = await _count([QueryString("SELECT 1 FROM enterprise WHERE {}", _sql(prefix))], [], FENCE_AT)
    if n > FENCE_AT or n > total * FENCE_SHARE:
        return await _planned([*parts, _Part(text.check)])
    others = await _planned(parts)
    # The CTE's own name would be in scope in its body on SQLite: main. names the table.
    # Its LIMIT (SQLite) or OFFSET (PostgreSQL) keeps planners from merging it into the
    # page's query (which they would then walk in the sort's index); its rows stream
    # into the page's top-N sort.
    table, fence = ('main."enterprise"', "LIMIT -1") if db.kind(db.current()) == "sqlite" else ('"enterprise"', "OFFSET 0")
    first = QueryString(f'WITH "enterprise" AS (SELECT {_SORTED} FROM {table} WHERE {{}} {fence}) {{}}',
                        _all([*others, prefix]), window(Enterprise.select(Enterprise.id)).querystrings[0])
    second = window(Enterprise.select(Enterprise.id).where(*await _planned([*parts, rest]))).querystrings[0]
    return [QueryString('"enterprise"."id" IN (SELECT id FROM ({}) AS a UNION ALL SELECT id FROM ({}) AS b)', first, second)]


def _sql(condition: Condition) -> QueryString:
    return condition if isinstance(condition, QueryString) else condition.querystring


def _all(conditions: list[Condition]) -> QueryString:
    return QueryString(" AND ".join(["({})"] * len(conditions)) or "TRUE", *map(_sql, conditions))


def _rowid_in(rows: QueryString) -> QueryString:
    return QueryString('"enterprise".rowid IN ({})', rows)


async def _planned(parts: list[_Part]) -> list[Condition]:
    """Each part's condition in the form the probe chose (module docstring)."""
    probed = [part for part in parts if part.rows is not None]
    if not probed:  # no walk past unmatched rows: nothing to choose
        return [part.check for part in parts]
    droppable = [part for part in parts if part.others is not None]
    counts, total, outside = await _count([part.rows for part in probed], [part.others for part in droppable])
    count = {id(part): n * part.scale for part, n in zip(probed, counts)}
    drivers = [part for part in probed if count[id(part)] <= DRIVE_AT
               and (count[id(part)] <= PAGE or count[id(part)] ** 2 <= PAGE * total)]
    driver = min(drivers, key=lambda part: count[id(part)], default=None)
    dropped = {id(part) for part, found in zip(droppable, outside) if not found}
    chosen = []
    for part in parts:
        if part is driver:
            chosen.append(part.only)
        elif id(part) in count and all(part is not other for other in drivers):
            chosen.append(part.hidden)
        elif id(part) not in dropped:
            chosen.append(part.check)
    return chosen


async def _count(matching: list[QueryString], others: list[QueryString],
                 limit: int = DRIVE_AT) -> tuple[list[int], int, list[bool]]:
    """One probe: how many rows each of ``matching`` yields, counting no further than
    ``limit`` + 1; about how many enterprises there are; whether each of ``others``
    yields any row."""
    total = ("SELECT max(rowid) FROM enterprise" if db.kind(db.current()) == "sqlite" else
             "SELECT reltuples::bigint FROM pg_class WHERE oid = 'enterprise'::regclass")
    columns = [f"(SELECT count(*) FROM ({{}} LIMIT {limit + 1}) AS probe) AS n{i}" for i in range(len(matching))]
    columns += [f"EXISTS ({{}}) AS o{i}" for i in range(len(others))]
    row = (await Enterprise.raw(f"SELECT ({total}) AS total, {', '.join(columns)}", *matching, *others))[0]
    return ([row[f"n{i}"] for i in range(len(matching))], row["total"] or 0,
            [bool(row[f"o{i}"]) for i in range(len(others))])

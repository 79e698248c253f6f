"""The random draw of a plan (双随机), algorithm "v1": pure functions of the inputs the lock
records. The draw runs them; `dossier verify-draw` runs them again, from the database or
from an exported plan file on a machine without one, and compares. Nothing here reads the
database, the clock, or the order in which rows come.

Inputs, fixed by the lock and hashed into its audit event (``plan.locked``):

* plan: the plan as locked: its items (each with the checklist version it pins), pool
  filter, sampling rules ({"stratum", "ratio" | "count"}), window and team size.
* pool: [id, stratum, category, province, city, county] per enterprise, sorted by id. The
  stratum is "credit:X" for an enterprise with credit class X (信用风险分类), else "risk:Y"
  for its risk grade Y.
* roster: [id, region code, region level, name, certificate no] of every active inspector
  and supervisor with an enforcement certificate in the bureau's jurisdiction, by id.
* recusals: conflicts [officer, enterprise] as declared, sorted; previous_teams
  [enterprise, [officers]]: the team of each pool enterprise's latest filed visit, by id.

H(x) is the SHA-256 (hex) of x as canonical JSON: UTF-8, no spaces, keys (and a result's
fields) in sorted order, numbers in their shortest round-trip form, as
``msgspec.json.encode(x, order="sorted")`` writes it (for a plan's values the same bytes as
Python's ``json.dumps(x, sort_keys=True, ensure_ascii=False, separators=(",", ":"))``). The
lock event records plan_hash = H(plan), pool_hash = H(pool), roster_hash = H(roster) and
recusal_hash = H({"conflicts": …, "previous_teams": …}); the draw event result_hash =
H(result as drawn).

Seed: SHA-256 of the ASCII text "v1:<chain head>:<plan_hash>". The chain head is the hash of
the lock's own audit event: it exists only once the lock and its hashes are in the chain,
and nobody picks it. Below, ids are lowercase 36-character UUID text in ASCII, ‖ joins
bytes, and the seed is its 32 bytes.

1. Enterprises: strata in order of their names; within each, enterprises by rank key
   SHA-256(seed ‖ id) (hex, ascending); the first k are drawn, k = ⌈n × ratio / 100⌉ for a
   ratio (exact decimal arithmetic) or min(count, n) for a count. Draw order: the strata's,
   then rank.
2. Teams: for each drawn enterprise, the roster's officers whose jurisdiction covers it (the
   officer's region code equals the enterprise's code at that region's level), less those
   with a declared conflict with it and those of its previous filed visit's team, ordered
   by SHA-256(seed ‖ enterprise id ‖ officer id): the first team_size, in that order.
3. Dates: the drawn enterprises by rank key; the i-th of N (from 0) is planned for
   window_start + ⌊i × D / N⌋ days, D the number of days in the window.
4. Item: the first of the plan's items whose categories include the enterprise's.
5. Redraw n (1, 2, … per enterprise): step 2 less the redraw's excluded officers (the team
   it replaces, and officers no longer eligible when it was made), ordered by
   SHA-256(seed ‖ enterprise id ‖ officer id ‖ n in ASCII decimal).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date, timedelta
from fractions import Fraction
from math import ceil
from typing import Any, Iterable

import msgspec

from backend.audit.service import event_hash
from backend.errors import Invalid

ALGORITHM = "v1"
FORMAT = "field-dossier/plan-draw/1"

PoolEntry = tuple[str, str, str, str, "str | None", str]  # id, stratum, category, province, city, county
RosterEntry = tuple[str, str, str, str, str]  # id, region code, level, name, certificate no


class Drawn(msgspec.Struct, kw_only=True):
    enterprise_id: str
    stratum: str
    rank_key: str
    team: list[str]  # as drawn
    planned_date: date
    item_id: str


class Redraw(msgspec.Struct, kw_only=True):
    enterprise_id: str
    n: int
    reason: str
    excluded: list[str]
    team: list[str]


class LockEvent(msgspec.Struct, kw_only=True):
    """The audit event of the lock, with every field its chain hash covers."""

    id: int
    at: str  # UTC, ISO 8601, as the chain hashes it
    actor: str | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    enterprise: str | None
    province_code: str | None
    city_code: str | None
    county_code: str | None
    details: str
    digest: str
    prev_hash: str
    hash: str


class Inputs(msgspec.Struct, kw_only=True):
    plan: dict[str, Any]
    pool: list[tuple[str, str, str, str, str | None, str]]
    roster: list[tuple[str, str, str, str, str]]
    conflicts: list[tuple[str, str]]
    previous_teams: list[tuple[str, list[str]]]


class Record(Inputs, kw_only=True):
    """A plan's draw as a self-contained file: its inputs, the lock event, the seed, the
    result as drawn, the redraws and the teams as they stand."""

    format: str
    algorithm: str
    lock_event: LockEvent
    chain_head: str
    seed: str
    result_hash: str
    result: list[Drawn]
    redraws: list[Redraw]
    teams: dict[str, list[str]]
    enterprises: dict[str, dict[str, str]] = {}  # names and USCCs of the drawn, for readers (not hashed)


def digest(value: Any) -> str:
    """H(x): the SHA-256 of x as canonical JSON."""
    return hashlib.sha256(msgspec.json.encode(value, order="sorted")).hexdigest()


def input_hashes(inputs: Inputs) -> dict[str, str]:
    return {"plan_hash": digest(inputs.plan), "pool_hash": digest(inputs.pool), "roster_hash": digest(inputs.roster),
            "recusal_hash": digest({"conflicts": inputs.conflicts, "previous_teams": inputs.previous_teams})}


def derive_seed(chain_head: str, plan_hash: str) -> str:
    return hashlib.sha256(f"{ALGORITHM}:{chain_head}:{plan_hash}".encode("ascii")).hexdigest()


def stratum_of(risk_grade: str, credit_class: str | None) -> str:
    return f"credit:{credit_class}" if credit_class else f"risk:{risk_grade}"


def quotas(plan: dict[str, Any], pool: Iterable[PoolEntry]) -> dict[str, tuple[int, int]]:
    """Each stratum of the pool: (its size, how many are drawn); Invalid for a stratum the
    sampling has no rule for."""
    sizes: dict[str, int] = defaultdict(int)
    for entry in pool:
        sizes[entry[1]] += 1
    rules = {rule["stratum"]: rule for rule in plan["sampling"]}
    out = {}
    for stratum, n in sorted(sizes.items()):
        rule = rules.get(stratum)
        if rule is None:
            raise Invalid(f"The pool has {n} enterprises in stratum {stratum} and the sampling gives it no ratio or "
                          "count; add one (a ratio of 0 draws none).", "sampling", code="stratum_no_rule", params={"n": n, "stratum": stratum})
        count = rule.get("count")
        out[stratum] = (n, min(count, n) if count is not None else ceil(n * Fraction(str(rule["ratio"])) / 100))
    return out


class Officers:
    """Who may go to which pool enterprise: the roster by region, less recusals."""

    def __init__(self, inputs: Inputs) -> None:
        self.by_region: dict[tuple[str, str], list[str]] = defaultdict(list)
        for officer_id, code, level, *_ in inputs.roster:
            self.by_region[(level, code)].append(officer_id)
        self.recused: dict[str, set[str]] = defaultdict(set)
        for officer_id, enterprise_id in inputs.conflicts:
            self.recused[enterprise_id].add(officer_id)
        for enterprise_id, team in inputs.previous_teams:
            self.recused[enterprise_id].update(team)
        self._covering: dict[tuple, list[str]] = {}

    def eligible(self, entry: PoolEntry) -> list[str]:
        enterprise_id, _, _, province, city, county = entry
        covering = self._covering.get((province, city, county))
        if covering is None:
            covering = self._covering[(province, city, county)] = [
                *self.by_region[("province", province)], *(self.by_region[("city", city)] if city else ()),
                *self.by_region[("county", county)]]
        recused = self.recused.get(enterprise_id)
        return [o for o in covering if o not in recused] if recused else covering


def shortfalls(inputs: Inputs) -> list[tuple[str, int]]:
    """Pool enterprises with fewer eligible officers than a team needs: (id, how many)."""
    officers, size = Officers(inputs), inputs.plan["team_size"]
    return [(entry[0], n) for entry in inputs.pool if (n := len(officers.eligible(entry))) < size]


def team(seed: str, enterprise_id: str, eligible: Iterable[str], size: int, n: int | None = None,
         excluded: Iterable[str] = ()) -> list[str]:
    """Steps 2 and 5: the first ``size`` of ``eligible`` (less ``excluded``) by their keys."""
    prefix, suffix, skip = bytes.fromhex(seed) + enterprise_id.encode("ascii"), b"" if n is None else str(n).encode(), set(excluded)
    return sorted((o for o in eligible if o not in skip),
                  key=lambda o: hashlib.sha256(prefix + o.encode("ascii") + suffix).digest())[:size]


def draw(inputs: Inputs, seed: str) -> list[Drawn]:
    """Steps 1 to 4: the drawn enterprises in draw order."""
    plan, prefix = inputs.plan, bytes.fromhex(seed)
    strata: dict[str, list[PoolEntry]] = defaultdict(list)
    for entry in inputs.pool:
        strata[entry[1]].append(entry)
    chosen: list[tuple[str, PoolEntry]] = []
    for stratum, (_, k) in quotas(plan, inputs.pool).items():  # bytes sort as their hex does, and cost half
        ranked = sorted(strata[stratum], key=lambda entry: hashlib.sha256(prefix + entry[0].encode("ascii")).digest())
        chosen += [(hashlib.sha256(prefix + entry[0].encode("ascii")).hexdigest(), entry) for entry in ranked[:k]]
    start, end = date.fromisoformat(plan["window_start"]), date.fromisoformat(plan["window_end"])
    days = (end - start).days + 1
    order = {key: i for i, key in enumerate(sorted(key for key, _ in chosen))}
    officers = Officers(inputs)
    return [Drawn(enterprise_id=entry[0], stratum=entry[1], rank_key=key,
                  team=team(seed, entry[0], officers.eligible(entry), plan["team_size"]),
                  planned_date=start + timedelta(days=order[key] * days // len(chosen)),
                  item_id=item_for(plan, entry[2]))
            for key, entry in chosen]


def item_for(plan: dict[str, Any], category: str) -> str:
    for item in plan["items"]:
        if category in item["categories"]:
            return item["id"]
    raise Invalid(f"No item of the plan applies to category {category}.", "items", code="plan_category_no_item", params={"category": category})


def redraw_team(inputs: Inputs, officers: Officers, seed: str, entry: PoolEntry, n: int, excluded: Iterable[str]
                ) -> list[str]:
    """Step 5 for one enterprise of the pool (``entry``)."""
    return team(seed, entry[0], officers.eligible(entry), inputs.plan["team_size"], n, excluded)


def verify(record: Record) -> list[str]:
    """Everything in ``record`` that its inputs do not reproduce (empty: it matches)."""
    problems = []
    event = record.lock_event
    if record.algorithm != ALGORITHM:
        return [f"unknown algorithm {record.algorithm!r} (this program knows {ALGORITHM})"]
    if hashlib.sha256(event.details.encode()).hexdigest() != event.digest:
        problems.append("the lock event's details do not match their digest")
    if event_hash(event.prev_hash, msgspec.structs.asdict(event)) != event.hash:
        problems.append("the lock event's fields do not match its hash")
    if event.hash != record.chain_head:
        problems.append(f"the chain head {record.chain_head} is not the lock event's hash {event.hash}")
    if event.action != "plan.locked" or event.target_id != record.plan.get("id"):
        problems.append("the lock event is not this plan's lock")
    recorded = _json(event.details)
    hashes = input_hashes(record)
    for name, value in hashes.items():
        if recorded.get(name) != value:
            problems.append(f"{name}: the inputs hash to {value}; the lock recorded {recorded.get(name)}")
    seed = derive_seed(event.hash, hashes["plan_hash"])
    if seed != record.seed:
        problems.append(f"seed: recomputed {seed}; recorded {record.seed}")
    try:
        result = draw(record, seed)
        teams = replay(record, seed, result, record.redraws)
    except (Invalid, KeyError, ValueError, TypeError, StopIteration) as e:
        return problems + [f"the draw cannot be reproduced: {getattr(e, 'message', None) or e!r}"]
    if digest(result) != record.result_hash:
        problems.append(f"result hash: recomputed {digest(result)}; recorded {record.result_hash}")
    problems += _differences("result", [msgspec.to_builtins(d) for d in result],
                             [msgspec.to_builtins(d) for d in record.result])
    for enterprise_id in sorted(set(teams) | set(record.teams)):
        if teams.get(enterprise_id) != record.teams.get(enterprise_id):
            problems.append(f"team of {enterprise_id}: recomputed {teams.get(enterprise_id)}; "
                            f"recorded {record.teams.get(enterprise_id)}")
    return problems


def replay(inputs: Inputs, seed: str, result: list[Drawn], redraws: list[Redraw]) -> dict[str, list[str]]:
    """The teams after the redraws, in order; Invalid if a redraw breaks its rules."""
    teams = {d.enterprise_id: d.team for d in result}
    officers, pool = Officers(inputs), {entry[0]: entry for entry in inputs.pool}
    for r in sorted(redraws, key=lambda r: (r.enterprise_id, r.n)):
        replaced = teams.get(r.enterprise_id)
        if replaced is None or not set(replaced) <= set(r.excluded):
            raise Invalid(f"redraw {r.n} of {r.enterprise_id} does not exclude the team it replaced", code="redraw_record_inconsistent", params={"n": r.n, "enterprise_id": r.enterprise_id})
        teams[r.enterprise_id] = redraw_team(inputs, officers, seed, pool[r.enterprise_id], r.n, r.excluded)
        if teams[r.enterprise_id] != r.team:
            raise Invalid(f"redraw {r.n} of {r.enterprise_id}: recomputed {teams[r.enterprise_id]}; recorded {r.team}", code="redraw_record_inconsistent", params={"n": r.n, "enterprise_id": r.enterprise_id})
    return teams


def _differences(what: str, computed: list[Any], recorded: list[Any], most: int = 5) -> list[str]:
    out = []
    if len(computed) != len(recorded):
        out.append(f"{what}: {len(computed)} drawn when recomputed; {len(recorded)} recorded")
    for i, (a, b) in enumerate(zip(computed, recorded)):
        if a != b and len(out) < most:
            out.append(f"{what}[{i}]: recomputed {a}; recorded {b}")
    return out


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

"""Random-draw benchmark (双随机): lock and draw a province's plan, then verify it.

Loads 100,000 demo enterprises (four risk grades; every enterprise whose USCC's 17th
character is 1-4 gets credit class A-D, about 40 %) and 300 certified officers (20 of the
province, 3 of each city, the rest spread over the counties) into a fresh database
(temporary SQLite, or a scratch database on the PostgreSQL server of --database-url),
starts the real server, drafts a province plan that draws 5 % of every stratum, and times
POST /api/plans/{id}/lock (lock, draw, and the planned visits of the drawn teams) over
HTTP, and GET /api/plans/{id}/draw after it. Then it times `dossier verify-draw PLAN_ID` (from the database) and `dossier
verify-draw --file` (from the exported plan file), in process. The last line is

    RESULT pool=… drawn=… draw_s=… verify_s=… publication_p95_ms=…

(verify_s: the slower of the two verifications). Goals: each under 2 s. Last, it loads
100,000 published results and times the public results page /gs (bench/publication.py:
publication_p95_ms, the slowest p95 of the first page and searches by name and USCC;
goal under 50 ms).

    .venv/bin/python bench/draw.py
    .venv/bin/python bench/draw.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from common import admin_session, scratch_database, server
from publication import load_into, publication_p95

from backend import cli, db, demo
from backend.accounts.tables import User
from backend.clock import bureau_today
from backend.regions.tables import Region
from backend.settings import get_settings

STRATA = [f"{kind}:{grade}" for kind in ("risk", "credit") for grade in "ABCD"]


async def load(url: str, enterprises: int, officers: int) -> str:
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(enterprises, history=False)
        classes = " ".join(f"WHEN '{digit}' THEN '{grade}'" for digit, grade in zip("1234", "ABCD"))
        await db.current().run_ddl(f"UPDATE enterprise SET credit_class = CASE substr(uscc, 17, 1) {classes} END")
        regions = {level: [r["code"] for r in await Region.select(Region.code).where(Region.level == level).order_by(
            Region.code)] for level in ("province", "city", "county")}
        places = [regions["province"][0]] * 20 + [city for city in regions["city"] for _ in range(3)]
        places += [regions["county"][i % len(regions["county"])] for i in range(officers - len(places))]
        await User.insert(*(User(id=uuid.UUID(int=n + 1), display_name=f"执法人员{n:03d}", role="inspector",
                                 region_code=code, certificate_no=f"37{n:09d}") for n, code in enumerate(places)))
        await db.analyze()
        return await admin_session()


def verify(argv: list[str]) -> tuple[float, str]:
    """`dossier verify-draw …` in process: seconds and what it printed."""
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = cli.main(["verify-draw", *argv])
    took = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"verify-draw {' '.join(argv)} failed:\n{out.getvalue()}")
    return took, out.getvalue().strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server to create a scratch database on (default: SQLite)")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--officers", type=int, default=300)
    parser.add_argument("--ratio", type=float, default=5)
    parser.add_argument("--published", type=int, default=100_000, help="published results for the public page")
    args = parser.parse_args()
    kind = "postgresql" if args.database_url else "sqlite"
    today = bureau_today()

    with scratch_database(args.database_url) as url:
        started = time.perf_counter()
        token = asyncio.run(load(url, args.enterprises, args.officers))
        print(f"loaded {args.enterprises} enterprises and {args.officers} officers into {kind} in "
              f"{time.perf_counter() - started:.0f} s")
        with server(url, token) as client:
            item = client.post("/api/plan-items", json={
                "region_code": "370000", "name": "生产企业日常监督检查", "legal_basis": "《产品质量法》第十五条",
                "categories": ["food_production", "food_related_products", "special_equipment", "industrial_products"],
                "checklist_code": "food-routine"}).raise_for_status().json()
            plan = client.post("/api/plans", json={
                "title": "全省双随机抽查", "year": today.year, "period": "第四季度", "bureau_code": "370000",
                "item_ids": [item["id"]], "sampling": [{"stratum": s, "ratio": args.ratio} for s in STRATA],
                "window_start": today.isoformat(), "window_end": (today + timedelta(days=60)).isoformat(),
            }).raise_for_status().json()
            started = time.perf_counter()
            response = client.post(f"/api/plans/{plan['id']}/lock", timeout=600)
            draw_s = time.perf_counter() - started
            if response.status_code != 201:
                raise SystemExit(f"lock: {response.status_code} {response.text[:2000]}")
            started = time.perf_counter()
            result = client.get(f"/api/plans/{plan['id']}/draw").raise_for_status().json()
            print(f"lock and draw over HTTP: {draw_s:.2f} s (then GET the draw: {time.perf_counter() - started:.2f} s); "
                  f"pool {result['inputs']['pool_size']}, "
                  f"roster {result['inputs']['roster_size']}, drawn {len(result['result'])} "
                  "(" + ", ".join(f"{s['stratum']} {s['drawn']}/{s['pool']}" for s in result["strata"]) + ")")
            exported = client.get(f"/api/plans/{plan['id']}/export").raise_for_status().content
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "plan.json"
            path.write_bytes(exported)
            print(f"plan file: {len(exported) / 1e6:.1f} MB")
            os.environ.update(DOSSIER_DATABASE_URL=url, DOSSIER_SECRET_KEY="bench")
            get_settings.cache_clear()
            from_db, said = verify([plan["id"]])
            print(f"verify-draw PLAN_ID: {from_db:.2f} s — {said[:160]}")
            from_file, said = verify(["--file", str(path)])
            print(f"verify-draw --file:  {from_file:.2f} s — {said[:160]}")
        # Publication (一公开): the public results page over --published results (bench/publication.py).
        terms = asyncio.run(load_into(url, args.published))
        with server(url, token) as client:
            publication_ms = max(publication_p95(client, terms).values())
    print(f"RESULT pool={result['inputs']['pool_size']} drawn={len(result['result'])} draw_s={draw_s:.2f} "
          f"verify_s={max(from_db, from_file):.2f} publication_p95_ms={publication_ms:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Load benchmark: a county's morning, driven by locust against the real parts.

Sets up, all real: a scratch PostgreSQL database with the demo registry (no history) and,
in it, the county's people (Huimin), each with a session; SeaweedFS (`weed mini`) as the
media store; `dossier serve --workers 2`; one `dossier worker` making the derivatives.
Then locust (headless, its library API, in a child process: gevent patches the standard
library there and nowhere else) plays the morning:
- 200 inspectors, arriving over --arrivals seconds, each syncing one visit as the phone's
  outbox does: Today's visits read, its 5 photos (~300 KB phone JPEGs, distinct bytes each) and the 3
  signatures uploaded, then the visit submission citing them; each photo's preview is
  polled (GET …/preview answers 404 with Retry-After until the job worker made it);
- 20 reviewers working the review queue: list the submitted visits, open one, accept it;
- 5 supervisors on the dashboard (coverage, visits awaiting review, open findings, points
  without a notice);
- 50 enterprise users reading their own dossier.
It ends when every visit is synced, every preview made and every visit accepted (or
after --duration seconds). Measured: requests and errors (the preview polls count as
requests, their 404s not as errors); p95 of reads (every GET but the polls), of visit
submissions and of uploads; preview lag (from an upload's 201 to its preview answering,
at the Retry-After the server asks for); photos/s (photos uploaded over the span from the
first upload sent to the last answered). The last line is

    RESULT users=… requests=… errors=… read_p95_ms=… submit_p95_ms=… upload_p95_ms=… preview_lag_p95_s=… photos_per_s=…

    .venv/bin/python bench/load.py                  # the whole county, ~10 minutes
    .venv/bin/python bench/load.py --scale 0.1      # a tenth of every group of people
It prints each request's p50 and p95 (locust's figures) before the RESULT line.
Goals: 0 errors; read p95 under 300 ms; preview lag p95 under 10 s.
"""

from __future__ import annotations

import sys

if "--drive" in sys.argv:  # the locust process: gevent patches the standard library before anything imports it
    from gevent import monkey

    monkey.patch_all()

import argparse
import asyncio
import itertools
import json
import random
import subprocess
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import msgspec
from common import ROOT, environment, percentile, scratch_database, server
from export import kept_photo, unique
from PIL import Image, ImageDraw

from backend import db, demo
from backend.access import SYSTEM
from backend.accounts import service as accounts
from backend.accounts.tables import User
from backend.clock import bureau_today
from backend.enterprises.tables import Enterprise
from backend.inspections import service as inspections
from backend.inspections.schemas import VisitPlan
from backend.inspections.tables import ChecklistVersion, VisitType
from tests.seaweedfs import SeaweedFS

COUNTY = demo.ROPE_NET_COUNTY  # Huimin: the demo puts 280 enterprises there
PEOPLE = {"inspector": 200, "reviewer": 20, "supervisor": 5, "enterprise": 50}
PHOTOS = 5  # per visit, one on each of the first five items
ITEMS = ("G1", "G2", "G3", "G4", "G5")  # industrial-routine's first items (pass/fail)
CHECKLIST = "industrial-routine"
BUREAU = timezone(timedelta(hours=8))


# ------------------------------------------------------------------ setup (the parent process)

async def load(url: str, counts: dict[str, int]) -> dict:
    """The registry, the county's people with a session each, and what the phones need."""
    await db.migrate(url)
    async with db.connected(url):
        await demo.load(600, history=False)
        firms = await Enterprise.select(Enterprise.id, Enterprise.latitude, Enterprise.longitude).where(
            Enterprise.county_code == COUNTY).order_by(Enterprise.id)
        checklist = await ChecklistVersion.select(ChecklistVersion.id).where(
            ChecklistVersion.template.code == CHECKLIST).first()
        people: dict[str, list[dict]] = {}
        for role, count in counts.items():
            rows = [User(id=uuid.uuid4(), display_name=f"{role} {n}", role=role,
                         region_code=None if role == "enterprise" else COUNTY,
                         enterprise=firms[n % len(firms)]["id"] if role == "enterprise" else None)
                    for n in range(count)]
            await User.insert(*rows)
            people[role] = []
            for n, user in enumerate(rows):
                scope = await accounts.scope_of_user(user.id)
                async with db.transaction():
                    token = await accounts.start_session(scope, "bench", 24, await accounts.place_of(scope))
                firm = firms[n % len(firms)]
                people[role].append({"id": str(user.id), "token": token, "enterprise": str(firm["id"]),
                                     "latitude": firm["latitude"], "longitude": firm["longitude"]})
        # Today's visits, as the plan put them on the phones: one for each inspector with a colleague
        today = bureau_today()
        for n, me in enumerate(people["inspector"]):
            team = [uuid.UUID(me["id"]), uuid.UUID(people["inspector"][(n + 1) % counts["inspector"]]["id"])]
            plan = VisitPlan(id=uuid.uuid4(), enterprise_id=uuid.UUID(me["enterprise"]), checklist_id=checklist["id"],
                             visit_type=VisitType.routine, planned_date=today, team=team)
            await inspections.plan_visit(SYSTEM, plan, today)
            me["visit"] = msgspec.to_builtins(plan)
    return {"people": people}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="the PostgreSQL server to create a scratch database on")
    parser.add_argument("--scale", type=float, default=1.0, help="this share of every group of people")
    parser.add_argument("--arrivals", type=float, default=120, help="seconds over which the inspectors start to sync")
    parser.add_argument("--duration", type=float, default=420, help="seconds the morning lasts at most")
    parser.add_argument("--drive", help=argparse.SUPPRESS)  # the locust process, given the plan's file
    args = parser.parse_args()
    if args.drive:
        return drive(json.loads(Path(args.drive).read_text()))

    counts = {role: max(1, round(n * args.scale)) for role, n in PEOPLE.items()}
    counts["inspector"] = max(2, counts["inspector"])  # a team is two
    with tempfile.TemporaryDirectory(prefix="dossier-load-") as folder, scratch_database(args.database_url) as url:
        begun = time.perf_counter()
        plan = asyncio.run(load(url, counts))
        print(f"loaded the registry and {sum(counts.values())} people in {time.perf_counter() - begun:.0f} s")
        with SeaweedFS(Path(folder)) as s3:
            settings = {"workers": "2", "media_root": str(Path(folder, "media")), "s3_url": s3.url,
                        "s3_bucket": s3.bucket, "s3_access_key": s3.access_key, "s3_secret_key": s3.secret_key}
            worker = subprocess.Popen([sys.executable, "-m", "backend.cli", "worker"], cwd=ROOT,
                                      env=environment(url, **settings), stdout=subprocess.DEVNULL)
            try:
                with server(url, plan["people"]["supervisor"][0]["token"], **settings) as client:
                    plan |= {"host": str(client.base_url).rstrip("/"), "csrf": client.cookies["dossier_csrf"],
                             "arrivals": args.arrivals, "duration": args.duration, "out": str(Path(folder, "out.json"))}
                    Path(folder, "plan.json").write_text(json.dumps(plan))
                    subprocess.run([sys.executable, __file__, "--drive", str(Path(folder, "plan.json"))], check=True)
                    result = json.loads(Path(plan["out"]).read_text())
            finally:
                worker.terminate()
                worker.wait(10)
    print(f"RESULT users={sum(counts.values())} " + " ".join(f"{k}={v}" for k, v in result.items()))
    return 0


# ------------------------------------------------------------------ the morning (the locust process)

def signature(n: int) -> bytes:
    """A drawn signature: a small PNG, other strokes for each ``n``."""
    rng = random.Random(n)
    image = Image.new("L", (300, 120), 255)
    ImageDraw.Draw(image).line([(x, rng.randrange(20, 100)) for x in range(10, 300, 25)], fill=0, width=3)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def drive(plan: dict) -> int:
    """Play the morning with locust; write the measures to plan["out"]."""
    import gevent
    from locust import HttpUser, between, constant, task
    from locust.env import Environment
    from locust.exception import RescheduleTask

    people = {role: list(enumerate(rows)) for role, rows in plan["people"].items()}
    inspectors = plan["people"]["inspector"]
    bases = [kept_photo(seed) for seed in range(4)]  # distinct bytes per upload: unique() adds a comment
    uploads = itertools.count()
    samples: dict[str, list[float]] = {"read": [], "submit": [], "upload": [], "lag": []}
    tally = {"requests": 0, "errors": 0, "synced": 0, "accepted": 0, "photos": 0, "first": None, "last": 0.0}
    waiting: dict[str, float] = {}  # photos whose preview is polled: when their upload was answered

    def on_request(request_type: str, name: str, response_time: float, exception: Exception | None, response: object,
                   **_: object) -> None:
        tally["requests"] += 1
        if exception is not None:
            tally["errors"] += 1
            print(f"error: {request_type} {name}: {exception} {getattr(response, 'text', '')[:300]}", file=sys.stderr)
        elif name == "/api/media":
            samples["upload"].append(response_time)
        elif name == "/api/visits/submissions":
            samples["submit"].append(response_time)
        elif request_type == "GET" and not name.endswith("(poll)"):
            samples["read"].append(response_time)

    class Person(HttpUser):
        abstract = True
        host = plan["host"]

        def on_start(self) -> None:
            self.n, self.me = people[self.role].pop()
            self.client.cookies.set("dossier_session", self.me["token"])
            self.client.cookies.set("dossier_csrf", plan["csrf"])
            self.client.headers["x-csrf-token"] = plan["csrf"]  # writes echo the CSRF cookie
            self.client.get("/api/me")

    class Inspector(Person):
        # One sync a morning; then the phone idles (a user that stopped would be spawned again while locust ramps up)
        role, fixed_count, wait_time = "inspector", len(inspectors), constant(3600)

        @task
        def sync(self) -> None:
            """Arrive, sync one visit as the outbox does (uploads, then the visit)."""
            gevent.sleep(random.Random(self.n).uniform(0, plan["arrivals"]))
            self.client.get("/api/visits?mine=true", name="/api/visits?mine=true")  # Today, online again
            visit = self.me["visit"]
            visit_id, firm, partner = visit["id"], visit["enterprise_id"], visit["team"][1]
            started = datetime.now(BUREAU) - timedelta(minutes=40)
            photos = [self.upload(firm, visit_id, "evidence", unique(bases[n % len(bases)], next(uploads)), "photo.jpg",
                                  started + timedelta(minutes=n + 1)) for n in range(PHOTOS)]
            signs = [self.upload(firm, visit_id, "signature", signature(next(uploads)), "signature.png",
                                 started + timedelta(minutes=30)) for _ in range(3)]
            self.client.post("/api/visits/submissions", json={
                "visit": visit, "started_at": started.isoformat(), "start_latitude": self.me["latitude"],
                "start_longitude": self.me["longitude"],
                "answers": [{"item": item, "result": "pass", "media": [media]} for item, media in zip(ITEMS, photos)],
                "signatures": [{"signer": "inspector", "user_id": self.me["id"], "name": "检查员", "media_id": signs[0]},
                               {"signer": "inspector", "user_id": partner, "name": "同事", "media_id": signs[1]},
                               {"signer": "enterprise", "name": "企业负责人", "media_id": signs[2]}],
                "conclusion": "pass",
            })
            tally["synced"] += 1

        def upload(self, firm: str, visit_id: str, category: str, content: bytes, name: str, taken: datetime) -> str:
            """One multipart upload as the phone sends it; a photo's preview is then watched."""
            media_id = str(uuid.uuid4())
            fields = {"id": media_id, "enterprise_id": firm, "category": category, "visit_id": visit_id,
                      "captured_at": taken.isoformat(), "latitude": str(self.me["latitude"]),
                      "longitude": str(self.me["longitude"])}
            tally["first"] = tally["first"] or time.monotonic()
            response = self.client.post("/api/media", data=fields,
                                        files={"file": (name, content, "application/octet-stream")})
            if response.status_code != 201:
                raise RescheduleTask()  # an error already counted: the visit cannot be filed
            if category == "evidence":
                tally["photos"] += 1
                tally["last"] = waiting[media_id] = time.monotonic()
                gevent.spawn(self.watch, media_id)
            return media_id

        def watch(self, media_id: str) -> None:
            """Poll the preview at the Retry-After the server asks for, until it answers."""
            while True:
                with self.client.get(f"/api/media/{media_id}/preview", name="/api/media/[id]/preview (poll)",
                                     allow_redirects=False, catch_response=True) as response:
                    if response.status_code in (200, 307):  # the bytes, or a presigned link to them
                        response.success()
                        samples["lag"].append(time.monotonic() - waiting.pop(media_id))
                        return
                    if response.status_code != 404:
                        response.failure(f"preview: {response.status_code}")
                        return
                    response.success()
                gevent.sleep(float(response.headers.get("Retry-After", 1)))

    class Reviewer(Person):
        role, fixed_count, wait_time = "reviewer", len(plan["people"]["reviewer"]), between(3, 10)

        @task
        def review(self) -> None:
            """Take the next submitted visit of this reviewer's share, read it, accept it."""
            queue = self.client.get("/api/visits?status=submitted&limit=200", name="/api/visits?status=submitted")
            share = len(plan["people"]["reviewer"])
            mine = [v["id"] for v in queue.json()["items"] if uuid.UUID(v["id"]).int % share == self.n]
            if mine:
                self.client.get(f"/api/visits/{mine[0]}", name="/api/visits/[id]")
                if self.client.post(f"/api/visits/{mine[0]}/review", name="/api/visits/[id]/review",
                                    json={"decision": "accept"}).status_code == 200:
                    tally["accepted"] += 1

    class Supervisor(Person):
        role, fixed_count, wait_time = "supervisor", len(plan["people"]["supervisor"]), between(5, 15)

        @task
        def dashboard(self) -> None:
            for path in ("/api/coverage", "/api/coverage/visits?awaiting_review=true",
                         "/api/coverage/findings?status=open", "/api/coverage/uncovered-points"):
                self.client.get(path)

    class EnterpriseUser(Person):
        role, fixed_count, wait_time = "enterprise", len(plan["people"]["enterprise"]), between(10, 30)

        @task
        def dossier(self) -> None:
            firm = self.me["enterprise"]
            for path in ("", "/findings", "/notices", "/media", "/documents"):
                self.client.get(f"/api/enterprises/{firm}{path}", name=f"/api/enterprises/[id]{path}")
            self.client.get(f"/api/visits?enterprise_id={firm}", name="/api/visits?enterprise_id")

    classes = [Inspector, Reviewer, Supervisor, EnterpriseUser]
    env = Environment(user_classes=classes)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    users = sum(c.fixed_count for c in classes)
    began = time.monotonic()
    runner.start(users, spawn_rate=min(users, 50))
    while time.monotonic() - began < plan["duration"] and not (
            tally["synced"] == len(inspectors) and not waiting and tally["accepted"] == len(inspectors)):
        gevent.sleep(1)
    took = time.monotonic() - began
    runner.quit()
    samples["lag"] += [time.monotonic() - answered for answered in waiting.values()]  # never made: as long as waited
    for (name, method), entry in sorted(env.stats.entries.items()):
        print(f"  {method:4} {name:42} {entry.num_requests:6} requests  p50 {entry.get_response_time_percentile(0.5):6.0f} ms"
              f"  p95 {entry.get_response_time_percentile(0.95):6.0f} ms")
    print(f"morning: {took:.0f} s; {tally['synced']} of {len(inspectors)} visits synced, {tally['accepted']} accepted; "
          f"{len(samples['lag']) - len(waiting)} of {tally['photos']} previews made; {tally['requests']} requests "
          f"({len(samples['read'])} reads); locust itself used {time.process_time():.0f} s of CPU")
    result = {
        "requests": tally["requests"], "errors": tally["errors"] + sum(e["count"] for e in runner.exceptions.values()),
        "read_p95_ms": round(percentile(samples["read"], 95)) if samples["read"] else None,
        "submit_p95_ms": round(percentile(samples["submit"], 95)) if samples["submit"] else None,
        "upload_p95_ms": round(percentile(samples["upload"], 95)) if samples["upload"] else None,
        "preview_lag_p95_s": round(percentile(samples["lag"], 95), 1) if samples["lag"] else None,
        "photos_per_s": round(tally["photos"] / (tally["last"] - tally["first"]), 1) if tally["photos"] else 0,
    }
    Path(plan["out"]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

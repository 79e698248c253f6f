"""Serves the built PWA (pwa/dist): its files as they are, and index.html for every other
app path (/enrol/…, /enterprises/…), so the app's own router takes over."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get
from litestar.params import FromPath
from litestar.response import File

from backend.access import PUBLIC


DIST = Path(__file__).resolve().parents[1] / "pwa" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"  # Vite puts a content hash in asset names


@get("/", opt=PUBLIC, include_in_schema=False, sync_to_thread=False)
def webapp_root() -> Response | File:
    return _serve("")


@get("/{path:path}", opt=PUBLIC, include_in_schema=False, sync_to_thread=False)
def webapp_path(path: FromPath[str]) -> Response | File:
    return _serve(path.lstrip("/"))


def _serve(path: str) -> Response | File:
    if path.split("/", 1)[0] in ("api", "schema"):
        return Response({"status_code": 404, "detail": "Not Found", "code": "not_found", "params": {}}, status_code=404)
    index = DIST / "index.html"
    if not index.exists():
        return Response("The app has not been built yet: run `make run`.", status_code=503, media_type="text/plain")
    candidate = (DIST / path).resolve()
    if path and candidate.is_file() and DIST in candidate.parents:
        # Hashed assets never change; everything else (sw.js above all: the browser must see
        # a new version at once) is revalidated on every use.
        cache = IMMUTABLE if path.startswith("assets/") else "no-cache"
        return File(candidate, filename=candidate.name, content_disposition_type="inline", headers={"Cache-Control": cache})
    return File(index, filename="index.html", content_disposition_type="inline", headers={"Cache-Control": "no-cache"})

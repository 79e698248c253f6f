"""One Settings object, read from ``DOSSIER_*`` environment variables.

Every setting has a default that works for local development (`make run`); production
sets at least ``DOSSIER_DATABASE_URL`` and ``DOSSIER_SECRET_KEY``. The README's
configuration table lists them all.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Callable, Mapping

RISK_GRADES = ("A", "B", "C", "D")

# How often an enterprise of each risk grade must be visited, in days. A is the lowest
# risk. Bureaus commonly ask for at least one visit a year for A and three to four a year
# for D.
DEFAULT_VISIT_INTERVALS = {"A": 365, "B": 180, "C": 120, "D": 90}


class SettingsError(ValueError):
    """A DOSSIER_* variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/dossier.sqlite"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    worker_max_rss_mb: int = 1024  # a worker using more memory is replaced (0: never)
    trusted_proxies: str = "127.0.0.1"  # whose X-Forwarded-For names the client (comma-separated addresses or networks)
    secret_key: str = ""
    visit_intervals: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_VISIT_INTERVALS))
    rp_id: str = "localhost"
    rp_name: str = "Field Dossier 现场档案"
    origins: tuple[str, ...] = ("http://localhost:8000",)
    session_hours: int = 14 * 24
    media_root: str = "media"
    media_max_mb: int = 50  # one-shot uploads (photos, documents, short videos)
    video_max_mb: int = 2048  # a video (larger than media_max_mb: by the resumable upload)
    upload_sweep_minutes: int = 10  # how often expired resumable uploads and crashed uploads' temp files go (0: never)
    gps_flag_metres: int = 500
    media_accel_prefix: str = ""  # e.g. /protected-media/: nginx sends the file (X-Accel-Redirect)
    # An S3-compatible object store for media instead of the folder (empty s3_url: the folder)
    s3_url: str = ""
    s3_bucket: str = "dossier-media"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"
    s3_prefix: str = ""  # keys start with it (several installations in one bucket)
    s3_public_url: str = ""  # where browsers reach the store (default: s3_url)
    s3_link_seconds: int = 300  # presigned download links expire after this; 0: the app streams the bytes

    @property
    def public_url(self) -> str:
        """Where people open the app; invitation links start here."""
        return self.origins[0]

    @property
    def secure_cookies(self) -> bool:
        """Secure cookies everywhere but plain-HTTP localhost development."""
        return not self.public_url.startswith("http://localhost")

    @property
    def database_kind(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return "sqlite" if self.database_url.startswith("sqlite:") else "postgresql"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        def get(name: str, default: str) -> str:
            return environ.get(f"DOSSIER_{name}", default).strip() or default

        database_url = get("DATABASE_URL", cls.database_url)
        if not database_url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise SettingsError(
                "DOSSIER_DATABASE_URL must start with sqlite:/// or postgresql:// "
                f"(got {database_url!r})"
            )
        port = _int(get("PORT", str(cls.port)), "DOSSIER_PORT")
        rp_id = get("RP_ID", cls.rp_id)
        origins = tuple(o.strip().rstrip("/") for o in get("ORIGINS", f"http://localhost:{port}").split(",") if o.strip())
        if rp_id.replace(".", "").isdigit():
            raise SettingsError("DOSSIER_RP_ID must be a domain name such as localhost, never an IP address")
        return cls(
            database_url=database_url,
            host=get("HOST", cls.host),
            port=port,
            workers=_at_least(1, get("WORKERS", str(cls.workers)), "DOSSIER_WORKERS"),
            worker_max_rss_mb=_at_least(0, get("WORKER_MAX_RSS_MB", str(cls.worker_max_rss_mb)), "DOSSIER_WORKER_MAX_RSS_MB"),
            trusted_proxies=get("TRUSTED_PROXIES", cls.trusted_proxies),
            secret_key=environ.get("DOSSIER_SECRET_KEY") or _local_secret(database_url),
            visit_intervals=_intervals(get("VISIT_INTERVALS", "")),
            rp_id=rp_id,
            origins=origins,
            session_hours=_int(get("SESSION_HOURS", str(cls.session_hours)), "DOSSIER_SESSION_HOURS"),
            media_root=get("MEDIA_ROOT", cls.media_root),
            media_max_mb=_int(get("MEDIA_MAX_MB", str(cls.media_max_mb)), "DOSSIER_MEDIA_MAX_MB"),
            video_max_mb=_int(get("VIDEO_MAX_MB", str(cls.video_max_mb)), "DOSSIER_VIDEO_MAX_MB"),
            upload_sweep_minutes=_at_least(0, get("UPLOAD_SWEEP_MINUTES", str(cls.upload_sweep_minutes)),
                                           "DOSSIER_UPLOAD_SWEEP_MINUTES"),
            gps_flag_metres=_int(get("GPS_FLAG_METRES", str(cls.gps_flag_metres)), "DOSSIER_GPS_FLAG_METRES"),
            media_accel_prefix=get("MEDIA_ACCEL_PREFIX", ""),
            **_s3(get),
        )


@cache
def get_settings() -> Settings:
    return Settings.from_env()


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number (got {value!r})") from None


def _at_least(least: int, value: str, name: str) -> int:
    number = _int(value, name)
    if number < least:
        raise SettingsError(f"{name} must be {least} or more (got {value!r})")
    return number


def _s3(get: Callable[[str, str], str]) -> dict[str, Any]:
    """The object store's settings (none unless DOSSIER_S3_URL is set)."""
    url = get("S3_URL", "")
    if not url:
        return {}
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"DOSSIER_S3_URL must be the store's http:// or https:// endpoint (got {url!r})")
    if get("MEDIA_ACCEL_PREFIX", ""):
        raise SettingsError("DOSSIER_MEDIA_ACCEL_PREFIX lets nginx send files from the media folder; with "
                            "DOSSIER_S3_URL set, media live in the object store: leave it empty")
    keys = {"s3_access_key": get("S3_ACCESS_KEY", ""), "s3_secret_key": get("S3_SECRET_KEY", "")}
    if not all(keys.values()):
        raise SettingsError("DOSSIER_S3_URL needs DOSSIER_S3_ACCESS_KEY and DOSSIER_S3_SECRET_KEY")
    link = _int(get("S3_LINK_SECONDS", str(Settings.s3_link_seconds)), "DOSSIER_S3_LINK_SECONDS")
    if link != 0 and not 120 <= link <= 900:
        raise SettingsError("DOSSIER_S3_LINK_SECONDS must be 0 (the app streams the bytes) or 120 to 900: "
                            f"download links expire within minutes (got {link})")
    return {"s3_url": url.rstrip("/"), "s3_bucket": get("S3_BUCKET", Settings.s3_bucket),
            "s3_region": get("S3_REGION", Settings.s3_region), "s3_prefix": get("S3_PREFIX", "").strip("/"),
            "s3_public_url": get("S3_PUBLIC_URL", "").rstrip("/"), "s3_link_seconds": link, **keys}


def _intervals(value: str) -> dict[str, int]:
    """Parse ``A=365,B=180,C=120,D=90``; grades left out keep their default."""
    intervals = dict(DEFAULT_VISIT_INTERVALS)
    for part in filter(None, (p.strip() for p in value.split(","))):
        grade, _, days = part.partition("=")
        grade = grade.strip().upper()
        if grade not in RISK_GRADES or not days.strip().isdigit() or int(days) < 1:
            raise SettingsError(
                f"DOSSIER_VISIT_INTERVALS: {part!r} is not GRADE=DAYS with a grade A-D"
            )
        intervals[grade] = int(days)
    return intervals


def _local_secret(database_url: str) -> str:
    """A development secret kept next to the SQLite file, so that every worker and every
    restart on this machine signs with the same key. Production sets DOSSIER_SECRET_KEY."""
    folder = Path(database_url.removeprefix("sqlite:///")).parent if database_url.startswith("sqlite:") else Path("var")
    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with open(path, "x") as f:
                f.write(secrets.token_urlsafe(32))
        except FileExistsError:
            pass  # another worker wrote it first
    return path.read_text().strip()

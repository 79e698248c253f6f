"""`dossier backup DIR` and `dossier restore DIR`: the database and every media file into a
folder, and back into an empty database and an empty store.

A backup folder holds the database (``database.sqlite``, made with SQLite's online
backup API, or ``database.dump``, PostgreSQL's ``pg_dump --format=custom``), the store's
files under ``media/`` by their keys, and ``manifest.json`` (written last: a folder
without one is no finished backup) naming each file's key, size and SHA-256. The
database is copied first: files never change under their key and only files no blob row
refers to are ever deleted, so every file the copied database refers to is still there
to be copied after it, while the app keeps running.

A restore checks every file against the manifest as it copies it into the store.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Iterator, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

import msgspec

from backend.clock import now
from backend.errors import Unsupported
from backend.media import images
from backend.media.check import sha256_of
from backend.media.storage import media_store
from backend.media.store import MediaStore, parse_key
from backend.settings import Settings

MANIFEST = "manifest.json"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite", "postgresql": "database.dump"}
KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PG_TABLES = "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"


class BackupError(Exception):
    """The backup or the restore cannot go on (exit 1)."""


class Refused(BackupError):
    """Nothing was done: the target is not empty, or the folder not a backup (exit 2)."""


class File(msgspec.Struct):
    key: str
    size: int
    sha256: str


class Manifest(msgspec.Struct):
    created_at: datetime
    database: Literal["sqlite", "postgresql"]
    files: list[File]


def make(settings: Settings, folder: Path) -> str:
    """Back the database and the media store up into ``folder`` (new, or empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise Refused(f"{folder} is not empty; back up into a new folder")
    kind = settings.database_kind
    folder.mkdir(parents=True, exist_ok=True)
    created_at = now()
    _dump(settings.database_url, folder / DATABASE_FILES[kind])
    store, files, skipped = media_store(settings), [], 0
    for name in store.keys():
        if (parsed := parse_key(name)) is None:  # not a file of the store's (nothing refers to it)
            skipped += 1
            continue
        target = folder / MEDIA / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with store.open(*parsed) as source, open(target, "wb") as copy:
                sha256, size = sha256_of(source, copy)
                os.fsync(copy.fileno())
        except FileNotFoundError:  # deleted since it was listed: a failed upload's leftover
            target.unlink(missing_ok=True)
            continue
        files.append(File(key=name, size=size, sha256=sha256))
    manifest = folder / f"{MANIFEST}.part"
    with open(manifest, "wb") as f:
        f.write(msgspec.json.format(msgspec.json.encode(Manifest(created_at, kind, files))))
        os.fsync(f.fileno())
    manifest.rename(folder / MANIFEST)
    ignored = f"; {skipped} files that are not the store's left out" if skipped else ""
    return (f"Backed up the {KIND_NAMES[kind]} database and {len(files)} media files "
            f"({_megabytes(files)}) into {folder}{ignored}.")


def restore(settings: Settings, folder: Path) -> str:
    """Load the backup in ``folder`` into the configured database and media store, both
    of which must be empty."""
    try:
        manifest = msgspec.json.decode((folder / MANIFEST).read_bytes(), type=Manifest)
    except (OSError, msgspec.DecodeError) as e:
        raise Refused(f"{folder} holds no readable {MANIFEST}: not a finished backup ({e})") from None
    kind = settings.database_kind
    if manifest.database != kind:
        raise Refused(f"the backup holds a {KIND_NAMES[manifest.database]} database, while DOSSIER_DATABASE_URL "
                      f"names a {KIND_NAMES[kind]} one")
    if tables := _tables(settings.database_url):
        raise Refused(f"the database already holds {tables} tables; restore into a new, empty database")
    store = media_store(settings)
    if next(iter(store.keys()), None) is not None:
        raise Refused("the media store already holds files; restore into an empty folder or bucket")
    _load(settings.database_url, folder / DATABASE_FILES[kind])
    for file in manifest.files:
        _put(store, folder / MEDIA / file.key, file)
    return (f"Restored the {KIND_NAMES[kind]} database and {len(manifest.files)} media files "
            f"({_megabytes(manifest.files)}) from the backup of {manifest.created_at:%Y-%m-%d %H:%M} UTC. "
            "Check them: dossier verify-audit, dossier check-media.")


def _put(store: MediaStore, source: Path, file: File) -> None:
    """One backed-up file into the store, if its bytes still hash as the manifest says."""
    parsed = parse_key(file.key)
    if parsed is None:
        raise BackupError(f"the manifest names {file.key}, which is not a media file's key")
    sha256, variant = parsed
    temp = store.new_temp()
    try:
        with open(source, "rb") as f, open(temp, "wb") as copy:
            if sha256_of(f, copy)[0] != file.sha256:
                raise BackupError(f"{source} does not match its SHA-256 in the manifest: the restore stopped "
                                  "half done; empty the database and the store before trying again")
        if variant == "original":
            store.commit_original(temp, sha256, _mime(temp))
        else:
            store.put_derivative(sha256, variant, temp.read_bytes())
    except FileNotFoundError:
        raise BackupError(f"{source} is missing from the backup: the restore stopped half done") from None
    finally:
        temp.unlink(missing_ok=True)


def _mime(original: Path) -> str | None:
    """An original's media type, sniffed as its upload was (None for bytes that are no
    photo or PDF any more: check-media names them)."""
    with open(original, "rb") as f:
        try:
            return images.sniff(f.read(images.HEAD))
        except Unsupported:
            return None


def _megabytes(files: list[File]) -> str:
    return f"{sum(f.size for f in files) / 2**20:.1f} MB"


# ---------------------------------------------------------------- the database


def _dump(database_url: str, target: Path) -> None:
    if database_url.startswith("sqlite:"):
        source = _sqlite_path(database_url)
        if not source.exists():
            raise BackupError(f"there is no database at {source}")
        _sqlite_copy(source, target)
    else:
        _pg("pg_dump", database_url, "--format=custom", f"--file={target}")


def _load(database_url: str, source: Path) -> None:
    if not source.exists():
        raise Refused(f"the backup lacks its database file {source}")
    if database_url.startswith("sqlite:"):
        target = _sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, target)
    else:  # in one transaction: all of it or nothing
        _pg("pg_restore", database_url, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
            str(source))


def _tables(database_url: str) -> int:
    """How many tables the database holds (0 for an SQLite file that does not exist yet)."""
    if database_url.startswith("sqlite:"):
        path = _sqlite_path(database_url)
        if not path.exists():
            return 0
        with _sqlite(path) as conn:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    return int(_pg("psql", database_url, "--no-psqlrc", "--tuples-only", "--no-align", f"--command={PG_TABLES}"))


def _sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///"))


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while others write. The copy is
    left in rollback-journal mode, one self-contained file (the app turns WAL on again)."""
    with _sqlite(source) as src, _sqlite(target) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


@contextlib.contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection, closed afterwards; SQLite's errors become BackupErrors."""
    try:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            yield conn
    except sqlite3.Error as e:
        raise BackupError(f"SQLite: {e} ({path})") from None


def _pg(tool: str, database_url: str, *args: str) -> str:
    """Run a PostgreSQL client tool on the database; its output. The password goes in the
    environment, where other users of the machine cannot read it (the command line they can)."""
    program = shutil.which(tool)
    if program is None:
        raise BackupError(f"{tool} is not installed: install the PostgreSQL client tools "
                          "(Debian: apt install postgresql-client), of the server's major version or newer")
    parts, env = urlsplit(database_url), dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        userinfo, _, host = parts.netloc.rpartition("@")
        parts = parts._replace(netloc=f"{userinfo.partition(':')[0]}@{host}")
    done = subprocess.run([program, "--no-password", f"--dbname={urlunsplit(parts)}", *args], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()}")
    return done.stdout

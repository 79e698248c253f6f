"""The backup/restore drill of deploy/PROVINCE.md, small: demo data backed up, restored
into a fresh database and media store, then the audit chain and every original checked
there; a damaged file is caught, by check-media in the store and by the restore in a
backup. Runs the `dossier` command in this process, on the test's database (SQLite or,
with DOSSIER_TEST_DATABASE_URL, PostgreSQL) and media store."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Callable, Iterator

import obstore
import pytest

from backend import cli
from backend.media.storage import media_store
from backend.media.store import LocalMediaStore, MediaStore
from backend.settings import Settings
from tests.conftest import PG_URL, _pg_admin, _with_database, media_settings, run_async

Dossier = Callable[..., tuple[int, str, str]]


@pytest.fixture
def dossier(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Dossier:
    """``dossier(settings, *args)``: the command on those settings; its exit code, stdout, stderr."""

    def run(settings: Settings, *args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(cli, "get_settings", lambda: settings)
        code = cli.main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture
def fresh(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[], Settings]]:
    """``fresh()``: settings naming a new, empty database and an empty media store."""
    made: list[str] = []

    def make() -> Settings:
        name = f"dossier_restored_{os.getpid()}_{os.urandom(4).hex()}"
        if PG_URL:
            run_async(_pg_admin(f'CREATE DATABASE "{name}"'))
            made.append(name)
            url = _with_database(PG_URL, name)
        else:
            url = f"sqlite:///{tmp_path / name / 'dossier.sqlite'}"
        return Settings(database_url=url, secret_key="test-secret", media_root=str(tmp_path / name / "media"),
                        **media_settings(request))

    yield make
    for name in made:
        run_async(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _damage(store: MediaStore, name: str) -> None:
    if isinstance(store, LocalMediaStore):
        (store.root / name).write_bytes(b"not the photo")
    else:
        obstore.put(store.objects, name, b"not the photo")  # type: ignore[attr-defined]


def test_backup_restore_drill(settings: Settings, fresh: Callable[[], Settings], dossier: Dossier,
                              tmp_path: Path) -> None:
    assert dossier(settings, "demo", "--enterprises", "5")[0] == 0
    folder = tmp_path / "backup"
    code, out, err = dossier(settings, "backup", str(folder))
    assert code == 0, err
    manifest = json.loads((folder / "manifest.json").read_text())
    originals = [f for f in manifest["files"] if f["key"].startswith("originals/")]
    assert manifest["database"] == settings.database_kind and originals
    assert all(f["sha256"] == f["key"].rsplit("/", 1)[1] for f in originals)
    assert f"{len(manifest['files'])} media files" in out
    assert dossier(settings, "backup", str(folder))[0] == 2  # never over an earlier backup

    restored = fresh()
    code, out, err = dossier(restored, "restore", str(folder))
    assert code == 0, err
    code, out, err = dossier(restored, "verify-audit")
    assert code == 0 and "Audit chain intact" in out, err
    code, out, err = dossier(restored, "check-media")
    assert code == 0 and f"{len(originals)} originals recorded, 0 missing, 0 corrupt; 0 of" in out, err

    code, _, err = dossier(restored, "restore", str(folder))  # nothing is restored over data
    assert code == 2 and "already holds" in err

    damaged = originals[0]["key"]
    _damage(media_store(restored), damaged)
    code, out, err = dossier(restored, "check-media")
    assert code == 1 and "1 corrupt" in err and f"corrupt: {damaged}" in err


def test_a_damaged_backup_stops_the_restore(settings: Settings, fresh: Callable[[], Settings], dossier: Dossier,
                                            tmp_path: Path) -> None:
    assert dossier(settings, "demo", "--enterprises", "1")[0] == 0
    folder = tmp_path / "backup"
    assert dossier(settings, "backup", str(folder))[0] == 0
    damaged = folder / "media" / json.loads((folder / "manifest.json").read_text())["files"][-1]["key"]
    damaged.write_bytes(b"not the photo")
    code, _, err = dossier(fresh(), "restore", str(folder))
    assert code == 1 and f"{damaged} does not match its SHA-256" in err

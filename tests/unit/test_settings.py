import pytest

from backend.media.s3 import S3MediaStore
from backend.media.storage import media_store
from backend.media.store import LocalMediaStore
from backend.settings import DEFAULT_VISIT_INTERVALS, Settings, SettingsError

S3 = {"DOSSIER_SECRET_KEY": "x", "DOSSIER_S3_URL": "http://127.0.0.1:8333/", "DOSSIER_S3_ACCESS_KEY": "key",
      "DOSSIER_S3_SECRET_KEY": "secret"}


def test_defaults_use_sqlite_under_var(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/dossier.sqlite" and settings.database_kind == "sqlite"
    assert settings.port == 8000 and dict(settings.visit_intervals) == DEFAULT_VISIT_INTERVALS
    # The development secret is made once and then reused by every worker.
    assert len(settings.secret_key) >= 32
    assert Settings.from_env({}).secret_key == settings.secret_key


def test_environment_overrides() -> None:
    settings = Settings.from_env(
        {
            "DOSSIER_DATABASE_URL": "postgresql://u@db/dossier",
            "DOSSIER_PORT": "9000",
            "DOSSIER_SECRET_KEY": "s3cret",
            "DOSSIER_VISIT_INTERVALS": "d=60, A=400",
        }
    )
    assert settings.database_kind == "postgresql" and settings.port == 9000 and settings.secret_key == "s3cret"
    assert dict(settings.visit_intervals) == {"A": 400, "B": 180, "C": 120, "D": 60}


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"DOSSIER_DATABASE_URL": "mysql://x"}, "must start with"),
        ({"DOSSIER_PORT": "eighty"}, "DOSSIER_PORT"),
        ({"DOSSIER_VISIT_INTERVALS": "E=10"}, "GRADE=DAYS"),
        ({"DOSSIER_VISIT_INTERVALS": "A=0"}, "GRADE=DAYS"),
        ({**S3, "DOSSIER_S3_URL": "s3://dossier-media"}, "http:// or https://"),
        ({**S3, "DOSSIER_S3_SECRET_KEY": ""}, "DOSSIER_S3_ACCESS_KEY and DOSSIER_S3_SECRET_KEY"),
        ({**S3, "DOSSIER_S3_LINK_SECONDS": "86400"}, "within minutes"),
        ({**S3, "DOSSIER_S3_LINK_SECONDS": "soon"}, "DOSSIER_S3_LINK_SECONDS"),
        ({**S3, "DOSSIER_MEDIA_ACCEL_PREFIX": "/protected-media/"}, "leave it empty"),
    ],
)
def test_bad_values_are_named(env: dict, words: str) -> None:
    with pytest.raises(SettingsError, match=words):
        Settings.from_env({"DOSSIER_SECRET_KEY": "x", **env})


def test_passkey_settings() -> None:
    local = Settings.from_env({"DOSSIER_SECRET_KEY": "x", "DOSSIER_PORT": "8011"})
    assert local.rp_id == "localhost" and local.origins == ("http://localhost:8011",) and not local.secure_cookies
    production = Settings.from_env(
        {"DOSSIER_SECRET_KEY": "x", "DOSSIER_RP_ID": "dossier.example.gov.cn",
         "DOSSIER_ORIGINS": "https://dossier.example.gov.cn/, https://m.dossier.example.gov.cn"}
    )
    assert production.origins == ("https://dossier.example.gov.cn", "https://m.dossier.example.gov.cn")
    assert production.secure_cookies and production.public_url == "https://dossier.example.gov.cn"
    with pytest.raises(SettingsError, match="never an IP"):
        Settings.from_env({"DOSSIER_SECRET_KEY": "x", "DOSSIER_RP_ID": "127.0.0.1"})


def test_the_media_store_is_chosen_by_configuration() -> None:
    assert isinstance(media_store(Settings.from_env({"DOSSIER_SECRET_KEY": "x"})), LocalMediaStore)
    settings = Settings.from_env({**S3, "DOSSIER_S3_PREFIX": "/shandong/"})
    assert (settings.s3_url, settings.s3_bucket, settings.s3_prefix) == ("http://127.0.0.1:8333", "dossier-media", "shandong")
    assert settings.s3_link_seconds == 300 and settings.s3_public_url == ""
    assert isinstance(media_store(settings), S3MediaStore)  # made without reaching the server

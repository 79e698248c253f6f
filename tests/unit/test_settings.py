import pytest

from backend.settings import DEFAULT_VISIT_INTERVALS, Settings, SettingsError


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

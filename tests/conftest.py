"""Every test runs against its own data directory, so nothing leaks between tests or into `data/`."""

import pytest

from cruddur import db, settings


def _forget_cached_config() -> None:
    settings.get_settings.cache_clear()
    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    for name in ("DATABASE_URL", "REDIS_URL", "COGNITO_USER_POOL_ID", "COGNITO_APP_CLIENT_ID", "COGNITO_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(settings.Settings.model_config, "env_file", None)
    _forget_cached_config()
    yield tmp_path / "data"
    _forget_cached_config()


@pytest.fixture
def database(isolated_data_dir):
    """A migrated, empty app database; yields a session factory."""
    from cruddur.manage import migrate

    migrate()
    return db.new_session

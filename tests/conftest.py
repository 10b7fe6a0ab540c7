"""Every test builds its own settings, on its own data directory and free ports: nothing comes
from the shell's environment or a `.env`, nothing leaks between tests or into `data/`, and
a `make run` on the default ports changes nothing here."""

import os

import pytest

from cruddur import runtime
from cruddur.db import Database
from cruddur.manage import migrate
from cruddur.settings import Settings
from tests.support.appserver import free_port

# The tiers (pytest.ini): `make test-fast` runs what is neither.
BROWSER = ("e2e", "localcognito_browser")
INTEGRATION = ("api_clients", "auth_flows", "localcognito", "resilience", "scale", "startup")


# Folders whose tests share one served app per session: under pytest-xdist each runs on one
# worker (`--dist loadgroup`), so the app is built once, not once per worker.
SHARED_APP = ("e2e", "resilience", "scale", "localcognito_browser")


def pytest_collection_modifyitems(items):
    for item in items:
        folder = item.path.relative_to(item.config.rootpath / "tests").parts[0]
        if folder in BROWSER:
            item.add_marker(pytest.mark.browser)
        elif folder in INTEGRATION or "postgresql" in getattr(getattr(item, "callspec", None), "params", {}).values():
            item.add_marker(pytest.mark.integration)
        if folder in SHARED_APP:
            item.add_marker(pytest.mark.xdist_group(folder))


# Settings a developer's shell may carry that would point a test at something else.
_OUTSIDE = (
    "COGNITO_",
    "REFLEX_",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_ORIGINS",
    "DATA_DIR",
    "LOCAL_COGNITO_",
    "DEV_OIDC",
    "FEDERATED_PROVIDERS",
    "OAUTH_",
    "AVATAR_",
)


@pytest.fixture(autouse=True)
def own_environment(monkeypatch):
    for name in list(os.environ):
        if name.startswith(_OUTSIDE) and name != "REFLEX_USE_SYSTEM_BUN":
            monkeypatch.delenv(name)
    monkeypatch.setitem(Settings.model_config, "env_file", None)


@pytest.fixture
def make_settings(tmp_path):
    """Settings for this test: its data dir, a free port for the embedded provider, which it may
    run (the app allows that only in the dev server or on purpose, as here)."""

    def make(**overrides) -> Settings:
        values = {"data_dir": tmp_path / "data", "local_cognito_port": free_port(), "allow_local_cognito": True}
        return Settings(**(values | overrides))

    return make


@pytest.fixture
def sqlite_database(make_settings) -> Database:
    """A migrated, empty SQLite database of the app's."""
    settings = make_settings()
    migrate(settings)
    database = Database.from_settings(settings)
    yield database
    database.dispose()


@pytest.fixture
def database(sqlite_database) -> Database:
    """The database a test runs on (tests/services runs it on PostgreSQL too)."""
    return sqlite_database


@pytest.fixture
def app_runtime(make_settings, database):
    """The app's runtime on the embedded provider (really serving, on its own port)."""
    started = runtime.start(make_settings(database_url=database.url))
    yield started
    runtime.stop()


@pytest.fixture
def offline_runtime(make_settings, database):
    """The app's runtime with a user pool that cannot be reached: enough for signed-out pages."""
    settings = make_settings(
        database_url=database.url,
        cognito_user_pool_id="us-east-1_Offline1",
        cognito_app_client_id="offlineclient0000000000000",
        cognito_endpoint_url=f"http://127.0.0.1:{free_port()}",
    )
    started = runtime.start(settings)
    yield started
    runtime.stop()

"""Fixtures for the resilience tests.

- `outside_provider`: a standalone localcognito process configured as the app's user pool
  (COGNITO_* settings), with the app's runtime started on it, for in-process handler tests
  that stop the provider or freeze it.
- `target` (session): the production app served against such a provider, at `--loglevel
  debug` (the most the log can hold, for test_log_safety), with the default ALLOWED_ORIGINS;
  each end-to-end test leaves the provider running again when it is done.
"""

import pytest

from cruddur import runtime
from cruddur.services.sessions import Client
from tests.auth_flows.conftest import mailbox  # noqa: F401  (the embedded provider's codes)
from tests.resilience.harness import PASSWORD, create_people, people, serve_with_provider
from tests.support.appserver import AppDidNotStart
from tests.support.identity_provider import StandaloneProvider
from tests.support.mailbox import latest_code


@pytest.fixture
def outside_provider(make_settings, database, tmp_path):
    """A provider in its own process, configured as the pool, and the app's runtime on it."""
    standalone = StandaloneProvider(tmp_path / "cognito", tmp_path / "localcognito.log")
    info = standalone.start()
    settings = make_settings(
        database_url=database.url,
        cognito_region=info["region"],
        cognito_user_pool_id=info["user_pool_id"],
        cognito_app_client_id=info["client_id"],
        cognito_endpoint_url=info["endpoint_url"],
    )
    runtime.start(settings)
    yield standalone
    runtime.stop()
    standalone.stop()


def restart_runtime() -> None:
    """What a backend process restarting does to the runtime: nothing cached (keys included)."""
    settings = runtime.current().settings
    runtime.stop()
    runtime.start(settings)


@pytest.fixture
def confirmed(outside_provider):
    """Signs a person up through the app's account code and confirms them; returns the e-mail."""

    def make(email: str = "ada@example.com", handle: str = "ada") -> str:
        accounts = runtime.current().accounts
        accounts.sign_up(name="Ada Lovelace", email=email, handle=handle, password=PASSWORD, client=Client())
        accounts.confirm_sign_up(email=email, code=latest_code(outside_provider.mailbox_url, email), client=Client())
        return email

    return make


@pytest.fixture(scope="session")
def target(tmp_path_factory):
    try:
        with serve_with_provider(tmp_path_factory.mktemp("resilience"), loglevel="debug") as served:
            yield served
    except AppDidNotStart as failure:
        pytest.fail(str(failure))


@pytest.fixture
def running(target):
    """The served app with its provider up (and left up afterwards)."""
    target.provider.ensure_running()
    yield target
    target.provider.ensure_running()


_made: dict[str, list] = {}


@pytest.fixture
def crowd(running):
    """Confirmed people at the served app's provider, made once per prefix and size."""

    def make(prefix: str, count: int):
        key = f"{prefix}:{count}"
        if key not in _made:
            _made[key] = people(prefix, count)
            create_people(running.provider, _made[key])
        return _made[key]

    return make

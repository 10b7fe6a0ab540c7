"""Fixtures for the resilience tests.

- `outside_provider`: a standalone localcognito process configured as the app's user pool
  (COGNITO_* settings) for in-process handler tests, so a test can stop it or freeze it.
- `target` (session): the production app served against such a provider, with a few confirmed
  people; each end-to-end test leaves the provider running again when it is done.
"""

import pytest

from cruddur import settings
from cruddur.auth import accounts, identity
from tests.auth_flows.conftest import mailbox, provider  # noqa: F401  (the embedded provider)
from tests.resilience.harness import PASSWORD, StandaloneProvider, create_people, people, serve_with_provider
from tests.support.appserver import AppDidNotStart
from tests.support.mailbox import latest_code


@pytest.fixture
def outside_provider(database, tmp_path, monkeypatch):
    """A provider in its own process, configured as the pool; `identity` rebuilt for it."""
    standalone = StandaloneProvider(tmp_path / "cognito", tmp_path / "localcognito.log")
    standalone.start()
    for name, value in standalone.app_env().items():
        monkeypatch.setenv(name, value)
    settings.get_settings.cache_clear()
    identity.reset()
    yield standalone
    identity.reset()
    standalone.stop()


@pytest.fixture
def confirmed(outside_provider):
    """Signs a person up through the app's account code and confirms them; returns the e-mail."""

    def make(email: str = "ada@example.com", handle: str = "ada") -> str:
        accounts.sign_up(name="Ada Lovelace", email=email, handle=handle, password=PASSWORD)
        accounts.confirm_sign_up(email=email, code=latest_code(outside_provider.info["mailbox_url"], email))
        return email

    return make


@pytest.fixture(scope="session")
def target(tmp_path_factory):
    try:
        with serve_with_provider(tmp_path_factory.mktemp("resilience")) as served:
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

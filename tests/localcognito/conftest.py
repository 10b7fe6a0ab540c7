"""Fixtures for the localcognito contract tests: one provider per session (started with
`start_in_thread` on port 0 in a tmp data dir) with a clock tests can move.

Tests share the provider, so each one works with its own fresh e-mail address (`new_email`).
"""

import uuid

import pytest

from cruddur.localcognito.throttle import DEFAULT_REQUEST_RATES

from .support import start_pool

# The shared provider's quotas, lifted: its tests check behaviour, and at AWS's rates (30 account
# recoveries a second) a burst of them, in the order the run happens to take, is refused as
# TooManyRequestsException. test_throttling.py checks the rates on providers of its own.
UNTHROTTLED = dict.fromkeys(DEFAULT_REQUEST_RATES, 10_000)


@pytest.fixture(scope="session")
def shared_pool(tmp_path_factory):
    pool = start_pool(tmp_path_factory.mktemp("localcognito"), request_rates=UNTHROTTLED)
    yield pool
    pool.handle.stop()


@pytest.fixture
def pool(shared_pool):
    """The session's provider; any clock movement a test makes is undone afterwards."""
    yield shared_pool
    shared_pool.clock.offset = 0.0


@pytest.fixture
def new_email():
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture
def start_own_pool(tmp_path):
    """Start a provider of the test's own, with LocalCognitoConfig overrides; stopped afterwards."""
    pools = []

    def start(**overrides):
        pools.append(start_pool(tmp_path / f"pool-{len(pools)}", **overrides))
        return pools[-1]

    yield start
    for pool in pools:
        pool.handle.stop()

"""Under Redis, Reflex's state lock expires after `redis_lock_expiration` (10 s by default): a
handler holding it longer fails with LockExpiredError. Signing in waits on the user pool, which
can hang for longer than that; the form handlers hold the lock only to read and write state, so
a person pressing "Sign in" while the pool hangs for 20 s hears "try again" within the boto
timeouts, the tab stays usable throughout, and signing in works once the pool is back."""

import asyncio
import time

import pytest
from reflex_base.config import get_config

from cruddur.auth.errors import friendly
from cruddur.state.auth import AuthState
from tests.resilience.harness import AppLog, hung_call_bound_s
from tests.scale.conftest import ORIGIN, PASSWORD, Provider, cluster, new_person, sign_in, sign_up
from tests.support.socket_actions import go, signed_in, submit
from tests.support.socket_tab import Browser, delta_has

HANG_S = 20


@pytest.fixture
def redis_pool(tmp_path):
    """One worker on Redis + PostgreSQL, its user pool a standalone provider (COGNITO_*)."""
    with cluster(tmp_path, provider=Provider.USER_POOL, workers=1, ALLOWED_ORIGINS=ORIGIN, COLUMNS="400") as running:
        yield running


async def test_sign_in_against_a_pool_hung_past_the_lock_expiry_says_try_again(redis_pool):
    lock_expiry_s = get_config().redis_lock_expiration / 1000
    bound = hung_call_bound_s()
    assert lock_expiry_s < bound < HANG_S, "the hang must outlast the lock expiry and the boto timeouts"
    backend, provider = redis_pool.backends[0], redis_pool.provider
    browser, person = Browser(ORIGIN), new_person()
    tab = browser.tab()
    await sign_up(tab, backend.url, redis_pool.mailbox_url, person)

    provider.pause()
    resume = asyncio.get_running_loop().call_later(HANG_S, provider.resume)
    try:
        hung_at = time.monotonic()
        pressed = asyncio.create_task(
            submit(tab, AuthState.sign_in, {"email": person.email, "password": PASSWORD}, bound)
        )
        # While the sign-in waits on the pool, the tab's other events are handled at once: the
        # handler does not hold the state lock across the call.
        await asyncio.sleep(lock_expiry_s + 1)
        mark = await tab.send(AuthState.toggle_password)
        assert await tab.until(lambda t: delta_has(t.since(mark), AuthState, "show_password"), 2), tab.brief()
        _, seconds, finished = await pressed
        assert finished, f"no answer within {bound:.0f}s: {tab.brief()}"
        assert lock_expiry_s < seconds < bound
        assert tab.var(AuthState, "error") == friendly("Unavailable").message
        assert tab.var(AuthState, "busy") is False and not signed_in(tab)
        assert time.monotonic() - hung_at < HANG_S, "the pool answered: the test proved nothing"
    finally:
        await asyncio.sleep(max(0.0, HANG_S - (time.monotonic() - hung_at)))
        resume.cancel()
        provider.resume()

    # The same tab signs in once the pool answers again.
    await go(tab, "/signin")
    await sign_in(tab, person)
    await browser.close()

    log = backend.log.read_text(errors="replace")
    assert "LockExpiredError" not in log
    tracebacks, in_app = AppLog(backend.log).tracebacks(0)
    assert in_app == 0 and tracebacks == 0, log[-4000:]

"""The identity provider down (SIGTERM) or hung (SIGSTOP), seen by the app's own handlers on
real state objects: friendly "try again" answers, no exception, the public feed still served,
and signed-in people kept signed in on the cached keys and the tokens they already hold."""

import time
from datetime import timedelta

import pytest
import reflex as rx

from cruddur.auth import accounts, identity
from cruddur.auth.accounts import AccountError
from cruddur.auth.errors import friendly
from cruddur.auth.sessions import AuthSession, _hash
from cruddur.db import new_session
from cruddur.seed import seed_if_empty
from cruddur.services.clock import utcnow
from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.session import SessionState
from tests.auth_flows.test_auth_state import run
from tests.resilience.conftest import PASSWORD
from tests.resilience.harness import hung_call_bound_s

UNAVAILABLE = friendly("Unavailable").message
HUNG_BOUND_S = hung_call_bound_s()


def tab() -> tuple[AuthState, SessionState, FeedState]:
    root = rx.State()
    return tuple(root.get_substate(s.get_full_name().split(".")[1:]) for s in (AuthState, SessionState, FeedState))


async def signed_in_tab(email: str):
    auth, session, feed = tab()
    await run(AuthState.sign_in, auth, {"email": email, "password": PASSWORD})
    assert session.signed_in
    return auth, session, feed


def _expire_soon(handle: str) -> None:
    with new_session() as db:
        row = db.get(AuthSession, _hash(handle))
        row.access_expires_at = utcnow() + timedelta(minutes=1)
        db.add(row)
        db.commit()


async def test_sign_in_while_the_provider_is_down_says_try_again(confirmed, outside_provider):
    email = confirmed()
    outside_provider.stop()
    auth, session, _ = tab()
    start = time.monotonic()
    events = await run(AuthState.sign_in, auth, {"email": email, "password": PASSWORD})
    assert time.monotonic() - start < 10
    assert auth.error == UNAVAILABLE and not auth.busy and not session.signed_in
    assert not [e for e in events if "redirect" in str(e)]


async def test_every_account_form_while_the_provider_is_down_says_try_again(confirmed, outside_provider):
    email = confirmed()
    outside_provider.stop()
    auth, _, _ = tab()
    await run(AuthState.sign_up, auth, {"name": "Bo", "email": "bo@example.com", "handle": "bo", "password": PASSWORD})
    assert auth.error == UNAVAILABLE
    await run(AuthState.confirm, auth, {"email": email, "code": "123456"})
    assert auth.error == UNAVAILABLE
    auth.resend_ready_at = "0"
    await run(AuthState.resend_code, auth)
    assert auth.error == UNAVAILABLE
    await run(AuthState.send_reset_code, auth, {"email": email})
    assert auth.error == UNAVAILABLE and auth.forgot_step == "request"
    await run(AuthState.reset_password, auth, {"code": "123456", "password": PASSWORD, "confirm": PASSWORD})
    assert auth.error == UNAVAILABLE and not auth.busy


async def test_sign_in_while_the_provider_hangs_says_try_again_within_the_boto_timeouts(confirmed, outside_provider):
    email = confirmed()
    outside_provider.pause()
    auth, session, _ = tab()
    start = time.monotonic()
    await run(AuthState.sign_in, auth, {"email": email, "password": PASSWORD})
    waited = time.monotonic() - start
    assert auth.error == UNAVAILABLE and not auth.busy and not session.signed_in
    assert waited < HUNG_BOUND_S, f"waited {waited:.1f}s"


async def test_the_public_feed_is_served_while_the_provider_is_down(outside_provider):
    with new_session() as db:
        seed_if_empty(db)
    outside_provider.stop()
    _, session, feed = tab()
    await run(SessionState.restore, session)
    await run(FeedState.load_home, feed)
    assert feed.loaded and len(feed.cruds) == 3 and not session.signed_in


async def test_a_signed_in_tab_keeps_reading_and_posting_on_cached_keys_while_down(confirmed, outside_provider):
    _, session, feed = await signed_in_tab(confirmed())
    outside_provider.stop()
    await run(FeedState.load_home, feed)
    assert session.signed_in
    await run(FeedState.set_draft, feed, "Still here while Cognito is away")
    await run(FeedState.post, feed)
    assert feed.compose_error == "" and feed.cruds[0].message == "Still here while Cognito is away"
    _, reloaded, _ = tab()  # the same person reloading the page
    reloaded.session_handle = session.session_handle
    await run(SessionState.restore, reloaded)
    assert reloaded.signed_in and reloaded.viewer_handle == "ada"


async def test_a_refresh_due_during_an_outage_uses_the_token_that_still_holds(confirmed, outside_provider):
    _, session, feed = await signed_in_tab(confirmed())
    handle = session.session_handle
    _expire_soon(handle)  # inside the refresh margin: restore would refresh now
    outside_provider.stop()
    await run(FeedState.load_home, feed)  # verified_sub -> restore -> refresh fails -> old token
    assert session.signed_in and session.session_handle == handle
    _, reloaded, _ = tab()
    reloaded.session_handle = handle
    events = await run(SessionState.restore, reloaded)
    assert reloaded.signed_in and not events  # no "session ended" toast


async def test_a_restart_during_an_outage_keeps_the_sessions(confirmed, outside_provider):
    """A backend that starts while the pool is unreachable has no keys: a stored session is
    neither verified nor ended, and works again once the keys can be fetched."""
    _, session, _ = await signed_in_tab(confirmed())
    handle = session.session_handle
    outside_provider.stop()
    identity.reset()  # a fresh process: no keys cached
    with pytest.raises(AccountError) as refused:
        accounts.restore(handle)
    assert refused.value.code == "Unavailable"
    _, reloaded, feed = tab()
    reloaded.session_handle = handle
    assert await run(SessionState.restore, reloaded) == []
    assert reloaded.session_handle == handle and not reloaded.signed_in  # kept, not shown as signed in
    await run(FeedState.load_home, feed)
    assert feed.loaded and reloaded.session_handle == handle

    outside_provider.start()
    identity.get_verifier().jwks.cooldown = 0  # else the next fetch waits out the 10 s cool-down
    await run(SessionState.restore, reloaded)
    assert reloaded.signed_in and reloaded.viewer_handle == "ada"


async def test_a_signed_in_tab_keeps_its_session_when_verification_is_unavailable(confirmed, outside_provider):
    _, session, feed = await signed_in_tab(confirmed())
    handle = session.session_handle
    outside_provider.stop()
    identity.reset()  # keys lost (e.g. a second worker started during the outage)
    await run(FeedState.load_home, feed)
    assert feed.loaded
    assert session.session_handle == handle, "a passing outage must not sign the person out"

"""The identity provider down (SIGTERM), seen by the app's own handlers on real state objects:
friendly "try again" answers, no exception, the public feed still served, and signed-in people
kept signed in — their session cookie resumed on the cached keys and the tokens the session
already holds. (A hung provider is the served app's: test_served_app's stampede of sign-ins
and tests/scale/test_lock_expiry.py.)"""

import time
from datetime import timedelta

import pytest

from cruddur import runtime
from cruddur.auth.errors import friendly
from cruddur.auth.session_seal import handle_hash
from cruddur.models import AuthSession
from cruddur.seed import seed_if_empty
from cruddur.services.accounts import AccountError
from cruddur.services.clock import utcnow
from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.session import SessionState
from tests.resilience.conftest import PASSWORD, restart_runtime
from tests.support.tabs import Tab, redirects

UNAVAILABLE = friendly("Unavailable").message


async def signed_in_tab(email: str) -> Tab:
    tab = Tab("/signin")
    await tab.run(AuthState.sign_in, {"email": email, "password": PASSWORD})
    assert tab.state(SessionState).signed_in and tab.session_cookie
    return tab


def reloaded(tab: Tab) -> Tab:
    """The same browser opening the home page again: a new connection with its cookies."""
    return Tab("/", cookies=dict(tab.cookies))


def _expire_soon(handle: str) -> None:
    with runtime.current().database.session() as db:
        row = db.get(AuthSession, handle_hash(handle))
        row.access_expires_at = utcnow() + timedelta(minutes=1)
        db.add(row)
        db.commit()


async def test_sign_in_while_the_provider_is_down_says_try_again(confirmed, outside_provider):
    email = confirmed()
    outside_provider.stop()
    tab = Tab("/signin")
    start = time.monotonic()
    events = await tab.run(AuthState.sign_in, {"email": email, "password": PASSWORD})
    assert time.monotonic() - start < 10
    auth = tab.state(AuthState)
    assert auth.error == UNAVAILABLE and not auth.busy and not tab.state(SessionState).signed_in
    assert redirects(events) == [] and not tab.session_cookie


async def test_every_account_form_while_the_provider_is_down_says_try_again(confirmed, outside_provider):
    email = confirmed()
    outside_provider.stop()
    tab = Tab("/signup")
    auth = tab.state(AuthState)
    await tab.run(AuthState.sign_up, {"name": "Bo", "email": "bo@example.com", "handle": "bo", "password": PASSWORD})
    assert auth.error == UNAVAILABLE
    await tab.run(AuthState.confirm, {"email": email, "code": "123456"})
    assert auth.error == UNAVAILABLE
    auth.resend_ready_at = "0"
    await tab.run(AuthState.resend_code)
    assert auth.error == UNAVAILABLE
    await tab.run(AuthState.send_reset_code, {"email": email})
    assert auth.error == UNAVAILABLE and auth.forgot_step == "request"
    await tab.run(AuthState.reset_password, {"code": "123456", "password": PASSWORD, "confirm": PASSWORD})
    assert auth.error == UNAVAILABLE and not auth.busy


async def test_the_public_feed_is_served_while_the_provider_is_down(outside_provider):
    runtime.current().database.run(seed_if_empty)
    outside_provider.stop()
    tab = Tab("/")
    await tab.run(FeedState.load_home)
    feed = tab.state(FeedState)
    assert feed.loaded and len(feed.cruds) == 3 and not tab.state(SessionState).signed_in


async def test_a_signed_in_tab_keeps_reading_and_posting_on_cached_keys_while_down(confirmed, outside_provider):
    tab = await signed_in_tab(confirmed())
    tab.navigate("/")
    outside_provider.stop()
    await tab.run(FeedState.load_home)
    assert tab.state(SessionState).signed_in
    await tab.run(FeedState.set_draft, "Still here while Cognito is away")
    await tab.run(FeedState.post)
    feed = tab.state(FeedState)
    assert feed.compose_error == "" and feed.cruds[0].message == "Still here while Cognito is away"
    again = reloaded(tab)  # the same person reloading the page
    await again.run(FeedState.load_home)
    assert again.state(SessionState).signed_in and again.state(SessionState).viewer_handle == "ada"


async def test_a_refresh_due_during_an_outage_uses_the_token_that_still_holds(confirmed, outside_provider):
    tab = await signed_in_tab(confirmed())
    _expire_soon(tab.session_cookie)  # inside the refresh margin: resuming would refresh now
    outside_provider.stop()
    again = reloaded(tab)
    events = await again.run(FeedState.load_home)  # resume -> refresh fails -> the old token holds
    assert again.state(SessionState).signed_in and not events  # no "session ended" toast, no forget()
    assert runtime.current().sessions.load(tab.session_cookie) is not None


async def test_a_restart_during_an_outage_keeps_the_sessions(confirmed, outside_provider):
    """A backend that starts while the pool is unreachable has no keys: a stored session is
    neither verified nor ended, and works again once the keys can be fetched."""
    tab = await signed_in_tab(confirmed())
    outside_provider.stop()
    restart_runtime()  # a fresh process: no keys cached
    with pytest.raises(AccountError) as refused:
        runtime.current().accounts.resume(tab.session_cookie)
    assert refused.value.code == "Unavailable"
    again = reloaded(tab)
    assert await again.run(FeedState.load_home) == []  # no notice, no forget()
    assert not again.state(SessionState).signed_in  # kept, not shown as signed in
    assert again.state(FeedState).loaded
    assert runtime.current().sessions.load(tab.session_cookie) is not None

    outside_provider.start()
    runtime.current().identity.verifier.jwks.cooldown = 0  # else the next fetch waits out the 10 s cool-down
    await again.run(SessionState.load_page)
    assert again.state(SessionState).signed_in and again.state(SessionState).viewer_handle == "ada"


async def test_a_signed_in_tab_keeps_its_session_when_verification_is_unavailable(confirmed, outside_provider):
    tab = await signed_in_tab(confirmed())
    outside_provider.stop()
    restart_runtime()  # keys lost (e.g. a second worker started during the outage)
    again = reloaded(tab)
    events = await again.run(FeedState.load_home)
    assert again.state(FeedState).loaded and events == []
    assert runtime.current().sessions.load(tab.session_cookie) is not None, "a passing outage must not end it"

"""Whatever an event (or a cookie) carries, the handlers keep the tab's state well-typed and
bounded: a malformed form never leaves the form stuck busy, a non-text value never reaches a
var a computed var reads (which would break every later update of the tab), oversized text is
cut, a pathological e-mail is refused before the pattern that would take seconds on it, and a
session cookie that opens nothing signs no one in."""

import time

import pytest

from cruddur import runtime
from cruddur.services.accounts import AccountError
from cruddur.services.sessions import Client
from cruddur.state.auth import RESEND_COOLDOWN_S, AuthState, _seconds_left
from cruddur.state.feed import DRAFT_LIMIT, FeedState
from cruddur.state.session import SessionState
from tests.support.tabs import Tab

ODD = ["text", 5, None, [], [1, 2], {"email": 5, "password": []}, {"email": {"$ne": ""}}]
NON_TEXT = [value for value in ODD if not isinstance(value, str)]
PATHOLOGICAL_EMAIL = "a@" + "a." * 300_000 + "@"


@pytest.mark.parametrize("form", ODD)
@pytest.mark.parametrize("handler", ["sign_in", "sign_up", "confirm", "send_reset_code", "reset_password"])
async def test_a_malformed_form_is_answered_and_the_form_stays_usable(offline_runtime, monkeypatch, handler, form):
    # The answer, not its timing, is under test: without the uniform delay (0.6 s per answer
    # that could tell accounts apart) the 35 cases take seconds less.
    monkeypatch.setattr("cruddur.state.auth.UNIFORM_SECONDS", 0.0)
    tab = Tab("/signin")
    await tab.run(getattr(AuthState, handler), form)  # no exception
    auth = tab.state(AuthState)
    assert not auth.busy and auth.error  # a friendly refusal, and the button works again
    assert isinstance(auth.email, str)


@pytest.mark.parametrize("value", NON_TEXT)
async def test_non_text_values_never_reach_the_state(offline_runtime, value):
    tab = Tab()
    for handler in (FeedState.set_draft, FeedState.set_reply_draft, FeedState.open_reply, FeedState.set_ttl):
        await tab.run(handler, value)
    await tab.run(AuthState.set_email, value)
    feed, auth = tab.state(FeedState), tab.state(AuthState)
    assert (feed.draft, feed.reply_draft, feed.ttl, auth.email) == ("", "", "7d", "")
    assert feed.draft_left == 280 and feed.reply_left == 280  # the computed vars still compute


async def test_oversized_text_is_cut_to_a_bound(offline_runtime):
    tab = Tab()
    await tab.run(FeedState.set_draft, "x" * 1_000_000)
    await tab.run(AuthState.set_email, "y" * 1_000_000)
    feed, auth = tab.state(FeedState), tab.state(AuthState)
    assert len(feed.draft) == DRAFT_LIMIT and feed.draft_left < 0
    assert len(auth.email) <= 1024


def test_a_pathological_email_is_refused_at_once(offline_runtime):
    accounts, client = runtime.current().accounts, Client("127.0.0.1")
    start = time.perf_counter()
    for call in (
        lambda: accounts.sign_in(email=PATHOLOGICAL_EMAIL, password="x", client=client),
        lambda: accounts.forgot_password(email=PATHOLOGICAL_EMAIL[:5000], client=client),
    ):
        with pytest.raises(AccountError) as refused:
            call()
        assert refused.value.code == "InvalidEmail"
    assert time.perf_counter() - start < 0.1


@pytest.mark.parametrize(
    ("stored", "seconds"),
    [("1e300", RESEND_COOLDOWN_S), ("inf", 0), ("nan", 0), ("-inf", 0), ("garbage", 0), (None, 0), ("", 0), ("0", 0)],
)
def test_the_resend_countdown_never_trusts_the_browser_beyond_one_cooldown(stored, seconds):
    assert _seconds_left(stored) == seconds


@pytest.mark.parametrize("cookie", ["", "x" * 10_000, "\u0000", '"quoted"', "a;b", "../../etc/passwd", "é"])
async def test_any_session_cookie_the_browser_sends_back_is_harmless(offline_runtime, cookie):
    settings = offline_runtime.settings
    tab = Tab(cookies={settings.device_cookie: "d" * 43, settings.session_cookie: cookie})
    await tab.run(SessionState.load_page)
    session = tab.state(SessionState)
    assert not session.signed_in and session.auth_checked
    assert await session._verified_viewer() is None

"""Whatever an event carries, the handlers keep the tab's state well-typed and bounded: a
malformed form never leaves the form stuck busy, a non-text value never reaches a var a
computed var reads (which would break every later update of the tab), oversized text is cut,
and a pathological e-mail is refused before the pattern that would take seconds on it."""

import time

import pytest
import reflex as rx

from cruddur.auth import accounts
from cruddur.auth.accounts import AccountError
from cruddur.state.auth import RESEND_COOLDOWN_S, AuthState, _seconds_left
from cruddur.state.feed import DRAFT_LIMIT, FeedState
from tests.auth_flows.test_auth_state import run

ODD = ["text", 5, None, [], [1, 2], {"email": 5, "password": []}, {"email": {"$ne": ""}}]
NON_TEXT = [value for value in ODD if not isinstance(value, str)]
PATHOLOGICAL_EMAIL = "a@" + "a." * 300_000 + "@"


def substate(cls):
    return rx.State().get_substate(cls.get_full_name().split(".")[1:])


@pytest.mark.parametrize("form", ODD)
@pytest.mark.parametrize("handler", ["sign_in", "sign_up", "confirm", "send_reset_code", "reset_password"])
async def test_a_malformed_form_is_answered_and_the_form_stays_usable(database, handler, form):
    auth = substate(AuthState)
    await run(getattr(AuthState, handler), auth, form)  # no exception
    assert not auth.busy and auth.error  # a friendly refusal, and the button works again
    assert isinstance(auth.email, str)


@pytest.mark.parametrize("value", NON_TEXT)
async def test_non_text_values_never_reach_the_state(value):
    feed, auth = substate(FeedState), substate(AuthState)
    for handler in (FeedState.set_draft, FeedState.set_reply_draft, FeedState.open_reply, FeedState.set_ttl):
        await run(handler, feed, value)
    await run(AuthState.set_email, auth, value)
    await run(AuthState.check_password, auth, value)
    assert (feed.draft, feed.reply_draft, feed.ttl, auth.email) == ("", "", "7d", "")
    assert feed.draft_left == 280 and feed.reply_left == 280  # the computed vars still compute


async def test_oversized_text_is_cut_to_a_bound():
    feed, auth = substate(FeedState), substate(AuthState)
    await run(FeedState.set_draft, feed, "x" * 1_000_000)
    await run(AuthState.set_email, auth, "y" * 1_000_000)
    assert len(feed.draft) == DRAFT_LIMIT and feed.draft_left < 0
    assert len(auth.email) <= 1024


def test_a_pathological_email_is_refused_at_once():
    start = time.perf_counter()
    for call in (
        lambda: accounts.sign_in(email=PATHOLOGICAL_EMAIL, password="x"),
        lambda: accounts.forgot_password(email=PATHOLOGICAL_EMAIL[:5000]),
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


@pytest.mark.parametrize("stored", [123, None, [], {}, "x" * 10_000, "\u0000"])
async def test_any_session_handle_the_browser_sends_back_is_harmless(database, stored):
    from cruddur.state.session import SessionState

    session = substate(SessionState)
    session.session_handle = stored  # client storage arrives as whatever the browser holds
    await run(SessionState.restore, session)
    assert not session.signed_in and session.auth_checked
    assert await session.verified_sub() is None

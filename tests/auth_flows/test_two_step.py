"""Two-step verification with an authenticator app, through the sign-in and account pages'
handlers on real state objects, against the real embedded provider: turning it on, signing in
with a code or a recovery code, a pool that requires it, and the refusals in between. The forms
are submitted as the pages name their fields."""

from functools import partial

import pytest

from cruddur import runtime
from cruddur.services.second_steps import LIFETIME_SECONDS
from cruddur.state.account import AccountState
from cruddur.state.auth import AuthState
from cruddur.state.second_step import SecondStepState
from cruddur.state.session import SessionState
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_auth_state import signed_in, signed_up_and_confirmed
from tests.support.mailbox import latest_code
from tests.support.tabs import Tab, browser_calls, redirects, toasts
from tests.support.totp import Phone, shown_recovery_codes, shown_secret

EMAIL = "ada@example.com"


async def with_two_step(mailbox) -> tuple[Tab, Phone, list[str]]:
    """Ada, signed in on her account page, with her authenticator app set up."""
    tab = await signed_in(mailbox)
    tab.navigate("/account")
    await tab.run(AccountState.load)
    phone = Phone(shown_secret(await tab.run(AccountState.begin_two_step)))
    events = await tab.run(AccountState.confirm_two_step, {"mfa": phone.code()})
    assert tab.state(AccountState).two_step_on, tab.state(AccountState).error
    return tab, phone, shown_recovery_codes(events)


async def at_the_code_step(query: str = "") -> Tab:
    """Another browser: the right password, so the page now asks for the code."""
    tab = Tab("/signin")
    tab.navigate("/signin", query)
    await tab.run(AuthState.open_form)
    await tab.run(AuthState.sign_in, {"email": EMAIL, "password": PASSWORD})
    assert tab.state(AuthState).signin_step == "code", tab.state(AuthState).error
    assert not tab.state(SessionState).signed_in
    return tab


# -- turning it on --------------------------------------------------------------------------------


async def test_turning_it_on_takes_a_first_code_then_shows_ten_recovery_codes_once(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    tab.navigate("/account")
    await tab.run(AccountState.load)
    events = await tab.run(AccountState.begin_two_step)
    page = tab.state(AccountState)
    secret = shown_secret(events)
    assert page.setting_up and len(secret) >= 16 and "data:image/svg+xml" in str(events)
    for wrong in ("12 34", "abcdef", Phone(secret).wrong_code()):
        await tab.run(AccountState.confirm_two_step, {"mfa": wrong})
        assert (page.error_field, page.two_step_on, page.setting_up) == ("mfa", False, True), wrong
    events = await tab.run(AccountState.confirm_two_step, {"mfa": Phone(secret).code()})
    codes = shown_recovery_codes(events)
    assert (page.two_step_on, page.setting_up, page.codes_left) == (True, False, 10)
    assert len(set(codes)) == 10 and "Save your recovery codes" in page.notice
    assert "Two-step verification turned on" in [line.what for line in page.activity]
    await tab.run(AccountState.load)
    assert shown_recovery_codes_or_none(await tab.run(AccountState.load)) is None  # shown once, never again


def shown_recovery_codes_or_none(events) -> list[str] | None:
    try:
        return shown_recovery_codes(events)
    except AssertionError:
        return None


async def test_a_second_set_up_racing_the_first_leaves_only_the_newest_key_working(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    tab.navigate("/account")
    other = Tab("/account", cookies=dict(tab.cookies))
    first = Phone(shown_secret(await tab.run(AccountState.begin_two_step)))
    second = Phone(shown_secret(await other.run(AccountState.begin_two_step)))
    await tab.run(AccountState.confirm_two_step, {"mfa": first.code()})
    assert tab.state(AccountState).error_field == "mfa" and not tab.state(AccountState).two_step_on
    await other.run(AccountState.confirm_two_step, {"mfa": second.code()})
    assert other.state(AccountState).two_step_on, other.state(AccountState).error


async def test_turning_it_off_asks_for_the_password(app_runtime, mailbox):
    tab, _, _ = await with_two_step(mailbox)
    page = tab.state(AccountState)
    await tab.run(AccountState.turn_off_two_step, {"off_password": "Not-my-password-1!"})
    assert (page.error_field, page.two_step_on) == ("off_password", True)
    await tab.run(AccountState.turn_off_two_step, {"off_password": PASSWORD})
    assert (page.error, page.two_step_on, page.codes_left) == ("", False, 0)
    fresh = Tab("/signin")
    await fresh.run(AuthState.sign_in, {"email": EMAIL, "password": PASSWORD})
    assert fresh.state(SessionState).signed_in


# -- signing in with it ---------------------------------------------------------------------------


async def test_signing_in_asks_for_the_code_keeping_the_email_and_next(app_runtime, mailbox):
    _, phone, _ = await with_two_step(mailbox)
    tab = await at_the_code_step("next=/account")
    auth = tab.state(AuthState)
    for wrong in ("12 34", "1234567", phone.wrong_code()):
        events = await tab.run(SecondStepState.answer_code, {"mfa": wrong})
        assert (auth.error_field, auth.signin_step, auth.email) == ("mfa", "code", EMAIL), wrong
        assert not browser_calls(events) and not tab.state(SessionState).signed_in
    code = phone.code()
    events = await tab.run(SecondStepState.answer_code, {"mfa": f"{code[:3]} {code[3:]}"})  # as pasted
    assert tab.state(SessionState).signed_in, auth.error
    assert redirects(events) == ["/account"] and [name for name, _ in browser_calls(events)] == ["adopt"]
    tab.navigate("/account")
    await tab.run(AccountState.load)
    assert "Wrong code from the authenticator app" in [line.what for line in tab.state(AccountState).activity]


async def test_a_code_is_taken_once(app_runtime, mailbox):
    _, phone, _ = await with_two_step(mailbox)
    code = phone.code()
    first = await at_the_code_step()
    await first.run(SecondStepState.answer_code, {"mfa": code})
    assert first.state(SessionState).signed_in
    second = await at_the_code_step()
    await second.run(SecondStepState.answer_code, {"mfa": code})
    assert second.state(AuthState).error_field == "mfa" and not second.state(SessionState).signed_in


async def test_a_second_step_left_too_long_goes_back_to_the_password_with_the_email(app_runtime, mailbox, monkeypatch):
    _, phone, _ = await with_two_step(mailbox)
    tab = await at_the_code_step()
    steps = runtime.current().second_steps
    later = steps._clock() + LIFETIME_SECONDS + 1
    monkeypatch.setattr(steps, "_clock", lambda: later)
    await tab.run(SecondStepState.answer_code, {"mfa": phone.code()})
    auth = tab.state(AuthState)
    assert (auth.signin_step, auth.email) == ("password", EMAIL) and "too long" in auth.error
    assert not tab.state(SessionState).signed_in


async def test_start_over_goes_back_to_the_password(app_runtime, mailbox):
    await with_two_step(mailbox)
    tab = await at_the_code_step()
    await tab.run(SecondStepState.start_over)
    assert tab.state(AuthState).signin_step == "password"
    await tab.run(SecondStepState.answer_code, {"mfa": "123456"})
    assert not tab.state(SessionState).signed_in


async def test_a_recovery_code_signs_in_once_and_turns_two_step_off_saying_so(app_runtime, mailbox):
    _, _, codes = await with_two_step(mailbox)
    tab = await at_the_code_step()
    await tab.run(SecondStepState.show_step, "recovery")
    auth = tab.state(AuthState)
    assert auth.signin_step == "recovery"
    await tab.run(SecondStepState.use_recovery_code, {"recovery": "abcde-fghjk"})
    assert (auth.error_field, auth.signin_step) == ("recovery", "recovery")
    events = await tab.run(SecondStepState.use_recovery_code, {"recovery": f" {codes[3].upper()} "})
    assert tab.state(SessionState).signed_in, auth.error
    assert "two-step verification is now off" in toasts(events)
    tab.navigate("/account")
    await tab.run(AccountState.load)
    page = tab.state(AccountState)
    assert (page.two_step_on, page.codes_left) == (False, 0)
    assert any(line.what.startswith("Signed in with a recovery code") for line in page.activity[:2])


# -- a pool that requires it ----------------------------------------------------------------------


@pytest.fixture
def required_runtime(make_settings, database):
    """The app on a pool whose MFA is ON: nobody signs in without a second factor."""
    started = runtime.start(make_settings(database_url=database.url, mfa="ON"))
    yield started
    runtime.stop()


@pytest.fixture
def required_mailbox(required_runtime):
    return partial(latest_code, required_runtime.embedded.mailbox_url)


async def test_a_pool_that_requires_it_sets_it_up_at_the_first_sign_in(required_runtime, required_mailbox):
    tab = await signed_up_and_confirmed(required_mailbox)
    tab.navigate("/signin", "next=/account")
    events = await tab.run(AuthState.sign_in, {"email": EMAIL, "password": PASSWORD})
    auth = tab.state(AuthState)
    assert auth.signin_step == "setup" and not tab.state(SessionState).signed_in, auth.error
    phone = Phone(shown_secret(events))
    await tab.run(SecondStepState.finish_setup, {"mfa": "12345"})
    assert (auth.error_field, auth.signin_step) == ("mfa", "setup")
    events = await tab.run(SecondStepState.finish_setup, {"mfa": phone.code()})
    assert auth.signin_step == "codes" and tab.state(SessionState).signed_in, auth.error
    assert len(shown_recovery_codes(events)) == 10 and not redirects(events)
    assert redirects(await tab.run(AuthState.go_on)) == ["/account"]
    again = await at_the_code_step()
    await again.run(SecondStepState.answer_code, {"mfa": phone.code()})
    assert again.state(SessionState).signed_in
    again.navigate("/account")
    await again.run(AccountState.load)
    page = again.state(AccountState)
    assert (page.mfa_offered, page.mfa_required, page.two_step_on) == (True, True, True)
    await again.run(AccountState.turn_off_two_step, {"off_password": PASSWORD})
    assert page.two_step_on and "requires two-step verification" in page.error


async def test_a_pool_without_a_second_factor_offers_none(make_settings, database):
    runtime.start(make_settings(database_url=database.url, mfa="OFF"))
    try:
        tab = await signed_in(partial(latest_code, runtime.current().embedded.mailbox_url))
        tab.navigate("/account")
        await tab.run(AccountState.load)
        assert not tab.state(AccountState).mfa_offered
        await tab.run(AccountState.begin_two_step)
        assert tab.state(AccountState).error and not tab.state(AccountState).setting_up
    finally:
        runtime.stop()

"""The account form handlers and the session they make, called on real state objects the way
Reflex calls them, against the real embedded provider."""

import re
import time

import httpx

from cruddur.state.auth import AuthState, safe_next
from cruddur.state.feed import FeedState
from cruddur.state.session import SessionState
from tests.auth_flows.conftest import PASSWORD
from tests.support.tabs import Tab, browser_calls, redirects, toasts


def signup_form(email="ada@example.com", handle="ada", password=PASSWORD, name="Ada Lovelace") -> dict:
    return {"name": name, "email": email, "handle": handle, "password": password}


async def signed_up_and_confirmed(mailbox, email="ada@example.com", handle="ada") -> Tab:
    tab = Tab("/signup")
    await tab.run(AuthState.sign_up, signup_form(email, handle))
    tab.navigate("/confirm")
    await tab.run(AuthState.confirm, {"email": email, "code": mailbox(email)})
    return tab


async def signed_in(mailbox, email="ada@example.com", handle="ada") -> Tab:
    tab = await signed_up_and_confirmed(mailbox, email, handle)
    tab.navigate("/signin")
    await tab.run(AuthState.sign_in, {"email": email, "password": PASSWORD})
    assert tab.state(SessionState).signed_in, tab.state(AuthState).error
    return tab


async def test_sign_up_carries_the_email_to_confirm_and_says_where_the_code_went(app_runtime):
    tab = Tab("/signup")
    events = await tab.run(AuthState.sign_up, signup_form())
    auth = tab.state(AuthState)
    assert redirects(events) == ["/confirm"]
    assert auth.email == "ada@example.com" and auth.error == ""
    assert auth.code_destination.startswith("a***@e")
    assert float(auth.resend_ready_at) > time.time()
    assert not auth.busy


async def test_sign_up_with_a_weak_password_keeps_the_email_and_focuses_the_password(app_runtime):
    tab = Tab("/signup")
    events = await tab.run(AuthState.sign_up, signup_form(password="weak"))
    auth = tab.state(AuthState)
    assert auth.error_field == "password" and "rules" in auth.error
    assert auth.email == "ada@example.com"
    assert not redirects(events) and not auth.busy


async def test_sign_up_with_a_taken_username_in_any_case_says_so(app_runtime):
    tab = Tab("/signup")
    await tab.run(AuthState.sign_up, signup_form())
    for taken in ("ada", "ADA", "@Ada"):
        await tab.run(AuthState.sign_up, signup_form(email=f"other.{taken.strip('@')}@example.com", handle=taken))
        assert tab.state(AuthState).error_field == "handle" and "taken" in tab.state(AuthState).error


async def test_a_sign_up_that_cognito_refuses_releases_the_handle(app_runtime):
    tab = Tab("/signup")
    await tab.run(AuthState.sign_up, signup_form())
    await tab.run(AuthState.sign_up, signup_form(handle="grace"))  # the e-mail exists: SignUp refuses
    assert tab.state(AuthState).error_field == "email"
    await tab.run(AuthState.sign_up, signup_form(email="grace@example.com", handle="grace"))
    assert tab.state(AuthState).error == ""


async def test_sign_up_twice_with_one_email_does_not_confirm_the_account_exists(app_runtime):
    tab = Tab("/signup")
    await tab.run(AuthState.sign_up, signup_form())
    await tab.run(AuthState.sign_up, signup_form(handle="ada2"))
    auth = tab.state(AuthState)
    assert auth.error_field == "email" and "sign in or reset" in auth.error


async def test_sign_up_refuses_a_malformed_email_before_calling_cognito(app_runtime):
    tab = Tab("/signup")
    await tab.run(AuthState.sign_up, signup_form(email="not-an-email"))
    assert tab.state(AuthState).error_field == "email"


async def test_a_double_submit_is_ignored_while_busy(app_runtime):
    tab = Tab("/signup")
    tab.state(AuthState).busy = True
    assert await tab.run(AuthState.sign_up, signup_form()) == []
    assert tab.state(AuthState).code_destination == ""


async def test_wrong_code_keeps_email_and_shows_error_then_right_code_goes_to_sign_in(app_runtime, mailbox):
    tab = Tab("/signup")
    await tab.run(AuthState.sign_up, signup_form())
    await tab.run(AuthState.confirm, {"email": "ada@example.com", "code": "000000"})
    auth = tab.state(AuthState)
    assert auth.error_field == "code" and auth.email == "ada@example.com"
    events = await tab.run(AuthState.confirm, {"email": "ada@example.com", "code": mailbox("ada@example.com")})
    assert redirects(events) == ["/signin"] and "confirmed" in auth.confirmed_notice


async def test_resend_code_starts_a_cooldown_and_is_refused_during_it(app_runtime):
    def letters() -> int:
        return len(httpx.get(app_runtime.embedded.mailbox_url).json()["messages"])

    tab = Tab("/signup")
    await tab.run(AuthState.sign_up, signup_form())
    auth = tab.state(AuthState)
    auth.resend_ready_at = "0"
    await tab.run(AuthState.resend_code)
    assert float(auth.resend_ready_at) > time.time() + 50 and auth.error == ""
    assert letters() == 2
    auth.resend_wait = 30
    assert await tab.run(AuthState.resend_code) == []
    assert letters() == 2


async def test_sign_in_shows_the_verified_viewer_returns_to_next_and_hands_over_a_ticket(app_runtime, mailbox):
    tab = await signed_up_and_confirmed(mailbox)
    tab.navigate("/signin", "next=/more")
    events = await tab.run(AuthState.sign_in, {"email": "ada@example.com", "password": PASSWORD})
    session = tab.state(SessionState)
    assert session.signed_in and session.viewer_handle == "ada" and session.viewer_name == "Ada Lovelace"
    assert redirects(events) == ["/more"]
    assert [name for name, _ in browser_calls(events)] == ["adopt"]
    assert len(tab.session_cookie) >= 43  # the ticket was exchanged for the cookie


async def test_wrong_password_keeps_email_and_never_says_whether_the_account_exists(app_runtime, mailbox):
    tab = await signed_up_and_confirmed(mailbox)
    tab.navigate("/signin")
    await tab.run(AuthState.sign_in, {"email": "ada@example.com", "password": "Wrong-password-1!"})
    auth = tab.state(AuthState)
    wrong_password = auth.error
    await tab.run(AuthState.sign_in, {"email": "nobody@example.com", "password": "Wrong-password-1!"})
    assert auth.error == wrong_password and auth.error_field == "password"
    assert auth.email == "nobody@example.com" and not tab.state(SessionState).signed_in


async def test_unconfirmed_sign_in_resends_a_code_and_goes_to_confirm(app_runtime):
    tab = Tab("/signup")
    await tab.run(AuthState.sign_up, signup_form())
    tab.navigate("/signin")
    events = await tab.run(AuthState.sign_in, {"email": "ada@example.com", "password": PASSWORD})
    assert redirects(events) == ["/confirm"] and not tab.state(SessionState).signed_in
    auth = tab.state(AuthState)
    assert auth.email == "ada@example.com" and auth.error == ""


async def test_forgot_password_walks_from_code_to_new_password(app_runtime, mailbox):
    tab = await signed_up_and_confirmed(mailbox)
    tab.navigate("/forgot")
    await tab.run(AuthState.send_reset_code, {"email": "ada@example.com"})
    auth = tab.state(AuthState)
    assert auth.forgot_step == "reset"
    code = mailbox("ada@example.com", "FORGOT_PASSWORD")
    await tab.run(AuthState.reset_password, {"code": code, "password": "New-pass-2027!", "confirm": "Other-2027!"})
    assert auth.error_field == "confirm" and auth.forgot_step == "reset"
    await tab.run(
        AuthState.reset_password, {"code": "000000", "password": "New-pass-2027!", "confirm": "New-pass-2027!"}
    )
    assert auth.error_field == "code"
    await tab.run(AuthState.reset_password, {"code": code, "password": "New-pass-2027!", "confirm": "New-pass-2027!"})
    assert auth.forgot_step == "done" and auth.error == ""


async def test_a_new_tab_with_the_cookie_is_signed_in_and_sign_out_ends_every_session(app_runtime, mailbox):
    first = await signed_in(mailbox)
    other = await signed_in(mailbox)  # the same person on another device
    fresh = Tab(cookies=dict(first.cookies))  # a new tab of the first browser
    await fresh.run(SessionState.load_page)
    assert fresh.state(SessionState).signed_in and fresh.state(SessionState).viewer_handle == "ada"

    events = await fresh.run(SessionState.sign_out)
    assert not fresh.state(SessionState).signed_in and not fresh.session_cookie
    assert [name for name, _ in browser_calls(events)] == ["forget"]
    for tab in (first, other):
        tab.reconnect()
        events = await tab.run(SessionState.load_page)
        assert not tab.state(SessionState).signed_in
        assert "sign in again" in toasts(events).lower()


async def test_a_tab_token_copied_to_a_connection_without_the_cookie_is_signed_out(app_runtime, mailbox):
    """Reflex's tab token selects the state; the connection's cookie decides who it is."""
    victim = await signed_in(mailbox)
    thief = Tab()
    thief.root = victim.root  # the same server-side state, reached from another browser
    thief.reconnect()
    await thief.run(SessionState.load_page)
    assert not thief.state(SessionState).signed_in
    feed = thief.state(FeedState)
    await thief.run(FeedState.set_draft, "posted by the thief")
    await thief.run(FeedState.post)
    assert feed.compose_error == "Sign in to crud."


async def test_signing_in_over_an_existing_session_ends_the_old_one(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    old_cookie = tab.session_cookie
    tab.navigate("/signin")
    await tab.run(AuthState.sign_in, {"email": "ada@example.com", "password": PASSWORD})
    assert tab.session_cookie != old_cookie
    replay = Tab(cookies={**tab.cookies, app_runtime.settings.session_cookie: old_cookie})
    await replay.run(SessionState.load_page)
    assert not replay.state(SessionState).signed_in


async def test_a_password_reset_ends_every_session_of_the_person(app_runtime, mailbox):
    laptop, phone = await signed_in(mailbox), await signed_in(mailbox)
    reset = Tab("/forgot")
    await reset.run(AuthState.send_reset_code, {"email": "ada@example.com"})
    code = mailbox("ada@example.com", "FORGOT_PASSWORD")
    await reset.run(AuthState.reset_password, {"code": code, "password": "New-pass-2027!", "confirm": "New-pass-2027!"})
    assert reset.state(AuthState).forgot_step == "done"
    for device in (laptop, phone):
        device.reconnect()
        await device.run(SessionState.load_page)
        assert not device.state(SessionState).signed_in


def test_next_is_followed_only_to_same_origin_paths():
    assert safe_next("/more") == "/more"
    assert safe_next("/@ada?x=1") == "/@ada?x=1"
    for hostile in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", None):
        assert safe_next(hostile) == "/"


async def test_guessing_is_braked_with_a_friendly_wait_before_the_provider_is_asked(app_runtime):
    tab = Tab("/signin")
    auth = tab.state(AuthState)
    for _ in range(10):  # an unknown e-mail: the provider alone would never lock it out
        await tab.run(AuthState.sign_in, {"email": "nobody@example.com", "password": "Guess-1234!"})
        assert "Incorrect email or password" in auth.error
    await tab.run(AuthState.sign_in, {"email": "nobody@example.com", "password": "Guess-1234!"})
    assert re.fullmatch(r"Too many attempts\. Please try again in \d+ seconds\.", auth.error), auth.error
    assert not auth.busy and auth.email == "nobody@example.com"


async def test_one_address_trying_many_accounts_is_braked(make_settings, database):
    from cruddur import runtime

    runtime.start(make_settings(database_url=database.url, rate_limit_per_address=3))
    try:
        tab = Tab("/forgot", address="198.51.100.23")
        for n in range(3):
            await tab.run(AuthState.send_reset_code, {"email": f"person{n}@example.com"})
            assert tab.state(AuthState).error == ""
        await tab.run(AuthState.send_reset_code, {"email": "person9@example.com"})
        assert tab.state(AuthState).error.startswith("Too many attempts")
        elsewhere = Tab("/forgot", address="198.51.100.24")
        await elsewhere.run(AuthState.send_reset_code, {"email": "person9@example.com"})
        assert elsewhere.state(AuthState).error == ""
    finally:
        runtime.stop()


async def test_a_session_ended_on_another_device_says_so_at_the_next_post(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    elsewhere = Tab(cookies=dict(tab.cookies))
    await elsewhere.run(SessionState.sign_out)  # moments after this tab verified its session
    await tab.run(FeedState.set_draft, "still here?")
    await tab.run(FeedState.post)
    assert tab.state(FeedState).compose_error == "Your session has ended. Please sign in again."
    assert not tab.state(SessionState).signed_in

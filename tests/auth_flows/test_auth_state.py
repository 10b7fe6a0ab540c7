"""The account form handlers, called on real state objects, against the real local provider."""

import time

import httpx
import reflex as rx
from reflex.istate.data import RouterData

from cruddur.state.auth import AuthState, safe_next
from cruddur.state.session import SessionState

PASSWORD = "Crud-dur-2026!"


def states() -> tuple[AuthState, SessionState]:
    root = rx.State()
    auth = root.get_substate(AuthState.get_full_name().split(".")[1:])
    session = root.get_substate(SessionState.get_full_name().split(".")[1:])
    return auth, session


async def run(handler, state, *args) -> list:
    """Drives an event handler as Reflex would, returning what it yielded or returned."""
    result = handler.fn(state, *args)
    if hasattr(result, "__aiter__"):
        return [event async for event in result if event is not None]
    result = await result if hasattr(result, "__await__") else result
    return [result] if result is not None else []


def redirects(events) -> list[str]:
    """Where the handler sent the browser: the path of each rx.redirect it produced."""
    return [e.args[0][1]._var_value for e in events if e.handler.fn.__qualname__ == "_redirect"]


def signup_form(email="ada@example.com", handle="ada", password=PASSWORD, name="Ada Lovelace") -> dict:
    return {"name": name, "email": email, "handle": handle, "password": password}


async def signed_up_and_confirmed(auth, mailbox, email="ada@example.com", handle="ada"):
    await run(AuthState.sign_up, auth, signup_form(email, handle))
    await run(AuthState.confirm, auth, {"email": email, "code": mailbox(email)})


async def test_sign_up_carries_the_email_to_confirm_and_says_where_the_code_went(provider):
    auth, _ = states()
    events = await run(AuthState.sign_up, auth, signup_form())
    assert redirects(events) == ["/confirm"]
    assert auth.email == "ada@example.com" and auth.error == ""
    assert auth.code_destination.startswith("a***@e")
    assert float(auth.resend_ready_at) > time.time()
    assert not auth.busy


async def test_sign_up_with_a_weak_password_keeps_the_email_and_focuses_the_password(provider):
    auth, _ = states()
    events = await run(AuthState.sign_up, auth, signup_form(password="weak"))
    assert auth.error_field == "password" and "rules" in auth.error
    assert auth.email == "ada@example.com"
    assert not redirects(events) and not auth.busy


async def test_sign_up_with_a_taken_username_says_so(provider):
    auth, _ = states()
    await run(AuthState.sign_up, auth, signup_form())
    await run(AuthState.sign_up, auth, signup_form(email="other@example.com"))
    assert auth.error_field == "handle" and "taken" in auth.error


async def test_sign_up_twice_with_one_email_does_not_confirm_the_account_exists(provider):
    auth, _ = states()
    await run(AuthState.sign_up, auth, signup_form())
    await run(AuthState.sign_up, auth, signup_form(handle="ada2"))
    assert auth.error_field == "email" and "sign in or reset" in auth.error


async def test_sign_up_refuses_a_malformed_email_before_calling_cognito(provider):
    auth, _ = states()
    await run(AuthState.sign_up, auth, signup_form(email="not-an-email"))
    assert auth.error_field == "email"


async def test_a_double_submit_is_ignored_while_busy(provider):
    auth, _ = states()
    auth.busy = True
    assert await run(AuthState.sign_up, auth, signup_form()) == []
    assert auth.code_destination == ""


async def test_wrong_code_keeps_email_and_shows_error_then_right_code_goes_to_sign_in(provider, mailbox):
    auth, _ = states()
    await run(AuthState.sign_up, auth, signup_form())
    await run(AuthState.confirm, auth, {"email": "ada@example.com", "code": "000000"})
    assert auth.error_field == "code" and auth.email == "ada@example.com"
    events = await run(AuthState.confirm, auth, {"email": "ada@example.com", "code": mailbox("ada@example.com")})
    assert redirects(events) == ["/signin"] and "confirmed" in auth.confirmed_notice


async def test_resend_code_starts_a_cooldown_and_is_refused_during_it(provider):
    def letters() -> int:
        return len(httpx.get(provider["mailbox_url"]).json()["messages"])

    auth, _ = states()
    await run(AuthState.sign_up, auth, signup_form())
    auth.resend_ready_at = "0"
    await run(AuthState.resend_code, auth)
    assert float(auth.resend_ready_at) > time.time() + 50 and auth.error == ""
    assert letters() == 2
    auth.resend_wait = 30
    assert await run(AuthState.resend_code, auth) == []
    assert letters() == 2


async def test_sign_in_sets_the_verified_viewer_and_returns_to_next(provider, mailbox):
    auth, session = states()
    await signed_up_and_confirmed(auth, mailbox)
    auth.router = RouterData.from_router_data({"pathname": "/signin", "asPath": "/signin?next=/more"})
    events = await run(AuthState.sign_in, auth, {"email": "ada@example.com", "password": PASSWORD})
    assert session.signed_in and session.viewer_handle == "ada" and session.viewer_name == "Ada Lovelace"
    assert len(session.session_handle) >= 43
    assert redirects(events) == ["/more"]


async def test_wrong_password_keeps_email_and_never_says_whether_the_account_exists(provider, mailbox):
    auth, session = states()
    await signed_up_and_confirmed(auth, mailbox)
    await run(AuthState.sign_in, auth, {"email": "ada@example.com", "password": "Wrong-password-1!"})
    wrong_password = auth.error
    await run(AuthState.sign_in, auth, {"email": "nobody@example.com", "password": "Wrong-password-1!"})
    assert auth.error == wrong_password and auth.error_field == "password"
    assert auth.email == "nobody@example.com" and not session.signed_in


async def test_unconfirmed_sign_in_resends_a_code_and_goes_to_confirm(provider):
    auth, session = states()
    await run(AuthState.sign_up, auth, signup_form())
    events = await run(AuthState.sign_in, auth, {"email": "ada@example.com", "password": PASSWORD})
    assert redirects(events) == ["/confirm"] and not session.signed_in
    assert auth.email == "ada@example.com" and auth.error == ""


async def test_forgot_password_walks_from_code_to_new_password(provider, mailbox):
    auth, _ = states()
    await signed_up_and_confirmed(auth, mailbox)
    await run(AuthState.send_reset_code, auth, {"email": "ada@example.com"})
    assert auth.forgot_step == "reset"
    code = mailbox("ada@example.com", "FORGOT_PASSWORD")
    await run(AuthState.reset_password, auth, {"code": code, "password": "New-pass-2027!", "confirm": "Other-2027!"})
    assert auth.error_field == "confirm" and auth.forgot_step == "reset"
    await run(
        AuthState.reset_password, auth, {"code": "000000", "password": "New-pass-2027!", "confirm": "New-pass-2027!"}
    )
    assert auth.error_field == "code"
    await run(AuthState.reset_password, auth, {"code": code, "password": "New-pass-2027!", "confirm": "New-pass-2027!"})
    assert auth.forgot_step == "done" and auth.error == ""


async def test_forgot_password_for_an_unknown_email_looks_the_same(provider):
    auth, _ = states()
    await run(AuthState.send_reset_code, auth, {"email": "nobody@example.com"})
    assert auth.forgot_step == "reset" and auth.error == ""


async def test_restore_recovers_the_person_and_sign_out_ends_the_session_everywhere(provider, mailbox):
    auth, session = states()
    await signed_up_and_confirmed(auth, mailbox)
    await run(AuthState.sign_in, auth, {"email": "ada@example.com", "password": PASSWORD})
    handle = session.session_handle

    _, fresh = states()  # a new tab, or the same tab after a backend restart
    fresh.session_handle = handle
    await run(SessionState.restore, fresh)
    assert fresh.signed_in and fresh.viewer_handle == "ada" and fresh.auth_checked

    await run(SessionState.sign_out, fresh)
    assert not fresh.signed_in and fresh.session_handle == ""
    _, reused = states()
    reused.session_handle = handle
    await run(SessionState.restore, reused)
    assert not reused.signed_in and reused.session_handle == ""


def test_next_is_followed_only_to_same_origin_paths():
    assert safe_next("/more") == "/more"
    assert safe_next("/@ada?x=1") == "/@ada?x=1"
    for hostile in ("https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", None):
        assert safe_next(hostile) == "/"


async def test_a_session_revoked_elsewhere_signs_out_with_a_message_at_its_next_refresh(provider, mailbox):
    """A revoked access token still verifies until it expires (it is a signed JWT); the refresh
    that comes before its expiry is refused, and that ends the session."""
    from cruddur.auth import identity
    from tests.auth_flows.session_rows import expire_soon, stored_access_token

    auth, session = states()
    await signed_up_and_confirmed(auth, mailbox)
    await run(AuthState.sign_in, auth, {"email": "ada@example.com", "password": PASSWORD})
    identity.get_cognito().global_sign_out(stored_access_token(session.session_handle))
    expire_soon(session.session_handle)

    _, tab = states()
    tab.session_handle = session.session_handle
    events = await run(SessionState.restore, tab)
    assert not tab.signed_in and tab.session_handle == "" and tab.auth_checked
    assert any("sign in again" in str(event).lower() for event in events)

"""Signing in without the password, through the sign-in and account pages' handlers against the
real embedded provider: a passkey added on the account page (the browser's ceremony played by a
software authenticator with the options the handler sends the page) signs in with one tap and no
second factor; an e-mailed code signs in, then asks for the authenticator app where it is on.
Every refusal reads the same whether or not the account exists or has a passkey."""

import json
from datetime import timedelta

import pytest
from pydantic import ValidationError

from cruddur import runtime
from cruddur.auth.password_policy import DEFAULT_POLICY
from cruddur.embedded_identity import provider_config
from cruddur.services.account_settings import FRESH_SIGN_IN
from cruddur.services.clock import utcnow
from cruddur.state.account import AccountState
from cruddur.state.auth import AuthState
from cruddur.state.passwordless import PasswordlessState
from cruddur.state.session import SessionState
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_auth_state import signed_in
from tests.auth_flows.test_two_step import EMAIL, with_two_step
from tests.support.authenticator import SoftAuthenticator, b64url
from tests.support.tabs import Tab, passkey_ceremony, redirects

ORIGIN = "http://localhost:3000"  # the page the browser would be on
NOT_USED = "No passkey was used"


async def with_a_passkey(tab: Tab) -> SoftAuthenticator:
    """Ada adds a passkey on her account page; the authenticator holds it."""
    tab.navigate("/account")
    await tab.run(AccountState.load)
    page = tab.state(AccountState)
    await tab.run(AccountState.add_passkey, {"passkey_password": "Not-my-password-1!"})
    assert page.error_field == "passkey_password" and page.passkeys == []
    function, options = passkey_ceremony(await tab.run(AccountState.add_passkey, {"passkey_password": PASSWORD}))
    assert function == "register" and options["rp"]["id"] == "localhost"
    authenticator = SoftAuthenticator()
    await tab.run(AccountState.passkey_made, json.dumps({"ok": authenticator.create(options, ORIGIN)}))
    assert page.error == "" and "Passkey added" in page.notice, page.error
    assert len(page.passkeys) == 1 and "Passkey added" in [line.what for line in page.activity]
    return authenticator


async def passkey_sign_in(
    authenticator: SoftAuthenticator | None, email: str = EMAIL, answer: str = "", *, capable: bool = False
) -> Tab:
    """Another browser presses "Sign in with a passkey" with `email` typed; its authenticator
    answers (or the browser says `answer`). `capable`: the browser could make a passkey."""
    tab = Tab("/signin")
    tab.navigate("/signin")
    await tab.run(AuthState.open_form)
    await tab.run(AuthState.note_passkey_capable, capable)
    events = await tab.run(PasswordlessState.sign_in_with_passkey, email)
    if tab.state(AuthState).error:
        return tab
    function, options = passkey_ceremony(events)
    assert function == "signIn"
    if not answer:
        assert authenticator is not None
        answer = json.dumps({"ok": json.loads(authenticator.get(options, ORIGIN))})
    await tab.run(PasswordlessState.passkey_signed, answer)
    return tab


async def test_a_passkey_added_on_the_account_page_signs_in_with_no_password_and_no_code(app_runtime, mailbox):
    tab, _, _ = await with_two_step(mailbox)
    authenticator = await with_a_passkey(tab)
    signed = await passkey_sign_in(authenticator)
    assert signed.state(SessionState).signed_in, signed.state(AuthState).error
    assert signed.state(AuthState).signin_step == "password"  # no authenticator-app code after a passkey


async def test_a_cancelled_or_failed_ceremony_says_so_and_signs_nobody_in(app_runtime, mailbox):
    authenticator = await with_a_passkey(await signed_in(mailbox))
    cancelled = json.dumps({"error": "ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY", "name": "NotAllowedError"})
    for answer, says in ((cancelled, NOT_USED), ("not json", "didn't work"), ('{"ok": {}}', "didn't work")):
        tab = await passkey_sign_in(authenticator, answer=answer)
        auth = tab.state(AuthState)
        assert says in auth.error and not tab.state(SessionState).signed_in, answer
        assert (auth.signin_step, auth.email) == ("password", EMAIL)
    unsupported = await passkey_sign_in(None, answer='{"error": "UNSUPPORTED"}')
    assert "can't use passkeys" in unsupported.state(AuthState).error


async def test_no_passkey_and_no_account_read_alike(app_runtime, mailbox):
    await signed_in(mailbox)
    without = await passkey_sign_in(None)
    nobody = await passkey_sign_in(None, email="nobody@example.com", answer='{"name": "NotAllowedError"}')
    for tab in (without, nobody):
        assert NOT_USED in tab.state(AuthState).error and not tab.state(SessionState).signed_in


async def test_a_removed_passkey_no_longer_signs_in(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    authenticator = await with_a_passkey(tab)
    [line] = tab.state(AccountState).passkeys
    await tab.run(AccountState.remove_passkey, line.id)
    assert tab.state(AccountState).passkeys == [] and "removed" in tab.state(AccountState).notice
    gone = await passkey_sign_in(authenticator)
    assert NOT_USED in gone.state(AuthState).error and not gone.state(SessionState).signed_in


async def test_a_passkey_shows_when_it_last_signed_in(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    authenticator = await with_a_passkey(tab)
    assert [line.last_used for line in tab.state(AccountState).passkeys] == ["never"]
    signed = await passkey_sign_in(authenticator)
    assert signed.state(SessionState).signed_in
    await tab.run(AccountState.load)
    [line] = tab.state(AccountState).passkeys
    assert line.last_used.endswith("UTC") and line.last_used != "never"


async def autofill_sign_in(authenticator: SoftAuthenticator, user_handle: str = "") -> Tab:
    """Another browser opens /signin and, with nothing typed, picks the passkey the e-mail field's
    autofill lists (its user handle forged to `user_handle` if given); then its authenticator
    signs whatever the page asks next."""
    tab = Tab("/signin")
    tab.navigate("/signin")
    await tab.run(AuthState.open_form)
    function, request = passkey_ceremony(await tab.run(PasswordlessState.offer_autofill))
    assert function == "autofill" and "allowCredentials" not in request and request["rpId"] == "localhost"
    picked = json.loads(authenticator.get(request, ORIGIN, credential_id=next(iter(authenticator.credentials))))
    if user_handle:
        picked["response"]["userHandle"] = user_handle
    events = await tab.run(PasswordlessState.passkey_autofill_picked, json.dumps({"ok": picked}))
    if tab.state(AuthState).error:
        return tab
    function, options = passkey_ceremony(events)
    assert function == "signIn" and [c["id"] for c in options["allowCredentials"]] == [picked["id"]]
    assert tab.state(AuthState).email == ""  # nobody typed it
    await tab.run(PasswordlessState.passkey_signed, json.dumps({"ok": json.loads(authenticator.get(options, ORIGIN))}))
    return tab


async def test_a_passkey_picked_from_the_email_fields_autofill_signs_in_with_nothing_typed(app_runtime, mailbox):
    authenticator = await with_a_passkey(await signed_in(mailbox))
    signed = await autofill_sign_in(authenticator)
    assert signed.state(SessionState).signed_in, signed.state(AuthState).error
    assert signed.state(AuthState).signin_step == "password"  # no second factor after a passkey


async def test_an_autofill_pick_of_a_removed_passkey_or_of_nobody_is_refused_plainly(app_runtime, mailbox):
    tab = await signed_in(mailbox)
    authenticator = await with_a_passkey(tab)
    nobody = await autofill_sign_in(authenticator, user_handle=b64url(b"00000000-0000-4000-8000-000000000000"))
    garbled = await autofill_sign_in(authenticator, user_handle="%%%")
    [line] = tab.state(AccountState).passkeys
    await tab.run(AccountState.remove_passkey, line.id)
    removed = await autofill_sign_in(authenticator)
    for refused in (nobody, garbled, removed):
        assert NOT_USED in refused.state(AuthState).error and not refused.state(SessionState).signed_in


async def test_an_autofill_request_that_ends_without_a_pick_says_nothing(app_runtime, mailbox):
    tab = Tab("/signin")
    tab.navigate("/signin")
    await tab.run(AuthState.open_form)
    for answer in ('{"error": "ERROR_CEREMONY_ABORTED", "name": "AbortError"}', '{"error": "UNSUPPORTED"}', "nonsense"):
        assert await tab.run(PasswordlessState.passkey_autofill_picked, answer) == []
        auth = tab.state(AuthState)
        assert auth.error == "" and not auth.busy


async def test_no_autofill_is_armed_where_the_pool_takes_no_passkeys(make_settings, database):
    runtime.start(make_settings(database_url=database.url, sign_in_factors="PASSWORD,EMAIL_OTP"))
    try:
        tab = Tab("/signin")
        tab.navigate("/signin")
        await tab.run(AuthState.open_form)
        assert await tab.run(PasswordlessState.offer_autofill) == []
    finally:
        runtime.stop()


async def password_sign_in(*, capable: bool) -> Tab:
    """A new browser signs Ada in with her password; it can make a passkey or not."""
    tab = Tab("/signin")
    tab.navigate("/signin")
    await tab.run(AuthState.open_form)
    await tab.run(AuthState.note_passkey_capable, capable)
    events = await tab.run(AuthState.sign_in, {"email": EMAIL, "password": PASSWORD})
    assert tab.state(SessionState).signed_in, tab.state(AuthState).error
    assert offered(tab) == (redirects(events) == []), "the offer stays on the page; otherwise on to the feed"
    return tab


def offered(tab: Tab) -> bool:
    return tab.state(AuthState).signin_step == "passkey_offer"


async def test_a_passkey_is_offered_once_after_a_password_sign_in_on_a_browser_that_can_make_one(app_runtime, mailbox):
    await signed_in(mailbox)  # signed in once without the offer: that browser could not make a passkey
    assert not offered(await password_sign_in(capable=False))
    tab = await password_sign_in(capable=True)
    assert offered(tab)
    function, options = passkey_ceremony(await tab.run(PasswordlessState.make_offered_passkey))
    assert function == "register"  # no password asked: they signed in a moment ago
    authenticator = SoftAuthenticator()
    events = await tab.run(
        PasswordlessState.offered_passkey_made, json.dumps({"ok": authenticator.create(options, ORIGIN)})
    )
    assert redirects(events) == ["/"] and tab.state(AuthState).error == ""
    assert (await passkey_sign_in(authenticator)).state(SessionState).signed_in
    assert not offered(await password_sign_in(capable=True))  # has one now


async def test_a_passkey_sign_in_goes_on_without_asking_whether_to_offer_one(app_runtime, mailbox, monkeypatch):
    """Who signed in with a passkey has one: no offer, and no look-up to decide it (a session read
    and a call to the pool in the way of the feed)."""
    authenticator = await with_a_passkey(await signed_in(mailbox))
    asked: list[str] = []
    monkeypatch.setattr(runtime.current().passkeys, "worth_offering", lambda handle: asked.append(handle) or True)
    tab = await passkey_sign_in(authenticator, capable=True)
    assert tab.state(SessionState).signed_in, tab.state(AuthState).error
    assert not offered(tab) and asked == []
    assert offered(await password_sign_in(capable=True)) and len(asked) == 1  # the look-up, where it is needed


async def test_a_declined_offer_is_not_made_again(app_runtime, mailbox):
    await signed_in(mailbox)
    declined = await password_sign_in(capable=True)
    assert offered(declined)
    assert redirects(await declined.run(AuthState.go_on)) == ["/"]
    assert not offered(await password_sign_in(capable=True))


async def test_no_passkey_is_made_without_the_password_unless_it_was_just_offered(app_runtime, mailbox):
    tab = await signed_in(mailbox)  # signed in a moment ago, but not offered one (a page script asking)
    await tab.run(PasswordlessState.make_offered_passkey)
    assert "account page" in tab.state(AuthState).error


async def test_no_passkey_is_made_without_the_password_once_the_sign_in_is_not_fresh(app_runtime, mailbox, monkeypatch):
    await signed_in(mailbox)
    tab = await password_sign_in(capable=True)
    assert offered(tab)
    later = utcnow() + FRESH_SIGN_IN + timedelta(minutes=1)
    monkeypatch.setattr("cruddur.services.passkeys.utcnow", lambda: later)
    await tab.run(PasswordlessState.make_offered_passkey)
    assert "account page" in tab.state(AuthState).error


async def test_an_emailed_code_signs_in_and_a_wrong_one_keeps_the_step(app_runtime, mailbox):
    await signed_in(mailbox)
    tab = Tab("/signin")
    await tab.run(PasswordlessState.email_me_a_code, EMAIL)
    auth = tab.state(AuthState)
    assert (auth.signin_step, auth.code_destination, auth.error) == ("email_code", "a***@e***", "")
    right = mailbox(EMAIL, "EMAIL_OTP")
    for wrong in ("12ab34", "000000" if right != "000000" else "111111"):
        await tab.run(PasswordlessState.answer_email_code, {"otp": wrong})
        assert (auth.error_field, auth.signin_step) == ("otp", "email_code"), wrong
    await tab.run(PasswordlessState.answer_email_code, {"otp": f" {right} "})
    assert tab.state(SessionState).signed_in, auth.error


async def test_after_an_emailed_code_the_authenticator_app_is_asked_for(app_runtime, mailbox):
    await with_two_step(mailbox)
    tab = Tab("/signin")
    await tab.run(PasswordlessState.email_me_a_code, EMAIL)
    await tab.run(PasswordlessState.answer_email_code, {"otp": mailbox(EMAIL, "EMAIL_OTP")})
    assert tab.state(AuthState).signin_step == "code" and not tab.state(SessionState).signed_in


async def test_an_emailed_code_for_an_unknown_address_reads_like_a_real_one(app_runtime, mailbox):
    await signed_in(mailbox)
    answers = []
    for email in (EMAIL, "nobody@example.com"):
        tab = Tab("/signin")
        await tab.run(PasswordlessState.email_me_a_code, email)
        await tab.run(PasswordlessState.answer_email_code, {"otp": "123456"})
        auth = tab.state(AuthState)
        answers.append((auth.signin_step, auth.error_field, auth.error))
    assert answers[0] == answers[1] and answers[0][0] == "email_code"


async def test_a_pool_that_allows_only_passwords_offers_neither(make_settings, database):
    runtime.start(make_settings(database_url=database.url, sign_in_factors="PASSWORD"))
    try:
        tab = Tab("/signin")
        tab.navigate("/signin")
        await tab.run(AuthState.open_form)
        assert not (tab.state(AuthState).offers_passkeys or tab.state(AuthState).offers_email_codes)
        await tab.run(PasswordlessState.email_me_a_code, EMAIL)
        assert tab.state(AuthState).signin_step == "password" and "isn't available" in tab.state(AuthState).error
    finally:
        runtime.stop()


def test_sign_in_factors_are_read_from_the_environment_as_a_list(make_settings, monkeypatch):
    monkeypatch.setenv("SIGN_IN_FACTORS", "password, web_authn")
    assert make_settings().sign_in_factors == ["PASSWORD", "WEB_AUTHN"]


def test_sign_in_factors_always_include_the_password(make_settings):
    with pytest.raises(ValidationError, match="must include PASSWORD"):
        make_settings(sign_in_factors="WEB_AUTHN,EMAIL_OTP")
    settings = make_settings(passkey_domain="cruddur.example")
    assert provider_config(settings, DEFAULT_POLICY).webauthn_relying_party_id == "cruddur.example"


async def passwordless_sign_up(tab: Tab, email: str = "noa@example.com") -> None:
    tab.navigate("/signup")
    await tab.run(AuthState.open_form)
    await tab.run(AuthState.choose_no_password, True)
    form = {"name": "Noa", "email": email, "handle": "noa"}  # no password field on the page now
    assert redirects(await tab.run(AuthState.sign_up, form)) == ["/confirm"], tab.state(AuthState).error
    tab.navigate("/confirm")
    await tab.run(AuthState.open_form)


async def test_a_passwordless_sign_up_is_signed_in_by_its_code_and_offered_a_passkey(app_runtime, mailbox):
    tab = Tab("/signup")
    await passwordless_sign_up(tab)
    await tab.run(AuthState.note_passkey_capable, True)
    await tab.run(AuthState.confirm, {"email": "noa@example.com", "code": mailbox("noa@example.com")})
    assert tab.state(SessionState).signed_in and offered(tab), tab.state(AuthState).error
    _, options = passkey_ceremony(await tab.run(PasswordlessState.make_offered_passkey))
    authenticator = SoftAuthenticator()
    await tab.run(PasswordlessState.offered_passkey_made, json.dumps({"ok": authenticator.create(options, ORIGIN)}))
    assert tab.state(AuthState).error == ""
    assert (await passkey_sign_in(authenticator, email="noa@example.com")).state(SessionState).signed_in


async def test_a_passwordless_account_has_no_password_to_sign_in_with(app_runtime, mailbox):
    tab = Tab("/signup")
    await passwordless_sign_up(tab)
    events = await tab.run(AuthState.confirm, {"email": "noa@example.com", "code": mailbox("noa@example.com")})
    assert tab.state(SessionState).signed_in and redirects(events) == ["/"]  # no passkey here: on to the feed
    again = Tab("/signin")
    await again.run(AuthState.sign_in, {"email": "noa@example.com", "password": ""})
    assert not again.state(SessionState).signed_in and again.state(AuthState).error


async def test_confirmed_in_another_tab_a_passwordless_sign_up_signs_in_on_the_sign_in_page(app_runtime, mailbox):
    await passwordless_sign_up(Tab("/signup"))
    elsewhere = Tab("/confirm")  # the link in the e-mail opened a new tab: it has no sign-up session
    events = await elsewhere.run(AuthState.confirm, {"email": "noa@example.com", "code": mailbox("noa@example.com")})
    assert redirects(events) == ["/signin"] and not elsewhere.state(SessionState).signed_in
    assert "confirmed" in elsewhere.state(AuthState).confirmed_notice


async def test_a_pool_without_emailed_codes_offers_no_passwordless_sign_up(make_settings, database):
    runtime.start(make_settings(database_url=database.url, sign_in_factors="PASSWORD"))
    try:
        tab = Tab("/signup")
        tab.navigate("/signup")
        await tab.run(AuthState.open_form)
        await tab.run(AuthState.choose_no_password, True)
        assert not tab.state(AuthState).no_password
        await tab.run(AuthState.sign_up, {"name": "Noa", "email": "noa@example.com", "handle": "noa"})
        assert tab.state(AuthState).error_field == "password"
    finally:
        runtime.stop()

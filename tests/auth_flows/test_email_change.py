"""Changing the e-mail on the account page, through its handlers against the real embedded
provider (which keeps the original address active until the new one is verified, as a pool with
AttributesRequireVerificationBeforeUpdate does): a code to the new address, the old address
signing in until it is entered, then the new one only — and the old address told."""

from sqlmodel import select

from cruddur import runtime
from cruddur.models import OutgoingMail
from cruddur.state.account import AccountState
from cruddur.state.auth import AuthState
from cruddur.state.session import SessionState
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_auth_state import signed_in
from tests.support.tabs import Tab

OLD, NEW = "ada@example.com", "ada.lovelace@example.org"


async def on_the_account_page(mailbox) -> Tab:
    tab = await signed_in(mailbox, OLD)
    tab.navigate("/account")
    await tab.run(AccountState.load)
    assert tab.state(AccountState).current_email == OLD
    return tab


async def signs_in(email: str) -> bool:
    tab = Tab("/signin")
    await tab.run(AuthState.sign_in, {"email": email, "password": PASSWORD})
    return tab.state(SessionState).signed_in


async def test_the_new_address_signs_in_once_its_code_is_entered_and_the_old_one_is_told(app_runtime, mailbox):
    tab = await on_the_account_page(mailbox)
    await tab.run(AccountState.change_email, {"new_email": f"  {NEW.upper()} "})
    page = tab.state(AccountState)
    assert (page.error, page.email_sent_to) == ("", "a***@e***") and "sign in as before" in page.notice
    assert await signs_in(OLD) and not await signs_in(NEW)  # the original stays active meanwhile
    await tab.run(AccountState.confirm_email, {"email_code": mailbox(NEW, "VERIFY_EMAIL")})
    assert (page.error, page.email_sent_to, page.current_email) == ("", "", NEW), page.error
    assert await signs_in(NEW) and not await signs_in(OLD)
    assert tab.state(SessionState).signed_in  # this session goes on, carrying the new address
    assert "Email address changed" in [line.what for line in page.activity]
    with runtime.current().database.session() as db:
        [notice] = db.exec(select(OutgoingMail)).all()
    assert notice.to == OLD and "a***@e***" in notice.body and NEW not in notice.body


async def test_a_wrong_code_or_a_bad_address_changes_nothing_and_says_why(app_runtime, mailbox):
    tab = await on_the_account_page(mailbox)
    page = tab.state(AccountState)
    for address, why in (("not-an-address", "like name@example.com"), (OLD.upper(), "already your email")):
        await tab.run(AccountState.change_email, {"new_email": address})
        assert (page.error_field, page.email_sent_to) == ("new_email", ""), address
        assert why in page.error
    await tab.run(AccountState.change_email, {"new_email": NEW})
    right = mailbox(NEW, "VERIFY_EMAIL")
    wrong = "000000" if right != "000000" else "111111"
    for code in (wrong, "12ab56", ""):
        await tab.run(AccountState.confirm_email, {"email_code": code})
        assert (page.error_field, page.email_sent_to, page.current_email) == ("email_code", "a***@e***", OLD), code
    await tab.run(AccountState.confirm_email, {"email_code": right})
    assert page.current_email == NEW, page.error


async def test_a_new_code_can_be_sent_and_only_the_newest_works(app_runtime, mailbox):
    tab = await on_the_account_page(mailbox)
    await tab.run(AccountState.change_email, {"new_email": NEW})
    first = mailbox(NEW, "VERIFY_EMAIL")
    await tab.run(AccountState.resend_email_code)
    page = tab.state(AccountState)
    assert page.error == "" and "new code" in page.notice
    second = mailbox(NEW, "VERIFY_EMAIL")
    if first != second:
        await tab.run(AccountState.confirm_email, {"email_code": first})
        assert page.error_field == "email_code"
    await tab.run(AccountState.confirm_email, {"email_code": second})
    assert page.current_email == NEW, page.error


async def test_an_address_of_another_account_is_refused_only_to_whoever_holds_its_code(app_runtime, mailbox):
    await signed_in(mailbox, NEW, "lovelace")
    tab = await on_the_account_page(mailbox)
    await tab.run(AccountState.change_email, {"new_email": NEW})
    page = tab.state(AccountState)
    assert (page.error, page.email_sent_to) == ("", "a***@e***")  # the same answer as for a free address
    await tab.run(AccountState.confirm_email, {"email_code": mailbox(NEW, "VERIFY_EMAIL")})
    assert (page.current_email, page.error_field) == (OLD, "new_email") and "another Cruddur account" in page.error
    assert await signs_in(OLD)


async def test_cancel_goes_back_to_the_address_form_keeping_the_old_address(app_runtime, mailbox):
    tab = await on_the_account_page(mailbox)
    await tab.run(AccountState.change_email, {"new_email": NEW})
    await tab.run(AccountState.cancel_email_change)
    page = tab.state(AccountState)
    assert (page.email_sent_to, page.current_email) == ("", OLD)
    assert await signs_in(OLD)

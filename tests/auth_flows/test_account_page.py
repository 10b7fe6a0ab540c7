"""The account page's handlers on real state objects, against the real embedded provider."""

from cruddur.state.account import AccountState
from cruddur.state.auth import AuthState
from cruddur.state.session import SessionState
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_auth_state import signed_in
from tests.support.tabs import Tab, browser_calls, redirects

NEW_PASSWORD = "Brand-new-2027!"


async def account_tab(mailbox) -> Tab:
    tab = await signed_in(mailbox)
    tab.navigate("/account")
    await tab.run(AccountState.load)
    assert tab.state(AccountState).loaded
    return tab


async def test_signed_out_the_account_page_sends_you_to_sign_in(app_runtime):
    tab = Tab("/account")
    events = await tab.run(AccountState.load)
    assert redirects(events) == ["/signin?next=/account"] and not tab.state(AccountState).loaded


async def test_the_page_shows_the_profile_this_session_and_the_sign_in(app_runtime, mailbox):
    tab = await account_tab(mailbox)
    page = tab.state(AccountState)
    assert (page.display_name, page.two_step_on) == ("Ada Lovelace", False)
    assert [line.current for line in page.sessions] == [True]
    assert [line.what for line in page.activity] == ["Signed in"]


async def test_saving_the_profile_updates_the_name_shown_everywhere(app_runtime, mailbox):
    tab = await account_tab(mailbox)
    await tab.run(AccountState.save_profile, {"name": "Countess Ada", "bio": "Engines."})
    page = tab.state(AccountState)
    assert (page.section, page.notice, page.error) == ("profile", "Profile saved.", "")
    assert tab.state(SessionState).viewer_name == "Countess Ada"
    await tab.run(AccountState.save_profile, {"name": " ", "bio": ""})
    assert page.error_field == "name" and page.display_name == "Countess Ada"


async def test_changing_the_password_keeps_this_browser_and_signs_out_the_others(app_runtime, mailbox):
    tab = await account_tab(mailbox)
    other = await signed_in(mailbox)
    old_cookie = tab.session_cookie
    await tab.run(
        AccountState.change_password, {"current": "Wrong-one-1!", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert tab.state(AccountState).error_field == "current"
    events = await tab.run(
        AccountState.change_password, {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert [name for name, _ in browser_calls(events)] == ["adopt"] and tab.session_cookie != old_cookie
    assert tab.state(SessionState).signed_in and tab.state(AccountState).notice.startswith("Password changed")
    other.reconnect()
    await other.run(SessionState.load_page)
    assert not other.state(SessionState).signed_in
    fresh = Tab("/signin")
    await fresh.run(AuthState.sign_in, {"email": "ada@example.com", "password": NEW_PASSWORD})
    assert fresh.state(SessionState).signed_in


async def test_signing_out_the_other_sessions_from_the_list(app_runtime, mailbox):
    tab = await account_tab(mailbox)
    phone = await signed_in(mailbox)
    await tab.run(AccountState.load)
    page = tab.state(AccountState)
    [phone_line] = [line for line in page.sessions if not line.current]
    await tab.run(AccountState.sign_out_session, phone_line.id)
    assert [line.current for line in page.sessions] == [True]
    phone.reconnect()
    await phone.run(SessionState.load_page)
    assert not phone.state(SessionState).signed_in


async def test_deleting_the_account_needs_the_password_then_signs_out_and_goes_home(app_runtime, mailbox):
    tab = await account_tab(mailbox)
    await tab.run(AccountState.delete_account, {"delete_password": "Not-it-123!"})
    assert tab.state(AccountState).error_field == "delete_password" and tab.state(SessionState).signed_in
    events = await tab.run(AccountState.delete_account, {"delete_password": PASSWORD})
    assert redirects(events) == ["/"] and not tab.state(SessionState).signed_in and not tab.session_cookie
    again = Tab("/signin")
    await again.run(AuthState.sign_in, {"email": "ada@example.com", "password": PASSWORD})
    assert not again.state(SessionState).signed_in

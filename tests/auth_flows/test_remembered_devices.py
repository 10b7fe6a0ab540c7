"""Remembered browsers, through the sign-in and account pages' handlers against the real embedded
provider: "Remember this browser" at the code step makes Cognito remember the device (ConfirmDevice,
UpdateDeviceStatus), so the next sign-in on that browser proves the device by its own SRP instead
of a code — on that browser only, until the person forgets it, here or anywhere else."""

import pytest
from sqlmodel import select

from cruddur import runtime
from cruddur.models import RememberedDevice
from cruddur.state.account import AccountState
from cruddur.state.auth import AuthState
from cruddur.state.second_step import SecondStepState
from cruddur.state.session import SessionState
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_two_step import EMAIL, at_the_code_step, with_two_step
from tests.support.tabs import Tab
from tests.support.totp import Phone, shown_secret


@pytest.fixture
def app_runtime(request, make_settings, database):
    """The app on a pool that remembers devices as `remember_devices` says (default: people choose)."""
    mode = getattr(request, "param", "opt-in")
    started = runtime.start(make_settings(database_url=database.url, remember_devices=mode))
    yield started
    runtime.stop()


def same_browser(tab: Tab) -> Tab:
    """The browser `tab` ran in, later: its device cookie, no session."""
    device = runtime.current().settings.device_cookie
    return Tab("/signin", cookies={device: tab.cookies[device]})


async def sign_in(tab: Tab) -> Tab:
    await tab.run(AuthState.sign_in, {"email": EMAIL, "password": PASSWORD})
    return tab


async def remembered_browser(phone) -> Tab:
    """A browser where Ada entered her code and ticked "Remember this browser"."""
    tab = await at_the_code_step()
    assert tab.state(AuthState).offer_remember
    await tab.run(SecondStepState.answer_code, {"mfa": phone.code(), "remember": "on"})
    assert tab.state(SessionState).signed_in, tab.state(AuthState).error
    return tab


async def devices_listed(tab: Tab) -> list:
    tab.navigate("/account")
    await tab.run(AccountState.load)
    return list(tab.state(AccountState).devices)


async def test_a_remembered_browser_skips_the_code_and_only_that_browser(app_runtime, mailbox):
    _, phone, _ = await with_two_step(mailbox)
    browser = await remembered_browser(phone)
    again = await sign_in(same_browser(browser))
    assert again.state(SessionState).signed_in and again.state(AuthState).signin_step == "password"
    elsewhere = await sign_in(Tab("/signin"))
    assert elsewhere.state(AuthState).signin_step == "code" and not elsewhere.state(SessionState).signed_in
    [line] = await devices_listed(again)
    assert line.current and line.name.endswith("on Linux") and line.last_used == "just now"


async def test_a_browser_not_ticked_is_asked_for_the_code_every_time(app_runtime, mailbox):
    _, phone, _ = await with_two_step(mailbox)
    tab = await at_the_code_step()
    await tab.run(SecondStepState.answer_code, {"mfa": phone.code()})
    assert tab.state(SessionState).signed_in
    again = await sign_in(same_browser(tab))
    assert again.state(AuthState).signin_step == "code"
    assert await devices_listed(tab) == []


async def test_forgetting_a_browser_on_the_account_page_asks_for_the_code_there_again(app_runtime, mailbox):
    _, phone, _ = await with_two_step(mailbox)
    browser = await remembered_browser(phone)
    [line] = await devices_listed(browser)
    await browser.run(AccountState.forget_browser, line.id)
    page = browser.state(AccountState)
    assert (page.devices, page.error) == ([], "") and "Forgotten" in page.notice
    assert (await sign_in(same_browser(browser))).state(AuthState).signin_step == "code"


async def test_a_browser_forgotten_elsewhere_signs_in_with_the_code_again(app_runtime, mailbox):
    first, phone, _ = await with_two_step(mailbox)
    browser = await remembered_browser(phone)
    [line] = await devices_listed(first)
    assert not line.current  # listed on another browser's account page: not this one
    await first.run(AccountState.forget_browser, line.id)
    later = await sign_in(same_browser(browser))
    assert (later.state(AuthState).signin_step, later.state(AuthState).error) == ("code", "")
    with runtime.current().database.session() as db:
        assert db.exec(select(RememberedDevice)).all() == []  # the stale key went with it


async def test_the_device_secret_stays_sealed_on_the_server(app_runtime, mailbox):
    _, phone, _ = await with_two_step(mailbox)
    browser = await remembered_browser(phone)
    with runtime.current().database.session() as db:
        [row] = db.exec(select(RememberedDevice)).all()
    device = runtime.current().accounts.devices.for_sign_in(
        browser.cookies[runtime.current().settings.device_cookie], EMAIL
    )
    assert device is not None and device.key == row.device_key
    assert device.password.encode() not in row.sealed_secret and device.key.encode() not in row.sealed_secret
    assert len(await devices_listed(browser)) == 1
    for state in (browser.state(AuthState), browser.state(AccountState), browser.state(SessionState)):
        shown = str(state.dict())
        assert device.key not in shown and device.password not in shown
    other_browser = Tab("/signin").cookies[runtime.current().settings.device_cookie]
    assert runtime.current().accounts.devices.for_sign_in(other_browser, EMAIL) is None


@pytest.mark.parametrize("app_runtime", ["always"], indirect=True)
async def test_a_pool_that_remembers_every_browser_does_not_ask(app_runtime, mailbox):
    _, phone, _ = await with_two_step(mailbox)
    tab = await at_the_code_step()
    assert not tab.state(AuthState).offer_remember
    await tab.run(SecondStepState.answer_code, {"mfa": phone.code()})
    assert (await sign_in(same_browser(tab))).state(SessionState).signed_in


@pytest.mark.parametrize("app_runtime", ["off"], indirect=True)
async def test_a_pool_that_remembers_no_browser_asks_every_time_and_lists_none(app_runtime, mailbox):
    _, phone, _ = await with_two_step(mailbox)
    tab = await at_the_code_step()
    await tab.run(SecondStepState.answer_code, {"mfa": phone.code(), "remember": "on"})
    assert tab.state(SessionState).signed_in
    assert (await sign_in(same_browser(tab))).state(AuthState).signin_step == "code"
    tab.navigate("/account")
    await tab.run(AccountState.load)
    assert not tab.state(AccountState).remembering


async def test_turning_two_step_off_forgets_every_remembered_browser(app_runtime, mailbox):
    first, phone, _ = await with_two_step(mailbox)
    browser = await remembered_browser(phone)
    await first.run(AccountState.turn_off_two_step, {"off_password": PASSWORD})
    assert first.state(AccountState).devices == []
    second_app = Phone(shown_secret(await first.run(AccountState.begin_two_step)))
    await first.run(AccountState.confirm_two_step, {"mfa": second_app.code()})
    assert first.state(AccountState).two_step_on
    assert (await sign_in(same_browser(browser))).state(AuthState).signin_step == "code"


async def test_a_recovery_code_forgets_every_remembered_browser(app_runtime, mailbox):
    _, phone, codes = await with_two_step(mailbox)
    browser = await remembered_browser(phone)
    elsewhere = await at_the_code_step()
    await elsewhere.run(SecondStepState.use_recovery_code, {"recovery": codes[0]})
    assert elsewhere.state(SessionState).signed_in
    assert await devices_listed(browser) == []
    with runtime.current().database.session() as db:
        assert db.exec(select(RememberedDevice)).all() == []

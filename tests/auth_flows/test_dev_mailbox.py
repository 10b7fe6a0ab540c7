"""The developer mailbox: only while the embedded provider runs, only to this machine's peers,
and codes on the console only in the dev server."""

import pytest

from cruddur.auth.password_policy import DEFAULT_POLICY
from cruddur.embedded_identity import provider_config
from cruddur.state.auth import AuthState
from cruddur.state.mailbox import MailboxState
from tests.auth_flows.test_auth_state import signup_form
from tests.support.tabs import Tab


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1"])
async def test_a_browser_on_this_machine_reads_the_codes(app_runtime, peer):
    await Tab("/signup").run(AuthState.sign_up, signup_form())
    tab = Tab("/dev/mailbox", address=peer)
    await tab.run(MailboxState.load)
    mailbox = tab.state(MailboxState)
    assert not mailbox.refused and [letter.recipient for letter in mailbox.letters] == ["ada@example.com"]


async def test_a_browser_elsewhere_gets_nothing_even_claiming_to_be_loopback(app_runtime):
    await Tab("/signup").run(AuthState.sign_up, signup_form())
    # The address the client claims (X-Forwarded-For, trusted or not) is loopback; its socket's is not.
    tab = Tab("/dev/mailbox", address="127.0.0.1", peer="203.0.113.9")
    await tab.run(MailboxState.load)
    mailbox = tab.state(MailboxState)
    assert mailbox.refused and mailbox.letters == []


async def test_with_a_real_user_pool_the_mailbox_is_closed(offline_runtime):
    tab = Tab("/dev/mailbox")
    await tab.run(MailboxState.load)
    assert tab.state(MailboxState).refused


@pytest.mark.parametrize(("mode", "echo"), [("dev", True), ("prod", False), (None, False)])
def test_codes_reach_the_console_only_in_the_dev_server(make_settings, mode, echo):
    assert provider_config(make_settings(reflex_env_mode=mode), DEFAULT_POLICY).echo_codes_to_console is echo

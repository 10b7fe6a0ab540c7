"""Repeated wrong passwords lock the account out — per account — and the sign-in form's answer
never tells whether the e-mail has an account: the same text and field for a wrong password,
an unknown e-mail, and the right password during the lock-out (AuthState.sign_in, embedded
provider)."""

from cruddur.localcognito import LocalCognitoConfig
from cruddur.state.auth import AuthState
from cruddur.state.session import SessionState
from tests.auth_flows.test_auth_state import PASSWORD, signed_up_and_confirmed
from tests.support.tabs import Tab, redirects

THRESHOLD = LocalCognitoConfig().lockout_threshold
WRONG = "Wrong-password-1!"


async def answer(email: str, password: str) -> tuple:
    tab = Tab("/signin")
    events = await tab.run(AuthState.sign_in, {"email": email, "password": password})
    auth = tab.state(AuthState)
    return auth.error, auth.error_field, tab.state(SessionState).signed_in, tuple(redirects(events))


async def test_wrong_passwords_lock_one_account_without_revealing_which_accounts_exist(app_runtime, mailbox):
    await signed_up_and_confirmed(mailbox, "ada@example.com", "ada")
    await signed_up_and_confirmed(mailbox, "bob@example.com", "bob")

    before = [await answer("ada@example.com", WRONG) for _ in range(THRESHOLD)]
    after = [await answer("ada@example.com", WRONG) for _ in range(2)]
    unknown = [await answer("nobody@example.com", WRONG) for _ in range(THRESHOLD + 2)]
    locked_out = await answer("ada@example.com", PASSWORD)  # the right password, while locked

    refused = before + after + unknown + [locked_out]
    assert len(set(refused)) == 1, set(refused)
    error, field, signed_in, went = refused[0]
    assert "Incorrect email or password" in error and field == "password"
    assert not signed_in and went == ()

    # Per account: another person is not affected.
    assert (await answer("bob@example.com", PASSWORD))[2] is True

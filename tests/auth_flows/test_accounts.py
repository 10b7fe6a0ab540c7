import pytest

from cruddur.auth import accounts, identity
from cruddur.auth.accounts import AccountError
from cruddur.auth.cognito import CognitoError
from cruddur.auth.errors import friendly
from tests.auth_flows.session_rows import expire_soon, stored_access_token

PASSWORD = "Crud-dur-2026!"


def signed_up(mailbox, email="ada@example.com", handle="ada") -> str:
    accounts.sign_up(name="Ada Lovelace", email=email, handle=handle, password=PASSWORD)
    accounts.confirm_sign_up(email=email, code=mailbox(email))
    return email


def test_sign_in_gives_a_session_that_restores_the_person(provider, mailbox):
    email = signed_up(mailbox)
    handle, viewer = accounts.sign_in(email=email, password=PASSWORD)
    assert (viewer.handle, viewer.display_name) == ("ada", "Ada Lovelace")
    restored = accounts.restore(handle)
    assert restored == viewer


def test_an_access_token_near_expiry_is_refreshed_on_restore(provider, mailbox):
    handle, viewer = accounts.sign_in(email=signed_up(mailbox), password=PASSWORD)
    before = stored_access_token(handle)
    expire_soon(handle)
    assert accounts.restore(handle) == viewer
    after = stored_access_token(handle)
    assert after != before
    assert identity.get_verifier().verify(after)["sub"] == viewer.sub


def test_a_revoked_refresh_token_ends_the_session_cleanly(provider, mailbox):
    handle, _ = accounts.sign_in(email=signed_up(mailbox), password=PASSWORD)
    identity.get_cognito().global_sign_out(stored_access_token(handle))  # signed out elsewhere
    expire_soon(handle)
    with pytest.raises(AccountError) as refused:
        accounts.restore(handle)
    assert refused.value.code == "SessionExpired"
    assert accounts.restore(handle) is None


def test_sign_out_revokes_the_tokens_at_cognito(provider, mailbox):
    handle, _ = accounts.sign_in(email=signed_up(mailbox), password=PASSWORD)
    access = stored_access_token(handle)
    accounts.sign_out(handle)
    assert accounts.restore(handle) is None
    with pytest.raises(CognitoError) as refused:
        identity.get_cognito().global_sign_out(access)
    assert refused.value.code == "NotAuthorizedException"


def test_sign_in_rotates_the_session_handle(provider, mailbox):
    email = signed_up(mailbox)
    first, _ = accounts.sign_in(email=email, password=PASSWORD)
    second, _ = accounts.sign_in(email=email, password=PASSWORD)
    assert first != second and len(second) >= 43


def test_an_unreachable_provider_is_a_friendly_unavailable_error(provider, mailbox):
    email = signed_up(mailbox)
    identity.stop_local_provider()
    with pytest.raises(AccountError) as refused:
        accounts.sign_in(email=email, password=PASSWORD)
    assert refused.value.code == "Unavailable"
    assert "try again" in friendly(refused.value.code).message


def test_a_second_worker_uses_the_provider_the_first_one_serves(provider, mailbox):
    """Two backend workers on one data dir: the port is taken, the pool is the same."""
    from cruddur.localcognito import LocalCognitoConfig, start_in_thread
    from cruddur.settings import get_settings

    email = signed_up(mailbox)
    identity.reset()  # this process now plays a second worker; the first keeps serving
    first = start_in_thread(
        LocalCognitoConfig(data_dir=get_settings().data_dir, port=int(provider["endpoint_url"].rsplit(":", 1)[1]))
    )
    try:
        assert identity.local_provider()["user_pool_id"] == provider["user_pool_id"]
        handle, viewer = accounts.sign_in(email=email, password=PASSWORD)
        assert accounts.restore(handle) == viewer
    finally:
        identity.reset()
        first.stop()

"""The account service and the sessions it keeps, against the real embedded provider."""

import re
from datetime import timedelta

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from cruddur import runtime
from cruddur.auth.cognito import CognitoError
from cruddur.auth.errors import friendly
from cruddur.embedded_identity import start as start_embedded
from cruddur.models import AuthSession
from cruddur.services.accounts import AccountError
from cruddur.services.clock import utcnow
from cruddur.services.sessions import Client
from cruddur.settings import ConfigurationError
from tests.auth_flows.conftest import PASSWORD

JWT = re.compile(rb"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")
CLIENT = Client(address="127.0.0.1", user_agent="tests")


def signed_up(rt, mailbox, email="ada@example.com", handle="ada") -> str:
    rt.accounts.sign_up(name="Ada Lovelace", email=email, handle=handle, password=PASSWORD, client=CLIENT)
    rt.accounts.confirm_sign_up(email=email, code=mailbox(email), client=CLIENT)
    return email


def sign_in(rt, email="ada@example.com") -> str:
    return rt.accounts.sign_in(email=email, password=PASSWORD, client=CLIENT).handle


def move_session(rt, handle: str, **times) -> None:
    """Moves a session's clocks (created_at, last_seen_at, access_expires_at, rechecked_at)."""
    from cruddur.auth.session_seal import handle_hash

    with rt.database.session() as db:
        row = db.get(AuthSession, handle_hash(handle))
        for name, delta in times.items():
            setattr(row, name, getattr(row, name) + delta)
        db.add(row)
        db.commit()


def test_sign_in_gives_a_session_that_resumes_the_person(app_runtime, mailbox):
    email = signed_up(app_runtime, mailbox)
    signed_in = app_runtime.accounts.sign_in(email=email, password=PASSWORD, client=CLIENT)
    assert (signed_in.viewer.handle, signed_in.viewer.display_name) == ("ada", "Ada Lovelace")
    assert app_runtime.accounts.resume(signed_in.handle) == signed_in.viewer


def test_the_tokens_are_sealed_at_rest_and_the_row_opens_only_with_its_handle(app_runtime, mailbox):
    handle = sign_in(app_runtime, signed_up(app_runtime, mailbox))
    database_file = app_runtime.settings.data_dir / "cruddur.db"
    with app_runtime.database.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    for path in database_file.parent.glob("cruddur.db*"):
        assert not JWT.search(path.read_bytes()), f"a JWT in the clear in {path.name}"
    assert app_runtime.sessions.load(handle + "x") is None
    assert app_runtime.sessions.load(handle).tokens.refresh_token


def test_an_access_token_near_expiry_is_refreshed_on_resume(app_runtime, mailbox):
    handle = sign_in(app_runtime, signed_up(app_runtime, mailbox))
    before = app_runtime.sessions.load(handle).tokens.access_token
    move_session(app_runtime, handle, access_expires_at=timedelta(minutes=-59))
    app_runtime.accounts.resume(handle)
    after = app_runtime.sessions.load(handle).tokens.access_token
    assert after != before
    assert app_runtime.identity.verifier.verify(after)["sub"]


def test_a_revoked_refresh_token_ends_the_session_cleanly(app_runtime, mailbox):
    handle = sign_in(app_runtime, signed_up(app_runtime, mailbox))
    app_runtime.identity.cognito.global_sign_out(app_runtime.sessions.load(handle).tokens.access_token)
    move_session(app_runtime, handle, access_expires_at=timedelta(minutes=-59))
    with pytest.raises(AccountError) as refused:
        app_runtime.accounts.resume(handle)
    assert refused.value.code == "SessionExpired"
    assert app_runtime.accounts.resume(handle) is None


@pytest.mark.parametrize(
    ("moved", "limit"),
    [("last_seen_at", "idle"), ("created_at", "lifetime")],
    ids=["idle", "absolute"],
)
def test_a_session_past_its_idle_or_absolute_limit_ends_and_is_purged(app_runtime, mailbox, moved, limit):
    handle = sign_in(app_runtime, signed_up(app_runtime, mailbox))
    span = getattr(app_runtime.sessions.policy, limit) + timedelta(seconds=1)
    move_session(app_runtime, handle, **{moved: -span})
    with pytest.raises(AccountError) as refused:
        app_runtime.accounts.resume(handle)
    assert refused.value.code == "SessionExpired"
    assert app_runtime.sessions.load(handle) is None


def test_purge_works_off_ended_sessions_in_bounded_batches(app_runtime, mailbox):
    email = signed_up(app_runtime, mailbox)
    handles = [sign_in(app_runtime, email) for _ in range(5)]
    later = utcnow() + app_runtime.sessions.policy.lifetime + timedelta(seconds=1)
    assert app_runtime.sessions.purge(batch=2, now=later) == 2
    assert app_runtime.sessions.purge(batch=2, now=later) == 2
    assert app_runtime.sessions.purge(batch=2, now=later) == 1
    assert app_runtime.sessions.purge(batch=2, now=later) == 0
    assert all(app_runtime.sessions.load(h) is None for h in handles)


def test_a_user_disabled_at_cognito_is_signed_out_at_the_next_recheck(app_runtime, mailbox):
    handle = sign_in(app_runtime, signed_up(app_runtime, mailbox))
    pool = app_runtime.identity.pool
    admin = boto3.client(
        "cognito-idp", region_name=pool.region, endpoint_url=pool.endpoint_url,
        aws_access_key_id="x", aws_secret_access_key="x",
    )  # fmt: skip
    admin.admin_disable_user(UserPoolId=pool.user_pool_id, Username="ada@example.com")
    assert app_runtime.accounts.resume(handle) is not None  # within the recheck interval
    move_session(app_runtime, handle, rechecked_at=-app_runtime.sessions.policy.recheck)
    with pytest.raises(AccountError) as refused:
        app_runtime.accounts.resume(handle)
    assert refused.value.code == "SessionExpired"


def test_sign_out_revokes_at_cognito_and_ends_the_api_tokens(app_runtime, mailbox):
    handle = sign_in(app_runtime, signed_up(app_runtime, mailbox))
    stored = app_runtime.sessions.load(handle)
    claims = app_runtime.identity.verifier.verify(stored.tokens.access_token)
    assert not app_runtime.revocations.refuses(claims)
    app_runtime.accounts.sign_out(handle)
    assert app_runtime.accounts.resume(handle) is None
    assert app_runtime.revocations.refuses(claims)
    with pytest.raises(CognitoError) as refused:
        app_runtime.identity.cognito.refresh(stored.tokens.refresh_token)
    assert refused.value.code == "NotAuthorizedException"


def test_sign_out_with_an_expired_access_token_still_revokes_the_refresh_token(app_runtime, mailbox):
    handle = sign_in(app_runtime, signed_up(app_runtime, mailbox))
    refresh = app_runtime.sessions.load(handle).tokens.refresh_token
    move_session(app_runtime, handle, access_expires_at=timedelta(hours=-2))
    app_runtime.accounts.sign_out(handle)
    with pytest.raises(CognitoError):
        app_runtime.identity.cognito.refresh(refresh)


def test_sign_out_while_cognito_is_unreachable_still_ends_the_sessions(app_runtime, mailbox):
    email = signed_up(app_runtime, mailbox)
    handle, other = sign_in(app_runtime, email), sign_in(app_runtime, email)
    app_runtime.embedded.stop()
    app_runtime.accounts.sign_out(handle)
    assert app_runtime.sessions.load(handle) is None and app_runtime.sessions.load(other) is None


def test_sign_in_rotates_the_session_handle(app_runtime, mailbox):
    email = signed_up(app_runtime, mailbox)
    first, second = sign_in(app_runtime, email), sign_in(app_runtime, email)
    assert first != second and len(second) >= 43


def test_an_unreachable_provider_is_a_friendly_unavailable_error(app_runtime, mailbox):
    email = signed_up(app_runtime, mailbox)
    app_runtime.embedded.stop()
    with pytest.raises(AccountError) as refused:
        app_runtime.accounts.sign_in(email=email, password=PASSWORD, client=CLIENT)
    assert refused.value.code == "Unavailable"
    assert "try again" in friendly(refused.value.code).message


def test_a_second_worker_uses_the_provider_the_first_one_serves(app_runtime, mailbox):
    """Two backend workers on one data dir: the port is taken, the pool is the same."""
    email = signed_up(app_runtime, mailbox)
    second = start_embedded(app_runtime.settings, app_runtime.password_policy)
    assert second.pool == app_runtime.identity.pool
    assert second._serving is None
    assert sign_in(app_runtime, email)


def test_a_port_taken_by_another_provider_is_a_clear_error(app_runtime, make_settings, tmp_path):
    """Something else on the configured port (another checkout's `make run`) is never used."""
    elsewhere = make_settings(
        data_dir=tmp_path / "elsewhere", local_cognito_port=app_runtime.settings.local_cognito_port
    )
    with pytest.raises(ConfigurationError, match="LOCAL_COGNITO_PORT"):
        start_embedded(elsewhere, app_runtime.password_policy)


def test_a_port_taken_by_something_that_is_not_a_provider_is_a_clear_error(make_settings):
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        settings = make_settings(local_cognito_port=squatter.getsockname()[1])
        with pytest.raises(ConfigurationError, match="LOCAL_COGNITO_PORT"):
            runtime.start(settings)


def test_an_account_made_straight_through_cognito_with_a_clashing_handle_chooses_one(app_runtime, mailbox):
    signed_up(app_runtime, mailbox)  # @ada exists
    pool = app_runtime.identity.pool
    cognito = boto3.client(
        "cognito-idp",
        region_name=pool.region,
        endpoint_url=pool.endpoint_url,
        config=Config(signature_version=UNSIGNED),
    )
    # No preferred_username: a mobile client that never asked for one.
    cognito.sign_up(
        ClientId=pool.client_id,
        Username="other@example.com",
        Password=PASSWORD,
        UserAttributes=[{"Name": "name", "Value": "Other"}, {"Name": "email", "Value": "other@example.com"}],
    )
    cognito.confirm_sign_up(
        ClientId=pool.client_id, Username="other@example.com", ConfirmationCode=mailbox("other@example.com")
    )
    signed_in = app_runtime.accounts.sign_in(email="other@example.com", password=PASSWORD, client=CLIENT)
    assert signed_in.viewer.handle == "" and signed_in.viewer.display_name == "Other"
    with pytest.raises(AccountError) as refused:
        app_runtime.accounts.choose_handle(signed_in.handle, handle="ADA", name="Other")
    assert refused.value.code == "HandleTakenException"
    chosen = app_runtime.accounts.choose_handle(signed_in.handle, handle="Other_1", name="Other")
    assert chosen.handle == "other_1"
    assert app_runtime.accounts.resume(signed_in.handle).handle == "other_1"


def test_a_password_change_ends_every_session_and_keeps_this_browser_on_a_new_one(app_runtime, mailbox):
    email = signed_up(app_runtime, mailbox)
    here, elsewhere = sign_in(app_runtime, email), sign_in(app_runtime, email)
    old_refresh = app_runtime.sessions.load(elsewhere).tokens.refresh_token
    with pytest.raises(AccountError) as refused:
        app_runtime.accounts.change_password(
            here, email=email, previous="Wrong-pass-1!", proposed="Newer-pass-2027!", confirm="Newer-pass-2027!",
            client=CLIENT,
        )  # fmt: skip
    assert refused.value.code == "NotAuthorizedException"
    kept = app_runtime.accounts.change_password(
        here, email=email, previous=PASSWORD, proposed="Newer-pass-2027!", confirm="Newer-pass-2027!", client=CLIENT
    )
    assert app_runtime.accounts.resume(here) is None and app_runtime.accounts.resume(elsewhere) is None
    assert app_runtime.accounts.resume(kept.handle).handle == "ada"
    with pytest.raises(CognitoError):
        app_runtime.identity.cognito.refresh(old_refresh)


def test_a_user_deleted_at_cognito_is_signed_out_at_the_next_recheck(app_runtime, mailbox):
    handle = sign_in(app_runtime, signed_up(app_runtime, mailbox))
    pool = app_runtime.identity.pool
    admin = boto3.client(
        "cognito-idp", region_name=pool.region, endpoint_url=pool.endpoint_url,
        aws_access_key_id="x", aws_secret_access_key="x",
    )  # fmt: skip
    admin.admin_delete_user(UserPoolId=pool.user_pool_id, Username="ada@example.com")
    move_session(app_runtime, handle, rechecked_at=-app_runtime.sessions.policy.recheck)
    with pytest.raises(AccountError) as refused:
        app_runtime.accounts.resume(handle)
    assert refused.value.code == "SessionExpired"

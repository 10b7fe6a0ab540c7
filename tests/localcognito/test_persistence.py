"""Restarting on the same data dir loses nothing; the standalone command prints its JSON line."""

import json
import sqlite3
import urllib.request

import pytest

from .support import PASSWORD, standalone, start_pool


def test_restart_keeps_users_codes_mailbox_sessions_and_keys(tmp_path, new_email):
    first = start_pool(tmp_path)
    try:
        first.confirmed_user(new_email)
        pending = f"pending-{new_email}"
        first.sign_up(pending)
        user = first.signed_in(new_email)
        ids = (first.handle.user_pool_id, first.handle.client_id)
        with urllib.request.urlopen(first.handle.jwks_url, timeout=10) as response:
            jwks = json.load(response)
        mailbox = first.mailbox()
    finally:
        first.handle.stop()

    second = start_pool(tmp_path, port=int(first.handle.endpoint_url.rsplit(":", 1)[1]))
    try:
        assert (second.handle.user_pool_id, second.handle.client_id) == ids
        with urllib.request.urlopen(second.handle.jwks_url, timeout=10) as response:
            assert json.load(response) == jwks
        assert second.mailbox() == mailbox
        assert second.client.get_user(AccessToken=user.access_token)["Username"]  # session survived
        user.client = second.client
        user.renew_access_token()  # refresh token survived, new tokens verify against the same keys
        second.signed_in(new_email, PASSWORD)
        second.client.confirm_sign_up(  # a code issued before the restart still confirms
            ClientId=second.handle.client_id, Username=pending, ConfirmationCode=second.latest_code(pending)
        )
    finally:
        second.handle.stop()
    assert (tmp_path / "localcognito.db").exists()


def test_restart_keeps_a_pending_email_change_and_its_code(tmp_path, new_email):
    first = start_pool(tmp_path)
    moved = f"new-{new_email}"
    try:
        first.confirmed_user(new_email)
        access = first.password_auth(new_email)["AuthenticationResult"]["AccessToken"]
        first.client.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email", "Value": moved}])
    finally:
        first.handle.stop()

    second = start_pool(tmp_path, port=int(first.handle.endpoint_url.rsplit(":", 1)[1]))
    try:
        second.password_auth(new_email)  # still the address that signs in
        code = second.latest_code(moved, "VERIFY_EMAIL")
        second.client.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
        second.password_auth(moved)
    finally:
        second.handle.stop()


def test_standalone_command_prints_one_json_line_and_serves(tmp_path):
    with standalone(tmp_path) as (info, _process):
        assert {"endpoint_url", "user_pool_id", "client_id", "region", "mailbox_url"} <= set(vars(info))
        assert info.endpoint_url.startswith("http://127.0.0.1:") and "_" in info.user_pool_id
        with urllib.request.urlopen(info.mailbox_url, timeout=10) as response:
            assert json.load(response) == {"messages": []}


# lc_user as the first schema made it, before users could be disabled (no `enabled` column).
OLD_USER_TABLE = """
CREATE TABLE lc_user (
    sub VARCHAR NOT NULL,
    email VARCHAR NOT NULL,
    email_verified BOOLEAN NOT NULL,
    name VARCHAR,
    preferred_username VARCHAR,
    handle_key VARCHAR,
    status VARCHAR NOT NULL,
    salt VARCHAR NOT NULL,
    verifier VARCHAR NOT NULL,
    failed_sign_ins INTEGER NOT NULL,
    locked_until FLOAT NOT NULL,
    created_at FLOAT NOT NULL,
    updated_at FLOAT NOT NULL,
    PRIMARY KEY (sub)
);
CREATE UNIQUE INDEX ix_lc_user_email ON lc_user (email);
CREATE UNIQUE INDEX ix_lc_user_handle_key ON lc_user (handle_key);
"""


def test_a_db_from_before_users_could_be_disabled_opens_and_its_users_carry_on(tmp_path, new_email):
    old = sqlite3.connect(tmp_path / "localcognito.db")
    old.executescript(OLD_USER_TABLE)
    old.execute(
        "INSERT INTO lc_user VALUES (?, ?, 1, 'Old Timer', NULL, NULL, 'CONFIRMED', '00', '00', 0, 0, 0, 0)",
        ("0b6f3d52-5f1e-4a8e-9a38-2f0e7d6c1a11", new_email),
    )
    old.commit()
    old.close()

    pool = start_pool(tmp_path)
    try:
        old_user = pool.client.admin_get_user(UserPoolId=pool.handle.user_pool_id, Username=new_email)
        assert old_user["Enabled"] is True and old_user["UserStatus"] == "CONFIRMED"
        pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
        pool.client.confirm_forgot_password(
            ClientId=pool.handle.client_id,
            Username=new_email,
            ConfirmationCode=pool.latest_code(new_email, "FORGOT_PASSWORD"),
            Password=PASSWORD,
        )
        pool.signed_in(new_email)
        pool.client.admin_disable_user(UserPoolId=pool.handle.user_pool_id, Username=new_email)
        with pytest.raises(pool.client.exceptions.NotAuthorizedException):
            pool.password_auth(new_email)
        pool.confirmed_user(f"new-{new_email}")  # users made now get the column too
    finally:
        pool.handle.stop()


# What the schema gained with passkeys (tables) and federation (columns and tables).
NEW_TABLES = (
    "lc_webauthn_credential",
    "lc_webauthn_registration",
    "lc_identity_provider",
    "lc_federated_identity",
    "lc_authorization_code",
)
NEW_COLUMNS = {"lc_user": ("username", "external_email", "identities"), "lc_session": ("scope",)}


def _as_before_passkeys_and_federation(db) -> None:
    """Turn a data file back into what the provider wrote before passkeys and federation."""
    old = sqlite3.connect(db)
    old.execute("DROP INDEX ix_lc_user_username")
    for table in NEW_TABLES:
        old.execute(f"DROP TABLE {table}")
    for table, columns in NEW_COLUMNS.items():
        for column in columns:
            old.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    old.commit()
    old.close()


def test_a_db_from_before_passkeys_and_federation_opens_and_its_sign_ins_carry_on(tmp_path, new_email):
    first = start_pool(tmp_path)
    try:
        first.confirmed_user(new_email)
        before = first.password_auth(new_email)["AuthenticationResult"]
    finally:
        first.handle.stop()
    db = tmp_path / "localcognito.db"
    _as_before_passkeys_and_federation(db)

    pool = start_pool(tmp_path, port=int(first.handle.endpoint_url.rsplit(":", 1)[1]))  # the same issuer
    try:
        upgraded = sqlite3.connect(db)
        tables = {row[0] for row in upgraded.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert set(NEW_TABLES) <= tables
        for table, columns in NEW_COLUMNS.items():
            assert set(columns) <= {row[1] for row in upgraded.execute(f"PRAGMA table_info({table})")}
        assert "ix_lc_user_username" in {row[1] for row in upgraded.execute("PRAGMA index_list(lc_user)")}
        upgraded.close()

        # A sign-in made before (its scope null) still speaks for the API, as do its refreshed tokens.
        assert pool.client.get_user(AccessToken=before["AccessToken"])["Username"]
        refreshed = pool.client.initiate_auth(
            ClientId=pool.handle.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": before["RefreshToken"]},
        )["AuthenticationResult"]
        access = refreshed["AccessToken"]
        factors = pool.client.get_user_auth_factors(AccessToken=access)
        assert factors["ConfiguredUserAuthFactors"][0] == "PASSWORD"
        assert pool.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
        assert pool.client.list_identity_providers(UserPoolId=pool.handle.user_pool_id)["Providers"] == []
        assert pool.user_auth(new_email, "PASSWORD", PASSWORD=PASSWORD)["AuthenticationResult"]
    finally:
        pool.handle.stop()

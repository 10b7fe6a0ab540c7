"""Restarting on the same data dir loses nothing; the standalone command prints its JSON line."""

import json
import urllib.request

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


def test_standalone_command_prints_one_json_line_and_serves(tmp_path):
    with standalone(tmp_path) as (info, _process):
        assert {"endpoint_url", "user_pool_id", "client_id", "region", "mailbox_url"} <= set(vars(info))
        assert info.endpoint_url.startswith("http://127.0.0.1:") and "_" in info.user_pool_id
        with urllib.request.urlopen(info.mailbox_url, timeout=10) as response:
            assert json.load(response) == {"messages": []}

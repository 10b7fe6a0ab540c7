"""The local mailbox at GET {endpoint_url}/_mailbox and the console echo."""

import json
import logging
import re
import urllib.request

from .support import PASSWORD, boto3_client, standalone


def test_mailbox_lists_messages_newest_first_with_every_field(pool, new_email):
    pool.confirmed_user(new_email)
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)

    mine = [m for m in pool.mailbox() if m["to"] == new_email]
    assert [m["kind"] for m in mine] == ["FORGOT_PASSWORD", "SIGN_UP"]
    for message in mine:
        assert set(message) == {"id", "to", "username", "kind", "code", "created_at"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", message["created_at"])
    assert mine[0]["created_at"] >= mine[1]["created_at"]


def test_codes_are_echoed_to_the_console_only_when_asked_in_one_line_without_the_password(
    start_own_pool, new_email, capfd
):
    pool = start_own_pool(echo_codes_to_console=True)
    pool.sign_up(new_email)
    code = pool.latest_code(new_email)

    lines = [line for line in capfd.readouterr().err.splitlines() if new_email in line]
    assert len(lines) == 1 and code in lines[0]
    assert PASSWORD not in lines[0]


def test_by_default_no_code_token_or_password_reaches_the_console_or_the_logs(pool, new_email, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # as someone debugging SQL would
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)
    user.renew_access_token()
    pool.client.get_user(AccessToken=user.access_token)
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    reset_code = pool.latest_code(new_email, "FORGOT_PASSWORD")
    pool.client.confirm_forgot_password(
        ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=reset_code, Password="N3w-password!"
    )

    secrets = [PASSWORD, "N3w-password!", pool.latest_code(new_email), reset_code]
    secrets += [user.access_token, user.id_token, user.refresh_token]
    captured = capfd.readouterr()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert any("sqlalchemy" in record.name for record in caplog.records)  # the SQL log was on
    for secret in secrets:
        assert secret not in captured.out and secret not in captured.err and secret not in logged


def test_the_command_echoes_codes_only_with_its_flag(tmp_path, new_email):
    for flags, echoed in (((), False), (("--echo-codes",), True)):
        with standalone(tmp_path / str(echoed), *flags) as (info, process):
            boto3_client(info, retries=0).sign_up(
                ClientId=info.client_id,
                Username=new_email,
                Password=PASSWORD,
                UserAttributes=[{"Name": "name", "Value": "Jane"}],
            )
            with urllib.request.urlopen(info.mailbox_url, timeout=10) as response:
                code = json.load(response)["messages"][0]["code"]
        assert (code in process.stderr.read()) is echoed

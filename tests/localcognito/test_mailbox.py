"""The local mailbox at GET {endpoint_url}/_mailbox and the console echo."""

import re

from .support import PASSWORD


def test_mailbox_lists_messages_newest_first_with_every_field(pool, new_email):
    pool.confirmed_user(new_email)
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)

    mine = [m for m in pool.mailbox() if m["to"] == new_email]
    assert [m["kind"] for m in mine] == ["FORGOT_PASSWORD", "SIGN_UP"]
    for message in mine:
        assert set(message) == {"id", "to", "username", "kind", "code", "created_at"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", message["created_at"])
    assert mine[0]["created_at"] >= mine[1]["created_at"]


def test_each_code_is_echoed_to_the_console_in_one_line_without_the_password(pool, new_email, capfd):
    pool.sign_up(new_email)
    code = pool.latest_code(new_email)

    lines = [line for line in capfd.readouterr().err.splitlines() if new_email in line]
    assert len(lines) == 1 and code in lines[0]
    assert PASSWORD not in lines[0]

"""Passwords, codes, tokens, session cookies and sign-in tickets never reach the app's log, even
at `--loglevel debug` (the suite's served app runs at it): a person signs up, confirms, signs
in, posts, signs out and resets their password over the websocket, a few malformed sign-in
events carry a password-like string, and then nothing any of that handled is found in what
`reflex run` wrote, nor any JWT from whatever else the suite did before."""

import re

from cruddur.state.auth import AuthState
from tests.support import socket_actions
from tests.support.mailbox import latest_code
from tests.support.socket_actions import go, open_page, sign_in, submit
from tests.support.socket_tab import Browser, delta_has

PASSWORD, NEW_PASSWORD, PLANTED = "Log-safety-2026!", "Log-safety-2027?", "Sekret-Passw0rd!"
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.")
MALFORMED_SIGN_INS = [
    {"form": PLANTED},
    {"form": {"email": 1, "password": PLANTED}},
    {"form": [PLANTED]},
    {"pasword": PLANTED},  # an argument the handler does not take
    {"form": {"email": "ada@example.com", "password": PLANTED}, "extra": PLANTED},
]


def found(log: str, secret: str) -> bool:
    """Whether the log holds `secret`; a code counts only as a number of its own."""
    return bool(re.search(rf"(?<!\d){re.escape(secret)}(?!\d)", log)) if secret.isdigit() else secret in log


async def test_no_password_code_token_cookie_or_ticket_reaches_a_debug_log(running):
    url, mailbox = running.url, running.provider.mailbox_url
    email = "log.safety@example.com"
    browser = Browser(url)
    tab = browser.tab()
    secrets: dict[str, str] = {"password": PASSWORD, "new password": NEW_PASSWORD, "planted": PLANTED}

    await socket_actions.sign_up(
        tab, url, mailbox, name="Log Safety", email=email, handle="log_safety", password=PASSWORD
    )
    secrets["sign-up code"] = latest_code(mailbox, email)
    assert (await sign_in(tab, email, PASSWORD)).ok, tab.brief()
    secrets["first session cookie"] = browser.cookie("cruddur_session")
    await go(tab, "/")
    assert (await socket_actions.post(tab, "Nothing secret in here")).ok
    await socket_actions.sign_out(tab)
    assert not browser.cookie("cruddur_session")

    await open_page(tab, url, "/forgot")
    await tab.send(AuthState.send_reset_code, form={"email": email})
    await tab.wait_for(lambda t: t.var(AuthState, "forgot_step") == "reset", "the reset code to be sent")
    secrets["reset code"] = code = latest_code(mailbox, email, "FORGOT_PASSWORD")
    await tab.send(AuthState.reset_password, form={"code": code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    await tab.wait_for(lambda t: t.var(AuthState, "forgot_step") == "done", "the password to be reset", 30)

    await go(tab, "/signin")
    for payload in MALFORMED_SIGN_INS:  # each answered (a refusal, or Reflex's error toast) before the next
        mark, toasts = await tab.send(AuthState.sign_in, payload), len(tab.toasts)
        await tab.wait_for(
            lambda t, mark=mark, toasts=toasts: delta_has(t.since(mark), AuthState, "busy", False) or t.toasts[toasts:],
            f"an answer to {payload}",
        )
    mark, _, finished = await submit(tab, AuthState.sign_in, {"email": email, "password": NEW_PASSWORD}, 30)
    assert finished and tab.redirects_since(mark) == ["/"], tab.brief()
    await browser.settled()
    secrets["second session cookie"] = browser.cookie("cruddur_session")
    assert secrets["second session cookie"], tab.brief()
    for n, script in enumerate(s for s in tab.scripts if "adopt(" in s):
        secrets[f"ticket {n}"] = script.split('"')[1]
    secrets["device cookie"] = browser.cookie("cruddur_browser")
    await browser.close()

    log = running.app.log.read_text(errors="replace")
    assert "Debug: " in log, "the app did not log at debug level: the test proves nothing"
    leaked = sorted(name for name, secret in secrets.items() if secret and found(log, secret))
    assert not leaked, f"in the app's log: {leaked}"
    assert not JWT.search(log), f"a JWT in the app's log: {JWT.search(log)[0][:40]}..."

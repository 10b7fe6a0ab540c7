"""Codes from the local identity provider's mailbox (`GET <endpoint>/_mailbox`, newest first)."""

import time

import httpx

WAIT_S = 10.0


def latest_code(mailbox_url: str, email: str, kind: str = "SIGN_UP") -> str:
    """The newest code of `kind` for `email`, waiting for it as a person waits for the e-mail."""
    deadline = time.monotonic() + WAIT_S
    while True:
        messages = httpx.get(mailbox_url, timeout=10).json()["messages"]
        code = next((m["code"] for m in messages if m["to"] == email and m["kind"] == kind), None)
        if code is not None:
            return code
        if time.monotonic() > deadline:
            raise AssertionError(f"no {kind} code for {email} within {WAIT_S:.0f}s")
        time.sleep(0.1)

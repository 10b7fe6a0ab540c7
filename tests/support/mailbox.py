"""Codes from the local identity provider's mailbox (`GET <endpoint>/_mailbox`, newest first)."""

import httpx


def latest_code(mailbox_url: str, email: str, kind: str = "SIGN_UP") -> str:
    messages = httpx.get(mailbox_url, timeout=10).json()["messages"]
    return next(m["code"] for m in messages if m["to"] == email and m["kind"] == kind)

"""The app's account code against a real embedded provider, on its own port and data dir."""

import socket

import httpx
import pytest

from cruddur.auth import identity


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def provider(database, monkeypatch):
    monkeypatch.setenv("LOCAL_COGNITO_PORT", str(_free_port()))
    identity.reset()
    yield identity.local_provider()
    identity.reset()


@pytest.fixture
def mailbox(provider):
    def latest(email: str, kind: str = "SIGN_UP") -> str:
        messages = httpx.get(provider["mailbox_url"]).json()["messages"]
        return next(m["code"] for m in messages if m["to"] == email and m["kind"] == kind)

    return latest

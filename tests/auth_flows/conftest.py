"""The app's account code against a real embedded provider, on its own port and data dir."""

import socket
from functools import partial

import pytest

from cruddur.auth import identity
from tests.support.mailbox import latest_code


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
    return partial(latest_code, provider["mailbox_url"])

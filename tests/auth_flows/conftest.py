"""The app's account code against a real embedded provider, on its own port and data dir."""

from functools import partial

import pytest

from tests.support.mailbox import latest_code

PASSWORD = "Crud-dur-2026!"


@pytest.fixture
def mailbox(app_runtime):
    return partial(latest_code, app_runtime.embedded.mailbox_url)

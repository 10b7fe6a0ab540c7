"""docs/api.md's client session, run exactly as the page shows it (its ```python blocks, in
order) against the API served over HTTP on the embedded provider: a doc that rots fails here."""

import re
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from tests.api_clients.conftest import PASSWORD
from tests.support.appserver import free_port
from tests.support.mailbox import latest_code

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SNIPPET = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@pytest.fixture
def served_api(app_runtime):
    """`cruddur.api.api` on a free loopback port, as a client reaches it."""
    from cruddur.api import api

    server = uvicorn.Server(uvicorn.Config(api, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, name="api-doc-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}/api"
    server.should_exit = True
    thread.join(timeout=10)


def test_the_client_session_in_the_api_doc_runs_as_written(app_runtime, pool, served_api, monkeypatch, capsys):
    sign_up, session = SNIPPET.findall(DOC.read_text())
    email = "ada@example.com"
    settings = {
        "CRUDDUR_API": served_api,
        "COGNITO_REGION": app_runtime.identity.pool.region,
        "COGNITO_USER_POOL_ID": pool.pool_id,
        "COGNITO_APP_CLIENT_ID": pool.client_id,
        "COGNITO_ENDPOINT_URL": app_runtime.identity.pool.endpoint_url or "",
        "CRUDDUR_EMAIL": email,
        "CRUDDUR_PASSWORD": PASSWORD,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)

    # The reader types the code from the e-mail; here it comes from the provider's mailbox.
    exec(compile(sign_up, f"{DOC}: sign-up", "exec"), {"input": lambda _prompt: latest_code(pool.mailbox_url, email)})
    exec(compile(session, f"{DOC}: session", "exec"), {})

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "signed in as @ada_lovelace"
    assert out[1] == "1 live cruds, 1 of them yours; the newest: 'Hello from the API'"
    assert out[2:] == ["{'liked': True, 'likes_count': 1}", "422 invalid message"]

"""The real start command refuses a set-up that would silently be weaker than asked for."""

import subprocess
import sys

import pytest

from tests.support.appserver import ROOT, app_env, free_port, one_build_at_a_time

START_TIMEOUT_S = 240


def start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """`reflex run --env prod` as an operator runs it; it must exit by itself, not serve."""
    port = free_port()
    environment = app_env(tmp_path / "data", **env)
    # The operator's release step first, so a refusal is about identity, not an empty database.
    subprocess.run([sys.executable, "-m", "cruddur.manage", "migrate"], cwd=ROOT, env=environment, check=True)
    command = ["reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port)]
    try:
        with one_build_at_a_time():
            return subprocess.run(
                command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=START_TIMEOUT_S, check=False
            )
    except subprocess.TimeoutExpired as still_running:
        pytest.fail(f"the app started instead of refusing: {(still_running.stdout or b'')[-2000:]!r}")


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"COGNITO_USER_POOL_ID": "us-east-1_AbCdEf123"}, "COGNITO_APP_CLIENT_ID"),
        ({"COGNITO_APP_CLIENT_ID": "5ackeuvmc0t3jgprjbh6bd2tgb"}, "COGNITO_USER_POOL_ID"),
        ({"COGNITO_USER_POOL_ID": "us-east-1_AbCdEf123", "COGNITO_APP_CLIENT_ID": ""}, "COGNITO_APP_CLIENT_ID"),
    ],
    ids=["pool-only", "client-only", "client-empty"],
)
def test_a_half_configured_user_pool_stops_the_app_with_one_line_naming_the_variable(tmp_path, given, named):
    finished = start(tmp_path, **given)
    assert finished.returncode != 0
    output = finished.stdout + finished.stderr
    lines = [line for line in output.splitlines() if named in line]
    assert lines, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert not (tmp_path / "data" / "localcognito.db").exists(), "the embedded provider must not start"


def test_the_embedded_provider_is_refused_under_env_prod_unless_opted_in(tmp_path):
    finished = start(tmp_path, ALLOW_LOCAL_COGNITO="")
    assert finished.returncode != 0
    output = finished.stdout + finished.stderr
    assert "ALLOW_LOCAL_COGNITO" in output and "COGNITO_USER_POOL_ID" in output, output[-3000:]
    assert not (tmp_path / "data" / "localcognito.db").exists()

"""What the runtime refuses to start with: a set-up that would quietly be weaker than asked for."""

import pytest

from cruddur import runtime
from cruddur.settings import ConfigurationError

AWS_POOL = {"cognito_user_pool_id": "us-east-1_AbCdEf123", "cognito_app_client_id": "5ackeuvmc0t3jgprjbh6bd2tgb"}


@pytest.fixture
def no_aws_credentials(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def test_a_real_pool_without_credentials_for_its_admin_calls_does_not_start(make_settings, no_aws_credentials):
    with pytest.raises(ConfigurationError, match="AdminUserGlobalSignOut"):
        runtime.start(make_settings(**AWS_POOL))


def test_a_real_pool_with_credentials_starts_without_calling_anyone(make_settings, no_aws_credentials, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example")
    started = runtime.start(make_settings(**AWS_POOL))
    try:
        assert started.identity.pool.issuer == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
        assert started.embedded is None
    finally:
        runtime.stop()

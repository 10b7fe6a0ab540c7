"""Where avatars go is decided like the user pool: both settings, or neither; anything in between
stops the app with one line naming the variable."""

import pytest

from cruddur import runtime
from cruddur.settings import AvatarSource, ConfigurationError

REAL_POOL = {"cognito_user_pool_id": "us-east-1_AbCdEf123", "cognito_app_client_id": "5ackeuvmc0t3jgprjbh6bd2tgb"}


def test_neither_setting_on_the_embedded_provider_means_moto_stands_in(make_settings):
    assert make_settings().avatar_source() is AvatarSource.EMBEDDED


def test_neither_setting_with_a_real_pool_means_no_avatars(make_settings):
    assert make_settings(**REAL_POOL).avatar_source() is AvatarSource.OFF


def test_both_settings_mean_that_identity_pool(make_settings):
    settings = make_settings(**REAL_POOL, avatar_bucket="b", cognito_identity_pool_id="us-east-1:x")
    assert settings.avatar_source() is AvatarSource.IDENTITY_POOL


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"avatar_bucket": "cruddur-avatars"}, "COGNITO_IDENTITY_POOL_ID is missing"),
        ({"cognito_identity_pool_id": "us-east-1:abc"}, "AVATAR_BUCKET is missing"),
        ({"avatar_bucket": "b", "cognito_identity_pool_id": " "}, "COGNITO_IDENTITY_POOL_ID is empty"),
        ({"avatar_endpoint_url": "http://127.0.0.1:5000"}, "AVATAR_ENDPOINT_URL"),
    ],
)
def test_a_half_present_set_stops_the_app_naming_the_variable(make_settings, given, named):
    settings = make_settings(**given)
    with pytest.raises(ConfigurationError, match=named):
        settings.avatar_source()
    with pytest.raises(ConfigurationError, match=named):
        runtime.start(settings)
    with pytest.raises(RuntimeError):
        runtime.current()  # nothing was started

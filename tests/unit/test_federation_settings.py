"""Federated sign-in's settings fail closed: half of them stops the app, with a message naming
what is missing; on the embedded provider they follow from where the app runs."""

import pytest

from cruddur.settings import ConfigurationError, IdentitySource, Settings

POOL = {"cognito_user_pool_id": "us-east-1_Example", "cognito_app_client_id": "client1"}
URLS = {
    "cognito_domain_url": "https://cruddur.auth.us-east-1.amazoncognito.com",
    "oauth_callback_url": "https://cruddur.example/_federation/callback",
    "oauth_sign_out_url": "https://cruddur.example/",
}


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_no_providers_means_no_federation():
    assert settings(**POOL).federation(IdentitySource.USER_POOL) is None


def test_a_real_pool_with_everything_federates_through_its_domain():
    found = settings(**POOL, **URLS, federated_providers="GoogleOIDC, Microsoft").federation(IdentitySource.USER_POOL)
    assert found is not None and found.providers == ("GoogleOIDC", "Microsoft")
    assert found.domain_url == URLS["cognito_domain_url"] and found.callback_url == URLS["oauth_callback_url"]


@pytest.mark.parametrize("left_out", sorted(URLS))
def test_a_real_pool_missing_one_url_stops_the_app_naming_it(left_out):
    given = {k: v for k, v in URLS.items() if k != left_out}
    with pytest.raises(ConfigurationError, match=left_out.upper()):
        settings(**POOL, **given, federated_providers="GoogleOIDC").federation(IdentitySource.USER_POOL)


def test_urls_without_providers_stop_the_app():
    with pytest.raises(ConfigurationError, match="FEDERATED_PROVIDERS is empty"):
        settings(**POOL, **URLS).federation(IdentitySource.USER_POOL)


def test_an_http_domain_is_refused_for_a_real_pool():
    urls = URLS | {"cognito_domain_url": "http://cruddur.example"}
    with pytest.raises(ConfigurationError, match="https"):
        settings(**POOL, **urls, federated_providers="GoogleOIDC").federation(IdentitySource.USER_POOL)


def test_the_embedded_pool_derives_its_domain_and_urls():
    found = settings(federated_providers="DevOIDC", reflex_frontend_port=4000).federation(
        IdentitySource.EMBEDDED, "http://127.0.0.1:9229"
    )
    assert found is not None
    assert (found.domain_url, found.callback_url, found.sign_out_url) == (
        "http://127.0.0.1:9229",
        "http://localhost:4000/_federation/callback",
        "http://localhost:4000/",
    )


def test_dev_oidc_is_offered_with_the_embedded_pool_and_refused_with_a_real_one():
    found = settings(dev_oidc=True).federation(IdentitySource.EMBEDDED, "http://127.0.0.1:9229")
    assert found is not None and found.providers == ("DevOIDC",)
    with pytest.raises(ConfigurationError, match="DEV_OIDC"):
        settings(**POOL, **URLS, dev_oidc=True).federation(IdentitySource.USER_POOL)


def test_a_provider_name_cognito_would_refuse_is_a_configuration_error():
    with pytest.raises(ValueError, match="ProviderName"):
        settings(federated_providers="COGNITO")
    with pytest.raises(ValueError, match="ProviderName"):
        settings(federated_providers="has space")

"""Claims: who issued it, for which client, what kind of token, and when it is valid."""

import pytest

from cruddur.auth.jwt import (
    CognitoJwtVerifier,
    TokenClaimError,
    TokenClientError,
    TokenExpiredError,
    TokenIssuerError,
    TokenNotYetValidError,
    TokenUseError,
)

from .conftest import CLIENT_ID, DROP, NOW, OTHER_CLIENT_ID


def test_id_token_is_refused_where_access_token_required(verifier, mint):
    with pytest.raises(TokenUseError):
        verifier.verify(mint("id"))


def test_access_token_is_refused_where_id_token_required(verifier, mint):
    with pytest.raises(TokenUseError):
        verifier.verify(mint("access"), token_use="id")


def test_valid_id_token_returns_its_claims(verifier, mint):
    claims = verifier.verify(mint("id"), token_use="id")
    assert claims["aud"] == CLIENT_ID
    assert claims["email_verified"] is True
    assert claims["cognito:username"] == "8f1e2d3c-0000-4000-8000-000000000001"


def test_id_token_signed_with_the_access_key_is_still_an_id_token(verifier, mint, keys):
    # Cognito signs the two kinds with different keys, but the kind is decided by token_use.
    with pytest.raises(TokenUseError):
        verifier.verify(mint("id", key=keys["access"]))


def test_unknown_token_use_argument_is_a_programming_error(verifier, mint):
    with pytest.raises(ValueError):
        verifier.verify(mint(), token_use="refresh")


@pytest.mark.parametrize("token_use", ["Access", "access ", "refresh", None, 1])
def test_token_use_claim_other_than_access_is_refused(verifier, mint, token_use):
    with pytest.raises((TokenUseError, TokenClaimError)):
        verifier.verify(mint(token_use=token_use))


def test_missing_token_use_is_refused(verifier, mint):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(token_use=DROP))


def test_access_token_of_another_app_client_is_refused(verifier, mint):
    with pytest.raises(TokenClientError):
        verifier.verify(mint(client_id=OTHER_CLIENT_ID))


def test_id_token_of_another_app_client_is_refused(verifier, mint):
    with pytest.raises(TokenClientError):
        verifier.verify(mint("id", aud=OTHER_CLIENT_ID), token_use="id")


def test_id_token_with_audience_list_is_refused(verifier, mint):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint("id", aud=[CLIENT_ID]), token_use="id")


def test_access_token_without_client_id_is_refused(verifier, mint):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(client_id=DROP))


def test_several_app_clients_can_be_allowed_on_purpose(make_verifier, mint):
    verifier = make_verifier(client_id=[CLIENT_ID, OTHER_CLIENT_ID])
    assert verifier.verify(mint(client_id=OTHER_CLIENT_ID))["client_id"] == OTHER_CLIENT_ID


def test_any_app_client_only_when_none_is_given_on_purpose(make_verifier, mint):
    verifier = make_verifier(client_id=None)
    assert verifier.verify(mint(client_id=OTHER_CLIENT_ID))
    with pytest.raises(TokenClaimError):  # but it must still be there, as a string
        verifier.verify(mint(client_id=7))


def test_wrong_issuer_is_refused(verifier, mint):
    with pytest.raises(TokenIssuerError):
        verifier.verify(mint(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"))


@pytest.mark.parametrize("suffix", ["/", "x", " "])
def test_issuer_that_only_looks_alike_is_refused(verifier, mint, jwks_server, suffix):
    with pytest.raises(TokenIssuerError):
        verifier.verify(mint(iss=jwks_server.issuer + suffix))


def test_missing_issuer_is_refused(verifier, mint):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(iss=DROP))


def test_expired_token_is_refused(verifier, mint, clock):
    token = mint()
    clock.now = NOW + 3600 + 5  # exp + leeway
    with pytest.raises(TokenExpiredError):
        verifier.verify(token)


def test_token_expired_within_the_leeway_is_accepted(verifier, mint, clock):
    token = mint()
    clock.now = NOW + 3600 + 4.9
    assert verifier.verify(token)


def test_leeway_is_configurable(make_verifier, mint, clock):
    verifier = make_verifier(leeway=0)
    token = mint()
    clock.now = NOW + 3600
    with pytest.raises(TokenExpiredError):
        verifier.verify(token)


def test_leeway_beyond_five_minutes_is_refused_at_construction(make_verifier):
    with pytest.raises(ValueError):
        make_verifier(leeway=3600)


def test_token_without_exp_is_refused(verifier, mint):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(exp=DROP))


@pytest.mark.parametrize("name", ["exp", "iat", "nbf", "auth_time"])
@pytest.mark.parametrize("value", [str(NOW + 3600), float(NOW + 3600), True, None, [NOW]])
def test_time_claims_of_the_wrong_type_are_refused(verifier, mint, name, value):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(**{name: value}))


def test_iat_in_the_future_beyond_leeway_is_refused(verifier, mint):
    with pytest.raises(TokenNotYetValidError):
        verifier.verify(mint(iat=NOW + 60))


def test_iat_in_the_future_within_leeway_is_accepted(verifier, mint):
    assert verifier.verify(mint(iat=NOW + 5))


def test_nbf_in_the_future_beyond_leeway_is_refused(verifier, mint, clock):
    token = mint(nbf=NOW + 60)
    with pytest.raises(TokenNotYetValidError):
        verifier.verify(token)
    clock.now = NOW + 56
    assert verifier.verify(token)


def test_token_without_iat_is_refused(verifier, mint):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(iat=DROP))


@pytest.mark.parametrize("name", ["sub", "username", "client_id", "jti", "origin_jti", "event_id", "scope"])
@pytest.mark.parametrize("value", [7, None, ["x"], {"x": 1}, True])
def test_access_claims_that_are_not_strings_are_refused(verifier, mint, name, value):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(**{name: value}))


@pytest.mark.parametrize("name", ["sub", "username"])
def test_access_token_missing_subject_or_username_is_refused(verifier, mint, name):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(**{name: DROP}))


@pytest.mark.parametrize("name", ["sub", "aud", "cognito:username", "email", "name", "preferred_username"])
def test_id_claims_that_are_not_strings_are_refused(verifier, mint, name):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint("id", **{name: 12}), token_use="id")


@pytest.mark.parametrize("value", ["true", 1, None])
def test_email_verified_must_be_a_json_boolean(verifier, mint, value):
    with pytest.raises(TokenClaimError):
        verifier.verify(mint("id", email_verified=value), token_use="id")


def test_groups_must_be_a_list_of_strings(verifier, mint):
    assert verifier.verify(mint(**{"cognito:groups": ["admins"]}))["cognito:groups"] == ["admins"]
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(**{"cognito:groups": "admins"}))
    with pytest.raises(TokenClaimError):
        verifier.verify(mint(**{"cognito:groups": [1]}))


def test_every_refusal_is_a_token_error_with_a_code(verifier, mint):
    from cruddur.auth import jwt as jwt_module

    for name in jwt_module.__all__:
        obj = getattr(jwt_module, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, jwt_module.TokenError)
            assert obj.code
    codes = [getattr(jwt_module, n).code for n in jwt_module.__all__ if n.endswith("Error")]
    assert len(codes) == len(set(codes))


def test_error_messages_do_not_carry_claim_values(verifier, mint):
    with pytest.raises(TokenIssuerError) as caught:
        verifier.verify(mint(iss="https://evil.example/secret-pool"))
    assert "evil" not in str(caught.value)


def test_for_user_pool_builds_the_aws_issuer():
    verifier = CognitoJwtVerifier.for_user_pool("eu-west-2", "eu-west-2_AbC123", CLIENT_ID)
    assert verifier.issuer == "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbC123"
    assert verifier.jwks.url == verifier.issuer + "/.well-known/jwks.json"


@pytest.mark.parametrize(
    "region, pool",
    [
        ("us-east-1", "eu-west-2_AbC123"),
        ("us-east-1", "nounderscore"),
        ("nowhere", "nowhere_x"),
        ("us-east-1", "us-east-1_a/b"),
    ],
)
def test_for_user_pool_refuses_ids_that_do_not_fit(region, pool):
    with pytest.raises(ValueError):
        CognitoJwtVerifier.for_user_pool(region, pool, CLIENT_ID)


@pytest.mark.parametrize(
    "issuer",
    [
        "http://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
        "ftp://x/y",
        "https://",
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x/",
    ],
)
def test_issuer_must_be_https_or_loopback(issuer):
    with pytest.raises(ValueError):
        CognitoJwtVerifier(issuer, CLIENT_ID)


def test_client_id_must_be_given_explicitly():
    with pytest.raises(TypeError):
        CognitoJwtVerifier("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x")  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        CognitoJwtVerifier("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x", "")

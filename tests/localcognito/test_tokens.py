"""Tokens: Cognito's claims and lifetimes, RS256 with separate ID/access keys served as JWKS,
refresh, global sign-out, revocation and expiry."""

import json
import urllib.request

import jwt
import pytest

from .support import error_of


def test_tokens_verify_against_the_served_jwks_with_pycognito(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)

    user.verify_tokens()  # signature, iss == endpoint_url/pool_id, aud, token_use
    assert user.check_token(renew=False) is False
    assert user.id_claims["iss"] == pool.handle.issuer == f"{pool.handle.endpoint_url}/{pool.handle.user_pool_id}"


def test_id_and_access_tokens_carry_cognitos_claims(pool, new_email):
    sub = pool.confirmed_user(new_email, handle=f"h{new_email[5:15]}")["UserSub"]
    result = pool.password_auth(new_email)["AuthenticationResult"]
    id_claims = jwt.decode(result["IdToken"], options={"verify_signature": False})
    access_claims = jwt.decode(result["AccessToken"], options={"verify_signature": False})

    assert set(id_claims) == {
        "sub",
        "email_verified",
        "iss",
        "cognito:username",
        "preferred_username",
        "origin_jti",
        "aud",
        "event_id",
        "token_use",
        "auth_time",
        "name",
        "exp",
        "iat",
        "jti",
        "email",
    }
    assert id_claims["sub"] == id_claims["cognito:username"] == sub
    assert id_claims["email_verified"] is True and id_claims["token_use"] == "id"
    assert id_claims["aud"] == pool.handle.client_id
    assert isinstance(id_claims["iat"], int) and id_claims["exp"] - id_claims["iat"] == 3600

    assert set(access_claims) == {
        "sub",
        "iss",
        "client_id",
        "origin_jti",
        "event_id",
        "token_use",
        "scope",
        "auth_time",
        "exp",
        "iat",
        "jti",
        "username",
    }
    assert access_claims["scope"] == "aws.cognito.signin.user.admin"
    assert access_claims["client_id"] == pool.handle.client_id and access_claims["username"] == sub
    assert access_claims["origin_jti"] == id_claims["origin_jti"]
    assert jwt.get_unverified_header(result["IdToken"]) == {
        "alg": "RS256",
        "kid": jwt.get_unverified_header(result["IdToken"])["kid"],
    }


def test_jwks_serves_two_rsa_keys_and_id_and_access_tokens_use_different_ones(pool, new_email):
    with urllib.request.urlopen(pool.handle.jwks_url, timeout=10) as response:
        keys = json.load(response)["keys"]
    assert len(keys) == 2 and len({key["kid"] for key in keys}) == 2
    assert all(set(key) == {"kid", "alg", "kty", "e", "n", "use"} and key["alg"] == "RS256" for key in keys)

    pool.confirmed_user(new_email)
    result = pool.password_auth(new_email)["AuthenticationResult"]
    id_kid = jwt.get_unverified_header(result["IdToken"])["kid"]
    access_kid = jwt.get_unverified_header(result["AccessToken"])["kid"]
    assert id_kid != access_kid and {id_kid, access_kid} == {key["kid"] for key in keys}


def test_refresh_gives_new_tokens_from_the_same_sign_in(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)
    first_access, first_claims = user.access_token, dict(user.access_claims)

    pool.clock.advance(5)
    reply = pool.client.initiate_auth(
        ClientId=pool.handle.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": user.refresh_token},
    )
    result = reply["AuthenticationResult"]
    assert "RefreshToken" not in result and result["TokenType"] == "Bearer"
    claims = jwt.decode(result["AccessToken"], options={"verify_signature": False})
    assert claims["auth_time"] == first_claims["auth_time"] and claims["origin_jti"] == first_claims["origin_jti"]
    assert result["AccessToken"] != first_access

    user.renew_access_token()  # and pycognito's own refresh verifies the new tokens
    assert user.access_claims["origin_jti"] == first_claims["origin_jti"]


def test_global_sign_out_revokes_access_and_refresh_tokens(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)
    other_device = pool.password_auth(new_email)["AuthenticationResult"]
    access, refresh = user.access_token, user.refresh_token

    user.logout()  # GlobalSignOut

    for token in (access, other_device["AccessToken"]):
        with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
            pool.client.get_user(AccessToken=token)
        assert error_of(excinfo)[1] == "Access Token has been revoked"
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.client.initiate_auth(
            ClientId=pool.handle.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh}
        )
    assert error_of(excinfo)[1] == "Refresh Token has been revoked"
    pool.signed_in(new_email)  # signing in again works


def test_revoke_token_revokes_one_sign_in_only(pool, new_email):
    pool.confirmed_user(new_email)
    revoked = pool.password_auth(new_email)["AuthenticationResult"]
    kept = pool.password_auth(new_email)["AuthenticationResult"]

    pool.client.revoke_token(Token=revoked["RefreshToken"], ClientId=pool.handle.client_id)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.client.get_user(AccessToken=revoked["AccessToken"])
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.client.initiate_auth(
            ClientId=pool.handle.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": revoked["RefreshToken"]},
        )
    assert pool.client.get_user(AccessToken=kept["AccessToken"])["Username"]


def test_revoke_token_refuses_jwts_and_foreign_clients(pool, new_email):
    pool.confirmed_user(new_email)
    result = pool.password_auth(new_email)["AuthenticationResult"]

    with pytest.raises(pool.client.exceptions.UnsupportedTokenTypeException):
        pool.client.revoke_token(Token=result["AccessToken"], ClientId=pool.handle.client_id)
    with pytest.raises(pool.client.exceptions.UnauthorizedException):
        pool.client.revoke_token(Token=result["RefreshToken"], ClientId="someotherclient")
    pool.client.revoke_token(Token="not-a-token-we-issued", ClientId=pool.handle.client_id)  # RFC 7009: 200


def test_access_token_expires_after_an_hour_and_refresh_after_thirty_days(pool, new_email):
    pool.confirmed_user(new_email)
    result = pool.password_auth(new_email)["AuthenticationResult"]

    pool.clock.advance(3601)
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.client.get_user(AccessToken=result["AccessToken"])
    assert error_of(excinfo)[1] == "Access Token has expired"
    refreshed = pool.client.initiate_auth(
        ClientId=pool.handle.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]
    assert pool.client.get_user(AccessToken=refreshed["AccessToken"])["Username"]

    pool.clock.advance(30 * 24 * 3600)
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.client.initiate_auth(
            ClientId=pool.handle.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
        )
    assert error_of(excinfo)[1] == "Refresh Token has expired"


def test_forged_unknown_or_id_tokens_are_not_access_tokens(pool, new_email):
    pool.confirmed_user(new_email)
    result = pool.password_auth(new_email)["AuthenticationResult"]
    header, payload, signature = result["AccessToken"].split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"

    for token in (forged, result["IdToken"], "garbage"):
        with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
            pool.client.get_user(AccessToken=token)
        assert error_of(excinfo)[1] == "Invalid Access Token"
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.client.initiate_auth(
            ClientId=pool.handle.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": "nope"}
        )
    assert error_of(excinfo)[1] == "Invalid Refresh Token"

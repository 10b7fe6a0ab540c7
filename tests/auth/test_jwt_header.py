"""What the header may say: RS256 only, a known kid, and nothing that points elsewhere."""

import base64
import hashlib
import hmac
import json

import jwt as pyjwt
import pytest

from cruddur.auth.jwt import (
    MissingKeyIdError,
    TokenAlgorithmError,
    TokenHeaderError,
    TokenMalformedError,
    TokenSignatureError,
    UnknownKeyError,
)

from .conftest import access_claims, b64url, b64url_json, pyjwt_token, sign_token


@pytest.mark.parametrize(
    "alg",
    [
        "none",
        "None",
        "NONE",
        "nOnE",
        "",
        None,
        "HS256",
        "RS384",
        "RS512",
        "PS256",
        "ES256",
        "rs256",
        "Rs256",
        "RS256 ",
        ["RS256"],
    ],
)
def test_any_alg_but_rs256_is_refused(verifier, keys, jwks_server, alg):
    claims = access_claims(jwks_server.issuer)
    token = sign_token(keys["access"], claims, {"kid": "access-key-1", "alg": alg})
    with pytest.raises(TokenAlgorithmError):
        verifier.verify(token)


def test_unsigned_alg_none_token_is_refused(verifier, jwks_server):
    head = b64url_json({"kid": "access-key-1", "alg": "none"})
    token = f"{head}.{b64url_json(access_claims(jwks_server.issuer))}."
    with pytest.raises(TokenAlgorithmError):
        verifier.verify(token)


def test_missing_alg_is_refused(verifier, keys, jwks_server):
    token = sign_token(keys["access"], access_claims(jwks_server.issuer), {"kid": "access-key-1"})
    with pytest.raises(TokenAlgorithmError):
        verifier.verify(token)


def test_hs256_signed_with_the_public_key_is_refused(verifier, keys, jwks_server):
    jwk = keys["access"].jwk
    for secret in (json.dumps(jwk).encode(), jwk["n"].encode(), base64.urlsafe_b64decode(jwk["n"] + "==")):
        head = b64url_json({"kid": "access-key-1", "alg": "HS256"})
        signing_input = f"{head}.{b64url_json(access_claims(jwks_server.issuer))}"
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        with pytest.raises(TokenAlgorithmError):
            verifier.verify(f"{signing_input}.{b64url(mac)}")


def test_missing_kid_is_refused(verifier, keys, jwks_server):
    token = sign_token(keys["access"], access_claims(jwks_server.issuer), {"alg": "RS256"})
    with pytest.raises(MissingKeyIdError):
        verifier.verify(token)


@pytest.mark.parametrize("kid", [None, 7, "", ["access-key-1"], {"k": 1}])
def test_kid_that_is_not_a_string_is_refused(verifier, keys, jwks_server, kid):
    token = sign_token(keys["access"], access_claims(jwks_server.issuer), {"kid": kid, "alg": "RS256"})
    with pytest.raises(MissingKeyIdError):
        verifier.verify(token)


def test_unknown_kid_is_refused_after_one_refetch(verifier, keys, jwks_server):
    verifier.warm()
    hits = jwks_server.hits
    token = sign_token(keys["access"], access_claims(jwks_server.issuer), {"kid": "no-such-key", "alg": "RS256"})
    verifier.jwks.cooldown = 0  # the refetch is allowed at once
    with pytest.raises(UnknownKeyError):
        verifier.verify(token)
    assert jwks_server.hits == hits + 1


def test_key_of_another_issuer_under_a_known_kid_fails_the_signature(verifier, keys, jwks_server):
    token = sign_token(keys["stranger"], access_claims(jwks_server.issuer))
    with pytest.raises(TokenSignatureError):
        verifier.verify(token)


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "http://127.0.0.1:1/evil.json"},
        {"x5u": "http://127.0.0.1:1/evil.pem"},
        {"x5c": ["MIIB"]},
        {"x5t": "abc"},
        {"cty": "JWT"},
        {"zip": "DEF"},
        {"b64": False},
    ],
)
def test_headers_that_point_elsewhere_are_refused_not_followed(verifier, keys, jwks_server, extra):
    verifier.warm()
    hits = jwks_server.hits
    token = sign_token(
        keys["access"], access_claims(jwks_server.issuer), {"kid": "access-key-1", "alg": "RS256", **extra}
    )
    with pytest.raises(TokenHeaderError):
        verifier.verify(token)
    assert jwks_server.hits == hits


def test_embedded_jwk_header_is_refused_even_when_it_signed_the_token(verifier, keys, jwks_server):
    attacker = keys["stranger"]
    header = {"kid": "access-key-1", "alg": "RS256", "jwk": attacker.jwk}
    with pytest.raises(TokenHeaderError):
        verifier.verify(sign_token(attacker, access_claims(jwks_server.issuer), header))


@pytest.mark.parametrize("crit", [["exp"], ["b64"], [], "exp", ["x-unknown"]])
def test_any_crit_header_is_refused(verifier, keys, jwks_server, crit):
    header = {"kid": "access-key-1", "alg": "RS256", "crit": crit, "exp": 1}
    with pytest.raises(TokenHeaderError):
        verifier.verify(sign_token(keys["access"], access_claims(jwks_server.issuer), header))


@pytest.mark.parametrize("typ", ["JWT", "jwt"])
def test_typ_jwt_is_accepted(verifier, keys, jwks_server, typ):
    header = {"kid": "access-key-1", "alg": "RS256", "typ": typ}
    assert (
        verifier.verify(sign_token(keys["access"], access_claims(jwks_server.issuer), header))["token_use"] == "access"
    )


@pytest.mark.parametrize("typ", ["at+jwt", "JWS", 1])
def test_other_typ_is_refused(verifier, keys, jwks_server, typ):
    header = {"kid": "access-key-1", "alg": "RS256", "typ": typ}
    with pytest.raises(TokenHeaderError):
        verifier.verify(sign_token(keys["access"], access_claims(jwks_server.issuer), header))


def test_duplicate_header_members_are_refused(verifier, keys, jwks_server):
    head = b64url(b'{"alg":"RS256","kid":"access-key-1","alg":"none"}')
    signing_input = f"{head}.{b64url_json(access_claims(jwks_server.issuer))}"
    token = f"{signing_input}.{b64url(keys['access'].sign(signing_input.encode()))}"
    with pytest.raises(TokenMalformedError):
        verifier.verify(token)


@pytest.mark.parametrize("header", [b"[]", b'"RS256"', b"null", b"{", b'{"alg":"RS256","kid":NaN}', b"\xff\xfe"])
def test_header_that_is_not_a_json_object_is_refused(verifier, keys, jwks_server, header):
    signing_input = f"{b64url(header)}.{b64url_json(access_claims(jwks_server.issuer))}"
    token = f"{signing_input}.{b64url(keys['access'].sign(signing_input.encode()))}"
    with pytest.raises(TokenMalformedError):
        verifier.verify(token)


def test_token_minted_by_pyjwt_like_the_local_provider_is_accepted(verifier, keys, jwks_server):
    token = pyjwt_token(keys["access"], access_claims(jwks_server.issuer))
    assert verifier.verify(token)["client_id"] == pyjwt.decode(token, options={"verify_signature": False})["client_id"]

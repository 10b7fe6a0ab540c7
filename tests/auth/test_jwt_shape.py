"""Tampering, stripping, size and encoding: refused before anything is trusted."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cruddur.auth import jwt as jwt_module
from cruddur.auth.jwt import (
    MAX_TOKEN_LENGTH,
    TokenClaimError,
    TokenError,
    TokenMalformedError,
    TokenSignatureError,
    TokenTooLargeError,
)

from .conftest import access_claims, b64url, b64url_json, sign_token


def test_valid_access_token_returns_its_claims(verifier, mint):
    claims = verifier.verify(mint())
    assert claims["token_use"] == "access"
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    assert claims["username"] == "8f1e2d3c-0000-4000-8000-000000000001"


def _flip(segment: str, index: int) -> str:
    c = segment[index]
    return segment[:index] + ("B" if c == "A" else "A") + segment[index + 1 :]


@pytest.mark.parametrize("index", [0, 5, -3])
def test_tampered_header_is_refused(verifier, mint, index):
    head, body, sig = mint().split(".")
    with pytest.raises(TokenError):
        verifier.verify(f"{_flip(head, index)}.{body}.{sig}")


@pytest.mark.parametrize("index", [0, 40, 200, -4])
def test_tampered_payload_is_refused(verifier, mint, index):
    head, body, sig = mint().split(".")
    with pytest.raises((TokenSignatureError, TokenMalformedError)):
        verifier.verify(f"{head}.{_flip(body, index)}.{sig}")


def test_payload_swapped_for_another_signed_payload_is_refused(verifier, mint):
    head, _, sig = mint().split(".")
    _, other_body, _ = mint(sub="someone-else").split(".")
    with pytest.raises(TokenSignatureError):
        verifier.verify(f"{head}.{other_body}.{sig}")


@pytest.mark.parametrize("index", [0, 100, 200, -5])
def test_tampered_signature_is_refused(verifier, mint, index):
    head, body, sig = mint().split(".")
    with pytest.raises(TokenSignatureError):
        verifier.verify(f"{head}.{body}.{_flip(sig, index)}")


def test_stripped_signature_is_refused(verifier, mint):
    head, body, _ = mint().split(".")
    with pytest.raises(TokenSignatureError):
        verifier.verify(f"{head}.{body}.")


def test_truncated_signature_is_refused(verifier, mint):
    head, body, sig = mint().split(".")
    with pytest.raises((TokenSignatureError, TokenMalformedError)):
        verifier.verify(f"{head}.{body}.{sig[:-4]}")


def test_signature_with_nonzero_padding_bits_is_refused(verifier, mint):
    token = mint()
    assert verifier.verify(token)
    head, body, sig = token.split(".")
    assert len(sig) % 4 == 2  # 256 bytes: the last character carries 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = sig[:-1] + alphabet[alphabet.index(sig[-1]) | 1]  # same bytes, another spelling
    with pytest.raises(TokenMalformedError):
        verifier.verify(f"{head}.{body}.{twin}")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "....",
        "eyJ.eyJ.",
        "not a token at all",
        "Bearer x.y.z",
    ],
)
def test_strings_that_are_not_jwts_are_malformed(verifier, token):
    with pytest.raises(TokenMalformedError):
        verifier.verify(token)


@pytest.mark.parametrize("value", [None, 42, b"x.y.z", ["x.y.z"]])
def test_non_string_token_is_malformed(verifier, value):
    with pytest.raises(TokenMalformedError):
        verifier.verify(value)


@pytest.mark.parametrize("change", ["+", "/", "=", " ", "\n", "é", "!"])
def test_characters_outside_base64url_are_refused(verifier, mint, change):
    head, body, sig = mint().split(".")
    with pytest.raises(TokenMalformedError):
        verifier.verify(f"{head}.{body[:10]}{change}{body[11:]}.{sig}")


def test_padded_base64url_is_refused(verifier, mint):
    head, body, sig = mint().split(".")
    with pytest.raises(TokenMalformedError):
        verifier.verify(f"{head}.{body}.{sig}==")


def test_surrounding_whitespace_is_refused(verifier, mint):
    with pytest.raises(TokenMalformedError):
        verifier.verify(" " + mint())


def test_token_over_16kb_is_refused_before_any_decoding(verifier, mint, monkeypatch):
    token = mint(padding="x" * 12_000)
    assert len(token) > MAX_TOKEN_LENGTH

    def must_not_run(*args, **kwargs):
        raise AssertionError("decoded a token that is too large")

    monkeypatch.setattr(jwt_module, "_a2b", must_not_run)
    monkeypatch.setattr(jwt_module, "_payload_json", must_not_run)
    monkeypatch.setattr(jwt_module, "_parse_header", must_not_run)
    with pytest.raises(TokenTooLargeError):
        verifier.verify(token)
    with pytest.raises(TokenTooLargeError):
        verifier.verify("A" * (1 << 20))


def test_token_just_under_the_limit_is_verified(verifier, mint):
    base = len(mint(padding=""))
    token = mint(padding="x" * ((MAX_TOKEN_LENGTH - base) * 3 // 4 - 4))
    assert len(token) <= MAX_TOKEN_LENGTH
    assert verifier.verify(token)["padding"]


@pytest.mark.parametrize(
    "payload",
    [b"[]", b'"claims"', b"null", b"{", b"{}garbage", b'{"exp":NaN}', b"\xff\xfe", b'{"a":"\\ud800"}'],
)
def test_signed_payload_that_is_not_a_json_object_is_refused(verifier, keys, payload):

    head = b64url_json({"kid": "access-key-1", "alg": "RS256"})
    signing_input = f"{head}.{b64url(payload)}"
    token = f"{signing_input}.{b64url(keys['access'].sign(signing_input.encode()))}"
    with pytest.raises(TokenMalformedError):
        verifier.verify(token)


def test_signed_payload_with_trailing_whitespace_is_still_json(verifier, keys, jwks_server):

    head = b64url_json({"kid": "access-key-1", "alg": "RS256"})
    signing_input = f"{head}.{b64url(json.dumps(access_claims(jwks_server.issuer)).encode() + b' ')}"
    token = f"{signing_input}.{b64url(keys['access'].sign(signing_input.encode()))}"
    assert verifier.verify(token)["token_use"] == "access"


def test_a_token_signed_over_other_bytes_than_sent_is_refused(verifier, keys, jwks_server):
    claims = access_claims(jwks_server.issuer)
    good = sign_token(keys["access"], claims)
    _, body, sig = good.split(".")
    other_head = b64url_json({"alg": "RS256", "kid": "access-key-1"})  # same meaning, other bytes
    with pytest.raises(TokenSignatureError):
        verifier.verify(f"{other_head}.{body}.{sig}")


@pytest.mark.parametrize(
    "scheme",
    [
        pytest.param((padding.PKCS1v15(), hashes.SHA384()), id="pkcs1-sha384"),
        pytest.param((padding.PKCS1v15(), hashes.SHA1()), id="pkcs1-sha1"),
        pytest.param((padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()), id="pss-sha256"),
    ],
)
def test_a_signature_by_the_right_key_under_another_scheme_is_refused(verifier, keys, jwks_server, scheme):
    signing_input = (
        f"{b64url_json({'kid': 'access-key-1', 'alg': 'RS256'})}.{b64url_json(access_claims(jwks_server.issuer))}"
    )
    signature = keys["access"].private.sign(signing_input.encode(), *scheme)
    with pytest.raises(TokenSignatureError):
        verifier.verify(f"{signing_input}.{b64url(signature)}")


@pytest.mark.parametrize("value", [0, 1, "modulus"], ids=["zero", "one", "modulus"])
def test_a_signature_that_is_not_below_the_modulus_or_trivial_is_refused(verifier, keys, mint, value):
    n = keys["access"].private.public_key().public_numbers().n
    number = n if value == "modulus" else value
    head, body, _ = mint().split(".")
    with pytest.raises(TokenSignatureError):
        verifier.verify(f"{head}.{body}.{b64url(number.to_bytes(256, 'big'))}")


@pytest.mark.parametrize("change", ["+", "/", "="])
@pytest.mark.parametrize("segment", [0, 1, 2])
def test_standard_base64_characters_are_refused_in_every_part_before_decoding(
    verifier, mint, monkeypatch, segment, change
):
    # pybase64 with altchars "-_" still takes '+' and '/' (with a DeprecationWarning), so the
    # verifier refuses them, and '=', in the whole token before any part is decoded.
    parts = mint().split(".")
    parts[segment] = parts[segment][:10] + change + parts[segment][11:]

    def must_not_run(*args, **kwargs):
        raise AssertionError("decoded a part holding a standard-base64 character")

    monkeypatch.setattr(jwt_module, "_a2b", must_not_run)
    with pytest.raises(TokenMalformedError):
        verifier.verify(".".join(parts))


def test_a_part_padded_to_a_multiple_of_four_is_refused(verifier, mint):
    head, body, sig = mint().split(".")
    assert len(sig) % 4 == 2
    with pytest.raises(TokenMalformedError):
        verifier.verify(f"{head}.{body}.{sig}==")  # whole quads, '=' at the very end


def _signed(keys, payload: bytes) -> str:

    head = b64url_json({"kid": "access-key-1", "alg": "RS256"})
    signing_input = f"{head}.{b64url(payload)}"
    return f"{signing_input}.{b64url(keys['access'].sign(signing_input.encode()))}"


def test_signed_payload_with_a_number_overflowing_to_infinity_is_refused(verifier, keys):
    with pytest.raises(TokenMalformedError):
        verifier.verify(_signed(keys, b'{"exp":1e999}'))


def test_exp_beyond_64_bits_is_refused_not_trusted(verifier, keys, jwks_server):

    claims = json.dumps(access_claims(jwks_server.issuer)).replace('"exp": ', '"exp": 1' + "0" * 30)
    with pytest.raises(TokenClaimError):
        verifier.verify(_signed(keys, claims.encode()))


def _signature_with_a_leading_zero_byte(keys, jwks_server) -> tuple[str, bytes]:
    """A genuine signature whose first byte is 0 (one in 256 are): its integer fits in k - 1 bytes."""
    for n in range(5000):
        header = b64url_json({"kid": keys["access"].kid, "alg": "RS256"})
        signing_input = f"{header}.{b64url_json(access_claims(jwks_server.issuer, jti=str(n)))}"
        signature = keys["access"].sign(signing_input.encode())
        if signature[0] == 0:
            return signing_input, signature
    raise AssertionError("no signature with a leading zero byte in 5000 tries")


def test_a_signature_one_byte_shorter_than_the_modulus_is_refused(verifier, keys, jwks_server):
    # RFC 8017 8.2.2 step 1: a signature whose length is not k bytes is refused, even when its
    # integer is the right one (here the genuine signature with its leading zero byte dropped).
    signing_input, signature = _signature_with_a_leading_zero_byte(keys, jwks_server)
    assert verifier.verify(f"{signing_input}.{b64url(signature)}")["token_use"] == "access"
    with pytest.raises(TokenSignatureError):
        verifier.verify(f"{signing_input}.{b64url(signature[1:])}")


def test_a_signature_with_a_zero_byte_prepended_is_refused(verifier, keys, mint):
    head, body, sig = mint().split(".")
    longer = b"\x00" + base64.urlsafe_b64decode(sig + "==")
    with pytest.raises(TokenSignatureError):
        verifier.verify(f"{head}.{body}.{b64url(longer)}")

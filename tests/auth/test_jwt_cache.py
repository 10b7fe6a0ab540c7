"""The verified-token cache: fast repeats that never outlive the token or bend a check."""

import pytest

from cruddur.auth import jwt as jwt_module
from cruddur.auth.jwt import TokenExpiredError, TokenUseError, UnknownKeyError

from .conftest import NOW, access_claims, sign_token


@pytest.fixture
def count_base64_decodes(monkeypatch):
    calls = []
    real = jwt_module._a2b

    def counting(segment, **kwargs):
        calls.append(len(segment))
        return real(segment, **kwargs)

    monkeypatch.setattr(jwt_module, "_a2b", counting)
    return calls


def test_repeat_verification_is_served_from_the_cache(verifier, mint, count_base64_decodes):
    token = mint()
    first = verifier.verify(token)
    decoded = len(count_base64_decodes)
    for _ in range(3):
        assert verifier.verify(token) == first
    assert len(count_base64_decodes) == decoded


def test_an_equal_token_in_another_string_object_hits_the_cache(verifier, mint, count_base64_decodes):
    token = mint()
    verifier.verify(token)
    decoded = len(count_base64_decodes)
    verifier.verify("".join(list(token)))
    assert len(count_base64_decodes) == decoded


def test_cached_token_is_still_checked_for_token_use(verifier, mint):
    token = mint()
    verifier.verify(token)
    with pytest.raises(TokenUseError):
        verifier.verify(token, token_use="id")


def test_cached_token_expires_with_the_token(verifier, mint, clock):
    token = mint()
    verifier.verify(token)
    clock.now = NOW + 3600 + 5
    with pytest.raises(TokenExpiredError):
        verifier.verify(token)
    assert not verifier._verified  # the entry went with it


def test_cache_is_bounded(make_verifier, mint):
    verifier = make_verifier(max_cached_tokens=3)
    for _ in range(10):
        verifier.verify(mint())
    assert len(verifier._verified) == 3


def test_cache_drops_expired_entries_before_the_oldest_valid_ones(make_verifier, mint, clock):
    verifier = make_verifier(max_cached_tokens=2)
    short = mint(exp=NOW + 10)
    keep = mint()
    verifier.verify(short)
    verifier.verify(keep)
    clock.now = NOW + 60
    verifier.verify(mint())
    assert next(iter(verifier._verified.values()))[0] == keep


def test_cache_can_be_turned_off(make_verifier, mint, count_base64_decodes):
    verifier = make_verifier(max_cached_tokens=0)
    token = mint()
    verifier.verify(token)
    decoded = len(count_base64_decodes)
    verifier.verify(token)
    assert len(count_base64_decodes) > decoded


def test_callers_cannot_change_what_the_cache_returns(verifier, mint):
    token = mint(**{"cognito:groups": ["readers"]})
    claims = verifier.verify(token)
    claims["sub"] = "mallory"
    claims["cognito:groups"].append("admins")
    again = verifier.verify(token)
    assert again["sub"] != "mallory"
    assert again["cognito:groups"] == ["readers"]
    again["cognito:groups"].append("admins")
    assert verifier.verify(token)["cognito:groups"] == ["readers"]


def test_a_token_that_differs_only_in_front_of_a_cached_signature_is_judged_afresh(verifier, mint):
    token = mint()
    verifier.verify(token)
    head, _, sig = token.split(".")
    forged_body = mint(sub="mallory").split(".")[1]
    with pytest.raises(jwt_module.TokenSignatureError):
        verifier.verify(f"{head}.{forged_body}.{sig}")


def test_cached_token_is_refused_once_its_key_leaves_the_jwks(make_verifier, keys, jwks_server):
    verifier = make_verifier(jwks_cooldown=0)
    token = sign_token(keys["access"], access_claims(jwks_server.issuer))
    verifier.verify(token)
    jwks_server.publish(keys["rotated"], keys["id"])
    verifier.warm()
    with pytest.raises(UnknownKeyError):
        verifier.verify(token)


def test_forget_verified_tokens_empties_the_cache(verifier, mint):
    verifier.verify(mint())
    verifier.forget_verified_tokens()
    assert not verifier._verified


# -- refused signatures ----------------------------------------------------------------------
# A token whose signature does not verify costs an RSA operation; the same token sent again is
# refused from memory (bench/bench_api.py: a wrong token was a third of the authenticated rate).


def forged(mint, keys) -> str:
    """An access token signed by a key the pool never published, under the pool's own kid."""
    return mint(key=keys["rotated"], header={"kid": keys["access"].kid, "alg": "RS256"})


def test_a_refused_signature_is_refused_again_without_being_checked_again(verifier, mint, keys, count_base64_decodes):
    token = forged(mint, keys)
    with pytest.raises(jwt_module.TokenSignatureError):
        verifier.verify(token)
    decoded = len(count_base64_decodes)
    for _ in range(3):
        with pytest.raises(jwt_module.TokenSignatureError):
            verifier.verify(token)
    assert len(count_base64_decodes) == decoded


def test_a_refusal_stands_only_while_its_key_is_the_kids_key(make_verifier, mint, keys, jwks_server):
    verifier = make_verifier(jwks_cooldown=0)
    token = forged(mint, keys)
    with pytest.raises(jwt_module.TokenSignatureError):
        verifier.verify(token)
    # The pool now publishes the signer's key under that kid: the token is judged afresh.
    jwks_server.publish(keys["id"], extra=[keys["rotated"].jwk | {"kid": keys["access"].kid}])
    verifier.warm()
    assert verifier.verify(token)["sub"]


def test_a_good_token_is_not_refused_for_a_forgery_of_it(verifier, mint, keys):
    good = mint()
    head, body, sig = good.split(".")
    with pytest.raises(jwt_module.TokenSignatureError):
        verifier.verify(f"{head}.{body}.{sig[:-4]}AAAA")  # same tail slot length, other signature
    assert verifier.verify(good)["sub"]


def test_remembered_refusals_are_bounded_and_forgotten_with_the_cache(make_verifier, mint, keys):
    verifier = make_verifier(max_cached_tokens=3)
    for _ in range(10):
        with pytest.raises(jwt_module.TokenSignatureError):
            verifier.verify(forged(mint, keys))
    assert len(verifier._refused) == 3
    verifier.forget_verified_tokens()
    assert not verifier._refused

"""The pool's keys: fetched on need from a real HTTP server, cached, rotated, and survived."""

import threading
import time

import pytest

from cruddur.auth.jwks import JwksCache, parse_jwks
from cruddur.auth.jwt import KeysUnavailableError, UnknownKeyError, UnsuitableKeyError

from .conftest import CLIENT_ID, Monotonic, SigningKey, access_claims, sign_token


@pytest.fixture
def monotonic():
    return Monotonic()


@pytest.fixture
def make_cached_verifier(make_verifier, jwks_server, monotonic):
    def make(timeout=2.0, cooldown=10.0, **options):
        cache = JwksCache(jwks_server.url, timeout=timeout, cooldown=cooldown, monotonic=monotonic)
        return make_verifier(jwks_cache=cache, **options)

    return make


def test_keys_are_fetched_once_on_first_need_and_then_cached(verifier, mint, jwks_server):
    assert jwks_server.hits == 0
    for _ in range(5):
        verifier.verify(mint())
        verifier.verify(mint("id"), token_use="id")
    assert jwks_server.hits == 1


def test_warm_fetches_keys_at_start_up(verifier, mint, jwks_server):
    verifier.warm()
    assert jwks_server.hits == 1
    verifier.verify(mint())
    assert jwks_server.hits == 1


def test_warm_reports_a_failing_endpoint(verifier, jwks_server):
    jwks_server.status = 500
    with pytest.raises(KeysUnavailableError) as caught:
        verifier.warm()
    assert caught.value.detail == "http_500"


def test_jwks_url_defaults_to_the_issuers_well_known_path(verifier, jwks_server):
    assert verifier.jwks.url == jwks_server.issuer + "/.well-known/jwks.json"


def test_rotation_new_key_published_old_removed_is_picked_up_without_restart(
    make_cached_verifier, keys, jwks_server, monotonic
):
    verifier = make_cached_verifier()
    old_token = sign_token(keys["access"], access_claims(jwks_server.issuer))
    assert verifier.verify(old_token)
    jwks_server.publish(keys["rotated"], keys["id"])  # access-key-1 retired, access-key-2 new
    new_token = sign_token(keys["rotated"], access_claims(jwks_server.issuer))

    monotonic.now += 11  # past the cool-down since the first fetch
    assert verifier.verify(new_token)["token_use"] == "access"
    assert jwks_server.hits == 2
    assert "access-key-1" not in verifier.jwks.keys
    with pytest.raises(UnknownKeyError):  # even though it was verified (and cached) before
        verifier.verify(old_token)


def test_unknown_kid_refetches_at_most_once_per_cooldown(make_cached_verifier, keys, jwks_server, monotonic):
    verifier = make_cached_verifier(cooldown=10)
    verifier.warm()
    stray = sign_token(keys["access"], access_claims(jwks_server.issuer), {"kid": "stray", "alg": "RS256"})
    monotonic.now += 10
    for _ in range(5):
        with pytest.raises(UnknownKeyError):
            verifier.verify(stray)
    assert jwks_server.hits == 2
    monotonic.now += 5
    with pytest.raises(UnknownKeyError):
        verifier.verify(stray)
    assert jwks_server.hits == 2
    monotonic.now += 5
    with pytest.raises(UnknownKeyError):
        verifier.verify(stray)
    assert jwks_server.hits == 3


def test_concurrent_callers_share_one_fetch(verifier, mint, jwks_server):
    jwks_server.delay = 0.3
    tokens = [mint() for _ in range(8)]
    results, errors = [], []

    def run(token):
        try:
            results.append(verifier.verify(token))
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8
    assert jwks_server.hits == 1


def test_slow_jwks_on_a_cold_cache_gives_keys_unavailable_within_the_timeout(make_cached_verifier, mint, jwks_server):
    verifier = make_cached_verifier(timeout=0.3)
    jwks_server.delay = 5
    started = time.monotonic()
    with pytest.raises(KeysUnavailableError):
        verifier.verify(mint())
    assert time.monotonic() - started < 1.0


def test_slow_jwks_keeps_serving_the_cached_keys(make_cached_verifier, mint, keys, jwks_server, monotonic):
    verifier = make_cached_verifier(timeout=0.3)
    verifier.warm()
    jwks_server.delay = 5
    monotonic.now += 60
    unknown = sign_token(keys["rotated"], access_claims(jwks_server.issuer))
    started = time.monotonic()
    with pytest.raises(KeysUnavailableError):
        verifier.verify(unknown)
    assert time.monotonic() - started < 1.0
    assert verifier.verify(mint())["token_use"] == "access"
    assert "access-key-1" in verifier.jwks.keys


def test_failing_jwks_keeps_serving_the_cached_keys(make_cached_verifier, mint, keys, jwks_server, monotonic):
    verifier = make_cached_verifier()
    verifier.warm()
    jwks_server.status = 500
    monotonic.now += 60
    with pytest.raises(KeysUnavailableError) as caught:
        verifier.verify(sign_token(keys["rotated"], access_claims(jwks_server.issuer)))
    assert caught.value.detail == "http_500"
    assert verifier.verify(mint())


def test_failing_jwks_on_a_cold_cache_gives_keys_unavailable(verifier, mint, jwks_server):
    jwks_server.status = 503
    with pytest.raises(KeysUnavailableError):
        verifier.verify(mint())
    with pytest.raises(KeysUnavailableError):  # inside the cool-down: no second request
        verifier.verify(mint())
    assert jwks_server.hits == 1


def test_jwks_endpoint_recovering_after_the_cooldown_is_used(make_cached_verifier, mint, jwks_server, monotonic):
    verifier = make_cached_verifier()
    jwks_server.status = 500
    with pytest.raises(KeysUnavailableError):
        verifier.verify(mint())
    jwks_server.status = 200
    monotonic.now += 10
    assert verifier.verify(mint())


def test_redirect_is_not_followed(verifier, mint, jwks_server):
    jwks_server.status = 302
    jwks_server.headers = {"Location": "http://127.0.0.1:1/evil.json"}
    with pytest.raises(KeysUnavailableError) as caught:
        verifier.verify(mint())
    assert caught.value.detail == "http_302"


@pytest.mark.parametrize("send_length", [True, False])
def test_oversized_jwks_is_refused_and_keeps_the_cached_keys(
    make_cached_verifier, mint, keys, jwks_server, monotonic, send_length
):
    verifier = make_cached_verifier()
    verifier.warm()
    jwks_server.send_length = send_length
    jwks_server.publish(
        keys["access"],
        keys["id"],
        keys["rotated"],
        extra=[{"kid": f"pad{i}", "kty": "oct", "k": "x" * 1000} for i in range(70)],
    )
    assert len(jwks_server.body) > 64 * 1024
    monotonic.now += 60
    with pytest.raises(KeysUnavailableError) as caught:
        verifier.verify(sign_token(keys["rotated"], access_claims(jwks_server.issuer)))
    assert caught.value.detail == "jwks_too_large"
    assert verifier.verify(mint())


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"{not json", "jwks_not_json"),
        (b"", "jwks_not_json"),
        (b"\xff\xfe", "jwks_not_json"),
        (b'{"keys": "abc"}', "jwks_without_keys"),
        (b"[]", "jwks_without_keys"),
        (b'{"keys": [NaN]}', "jwks_not_json"),
    ],
)
def test_malformed_jwks_is_refused_and_keeps_the_cached_keys(
    make_cached_verifier, mint, keys, jwks_server, monotonic, body, reason
):
    verifier = make_cached_verifier()
    verifier.warm()
    jwks_server.body = body
    monotonic.now += 60
    with pytest.raises(KeysUnavailableError) as caught:
        verifier.verify(sign_token(keys["rotated"], access_claims(jwks_server.issuer)))
    assert caught.value.detail == reason
    assert verifier.verify(mint())


@pytest.fixture(scope="module")
def small_key():
    return SigningKey("small", bits=1024)


@pytest.mark.parametrize(
    "change",
    [
        {"kty": "EC"},
        {"kty": "oct"},
        {"use": "enc"},
        {"alg": "RS512"},
        {"alg": "HS256"},
        {"key_ops": ["encrypt"]},
        {"d": "AQAB"},
        {"n": "not*base64"},
        {"e": "AA"},
        {"n": None},
    ],
)
def test_jwk_entries_that_do_not_fit_an_rs256_signing_key_are_refused(verifier, keys, jwks_server, change):
    jwk = {**keys["rotated"].jwk, **change}
    jwks_server.set_json({"keys": [keys["access"].jwk, jwk]})
    token = sign_token(keys["rotated"], access_claims(jwks_server.issuer))
    with pytest.raises(UnsuitableKeyError):
        verifier.verify(token)


def test_jwk_with_a_modulus_under_2048_bits_is_refused(verifier, small_key, jwks_server):
    jwks_server.publish(small_key)
    with pytest.raises(UnsuitableKeyError):
        verifier.verify(sign_token(small_key, access_claims(jwks_server.issuer)))


def test_jwk_without_use_and_alg_is_accepted(verifier, keys, jwks_server, mint):
    jwk = {k: v for k, v in keys["access"].jwk.items() if k not in ("use", "alg")}
    jwks_server.set_json({"keys": [jwk]})
    assert verifier.verify(mint())


def test_two_jwks_entries_under_one_kid_are_both_refused(verifier, keys, jwks_server, mint):
    jwks_server.set_json({"keys": [keys["access"].jwk, {**keys["stranger"].jwk}]})
    with pytest.raises(UnsuitableKeyError):
        verifier.verify(mint())


def test_unchanged_key_keeps_its_object_across_refetches(keys):
    import json

    body = json.dumps({"keys": [keys["access"].jwk]}).encode()
    first, _ = parse_jwks(body)
    second, _ = parse_jwks(body, first)
    assert second["access-key-1"][2] is first["access-key-1"][2]


@pytest.mark.parametrize("url", ["http://example.com/jwks.json", "file:///etc/passwd", "ftp://x/y"])
def test_jwks_url_must_be_https_or_loopback(url):
    with pytest.raises(ValueError):
        JwksCache(url)


@pytest.mark.parametrize("timeout", [0, 2.5, 30])
def test_jwks_timeout_must_be_at_most_two_seconds(jwks_server, timeout):
    with pytest.raises(ValueError):
        JwksCache(jwks_server.url, timeout=timeout)


def test_a_pluggable_fetcher_needs_no_network(keys, mint, jwks_server):
    import json

    from cruddur.auth.jwt import CognitoJwtVerifier

    calls = []

    def fetcher(url, timeout, max_bytes, deadline):
        calls.append(url)
        return json.dumps({"keys": [keys["access"].jwk]}).encode()

    cache = JwksCache("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x/.well-known/jwks.json", fetcher=fetcher)
    verifier = CognitoJwtVerifier(jwks_server.issuer, CLIENT_ID, jwks_cache=cache, clock=lambda: 1_760_000_000.5)
    assert verifier.verify(mint())
    assert calls == [cache.url]

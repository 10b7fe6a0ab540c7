"""The pool's JWKS endpoint down after warm-up: tokens keep verifying on the cached keys, through
the app's verifier and a plain CognitoJwtVerifier; a key that was never fetched is refused."""

import base64
import json
import time

import pytest

from cruddur import runtime
from cruddur.auth.jwt import CognitoJwtVerifier, KeysUnavailableError
from tests.resilience.harness import PASSWORD


def _with_kid(token: str, kid: str) -> str:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "kid": kid, "typ": "JWT"}).encode()).rstrip(b"=")
    return header.decode() + token[token.index(".") :]


async def test_tokens_verify_on_cached_keys_while_the_jwks_endpoint_is_down(confirmed, outside_provider):
    email = confirmed()
    app_verifier = runtime.current().identity.verifier
    app_verifier.warm()
    plain = CognitoJwtVerifier(issuer=outside_provider.info["issuer"], client_id=outside_provider.info["client_id"])
    plain.warm()
    # Issued before the outage, never verified yet: only the cached key can vouch for them.
    tokens = [outside_provider.access_token(email, PASSWORD) for _ in range(2)]
    outside_provider.stop()
    app_verifier.jwks.cooldown = 0  # let an unknown key really try the endpoint (no 10 s wait)

    assert app_verifier.verify(tokens[0])["token_use"] == "access"
    assert (await app_verifier.averify(tokens[1]))["client_id"] == outside_provider.info["client_id"]
    assert plain.verify(tokens[0])["sub"] == plain.verify(tokens[1])["sub"]

    with pytest.raises(KeysUnavailableError):  # a key it never saw: refused, never trusted
        app_verifier.verify(_with_kid(tokens[0], "rotated-in-during-the-outage"))
    assert app_verifier.verify(tokens[0])  # and the failed fetch kept the cached keys


async def test_a_frozen_jwks_endpoint_costs_at_most_the_fetch_timeout(confirmed, outside_provider):
    email = confirmed()
    verifier = runtime.current().identity.verifier
    verifier.warm()
    token = outside_provider.access_token(email, PASSWORD)
    outside_provider.pause()
    verifier.jwks.cooldown = 0
    start = time.monotonic()
    assert verifier.verify(token)["sub"]  # cached key: no network at all
    with pytest.raises(KeysUnavailableError):
        verifier.verify(_with_kid(token, "unknown"))
    assert time.monotonic() - start < verifier.jwks.timeout + 1

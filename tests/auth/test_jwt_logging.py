"""No token is ever logged: logs name the failure type only."""

import logging

import pytest

from cruddur.auth.jwt import TokenError

from .conftest import NOW, OTHER_CLIENT_ID


def test_refusals_log_the_failure_code_and_never_the_token(verifier, mint, jwks_server, clock, caplog):
    caplog.set_level(logging.DEBUG, logger="cruddur.auth")
    good = mint()
    bad = [
        mint("id"),
        mint(client_id=OTHER_CLIENT_ID),
        mint(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"),
        good[:-10] + "AAAAAAAAAA",
        good.replace(".", "!", 1),
        "x" * 20000,
    ]
    for token in bad:
        with pytest.raises(TokenError):
            verifier.verify(token)
    clock.now = NOW + 7200
    with pytest.raises(TokenError):
        verifier.verify(good)
    jwks_server.status = 500
    verifier.jwks.cooldown = 0
    with pytest.raises(TokenError):
        verifier.verify(mint(header={"kid": "nope", "alg": "RS256"}))

    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "token refused: token_use" in text
    assert "token refused: token_client" in text
    assert "token refused: token_expired" in text
    assert "JWKS fetch failed (http_500)" in text
    for token in [*bad[:-1], good]:
        for part in token.split("."):
            if len(part) > 8:
                assert part not in text
    for record in caplog.records:
        assert record.exc_info is None

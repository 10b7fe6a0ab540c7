"""The pool as a relying party of an external OpenID provider: its endpoints (from the issuer's
discovery document, or ProviderDetails where it has none), the authorization URL with the pool's
own state, nonce and PKCE, the code exchange with the provider's client secret, the ID token's
verification (signature by the provider's JWKS, iss, aud, exp, nonce) and its user info.
Authlib does the OAuth 2.0 client side, joserfc (Authlib's JOSE library) the JWT."""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

import authlib.deprecate
import httpx

with warnings.catch_warnings():
    # authlib 1.9 warns at import that it prefers httpx2; every start of the provider would print it.
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from .identity_providers import OidcProvider

TIMEOUT = 10.0
# The provider's clock and ours may differ a little.
LEEWAY_SECONDS = 60
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]


class IdpError(Exception):
    """The external provider failed, or answered something the pool must not trust."""


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorize: str
    token: str
    jwks: str
    userinfo: str | None


def endpoints(provider: OidcProvider) -> Endpoints:
    details = provider.details
    issuer = details["oidc_issuer"].rstrip("/")
    found: dict = {}
    if not all(details.get(name) for name in ("authorize_url", "token_url", "jwks_uri")):
        try:
            reply = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT)
            reply.raise_for_status()
            found = reply.json()
        except (httpx.HTTPError, ValueError) as error:
            raise IdpError(f"the discovery document of {issuer} could not be read: {error}") from None
        if not isinstance(found, dict) or found.get("issuer", "").rstrip("/") != issuer:
            raise IdpError(f"the discovery document of {issuer} names another issuer")
    try:
        return Endpoints(
            issuer=issuer,
            authorize=details.get("authorize_url") or found["authorization_endpoint"],
            token=details.get("token_url") or found["token_endpoint"],
            jwks=details.get("jwks_uri") or found["jwks_uri"],
            userinfo=details.get("attributes_url") or found.get("userinfo_endpoint"),
        )
    except KeyError as missing:
        raise IdpError(f"{issuer} publishes no {missing.args[0]}") from None


@contextmanager
def _client(provider: OidcProvider, redirect_uri: str) -> Iterator[OAuth2Client]:
    client = OAuth2Client(
        client_id=provider.details["client_id"],
        client_secret=provider.details.get("client_secret"),
        scope=provider.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=TIMEOUT,
    )
    try:
        yield client
    finally:
        cast(httpx.Client, client).close()  # an httpx.Client, which the type checker cannot see


def authorization_url(
    provider: OidcProvider, where: Endpoints, redirect_uri: str, state: str, nonce: str, verifier: str
) -> str:
    with _client(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(where.authorize, state=state, nonce=nonce, code_verifier=verifier)
    return url


def sign_in(
    provider: OidcProvider, where: Endpoints, redirect_uri: str, code: str, verifier: str, nonce: str, now: float
) -> dict:
    """The claims of the provider's user behind `code`: the verified ID token's, with the user
    info endpoint's added (the attributes Cognito maps), or IdpError."""
    try:
        with _client(provider, redirect_uri) as client:
            token = client.fetch_token(where.token, code=code, code_verifier=verifier)
            claims = _verified_id_token(provider, where, token.get("id_token"), nonce, now)
            if where.userinfo:
                method = provider.details["attributes_request_method"]
                reply = client.request(method, where.userinfo)
                reply.raise_for_status()
                info = reply.json()
                if not isinstance(info, dict) or info.get("sub") != claims["sub"]:
                    raise IdpError("the user info names another user than the ID token")
                claims = {**info, **claims}
    except (httpx.HTTPError, ValueError) as error:  # authlib's OAuthError is a ValueError too
        raise IdpError(f"{where.issuer} refused the sign-in: {error}") from None
    return claims


def _verified_id_token(provider: OidcProvider, where: Endpoints, id_token, nonce: str, now: float) -> dict:
    if not isinstance(id_token, str):
        raise IdpError("the token response has no ID token")
    try:
        reply = httpx.get(where.jwks, timeout=TIMEOUT)
        reply.raise_for_status()
        keys = KeySet.import_key_set(reply.json())
        token = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
        JWTClaimsRegistry(
            now=int(now),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": where.issuer},
            aud={"essential": True, "value": provider.details["client_id"]},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError, httpx.HTTPError) as error:
        raise IdpError(f"the ID token of {where.issuer} is not valid: {error}") from None
    return dict(token.claims)

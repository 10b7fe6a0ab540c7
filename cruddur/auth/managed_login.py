"""Federated sign-in, the app's half: Cognito's managed login (the pool's domain) as an OAuth 2.0
authorization server, through Authlib's client — the authorization-code flow with PKCE (S256), a
`state` and an OpenID `nonce` — and the pool's tokens verified with our own verifier (`jwt.py`).

    started = login.start("Google")            # redirect the browser to started.url; keep
                                               # started.sealed in a short-lived HttpOnly cookie
    done = login.finish(state=..., code=..., sealed=cookie)   # blocking: the code exchange

What the browser must bring back is bound to it without any server-side store: the flow's nonce,
PKCE verifier and provider are sealed (AES-GCM, `session_seal.py`) under a key derived from the
`state`, which travels in the redirect only. A callback whose `state` is not the one this browser's
cookie was sealed for does not open it (forged or from another browser); the cookie is cleared
after one use and expires in minutes, and the pool spends a code on its first exchange. The ID
token must carry this flow's nonce and our client id as its audience.

Every refusal is a `FederationError` whose `code` keys the friendly text (`errors.py`). Blocking
(the code exchange goes over the network): call `finish` on a worker thread. No Reflex here.
"""

import base64
import json
import secrets
import time
import warnings
from dataclasses import dataclass
from typing import cast

import authlib.deprecate
import httpx
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client.errors import OAuthError

from cruddur.auth.cognito import Tokens
from cruddur.auth.jwt import CognitoJwtVerifier, KeysUnavailableError, TokenError
from cruddur.auth.session_seal import seal, unseal

with warnings.catch_warnings():
    # authlib 1.9 warns at import that it prefers httpx2.
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

# openid for the ID token; aws.cognito.signin.user.admin so the tokens work with the JSON API
# (GetUser, refresh, GlobalSignOut) exactly as a password sign-in's do.
SCOPES = "openid email profile aws.cognito.signin.user.admin"
FLOW_SECONDS = 600  # the browser has ten minutes at the provider
TIMEOUT = 10.0
_FLOW = b"cruddur federated sign-in flow v1"


class FederationError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Started:
    url: str  # the pool's /oauth2/authorize, for this provider
    sealed: str  # the flow (nonce, verifier, provider, where to go after), sealed under the state: the cookie's value


@dataclass(frozen=True)
class Finished:
    provider: str
    tokens: Tokens
    id_claims: dict  # verified
    after: str  # the app path the flow was started for (as `start` was given it)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ManagedLogin:
    def __init__(
        self,
        *,
        domain_url: str,
        client_id: str,
        callback_url: str,
        sign_out_url: str,
        verifier: CognitoJwtVerifier,
        clock=time.time,
    ):
        self.domain_url = domain_url.rstrip("/")
        self.client_id = client_id
        self.callback_url = callback_url
        self.sign_out_url = sign_out_url
        self.verifier = verifier
        self._clock = clock

    def _client(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.client_id,
            scope=SCOPES,
            redirect_uri=self.callback_url,
            code_challenge_method="S256",
            token_endpoint_auth_method="none",  # a public client: no secret, PKCE instead
            timeout=TIMEOUT,
        )

    def start(self, provider: str, after: str = "/") -> Started:
        state, nonce, code_verifier = (secrets.token_urlsafe(32) for _ in range(3))
        client = self._client()
        try:
            url, _ = client.create_authorization_url(
                f"{self.domain_url}/oauth2/authorize",
                state=state,
                nonce=nonce,
                code_verifier=code_verifier,
                identity_provider=provider,
            )
        finally:
            cast(httpx.Client, client).close()
        flow = {
            "provider": provider,
            "nonce": nonce,
            "verifier": code_verifier,
            "after": after,
            "until": self._clock() + FLOW_SECONDS,
        }
        return Started(url, _b64(seal(state, json.dumps(flow).encode(), info=_FLOW)))

    def finish(self, *, state: str, code: str, sealed: str) -> Finished:
        """The pool's tokens for `code`, verified, if `state` is this browser's flow (blocking)."""
        flow = self._opened(state, sealed)
        if not code:
            raise FederationError("FederationFailed")
        client = self._client()
        try:
            token = client.fetch_token(
                f"{self.domain_url}/oauth2/token",
                grant_type="authorization_code",
                code=code,
                code_verifier=flow["verifier"],
            )
        except httpx.HTTPError:
            raise FederationError("Unavailable") from None
        except (OAuthError, ValueError):  # invalid_grant: a spent or stale code, another redirect URI, ...
            raise FederationError("CodeNotRedeemed") from None
        finally:
            cast(httpx.Client, client).close()
        tokens = Tokens(
            access_token=str(token.get("access_token", "")),
            id_token=str(token.get("id_token", "")),
            refresh_token=str(token.get("refresh_token", "")),
            expires_in=int(token.get("expires_in", 3600)),
        )
        claims = self.verified_id_token(tokens.id_token, flow["nonce"])
        # .get: a flow sealed before the app kept "after" comes home.
        return Finished(flow["provider"], tokens, claims, flow.get("after", "/"))

    def verified_id_token(self, id_token: str, nonce: str) -> dict:
        """The ID token's claims: the pool's signature, issuer, our client id as audience, not
        expired — and the nonce this flow sent, so a token from another flow is refused."""
        try:
            claims = self.verifier.verify(id_token, token_use="id")
        except KeysUnavailableError:
            raise FederationError("Unavailable") from None
        except TokenError:
            raise FederationError("TokenRefused") from None
        if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
            raise FederationError("NonceMismatch")
        return claims

    def _opened(self, state: str, sealed: str) -> dict:
        if not state or not sealed:
            raise FederationError("StateMismatch")
        try:
            plain = unseal(state, _unb64(sealed), info=_FLOW)
        except ValueError:
            plain = None
        if plain is None:
            raise FederationError("StateMismatch")
        flow = json.loads(plain)
        if flow["until"] < self._clock():
            raise FederationError("FlowExpired")
        return flow

    def logout_url(self) -> str:
        """Managed login's sign-out (its session cookie at the pool's domain), back to the app."""
        return add_params_to_uri(
            f"{self.domain_url}/logout", [("client_id", self.client_id), ("logout_uri", self.sign_out_url)]
        )

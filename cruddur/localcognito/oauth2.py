"""The pool domain's OAuth 2.0 endpoints for apps: `POST /oauth2/token` (authorization_code with
PKCE, refresh_token), `GET|POST /oauth2/userInfo` and `POST /oauth2/revoke`, answering errors as
Cognito does: JSON `{"error": ...}` (invalid_request, invalid_client, invalid_grant,
unauthorized_client, unsupported_grant_type, ...)."""

import base64
import binascii
import hashlib
import hmac
import uuid

from sqlmodel import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import account
from .errors import CognitoError
from .models import AuthorizationCode, Session, User
from .provider import Provider
from .tokens import new_refresh_token, refresh_token_hash

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(CognitoError):
    """A CognitoError, so that a write transaction it leaves still commits (a spent code stays spent)."""

    def __init__(self, error: str, description: str | None = None, status: int = 400):
        super().__init__(error, description or error, status)
        self.error, self.description = error, description

    def response(self) -> JSONResponse:
        body = {"error": self.error, **({"error_description": self.description} if self.description else {})}
        headers = {**NO_STORE}
        if self.status == 401:
            headers["WWW-Authenticate"] = f'Bearer error="{self.error}"'
        return JSONResponse(body, status_code=self.status, headers=headers)


def _client_id(p: Provider, request: Request, form) -> str:
    """The app client a request speaks for, from HTTP Basic or the form (the client has no secret)."""
    client_id = form.get("client_id")
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("basic "):
        try:
            client_id = base64.b64decode(authorization[6:]).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", status=401) from None
    if not client_id:
        raise OAuthError("invalid_request", "client_id is required")
    if client_id != p.client_id:
        raise OAuthError("invalid_client")
    if not p.config.app_client_oauth.hosted:
        raise OAuthError("unauthorized_client")
    return client_id


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _tokens(p: Provider, user: User, login: Session, now: int, nonce: str | None, refresh: str | None) -> dict:
    reply = {"access_token": p.tokens.access_token(user, login, now)}
    if "openid" in (login.scope or "").split():
        reply["id_token"] = p.tokens.id_token(user, login, now, nonce=nonce)
    if refresh is not None:
        reply["refresh_token"] = refresh
    return {**reply, "expires_in": p.config.access_token_seconds, "token_type": "Bearer"}


def _redeem_code(p: Provider, form, client_id: str) -> dict:
    code, redirect_uri, verifier = form.get("code"), form.get("redirect_uri"), form.get("code_verifier")
    if not code or not redirect_uri:
        raise OAuthError("invalid_request", "code and redirect_uri are required")
    now = p.now()
    with p.store.write() as db:
        grant = db.get(AuthorizationCode, refresh_token_hash(code))
        if grant is None:
            raise OAuthError("invalid_grant")
        db.delete(grant)  # any attempt spends the code: a code is redeemed once
        user = db.get(User, grant.sub)
        if grant.expires_at <= now or grant.client_id != client_id or grant.redirect_uri != redirect_uri:
            raise OAuthError("invalid_grant")
        if grant.code_challenge is not None and not (
            verifier and hmac.compare_digest(_s256(verifier), grant.code_challenge)
        ):
            raise OAuthError("invalid_grant")
        if user is None or not user.enabled:
            raise OAuthError("invalid_grant", "User is disabled." if user else None)
        refresh = new_refresh_token()
        login = Session(
            id=str(uuid.uuid4()),
            sub=user.sub,
            client_id=client_id,
            refresh_hash=refresh_token_hash(refresh),
            event_id=str(uuid.uuid4()),
            auth_time=int(now),
            expires_at=now + p.config.refresh_token_seconds,
            scope=grant.scope,
        )
        db.add(login)
        return _tokens(p, user, login, int(now), grant.nonce, refresh)


def _refresh(p: Provider, form, client_id: str) -> dict:
    token = form.get("refresh_token")
    if not token:
        raise OAuthError("invalid_request", "refresh_token is required")
    now = p.now()
    with p.store.read() as db:
        login = db.exec(select(Session).where(Session.refresh_hash == refresh_token_hash(token))).first()
        user = db.get(User, login.sub) if login is not None else None
    if login is None or user is None or login.client_id != client_id or login.revoked or login.expires_at <= now:
        raise OAuthError("invalid_grant")
    if not user.enabled:
        raise OAuthError("invalid_grant", "User is disabled.")
    return _tokens(p, user, login, int(now), None, None)


def token(p: Provider, request: Request, form) -> Response:
    try:
        client_id = _client_id(p, request, form)
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            reply = _redeem_code(p, form, client_id)
        elif grant_type == "refresh_token":
            reply = _refresh(p, form, client_id)
        elif not grant_type:
            raise OAuthError("invalid_request", "grant_type is required")
        else:
            raise OAuthError("unsupported_grant_type")
    except OAuthError as error:
        return error.response()
    return JSONResponse(reply, headers=NO_STORE)


def user_info(p: Provider, request: Request, _form) -> Response:
    """The signed-in user's attributes, for an access token with the openid scope."""
    authorization = request.headers.get("authorization", "")
    if not authorization.lower().startswith("bearer "):
        return OAuthError("invalid_request", "Bearer access token required", 401).response()
    try:
        claims = p.tokens.access_claims(authorization[7:].strip(), p.now())
        with p.store.read() as db:
            login = db.get(Session, claims["origin_jti"])
            user = db.get(User, claims["sub"])
        if login is None or login.revoked or user is None or not user.enabled:
            raise CognitoError("NotAuthorizedException", "Access token has been revoked")
    except CognitoError as error:
        return OAuthError("invalid_token", error.message, 401).response()
    if "openid" not in str(claims.get("scope", "")).split():
        return OAuthError("insufficient_scope", "Access token does not contain openid scope", 403).response()
    info = {"sub": user.sub, "email_verified": "true" if user.email_verified else "false"}
    for name, value in (
        ("email", user.email_attribute),
        ("name", user.name),
        ("preferred_username", user.preferred_username),
        ("identities", user.identities),
    ):
        if value is not None:
            info[name] = value
    return JSONResponse({**info, "username": user.cognito_username}, headers=NO_STORE)


def revoke(p: Provider, request: Request, form) -> Response:
    """RevokeToken's rules (account.revoke_token): the refresh token and what was issued from it."""
    try:
        client_id = _client_id(p, request, form)
        if not form.get("token"):
            raise OAuthError("invalid_request", "token is required")
        try:
            account.revoke_token(p, {"Token": form["token"], "ClientId": client_id})
        except CognitoError as error:
            if error.code == "UnsupportedTokenTypeException":
                raise OAuthError("unsupported_token_type") from None
            raise OAuthError("invalid_client") from None
    except OAuthError as error:
        return error.response()
    return Response(status_code=200, headers=NO_STORE)

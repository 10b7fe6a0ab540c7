"""The pool domain's browser endpoints, as Cognito's managed login serves them: `GET
/oauth2/authorize` (on to an external OIDC provider), `GET /oauth2/idpresponse` (back from it:
the federated user, then the app's redirect_uri with a code), `GET /logout` and the `/error` page.
/oauth2/token, /oauth2/userInfo and /oauth2/revoke are in oauth2.py.

Where Cognito serves them at https://<domain>.auth.<region>.amazoncognito.com, localcognito serves
them at its own base URL (endpoint_url), once a domain is configured."""

import hashlib
import html
import logging
import secrets
import uuid
from urllib.parse import urlencode

from sqlmodel import Session as DbSession
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import auth_sessions, federation, identity_providers, idp_client
from .app_client import COGNITO_PROVIDER
from .errors import CognitoError
from .identity_providers import OidcProvider
from .models import AuthorizationCode, User
from .provider import Provider
from .sealing import seal, unseal
from .tokens import refresh_token_hash

log = logging.getLogger(__name__)
# How long a sign-in may stay at the external provider before its state goes stale.
STATE_SECONDS = 600


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def xsrf_cookie(p: Provider) -> str:
    """Binds a sign-in's state to the browser that started it (Cognito's XSRF-TOKEN). Named per
    pool: cookies ignore ports, and apps on localhost use XSRF-TOKEN themselves."""
    return f"lc-xsrf-{p.pool_id}"


def session_cookie(p: Provider) -> str:
    """The managed-login session (Cognito's `cognito` cookie), which /logout ends."""
    return f"lc-session-{p.pool_id}"


def _redirect(url: str, **params: str | None) -> RedirectResponse:
    query = urlencode({name: value for name, value in params.items() if value is not None})
    return RedirectResponse(f"{url}{'&' if '?' in url else '?'}{query}", status_code=302)


def to_error_page(p: Provider, error: str, client_id: str | None) -> RedirectResponse:
    """Where Cognito sends a browser it cannot send back to the app (redirect_mismatch and the like)."""
    return _redirect(f"{p.endpoint_url}/error", error=error, client_id=client_id)


def error_page(_p: Provider, request: Request) -> Response:
    error = html.escape(request.query_params.get("error", "unknown_error"))
    body = f"<!doctype html><title>Error</title><h1>An error was encountered</h1><p>error: {error}</p>"
    return HTMLResponse(body, status_code=400)


def _issue_code(p: Provider, db: DbSession, user: User, state: dict, now: float) -> str:
    code = str(uuid.uuid4())
    db.add(
        AuthorizationCode(
            code_hash=refresh_token_hash(code),
            sub=user.sub,
            client_id=state["c"],
            redirect_uri=state["r"],
            scope=state["sc"],
            code_challenge=state.get("cc"),
            nonce=state.get("n"),
            expires_at=now + p.config.authorization_code_seconds,
        )
    )
    return code


def _signed_in(p: Provider, response: Response, user: User, now: float) -> Response:
    """Open (or renew) the managed-login session of the browser."""
    value = seal(p.keys.seal_key, {"u": user.sub, "t": now}, f"{p.pool_id}:managed-login")
    seconds = p.config.managed_login_session_seconds
    response.set_cookie(session_cookie(p), value, max_age=seconds, httponly=True, samesite="lax")
    return response


def _session_user(p: Provider, db: DbSession, request: Request) -> User | None:
    value = request.cookies.get(session_cookie(p))
    state = unseal(p.keys.seal_key, value, f"{p.pool_id}:managed-login") if value else None
    if state is None or p.now() - state["t"] > p.config.managed_login_session_seconds:
        return None
    user = db.get(User, state["u"])
    return user if user is not None and user.enabled else None


def authorize(p: Provider, request: Request) -> Response:
    query = request.query_params
    client = p.config.app_client_oauth
    client_id, redirect_uri = query.get("client_id"), query.get("redirect_uri")
    if client_id != p.client_id:
        return to_error_page(p, "invalid_request", client_id)
    if redirect_uri not in client.callback_urls:  # matched exactly, as Cognito does
        return to_error_page(p, "redirect_mismatch", client_id)
    if not client.hosted:
        return to_error_page(p, "unauthorized_client", client_id)
    app_state = query.get("state")

    def refuse(error: str, description: str) -> Response:
        return _redirect(redirect_uri, error=error, error_description=description, state=app_state)

    if query.get("response_type") != "code":
        return refuse("unsupported_response_type", "response_type must be code")
    scopes = query.get("scope", "").split() or list(client.allowed_oauth_scopes)
    if not set(scopes) <= set(client.allowed_oauth_scopes):
        return refuse("invalid_scope", "a scope is not allowed for this client")
    challenge, method = query.get("code_challenge"), query.get("code_challenge_method")
    if (challenge or method) and (method != "S256" or not challenge):
        return refuse("invalid_request", "code_challenge_method must be S256, with a code_challenge")
    state = {"c": client_id, "r": redirect_uri, "s": app_state, "sc": " ".join(scopes), "cc": challenge}
    state["n"] = query.get("nonce")
    now = p.now()

    with p.store.write() as db:
        supported = [name for name in client.supported_identity_providers if name != COGNITO_PROVIDER]
        name, identifier = query.get("identity_provider"), query.get("idp_identifier")
        if name is not None or identifier is not None:
            provider = identity_providers.find(db, name, identifier)
            if provider is None or provider.name not in supported:
                return refuse("invalid_request", "Login option is not available. Please try another one")
        else:
            user = _session_user(p, db, request)
            if user is not None:  # the browser is signed in to the managed login already
                return _redirect(redirect_uri, code=_issue_code(p, db, user, state, now), state=app_state)
            available = [found for found in (identity_providers.find(db, n) for n in supported) if found]
            if len(available) != 1 or COGNITO_PROVIDER in client.supported_identity_providers:
                return _chooser(request, [found.name for found in available])
            provider = available[0]
    return _to_provider(p, request, provider, state, now)


def _chooser(request: Request, names: list[str]) -> Response:
    """Managed login's choice of provider. Signing in with a password here is not served: the
    app does that through the JSON API."""
    links = "".join(
        f'<li><a href="{html.escape(str(request.url.include_query_params(identity_provider=name)))}">'
        f"Sign in with {html.escape(name)}</a></li>"
        for name in names
    )
    body = f"<!doctype html><title>Sign in</title><h1>Sign in</h1><ul>{links}</ul>"
    return HTMLResponse(body)


def _to_provider(p: Provider, request: Request, provider: OidcProvider, state: dict, now: float) -> Response:
    try:
        where = idp_client.endpoints(provider)
    except idp_client.IdpError as error:
        log.warning("localcognito: %s", error)
        return _redirect(state["r"], error="server_error", error_description=str(error), state=state["s"])
    xsrf = request.cookies.get(xsrf_cookie(p)) or secrets.token_urlsafe(32)
    nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    # Sealed (encrypted): the provider and the browser see the state, never the verifier in it.
    sealed = seal(
        p.keys.seal_key,
        {**state, "p": provider.name, "in": nonce, "v": verifier, "x": _digest(xsrf), "t": now},
        f"{p.pool_id}:oauth-state",
    )
    url = idp_client.authorization_url(provider, where, _idp_redirect_uri(p), sealed, nonce, verifier)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(xsrf_cookie(p), xsrf, max_age=STATE_SECONDS, httponly=True, samesite="lax")
    return response


def _idp_redirect_uri(p: Provider) -> str:
    """What the external provider's client must list as its redirect URI."""
    return f"{p.endpoint_url}/oauth2/idpresponse"


def idp_response(p: Provider, request: Request) -> Response:
    query = request.query_params
    blob = query.get("state") or ""
    state = unseal(p.keys.seal_key, blob, f"{p.pool_id}:oauth-state")
    xsrf = request.cookies.get(xsrf_cookie(p))
    now = p.now()
    if state is None or state["c"] != p.client_id or xsrf is None or _digest(xsrf) != state["x"]:
        return to_error_page(p, "invalid_state", None)
    if now - state["t"] > STATE_SECONDS:
        return to_error_page(p, "invalid_state", state["c"])
    with p.store.write() as db:
        if auth_sessions.spent(db, blob):
            return to_error_page(p, "invalid_state", state["c"])
        auth_sessions.spend(db, blob, now, state["t"] + STATE_SECONDS)

    def refuse(error: str, description: str) -> Response:
        return _redirect(state["r"], error=error, error_description=description, state=state["s"])

    if query.get("error"):  # the user said no at the provider, or it refused
        return refuse(query["error"], query.get("error_description") or query["error"])
    with p.store.read() as db:
        provider = identity_providers.find(db, state["p"])
    if provider is None or not query.get("code"):
        return refuse("invalid_request", "Login option is not available. Please try another one")
    try:
        where = idp_client.endpoints(provider)
        claims = idp_client.sign_in(provider, where, _idp_redirect_uri(p), query["code"], state["v"], state["in"], now)
    except idp_client.IdpError as error:
        log.warning("localcognito: %s", error)
        return refuse("server_error", str(error))
    try:
        with p.store.write() as db:
            user = federation.signed_in_user(p, db, provider, claims, now)
            code = _issue_code(p, db, user, state, now)
    except CognitoError as error:
        return refuse("invalid_request", error.message)
    response = _signed_in(p, _redirect(state["r"], code=code, state=state["s"]), user, now)
    response.delete_cookie(xsrf_cookie(p))
    return response


def logout(p: Provider, request: Request) -> Response:
    """End the managed-login session; then back to logout_uri (one of LogoutURLs), or, given
    redirect_uri and response_type instead, to a new sign-in."""
    query = request.query_params
    client = p.config.app_client_oauth
    client_id = query.get("client_id")
    if client_id != p.client_id:
        return to_error_page(p, "invalid_request", client_id)
    logout_uri = query.get("logout_uri")
    if logout_uri is not None:
        if logout_uri not in client.logout_urls:
            return to_error_page(p, "redirect_mismatch", client_id)
        response: Response = RedirectResponse(logout_uri, status_code=302)
    elif query.get("redirect_uri") and query.get("response_type"):
        response = _redirect(f"{p.endpoint_url}/oauth2/authorize", **dict(query))
    else:
        return to_error_page(p, "invalid_request", client_id)
    response.delete_cookie(session_cookie(p))
    return response

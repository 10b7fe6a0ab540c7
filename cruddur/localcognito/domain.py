"""The pool domain's routes (managed login and OAuth 2.0), served at the provider's base URL when
the pool has a domain. Handlers are blocking (the store, the external provider): they run in a
worker thread."""

from collections.abc import Callable

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import managed_login, oauth2
from .provider import Provider


def _endpoint(p: Provider, handler: Callable[..., Response], form: bool = False):
    async def endpoint(request: Request) -> Response:
        if form:
            fields = dict(await request.form()) if request.method == "POST" else {}
            return await anyio.to_thread.run_sync(handler, p, request, fields)
        return await anyio.to_thread.run_sync(handler, p, request)

    return endpoint


def routes(p: Provider) -> list[Route]:
    if not p.config.domain:
        return []
    return [
        Route("/oauth2/authorize", _endpoint(p, managed_login.authorize), methods=["GET"]),
        Route("/oauth2/idpresponse", _endpoint(p, managed_login.idp_response), methods=["GET"]),
        Route("/logout", _endpoint(p, managed_login.logout), methods=["GET"]),
        Route("/error", _endpoint(p, managed_login.error_page), methods=["GET"]),
        Route("/oauth2/token", _endpoint(p, oauth2.token, form=True), methods=["POST"]),
        Route("/oauth2/userInfo", _endpoint(p, oauth2.user_info, form=True), methods=["GET", "POST"]),
        Route("/oauth2/revoke", _endpoint(p, oauth2.revoke, form=True), methods=["POST"]),
    ]


def discovery(p: Provider) -> dict:
    """The managed-login members of the pool's openid-configuration."""
    if not p.config.domain:
        return {}
    base = p.endpoint_url
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "token_endpoint": f"{base}/oauth2/token",
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "end_session_endpoint": f"{base}/logout",
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }

"""The backend's two plain-HTTP routes of federated sign-in ("Continue with …"), in front of the app:

- `GET /_federation/start?provider=<ProviderName>[&next=<app path>]`: a new flow
  (`auth/managed_login.py`), sealed into a short-lived HttpOnly, SameSite=Lax cookie with the
  page to come back to, and a redirect to the pool's managed login.
- `GET /_federation/callback?code=…&state=…`: the cookie must open under that state; the code is
  exchanged and the tokens verified (on the identity threads), then the session opens exactly as
  a password sign-in's does — its handle straight into the HttpOnly session cookie, as
  `/_session/adopt` sets it — and the browser goes to the page it started from (or to
  `/welcome` for a handle).
  An identity whose verified e-mail is a password account's goes to `/signin/link` instead, with
  the pending link's handle in a cookie of its own.

Refusals go back to `/signin?federation_error=<code>`: a code of `auth/errors.py`, never text.
"""

from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from cruddur import runtime
from cruddur.browser_sessions import set_cookie
from cruddur.services.accounts import AccountError
from cruddur.services.federation import LinkNeeded
from cruddur.services.second_steps import LIFETIME_SECONDS
from cruddur.services.sessions import Client
from cruddur.settings import CALLBACK_PATH, Settings
from cruddur.state.auth import LINK_PAGE, safe_next
from cruddur.state.session import CHOOSE_HANDLE

FLOW_COOKIE_SECONDS = 600


def federation_routes(settings: Settings) -> Starlette:
    flow_cookie, link_cookie = settings.federation_cookie, settings.link_cookie
    app_url = settings.public_urls[0].rstrip("/")

    def to_app(path: str, **query: str) -> RedirectResponse:
        response = RedirectResponse(app_url + path + (f"?{urlencode(query)}" if query else ""), status_code=303)
        response.headers["cache-control"] = "no-store"
        return response

    async def start(request: Request) -> Response:
        rt = runtime.current()
        if rt.federation is None:
            return Response(status_code=404)
        try:
            after = safe_next(request.query_params.get("next"))
            started = rt.federation.start(request.query_params.get("provider", ""), after)
        except AccountError as refused:
            return to_app("/signin", federation_error=refused.code)
        response = RedirectResponse(started.url, status_code=303)
        response.headers["cache-control"] = "no-store"
        response.headers.append("set-cookie", set_cookie(flow_cookie, started.sealed, FLOW_COOKIE_SECONDS))
        return response

    async def callback(request: Request) -> Response:
        rt = runtime.current()
        if rt.federation is None:
            return Response(status_code=404)
        query = request.query_params
        sealed = request.cookies.get(flow_cookie, "")
        if query.get("error"):  # the pool or the provider said no (the person cancelled, say)
            response = to_app("/signin", federation_error="ProviderRefused")
        else:
            client = Client(
                address=request.client.host if request.client else "",
                user_agent=request.headers.get("user-agent", ""),
                browser=request.cookies.get(settings.device_cookie, ""),
            )
            try:
                outcome, after = await rt.identity.run(
                    rt.federation.finish,
                    state=query.get("state", ""),
                    code=query.get("code", ""),
                    sealed=sealed,
                    client=client,
                    replacing=request.cookies.get(settings.session_cookie, ""),
                )
            except AccountError as refused:
                response = to_app("/signin", federation_error=refused.code)
            else:
                after = safe_next(after)
                if isinstance(outcome, LinkNeeded):  # the link page signs in, then goes on to `after`
                    response = to_app(LINK_PAGE, **({"next": after} if after != "/" else {}))
                    response.headers.append("set-cookie", set_cookie(link_cookie, outcome.link, LIFETIME_SECONDS))
                else:
                    response = to_app(after if outcome.viewer.handle else CHOOSE_HANDLE)
                    max_age = int(settings.session_lifetime.total_seconds())
                    response.headers.append("set-cookie", set_cookie(settings.session_cookie, outcome.handle, max_age))
        response.headers.append("set-cookie", set_cookie(flow_cookie, "", 0))  # one use, whatever happened
        return response

    return Starlette(
        routes=[
            Route("/_federation/start", start, methods=["GET"]),
            Route(CALLBACK_PATH, callback, methods=["GET"]),
        ]
    )

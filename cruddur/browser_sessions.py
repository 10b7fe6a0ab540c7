"""How a browser holds its session: an HttpOnly cookie that only the backend sets and clears, over
plain HTTP. No script in the page can read it; the server learns who is on a websocket from the
Cookie header of that connection's handshake, never from anything the page sends in an event.

- Every browser gets a device cookie (`cruddur_browser`, HttpOnly) before its websocket opens:
  with the first page the backend serves it, or — where another server serves the pages, as
  the dev server's Vite does — from `POST /_session/hello`, which `assets/session.js` calls
  while the page loads when a readable marker cookie says there is none yet. It is no
  credential; it only ties a sign-in ticket to the browser that signed in.
- Signing in over a websocket hands the page a one-time ticket; the page POSTs it to
  `/_session/adopt`, which answers with the session cookie — only to the browser whose device
  cookie the ticket was issued for, so a ticket read by a script elsewhere opens nothing.
- `/_session/end` ends the session the cookie names and clears the cookie (sign-out).
- A connection that signed in or out after its handshake is remembered here by its Socket.IO
  session id (`ConnectionSessions`): its handshake cookie is stale until the page reconnects.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cruddur.settings import Settings

DEVICE_COOKIE_DAYS = 400  # the most browsers keep a cookie
# Readable by the page, never secret: only says the HttpOnly device cookie is there.
DEVICE_MARKER = "cruddur_browser_set"
MAX_CONNECTIONS = 50_000


def parse_cookies(header: str) -> dict[str, str]:
    """The cookies of a Cookie header; a malformed one reads as none."""
    jar = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def set_cookie(name: str, value: str, max_age: int, *, http_only: bool = True) -> str:
    """A Set-Cookie value: HttpOnly, Secure (browsers count http://localhost as secure),
    SameSite=Lax, Path=/, and no Domain — what a `__Host-` name requires over https."""
    return f"{name}={value}; Max-Age={max_age}; Path=/;{' HttpOnly;' if http_only else ''} Secure; SameSite=Lax"


class ConnectionSessions:
    """Session handles of websocket connections that signed in (handle) or out ("") after their
    handshake, by Socket.IO session id. Process memory only: a connection lives in one worker.
    Bounded: the least recently used go first, and a connection forgotten falls back to its
    handshake cookie, which by then holds the same session."""

    def __init__(self, limit: int = MAX_CONNECTIONS):
        self._handles: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def bind(self, sid: str, handle: str) -> None:
        with self._lock:
            self._handles[sid] = handle
            self._handles.move_to_end(sid)
            while len(self._handles) > self._limit:
                self._handles.popitem(last=False)

    def handle_of(self, sid: str, handshake_cookie: str) -> str:
        with self._lock:
            handle = self._handles.get(sid)
            if handle is not None:
                self._handles.move_to_end(sid)
                return handle
        return handshake_cookie


def with_browser_cookies(settings: Settings) -> Callable[[ASGIApp], ASGIApp]:
    """ASGI middleware: gives a browser without one its device cookie with the first page (or
    `/_session/hello`) the backend answers; and drops a websocket handshake's
    `asgi-scope-client` header, the name under which Reflex tells handlers the socket's real
    peer address."""
    name = settings.device_cookie

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "websocket":
                headers = [(k, v) for k, v in scope["headers"] if k != b"asgi-scope-client"]
                await app({**scope, "headers": headers}, receive, send)
                return
            if scope["type"] != "http" or name in parse_cookies(_header(scope, b"cookie")):
                await app(scope, receive, send)
                return
            device = secrets.token_urlsafe(32)
            max_age = DEVICE_COOKIE_DAYS * 86400
            cookies = [set_cookie(name, device, max_age), set_cookie(DEVICE_MARKER, "1", max_age, http_only=False)]

            async def send_with_cookie(message: Message) -> None:
                if message["type"] == "http.response.start" and _is_page(message):
                    extra = [(b"set-cookie", cookie.encode("latin-1")) for cookie in cookies]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
                await send(message)

            await app(scope, receive, send_with_cookie)

        return middleware

    return wrap


def _header(scope: Scope, name: bytes) -> str:
    return "; ".join(value.decode("latin-1") for key, value in scope["headers"] if key == name)


def _is_page(message: Message) -> bool:
    """An HTML page, or the answer of `/_session/hello` (it says so with a header of its own)."""
    headers = dict(message.get("headers", []))
    return headers.get(b"content-type", b"").startswith(b"text/html") or b"x-cruddur-hello" in headers


# What the routes need from the running app, given by `cruddur.runtime` (no import cycle).
Redeem = Callable[[str, str], Awaitable[str | None]]  # (ticket, device) -> session handle
EndSession = Callable[[str], Awaitable[None]]  # (handle) -> None


def session_routes(settings: Settings, redeem: Redeem, end: EndSession) -> Starlette:
    """`POST /_session/hello`, `/_session/adopt` and `/_session/end`; the last two for the page's
    own origin only."""
    origins = set(settings.origins)

    def refused(request: Request) -> Response | None:
        # SameSite=Lax keeps other sites' POSTs cookie-less; this also refuses other origins of
        # the same site (another port on localhost, a sibling subdomain).
        if request.headers.get("origin") not in origins:
            return JSONResponse({"error": "forbidden", "message": "Not from this app's origin."}, 403)
        return None

    async def adopt(request: Request) -> Response:
        if (answer := refused(request)) is not None:
            return answer
        try:
            ticket = (await request.json()).get("ticket", "")
        except (ValueError, AttributeError):
            ticket = ""
        device = request.cookies.get(settings.device_cookie, "")
        handle = await redeem(ticket, device) if isinstance(ticket, str) else None
        if handle is None:
            return JSONResponse({"error": "invalid_ticket", "message": "Sign in again."}, 400)
        response = Response(status_code=204)
        max_age = int(settings.session_lifetime.total_seconds())
        response.headers.append("set-cookie", set_cookie(settings.session_cookie, handle, max_age))
        response.headers["cache-control"] = "no-store"
        return response

    async def end_session(request: Request) -> Response:
        if (answer := refused(request)) is not None:
            return answer
        handle = request.cookies.get(settings.session_cookie, "")
        if handle:
            await end(handle)
        response = Response(status_code=204)
        response.headers.append("set-cookie", set_cookie(settings.session_cookie, "", 0))
        response.headers["cache-control"] = "no-store"
        return response

    async def hello(request: Request) -> Response:
        """Nothing but the device cookie, which the middleware adds to this answer."""
        return Response(status_code=204, headers={"x-cruddur-hello": "1", "cache-control": "no-store"})

    return Starlette(
        routes=[
            Route("/_session/hello", hello, methods=["POST"]),
            Route("/_session/adopt", adopt, methods=["POST"]),
            Route("/_session/end", end_session, methods=["POST"]),
        ]
    )

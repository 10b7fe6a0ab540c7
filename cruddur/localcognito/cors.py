"""CORS as Cognito answers it, so SPAs built on Amplify or amazon-cognito-identity-js can call the
provider from a browser page served on another origin.

A pure ASGI middleware (not Starlette's CORSMiddleware, which answers a wildcard instead of
echoing the origin and refuses a preflight with 400). On the API endpoint (POST /) and the
well-known routes (JWKS, openid-configuration):

- a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) from an allowed
  origin gets 200 with `Access-Control-Allow-Origin: <origin>`, `-Allow-Methods` (`POST, OPTIONS`
  on the API, `GET, OPTIONS` on the well-known routes), `-Allow-Headers` (the requested ones,
  echoed; by default content-type, x-amz-target, x-amz-user-agent, cache-control, ...) and
  `-Max-Age`; from a disallowed origin, 403 and no allow headers;
- every other reply to a request carrying an allowed `Origin` (errors and 500s included) gets
  `Access-Control-Allow-Origin` and `Access-Control-Expose-Headers` (x-amzn-RequestId,
  x-amzn-ErrorType, x-amzn-ErrorMessage, Date), so the page can read `__type` and `message`.

`allowed_origins=None` echoes any origin. The mailbox (GET /_mailbox) gets no CORS on purpose:
any web page open in the developer's browser could otherwise read the codes.
"""

import json
import logging
import re
import uuid
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

API_METHODS = "POST, OPTIONS"
WELL_KNOWN_METHODS = "GET, OPTIONS"
OAUTH2_METHODS = {
    "/oauth2/token": "POST, OPTIONS",
    "/oauth2/revoke": "POST, OPTIONS",
    "/oauth2/userInfo": "GET, POST, OPTIONS",
}
DEFAULT_ALLOW_HEADERS = (
    "content-type, x-amz-target, x-amz-user-agent, cache-control, authorization, x-amz-date, "
    "x-amz-security-token, x-amz-content-sha256, amz-sdk-invocation-id, amz-sdk-request"
)
EXPOSE_HEADERS = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"
MAX_AGE_SECONDS = 86400
_WELL_KNOWN = re.compile(r"/[^/]+/\.well-known/(?:jwks\.json|openid-configuration)")
# A comma-separated list of HTTP header names (RFC 9110 tokens), as browsers send it.
_HEADER_LIST = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*")


def normalize_origin(origin: str) -> str:
    """`HTTP://LocalHost:5173/` → `http://localhost:5173`: how browsers serialize an origin."""
    return origin.strip().rstrip("/").lower()


def _route_path(scope: Scope) -> str:
    path = scope.get("path", "/")
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path or "/"


def allowed_methods(path: str) -> str | None:
    """The methods a CORS caller may use on `path`; None where the provider offers no CORS."""
    if path == "/":
        return API_METHODS
    if _WELL_KNOWN.fullmatch(path):
        return WELL_KNOWN_METHODS
    if path in OAUTH2_METHODS:  # the pool domain's endpoints an SPA calls with fetch
        return OAUTH2_METHODS[path]
    return None


class CorsMiddleware:
    def __init__(self, app: ASGIApp, allowed_origins: Iterable[str] | None = None, max_age: int = MAX_AGE_SECONDS):
        self.app = app
        origins = None if allowed_origins is None else {normalize_origin(o) for o in allowed_origins}
        self.allowed_origins = None if origins is not None and "*" in origins else origins
        self.max_age = max_age

    def allows(self, origin: str) -> bool:
        return self.allowed_origins is None or normalize_origin(origin) in self.allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        methods = allowed_methods(_route_path(scope))
        request_headers = Headers(scope=scope)
        origin = request_headers.get("origin")
        if methods is None or origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in request_headers:
            await self._preflight(send, origin, methods, request_headers)
            return
        await self._simple(scope, receive, send, origin)

    async def _preflight(self, send: Send, origin: str, methods: str, request_headers: Headers) -> None:
        vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        if not self.allows(origin):
            body = json.dumps({"__type": "ForbiddenException", "message": f"Origin {origin} is not allowed."}).encode()
            await _send(send, 403, body, [("content-type", "application/json"), ("vary", vary)])
            return
        requested = request_headers.get("access-control-request-headers", "").strip()
        allow_headers = requested.lower() if requested and _HEADER_LIST.fullmatch(requested) else DEFAULT_ALLOW_HEADERS
        headers = [
            ("access-control-allow-origin", origin),
            ("access-control-allow-methods", methods),
            ("access-control-allow-headers", allow_headers),
            ("access-control-expose-headers", EXPOSE_HEADERS),
            ("access-control-max-age", str(self.max_age)),
            ("vary", vary),
        ]
        await _send(send, 200, b"", headers)

    async def _simple(self, scope: Scope, receive: Receive, send: Send, origin: str) -> None:
        allowed = self.allows(origin)
        started = False

        async def send_with_cors(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers.add_vary_header("Origin")
                if allowed:
                    headers["access-control-allow-origin"] = origin
                    headers["access-control-expose-headers"] = EXPOSE_HEADERS
            await send(message)

        try:
            await self.app(scope, receive, send_with_cors)
        except Exception:
            if started:
                raise
            # Answer here rather than let Starlette's 500 page go out without CORS headers.
            log.exception("localcognito: %s %s failed", scope["method"], scope.get("path"))
            body = json.dumps({"__type": "InternalErrorException", "message": "Internal error."}).encode()
            headers = [("content-type", "application/x-amz-json-1.1"), ("x-amzn-errortype", "InternalErrorException")]
            await send_with_cors({"type": "http.response.start", "status": 500, "headers": _raw(headers)})
            await send_with_cors({"type": "http.response.body", "body": body})


def _raw(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers]


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
    headers = [*headers, ("content-length", str(len(body))), ("x-amzn-requestid", str(uuid.uuid4()))]
    await send({"type": "http.response.start", "status": status, "headers": _raw(headers)})
    await send({"type": "http.response.body", "body": body})

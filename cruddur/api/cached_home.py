"""The home feed's first page straight from the feed cache, in front of the routes."""

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from cruddur.api.callers import VerifyAccessToken, invalid_token
from cruddur.api.errors import unauthorized_response
from cruddur.auth.jwt import KeysUnavailableError, TokenError
from cruddur.db import Database
from cruddur.services.feed_cache import home_cache

HOME_PATH = "/api/activities/home"

# An answer as sent: status, headers, body.
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class CachedHomePage:
    """ASGI in front of the routes: `GET /api/activities/home` (first page) answered straight
    from the feed cache, without FastAPI's per-request dependency solving, when the page is
    cached and the request carries no token or one Bearer token that verifies — and one Bearer
    token the verifier refuses answered here with the route's own 401 (same body, same
    challenge), cached page or not, so a wrong token costs no more than a right one and is not
    verified twice (bench/bench_api.py: it was a quarter of the authenticated rate). Anything
    else (a miss, a cursor, keys that cannot be fetched, no Bearer scheme, another route) goes
    on to the routes, which answer it, errors included, exactly as documented."""

    def __init__(self, app: ASGIApp, verify_access_token: VerifyAccessToken, database: Callable[[], Database]):
        self.app, self.verify, self.database = app, verify_access_token, database
        refusal = unauthorized_response(invalid_token())  # rendered once: it never varies
        self.refusal: Answer = (refusal.status_code, refusal.raw_headers, bytes(refusal.body))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope["query_string"]
            and scope["path"] == scope.get("root_path", "") + HOME_PATH
            and (answer := await self._answer(scope["headers"])) is not None
        ):
            status, headers, body = answer
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    async def _answer(self, headers: list[tuple[bytes, bytes]]) -> Answer | None:
        """The cached page, the route's 401 for a refused token, or None: the routes answer.
        The token is judged before the cache is looked at, so a refused one is answered here
        even when no page is cached (only wrong tokens arriving refill nothing)."""
        engine = self.database().engine
        authorization = [value for name, value in headers if name == b"authorization"]
        if not authorization:
            return _page(home_cache.peek_body(engine, None))
        if len(authorization) > 1:
            return None
        scheme, _, token = authorization[0].decode("latin-1").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            claims = await self.verify(token)
        except KeysUnavailableError:  # our fault, not the token's: the route's 503
            return None
        except TokenError:
            return self.refusal
        return _page(home_cache.peek_body(engine, claims["sub"]))


def _page(body: bytes | None) -> Answer | None:
    if body is None:
        return None
    return 200, [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")], body

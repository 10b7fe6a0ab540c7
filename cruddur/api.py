"""Cruddur's REST API under /api, for clients other than the browser app (mounted into Reflex
with `rx.App(api_transformer=api)`).

Reads are public; a valid Cognito access token adds what is personal (`liked`). Writes need
one, and their author is always the token's `sub`. A token that is sent must be valid: an
invalid one is refused with 401, never quietly treated as absent; so is one whose session was
ended (sign-out, password reset), though its signature still holds (`services/revocations.py`).
Errors are JSON,
`{"error": code, "message": ..., "field": ...}`, and bad input is a 4xx, never a 5xx.
Database work runs in worker threads (`in_db`), token verification on the event loop. The
home feed's first page comes from `services/feed_cache.py` (at most 1 s old, never showing an
expired crud, dropped at once by any write in this process) as ready JSON. The interactive
docs at /api/docs load Swagger UI from the app itself, never from another host.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Annotated, Any, TypeVar

import anyio
import fastapi_offline
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from cruddur import runtime
from cruddur.auth.jwt import KeysUnavailableError, TokenError
from cruddur.db import Database
from cruddur.http_headers import content_security_policy, inline_script_hashes
from cruddur.services.activities import CrudView, FeedPage, ProfileFeedPage, home_feed, profile_feed
from cruddur.services.errors import Conflict, NotFound, ProfileRequired, ServiceError, ValidationError
from cruddur.services.feed_cache import feed_json, home_cache
from cruddur.services.likes import toggle_like
from cruddur.services.posting import post_crud, reply
from cruddur.services.ttl import Ttl

VerifyAccessToken = Callable[[str], Awaitable[dict]]
T = TypeVar("T")
Claims = dict

HOME_PATH = "/api/activities/home"
OPENAPI_PATH = "/api/openapi.json"
DOCS_PATH = "/api/docs"
DOCS_ASSETS_PATH = DOCS_PATH + "/assets"
MESSAGE_DOC = "1–280 characters once leading and trailing whitespace is removed."


class NewCrud(BaseModel):
    message: str = Field(description=MESSAGE_DOC)
    ttl: Ttl = Field(description="How long the crud lives: " + ", ".join(f"{t.value} = {t.label}" for t in Ttl))


class NewReply(BaseModel):
    message: str = Field(description=MESSAGE_DOC)


class LikeState(BaseModel):
    liked: bool
    likes_count: int


class Health(BaseModel):
    status: str


class ApiError(BaseModel):
    error: str
    message: str
    field: str | None = None


class AuthError(Exception):
    """Answered as 401 with a `WWW-Authenticate` challenge (RFC 6750)."""

    def __init__(self, challenge: str, message: str):
        self.challenge, self.message = challenge, message


class KeysUnavailable(Exception):
    """The pool's keys could not be fetched: our fault, not the token's (503, try again)."""


Responses = dict[int | str, dict[str, Any]]  # FastAPI's `responses`: status -> what it documents
_ERRORS: Responses = {status: {"model": ApiError} for status in (401, 422, 503)}
_LOOKUP_ERRORS: Responses = _ERRORS | {404: {"model": ApiError}}
_WRITE_ERRORS: Responses = _LOOKUP_ERRORS | {403: {"model": ApiError}}
_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_bearer = HTTPBearer(auto_error=False, description="A Cognito access token of this app's user pool and client.")
Cursor = Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")]


def create_api(verify_access_token: VerifyAccessToken, database: Callable[[], Database]) -> FastAPI:
    """The API, verifying tokens with `verify_access_token` (claims, or a `TokenError`), on the
    database `database()` gives (the running app's, found when a request comes)."""
    app = FastAPI(
        title="Cruddur API",
        version="1",
        openapi_url=OPENAPI_PATH,
        docs_url=None,  # served by _serve_docs, from our own files
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,  # Bearer tokens only: no OAuth2 flow to return to
    )
    _handle_errors(app)
    _serve_docs(app)
    app.add_middleware(_CachedHomePage, verify_access_token=verify_access_token, database=database)

    async def in_db(work: Callable[[Session], T]) -> T:
        """`work` with its own session, in a worker thread: the database never blocks the event
        loop. (Async endpoints with one explicit hop: FastAPI would make two for a plain `def`,
        one to run it and one to serialise its answer.)"""
        return await anyio.to_thread.run_sync(database().run, work)

    async def viewer(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> Claims | None:
        """The verified claims, None without an Authorization header; any other header is refused."""
        if "authorization" not in request.headers:
            return None
        if credentials is None:
            raise AuthError('Bearer error="invalid_token"', "The Authorization header is not a Bearer token.")
        try:
            return await verify_access_token(credentials.credentials)
        except KeysUnavailableError:
            raise KeysUnavailable() from None
        except TokenError:
            raise AuthError('Bearer error="invalid_token"', "The access token is invalid or has expired.") from None

    async def user(claims: Annotated[Claims | None, Depends(viewer)]) -> Claims:
        if claims is None:
            raise AuthError("Bearer", "Sign in: this needs an access token.")
        return claims

    @app.get("/api/health", response_model=Health, tags=["health"])
    async def health() -> Health:
        await in_db(lambda session: session.execute(text("SELECT 1")))
        return Health(status="ok")

    reading: dict[tuple, asyncio.Future[bytes]] = {}  # (engine, cache generation, sub) -> its read

    async def first_home_page(sub: str | None) -> bytes:
        engine = database().engine
        body = home_cache.peek_body(engine, sub)
        if body is not None:
            return body
        # When the page runs out, one request per viewer reads it and the others wait for that
        # read, rather than each holding a worker thread (and the GIL) at once. A read started
        # before a write is never joined after it: the cache's generation moved.
        key = (engine, home_cache.generation, sub)
        task = reading.get(key)
        if task is None:
            task = reading[key] = asyncio.ensure_future(in_db(lambda session: home_cache.body(session, sub)))

            def done(_task: asyncio.Future) -> None:
                del reading[key]
                if not _task.cancelled():
                    _task.exception()  # its waiters have it; none left is not "never retrieved"

            task.add_done_callback(done)
        return await asyncio.shield(task)

    @app.get(HOME_PATH, response_model=FeedPage, responses=_ERRORS, tags=["activities"])
    async def home(claims: Annotated[Claims | None, Depends(viewer)], cursor: Cursor = None) -> Response:
        # The first page comes from the feed cache (services/feed_cache.py) as ready JSON: a
        # hit never leaves the event loop. `response_model` documents it; FeedPage is its shape.
        sub = _sub(claims)
        if cursor is None:
            body = await first_home_page(sub)
        else:
            body = feed_json(await in_db(lambda session: home_feed(session, cursor=cursor, viewer_sub=sub)))
        return Response(body, media_type="application/json")

    @app.get("/api/activities/@{handle}", response_model=ProfileFeedPage, responses=_LOOKUP_ERRORS, tags=["activities"])
    async def profile(
        handle: str, claims: Annotated[Claims | None, Depends(viewer)], cursor: Cursor = None
    ) -> ProfileFeedPage:
        return await in_db(lambda session: profile_feed(session, handle, cursor=cursor, viewer_sub=_sub(claims)))

    @app.post("/api/activities", status_code=201, response_model=CrudView, responses=_WRITE_ERRORS, tags=["activities"])
    async def create(body: NewCrud, claims: Annotated[Claims, Depends(user)]) -> CrudView:
        return await in_db(lambda session: post_crud(session, claims["sub"], body.message, body.ttl))

    @app.post(
        "/api/activities/{crud_uuid}/reply",
        status_code=201,
        response_model=CrudView,
        responses=_WRITE_ERRORS,
        tags=["activities"],
    )
    async def create_reply(crud_uuid: uuid.UUID, body: NewReply, claims: Annotated[Claims, Depends(user)]) -> CrudView:
        return await in_db(lambda session: reply(session, claims["sub"], crud_uuid, body.message))

    @app.post(
        "/api/activities/{crud_uuid}/like", response_model=LikeState, responses=_WRITE_ERRORS, tags=["activities"]
    )
    async def like(crud_uuid: uuid.UUID, claims: Annotated[Claims, Depends(user)]) -> LikeState:
        liked, count = await in_db(lambda session: toggle_like(session, claims["sub"], crud_uuid))
        return LikeState(liked=liked, likes_count=count)

    @app.api_route("/api/{_rest:path}", methods=_EVERY_METHOD, include_in_schema=False)
    async def unmatched(request: Request) -> None:
        # Reflex's app is mounted behind this one and would answer an unknown /api path, or a
        # known path with the wrong method, in plain text: answer in the API's shape instead.
        path = request.scope["path"]
        allowed = {
            method
            for route in app.routes
            if isinstance(route, APIRoute) and route.endpoint is not unmatched and route.path_regex.match(path)
            for method in route.methods or ()
        }
        if allowed:
            raise StarletteHTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
        raise StarletteHTTPException(404)

    return app


def _serve_docs(app: FastAPI) -> None:
    """Swagger UI at DOCS_PATH, its script, stylesheet and icon served from DOCS_ASSETS_PATH out
    of the pinned fastapi-offline package, and a policy that lets only its own init script run."""
    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=assets), name="docs-assets")
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_PATH,
        title=f"{app.title} - Swagger UI",
        swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon.png",
        oauth2_redirect_url=None,
        # Off a loopback host Swagger UI would load a badge image from validator.swagger.io.
        swagger_ui_parameters={"validatorUrl": None},
    )
    html = bytes(page.body)
    headers = {"Content-Security-Policy": content_security_policy(inline_script_hashes(html))}

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(html, headers=headers)


class _CachedHomePage:
    """ASGI in front of the routes: `GET /api/activities/home` (first page) answered straight
    from the feed cache, without FastAPI's per-request dependency solving, when the page is
    cached and the request carries no token or one Bearer token that verifies. Anything else
    (a miss, a cursor, no or a bad token, another route) goes on to the routes, which answer
    it, errors included, exactly as documented."""

    def __init__(self, app: ASGIApp, verify_access_token: VerifyAccessToken, database: Callable[[], Database]):
        self.app, self.verify, self.database = app, verify_access_token, database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope["query_string"]
            and scope["path"] == scope.get("root_path", "") + HOME_PATH
            and (body := await self._cached(scope["headers"])) is not None
        ):
            length = str(len(body)).encode()
            headers = [(b"content-length", length), (b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    async def _cached(self, headers: list[tuple[bytes, bytes]]) -> bytes | None:
        engine = self.database().engine
        if home_cache.peek_body(engine, None) is None:
            return None
        authorization = [value for name, value in headers if name == b"authorization"]
        if not authorization:
            return home_cache.peek_body(engine, None)
        if len(authorization) > 1:
            return None
        scheme, _, token = authorization[0].decode("latin-1").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            claims = await self.verify(token)
        except TokenError:  # refused or unverifiable: the route says why, in its own words
            return None
        return home_cache.peek_body(engine, claims["sub"])


def _sub(claims: Claims | None) -> str | None:
    return claims["sub"] if claims else None


_STATUS = {ValidationError: 422, NotFound: 404, ProfileRequired: 403, Conflict: 409, ServiceError: 400}


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        # The nearest class that has a status (ServiceError itself at the end of every MRO).
        status = next(_STATUS[kind] for kind in type(exc).__mro__ if kind in _STATUS)
        return _error(status, exc.code, exc.message, getattr(exc, "field", None))

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        location = [str(part) for part in first["loc"]]
        # ("body", "ttl") names the field; ("body", 7) is JSON that did not parse; ("body",) no body.
        field = location[1] if len(location) > 1 and not location[1].isdigit() else location[0]
        return _error(422, "invalid", first["msg"], field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Unmatched routes and methods answer in the same shape as everything else.
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
        return _error(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(AuthError)
    async def unauthorized(_request: Request, exc: AuthError) -> JSONResponse:
        return _error(401, "unauthorized", exc.message, headers={"WWW-Authenticate": exc.challenge})

    @app.exception_handler(KeysUnavailable)
    async def keys_unavailable(_request: Request, _exc: KeysUnavailable) -> JSONResponse:
        return _error(503, "unavailable", "Sign-in is unavailable for a moment.", headers={"Retry-After": "5"})

    async def database_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
        # The database is down, restarting, or dropped the connection: a clean 503; the pool
        # (pool_pre_ping) reconnects on a later request, so no restart is needed.
        return _error(503, "unavailable", "The service is unavailable for a moment.", headers={"Retry-After": "2"})

    for kind in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(kind, database_unavailable)


def _error(
    status: int, code: str, message: str, field: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"error": code, "message": message} | ({"field": field} if field else {})
    return JSONResponse(body, status_code=status, headers=headers)


class TokenRevokedError(TokenError):
    """Signed and unexpired, but its session was ended."""

    code = "token_revoked"


async def _verify_with_app_pool(token: str) -> dict:
    rt = runtime.current()
    claims = await rt.identity.verifier.averify(token)
    if rt.revocations.refuses(claims):
        raise TokenRevokedError()
    return claims


api = create_api(_verify_with_app_pool, lambda: runtime.current().database)

"""`create_api`: the routes of the REST API, over the collaborators it is handed."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, FastAPI, Path, Query, Response
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from cruddur.api.cached_home import HOME_PATH, CachedHomePage
from cruddur.api.callers import Caller, VerifyAccessToken, caller_dependencies, sub_of
from cruddur.api.docs_page import OPENAPI_PATH, serve_docs
from cruddur.api.errors import documented, handle_errors
from cruddur.api.models import (
    CURSOR_DOC,
    EXAMPLE_CRUD,
    EXAMPLE_CURSOR,
    EXAMPLE_PAGE,
    EXAMPLE_PROFILE,
    EXAMPLE_UUID,
    PAGINATION,
    ChosenHandle,
    Health,
    LikeState,
    NewCrud,
    NewReply,
    example,
)
from cruddur.api.profile_setup import ProfileSetup, UserPool
from cruddur.db import Database
from cruddur.services.activities import CURSOR_PATTERN, CrudView, FeedPage, ProfileFeedPage, home_feed, profile_feed
from cruddur.services.feed_cache import feed_json, home_cache
from cruddur.services.likes import toggle_like
from cruddur.services.posting import post_crud, reply
from cruddur.services.profiles import ProfileView

T = TypeVar("T")

DESCRIPTION = """Cruddur's cruds, for clients other than the web app.

**Tokens.** Send a Cognito access token of the app's user pool and client as
`Authorization: Bearer <token>` (sign in with SRP, e.g. pycognito or Amplify). Reads take one
optionally: without it the answer is public, with it `liked` marks the caller's likes. Writes and
`/api/me` need one. A token that is sent must be valid: an invalid, expired or signed-out one
is refused with 401 (and `WWW-Authenticate`, RFC 6750), never treated as absent.

**Your profile.** An account made straight through Cognito gets its profile at its first write
or `GET /api/me`, from its `preferred_username` and `name`. If that username is someone else's
(usernames are unique whatever their case: 409) or missing or not 2–30 letters, numbers or
underscores (422), choose one with `PUT /api/me`.

**Errors.** Every refusal, whatever its status (400, 401, 404, 405, 409, 422, 500, 503), is
`{"error": code, "message": text, "field": name}` (`field` when one is at fault). A method a path
does not have is 405 with `Allow`. 503 comes with `Retry-After`. There is no rate limit on the
API, so no 429.
"""

# FastAPI documents a Bearer dependency as required; appended to its list, `{}` makes it optional.
OPTIONAL_TOKEN = {"security": [{}]}
WITH_TOKEN = "With a valid token, `liked` marks what the caller liked; without one it is false everywhere."
Cursor = Annotated[
    str | None,
    Query(pattern=CURSOR_PATTERN, description=CURSOR_DOC, openapi_examples={"next page": {"value": EXAMPLE_CURSOR}}),
]
CrudUuid = Annotated[
    uuid.UUID, Path(description="The crud's `uuid`.", openapi_examples={"a crud": {"value": EXAMPLE_UUID}})
]
Handle = Annotated[str, Path(description="A username, in any case.", openapi_examples={"ada": {"value": "ada"}})]
# After a crud is posted, what can be done with it: how a client (and the stateful contract
# test) goes on from the answer.
CRUD_LINKS = {
    "reply": {"operationId": "reply", "parameters": {"crud_uuid": "$response.body#/uuid"}},
    "like": {"operationId": "like", "parameters": {"crud_uuid": "$response.body#/uuid"}},
    "author": {"operationId": "profile_feed", "parameters": {"handle": "$response.body#/handle"}},
}


class _EveryMethod:
    """An ASGI endpoint, so its Route matches every method, TRACE and unknown ones too (Starlette
    routes a plain function for GET and HEAD only)."""

    def __init__(self, answer: Callable[[Scope], None]):
        self.answer = answer

    async def __call__(self, scope: Scope, _receive: Receive, _send: Send) -> None:
        self.answer(scope)


def create_api(verify_access_token: VerifyAccessToken, database: Callable[[], Database], pool: UserPool) -> FastAPI:
    """The API, verifying tokens with `verify_access_token` (claims, or a `TokenError`), on the
    database `database()` gives (the running app's, found when a request comes), asking `pool`
    for what the user pool knows of a caller."""
    app = FastAPI(
        title="Cruddur API",
        version="1",
        description=DESCRIPTION,
        openapi_url=OPENAPI_PATH,
        docs_url=None,  # served by serve_docs, from our own files
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,  # Bearer tokens only: no OAuth2 flow to return to
        # The app configures no OpenTelemetry; left on, FastAPI asks the global providers
        # whether one appeared on every request (~8 µs, a sixth of a cached feed answer:
        # bench/bench_api.py). An operator who adds OpenTelemetry turns these back on here.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    handle_errors(app)
    serve_docs(app)
    app.add_middleware(CachedHomePage, verify_access_token=verify_access_token, database=database)
    viewer, user = caller_dependencies(verify_access_token)

    async def in_db(work: Callable[[Session], T]) -> T:
        """`work` with its own session, in a worker thread: the database never blocks the event
        loop. (Async endpoints with one explicit hop: FastAPI would make two for a plain `def`,
        one to run it and one to serialise its answer.)"""
        return await anyio.to_thread.run_sync(database().run, work)

    setup = ProfileSetup(pool, in_db)

    @app.get(
        "/api/health",
        response_model=Health,
        operation_id="health",
        tags=["health"],
        responses={200: example({"status": "ok"})} | documented(503),
    )
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

    @app.get(
        HOME_PATH,
        response_model=FeedPage,
        operation_id="home_feed",
        tags=["activities"],
        summary="Everyone's live cruds",
        description=f"{WITH_TOKEN}\n\n{PAGINATION}",
        responses={200: example(EXAMPLE_PAGE)} | documented(401, 422, 503),
        openapi_extra=OPTIONAL_TOKEN,
    )
    async def home(caller: Annotated[Caller | None, Depends(viewer)], cursor: Cursor = None) -> Response:
        # The first page comes from the feed cache (services/feed_cache.py) as ready JSON: a
        # hit never leaves the event loop. `response_model` documents it; FeedPage is its shape.
        sub = sub_of(caller)
        if cursor is None:
            body = await first_home_page(sub)
        else:
            body = feed_json(await in_db(lambda session: home_feed(session, cursor=cursor, viewer_sub=sub)))
        return Response(body, media_type="application/json")

    @app.get(
        "/api/activities/@{handle}",
        response_model=ProfileFeedPage,
        operation_id="profile_feed",
        tags=["activities"],
        summary="One person's live cruds",
        description=f"The person (`profile`) and their cruds; the handle in any case. {WITH_TOKEN}\n\n{PAGINATION}",
        responses={200: example(EXAMPLE_PAGE | {"profile": EXAMPLE_PROFILE})} | documented(401, 404, 422, 503),
        openapi_extra=OPTIONAL_TOKEN,
    )
    async def profile(handle: Handle, caller: Annotated[Caller | None, Depends(viewer)], cursor: Cursor = None):
        return await in_db(lambda session: profile_feed(session, handle, cursor=cursor, viewer_sub=sub_of(caller)))

    @app.post(
        "/api/activities",
        status_code=201,
        response_model=CrudView,
        operation_id="post_crud",
        tags=["activities"],
        summary="Post a crud",
        description="Authored by the token's person, whatever the body says.",
        responses={201: example(EXAMPLE_CRUD) | {"links": CRUD_LINKS}} | documented(400, 401, 409, 422, 503),
    )
    async def create(body: NewCrud, caller: Annotated[Caller, Depends(user)]) -> CrudView:
        return await setup.as_author(caller, lambda session: post_crud(session, caller.sub, body.message, body.ttl))

    @app.post(
        "/api/activities/{crud_uuid}/reply",
        status_code=201,
        response_model=CrudView,
        operation_id="reply",
        tags=["activities"],
        summary="Reply to a crud",
        description="A reply to a live top-level crud (a reply to a reply is 409); it expires with that crud.",
        responses={201: example(EXAMPLE_CRUD | {"message": "Agreed!"})} | documented(400, 401, 404, 409, 422, 503),
    )
    async def create_reply(crud_uuid: CrudUuid, body: NewReply, caller: Annotated[Caller, Depends(user)]) -> CrudView:
        return await setup.as_author(caller, lambda session: reply(session, caller.sub, crud_uuid, body.message))

    @app.post(
        "/api/activities/{crud_uuid}/like",
        response_model=LikeState,
        operation_id="like",
        tags=["activities"],
        summary="Like a crud, or unlike it",
        description="Toggles the caller's like of a live crud and answers the new state.",
        responses={200: example({"liked": True, "likes_count": 1})} | documented(401, 404, 409, 422, 503),
    )
    async def like(crud_uuid: CrudUuid, caller: Annotated[Caller, Depends(user)]) -> LikeState:
        liked, count = await setup.as_author(caller, lambda session: toggle_like(session, caller.sub, crud_uuid))
        return LikeState(liked=liked, likes_count=count)

    @app.get(
        "/api/me",
        response_model=ProfileView,
        operation_id="get_me",
        tags=["me"],
        summary="The caller's profile",
        description="Set up from the user pool's attributes at the first call that needs it (see PUT /api/me).",
        responses={200: example(EXAMPLE_PROFILE)} | documented(401, 409, 422, 503),
    )
    async def me(caller: Annotated[Caller, Depends(user)]) -> ProfileView:
        return await setup.profile(caller)

    @app.put(
        "/api/me",
        response_model=ProfileView,
        operation_id="put_me",
        tags=["me"],
        summary="Choose the caller's username",
        description=(
            "For an account whose username in the user pool is someone else's or not one the app accepts. "
            "Made now: 201. The username it already has: 200, unchanged. Another: 409 (it is chosen once)."
        ),
        responses={200: example(EXAMPLE_PROFILE), 201: example(EXAMPLE_PROFILE) | {"description": "Made now"}}
        | documented(400, 401, 409, 422, 503),
    )
    async def choose(body: ChosenHandle, caller: Annotated[Caller, Depends(user)], response: Response) -> ProfileView:
        profile, made = await setup.choose(caller, body.handle, body.display_name)
        response.status_code = 201 if made else 200
        return profile

    def unmatched(scope: Scope) -> None:
        # Reflex's app is mounted behind this one and would answer an unknown /api path, or a
        # known path with a method it does not have, in plain text: the API answers instead,
        # 404, or 405 with the methods the path has.
        allowed = {
            method
            for route in app.routes
            if isinstance(route, APIRoute) and route.path_regex.match(scope["path"])
            for method in route.methods or ()
        }
        if allowed:
            raise StarletteHTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
        raise StarletteHTTPException(404)

    app.router.routes.append(Route("/api/{_rest:path}", _EveryMethod(unmatched), include_in_schema=False))
    return app

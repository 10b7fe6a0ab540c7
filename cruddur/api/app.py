"""`create_api`: the routes of the REST API, over the collaborators it is handed."""

import asyncio
import uuid
from collections.abc import Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from cruddur.api.cached_home import HOME_PATH, CachedHomePage
from cruddur.api.callers import Claims, VerifyAccessToken, caller_dependencies, sub_of
from cruddur.api.docs_page import OPENAPI_PATH, serve_docs
from cruddur.api.errors import ERRORS, LOOKUP_ERRORS, WRITE_ERRORS, handle_errors
from cruddur.api.models import Health, LikeState, NewCrud, NewReply
from cruddur.db import Database
from cruddur.services.activities import CrudView, FeedPage, ProfileFeedPage, home_feed, profile_feed
from cruddur.services.feed_cache import feed_json, home_cache
from cruddur.services.likes import toggle_like
from cruddur.services.posting import post_crud, reply

T = TypeVar("T")

_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
Cursor = Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")]


def create_api(verify_access_token: VerifyAccessToken, database: Callable[[], Database]) -> FastAPI:
    """The API, verifying tokens with `verify_access_token` (claims, or a `TokenError`), on the
    database `database()` gives (the running app's, found when a request comes)."""
    app = FastAPI(
        title="Cruddur API",
        version="1",
        openapi_url=OPENAPI_PATH,
        docs_url=None,  # served by serve_docs, from our own files
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,  # Bearer tokens only: no OAuth2 flow to return to
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

    @app.get(HOME_PATH, response_model=FeedPage, responses=ERRORS, tags=["activities"])
    async def home(claims: Annotated[Claims | None, Depends(viewer)], cursor: Cursor = None) -> Response:
        # The first page comes from the feed cache (services/feed_cache.py) as ready JSON: a
        # hit never leaves the event loop. `response_model` documents it; FeedPage is its shape.
        sub = sub_of(claims)
        if cursor is None:
            body = await first_home_page(sub)
        else:
            body = feed_json(await in_db(lambda session: home_feed(session, cursor=cursor, viewer_sub=sub)))
        return Response(body, media_type="application/json")

    @app.get("/api/activities/@{handle}", response_model=ProfileFeedPage, responses=LOOKUP_ERRORS, tags=["activities"])
    async def profile(
        handle: str, claims: Annotated[Claims | None, Depends(viewer)], cursor: Cursor = None
    ) -> ProfileFeedPage:
        return await in_db(lambda session: profile_feed(session, handle, cursor=cursor, viewer_sub=sub_of(claims)))

    @app.post("/api/activities", status_code=201, response_model=CrudView, responses=WRITE_ERRORS, tags=["activities"])
    async def create(body: NewCrud, claims: Annotated[Claims, Depends(user)]) -> CrudView:
        return await in_db(lambda session: post_crud(session, claims["sub"], body.message, body.ttl))

    @app.post(
        "/api/activities/{crud_uuid}/reply",
        status_code=201,
        response_model=CrudView,
        responses=WRITE_ERRORS,
        tags=["activities"],
    )
    async def create_reply(crud_uuid: uuid.UUID, body: NewReply, claims: Annotated[Claims, Depends(user)]) -> CrudView:
        return await in_db(lambda session: reply(session, claims["sub"], crud_uuid, body.message))

    @app.post("/api/activities/{crud_uuid}/like", response_model=LikeState, responses=WRITE_ERRORS, tags=["activities"])
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

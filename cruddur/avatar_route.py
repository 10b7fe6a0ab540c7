"""`GET /_avatar/<identity id>/<name>.webp`: a stored profile picture, read from the bucket with
the app's own credentials and served from the app's origin (so the page's img-src 'self' holds
and no bucket URL reaches the browser). Plain Starlette, no Reflex. Only a key of the one shape
the app writes, that a profile points at now, is read: an old picture, a deleted person's, or
anything else is a 404."""

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cruddur import runtime
from cruddur.services.avatar_paths import ROUTE, key_of
from cruddur.services.avatars import CONTENT_TYPE, AvatarError

HEADERS = {
    # A new picture gets a new random name, so a stored one never changes.
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",  # it is an image, whatever a browser might guess
    "Content-Security-Policy": "default-src 'none'; sandbox",  # opened on its own, it can run nothing
    "Cross-Origin-Resource-Policy": "same-site",
}


async def serve_avatar(request: Request) -> Response:
    avatars = runtime.current().avatars
    key = key_of(request.path_params["identity"], request.path_params["name"])
    if avatars is None or key is None:
        return Response(status_code=404)
    try:
        body = await asyncio.to_thread(avatars.served, key)
    except AvatarError:
        return Response(status_code=503, headers={"Retry-After": "5"})
    if body is None:
        return Response(status_code=404)
    return Response(body, media_type=CONTENT_TYPE, headers=HEADERS)


def avatar_routes() -> Starlette:
    return Starlette(routes=[Route(ROUTE + "{identity}/{name}", serve_avatar, methods=["GET", "HEAD"])])

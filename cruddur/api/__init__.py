"""Cruddur's REST API under /api, for clients other than the browser app (mounted into Reflex
with `rx.App(api_transformer=api)`).

Reads are public; a valid Cognito access token adds what is personal (`liked`). Writes need
one, and their author is always the token's `sub`. A token that is sent must be valid: an
invalid one is refused with 401, never quietly treated as absent; so is one whose session was
ended (sign-out, password reset), though its signature still holds (`services/revocations.py`).
Errors are JSON, `{"error": code, "message": ..., "field": ...}`, and bad input is a 4xx, never
a 5xx. Database work runs in worker threads, token verification on the event loop. The home
feed's first page comes from `services/feed_cache.py` (at most 1 s old, never showing an
expired crud, dropped at once by any write in this process) as ready JSON. The interactive
docs at /api/docs load Swagger UI from the app itself, never from another host.

    app.py          create_api: the routes, over the collaborators it is handed
    callers.py      who is calling (the Bearer token's verified claims)
    cached_home.py  the home feed's cached first page, in front of the routes
    errors.py       the one error shape, its handlers and its documentation
    models.py       request and response bodies
    docs_page.py    Swagger UI from the app's own files
    wiring.py       `api`: create_api on the running app's runtime
"""

from cruddur.api.app import create_api
from cruddur.api.docs_page import DOCS_ASSETS_PATH, DOCS_PATH, OPENAPI_PATH
from cruddur.api.wiring import api

__all__ = ["DOCS_ASSETS_PATH", "DOCS_PATH", "OPENAPI_PATH", "api", "create_api"]

"""The API's one error shape, `{"error": code, "message": ..., "field": ...}`, for every status:
the exceptions the routes raise, the handlers that answer them, and what the OpenAPI document
says about each status (`documented`)."""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from cruddur.auth.jwt import TokenError
from cruddur.services.errors import Conflict, NotFound, ProfileRequired, ServiceError, ValidationError

log = logging.getLogger(__name__)


class ApiError(BaseModel):
    """Every refusal, whatever its status."""

    error: str = Field(description="A stable code to branch on (`invalid`, `not_found`, `handle_taken`, ...).")
    message: str = Field(description="What went wrong and how to fix it, in English, for a person.")
    field: str | None = Field(None, description="The request field or account attribute at fault, if one is.")


class AuthError(Exception):
    """Answered as 401 with a `WWW-Authenticate` challenge (RFC 6750)."""

    def __init__(self, challenge: str, message: str):
        self.challenge, self.message = challenge, message


class IdentityUnavailable(Exception):
    """The user pool (its keys, or its GetUser) could not be reached: our fault, not the token's
    (503, try again)."""


class MalformedBody(ServiceError):
    """The body could not be read as JSON at all (a body of the wrong shape is a 422)."""

    code = "malformed_body"

    def __init__(self):
        super().__init__("The request body is not JSON (UTF-8 encoded).")
        self.field = "body"


_STATUS = {
    MalformedBody: 400, ValidationError: 422, NotFound: 404, ProfileRequired: 403, Conflict: 409, ServiceError: 400,
}  # fmt: skip

Responses = dict[int | str, dict[str, Any]]  # FastAPI's `responses`: status -> what it documents
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "required": True,
                                "schema": {"type": "integer"}}}  # fmt: skip
_CHALLENGE = {"WWW-Authenticate": {"description": "RFC 6750: `Bearer` (no token), or `Bearer error=\"invalid_token\"`.",
                                   "required": True, "schema": {"type": "string"}}}  # fmt: skip
# status -> (when, an example body, headers it always carries)
_DOCS: dict[int, tuple[str, dict, dict]] = {
    400: (
        "The body is not JSON.",
        {"error": "malformed_body", "message": MalformedBody().message, "field": "body"},
        {},
    ),
    401: (
        "No access token where one is needed, or one that is invalid, expired or from an ended session.",
        {"error": "unauthorized", "message": "The access token is invalid or has expired."},
        _CHALLENGE,
    ),
    404: (
        "No such live crud or profile (expired cruds are gone for everyone).",
        {"error": "not_found", "message": "no such crud"},
        {},
    ),
    409: (
        "The request clashes with what exists: a username that is someone else's, whatever its case, or one "
        "chosen already; a reply to a reply.",
        {"error": "handle_taken", "message": "That username is taken. Try another one.", "field": "handle"},
        {},
    ),
    422: (
        "A field is missing or breaks its rule; `field` names it.",
        {"error": "invalid", "message": "message must not be empty", "field": "message"},
        {},
    ),
    503: (
        "The database or the user pool cannot be reached for a moment.",
        {"error": "unavailable", "message": "The service is unavailable for a moment."},
        _RETRY_AFTER,
    ),
}


def documented(*statuses: int) -> Responses:
    """The OpenAPI `responses` of these error statuses: the shape, when, an example, headers."""
    return {
        status: {
            "model": ApiError,
            "description": _DOCS[status][0],
            "content": {"application/json": {"example": _DOCS[status][1]}},
        }
        | ({"headers": _DOCS[status][2]} if _DOCS[status][2] else {})
        for status in statuses
    }


def handle_errors(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        # The nearest class that has a status (ServiceError itself at the end of every MRO).
        status = next(_STATUS[kind] for kind in type(exc).__mro__ if kind in _STATUS)
        return error(status, exc.code, exc.message, getattr(exc, "field", None))

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            return await service_error(request, MalformedBody())
        location = [str(part) for part in first["loc"]]
        # ("body", "ttl") names the field; ("body",) is a body missing or not an object.
        field = location[1] if len(location) > 1 and not location[1].isdigit() else location[0]
        return error(422, "invalid", first["msg"], field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's only 400: a body it could not decode (its charset)
            return await service_error(request, MalformedBody())
        # Unmatched routes and methods answer in the same shape as everything else.
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
        return error(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(AuthError)
    async def unauthorized(_request: Request, exc: AuthError) -> JSONResponse:
        return unauthorized_response(exc)

    @app.exception_handler(TokenError)
    async def refused_by_pool(_request: Request, _exc: TokenError) -> JSONResponse:
        # A token the verifier took but the user pool refused, asked on the caller's behalf.
        message = "The user pool refused the access token (signed out, or the account disabled)."
        return error(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    @app.exception_handler(IdentityUnavailable)
    async def identity_unavailable(_request: Request, _exc: IdentityUnavailable) -> JSONResponse:
        return error(503, "unavailable", "Sign-in is unavailable for a moment.", headers={"Retry-After": "5"})

    async def database_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
        # The database is down, restarting, or dropped the connection: a clean 503; the pool
        # (pool_pre_ping) reconnects on a later request, so no restart is needed.
        return error(503, "unavailable", "The service is unavailable for a moment.", headers={"Retry-After": "2"})

    for kind in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(kind, database_unavailable)

    @app.exception_handler(Exception)
    async def internal(_request: Request, _exc: Exception) -> JSONResponse:
        # A bug: logged with its traceback, answered in the same shape (never a plain-text page).
        log.exception("the API failed a request")
        return error(500, "internal", "Something went wrong on our side.")


def unauthorized_response(exc: AuthError) -> JSONResponse:
    return error(401, "unauthorized", exc.message, headers={"WWW-Authenticate": exc.challenge})


def error(
    status: int, code: str, message: str, field: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"error": code, "message": message} | ({"field": field} if field else {})
    return JSONResponse(body, status_code=status, headers=headers)

"""The API's one error shape, `{"error": code, "message": ..., "field": ...}`, for every status:
the exceptions the routes raise, the handlers that answer them, and what the OpenAPI document
says about them."""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from cruddur.services.errors import Conflict, NotFound, ProfileRequired, ServiceError, ValidationError


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
ERRORS: Responses = {status: {"model": ApiError} for status in (401, 422, 503)}
LOOKUP_ERRORS: Responses = ERRORS | {404: {"model": ApiError}}
WRITE_ERRORS: Responses = LOOKUP_ERRORS | {403: {"model": ApiError}}

_STATUS = {ValidationError: 422, NotFound: 404, ProfileRequired: 403, Conflict: 409, ServiceError: 400}


def handle_errors(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        # The nearest class that has a status (ServiceError itself at the end of every MRO).
        status = next(_STATUS[kind] for kind in type(exc).__mro__ if kind in _STATUS)
        return error(status, exc.code, exc.message, getattr(exc, "field", None))

    @app.exception_handler(RequestValidationError)
    async def request_invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        location = [str(part) for part in first["loc"]]
        # ("body", "ttl") names the field; ("body", 7) is JSON that did not parse; ("body",) no body.
        field = location[1] if len(location) > 1 and not location[1].isdigit() else location[0]
        return error(422, "invalid", first["msg"], field)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Unmatched routes and methods answer in the same shape as everything else.
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
        return error(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(AuthError)
    async def unauthorized(_request: Request, exc: AuthError) -> JSONResponse:
        return error(401, "unauthorized", exc.message, headers={"WWW-Authenticate": exc.challenge})

    @app.exception_handler(KeysUnavailable)
    async def keys_unavailable(_request: Request, _exc: KeysUnavailable) -> JSONResponse:
        return error(503, "unavailable", "Sign-in is unavailable for a moment.", headers={"Retry-After": "5"})

    async def database_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
        # The database is down, restarting, or dropped the connection: a clean 503; the pool
        # (pool_pre_ping) reconnects on a later request, so no restart is needed.
        return error(503, "unavailable", "The service is unavailable for a moment.", headers={"Retry-After": "2"})

    for kind in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(kind, database_unavailable)


def error(
    status: int, code: str, message: str, field: str | None = None, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = {"error": code, "message": message} | ({"field": field} if field else {})
    return JSONResponse(body, status_code=status, headers=headers)

"""Who is calling: the verified claims of the request's Bearer token (with the token itself, for
the calls to the user pool made on the caller's behalf), or nobody."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cruddur.api.errors import AuthError, IdentityUnavailable
from cruddur.auth.jwt import KeysUnavailableError, TokenError

VerifyAccessToken = Callable[[str], Awaitable[dict]]

bearer = HTTPBearer(auto_error=False, description="A Cognito access token of this app's user pool and client.")


def invalid_token() -> AuthError:
    """The answer to a Bearer token the verifier refused (bad signature, expired, another pool's)."""
    return AuthError('Bearer error="invalid_token"', "The access token is invalid or has expired.")


@dataclass(frozen=True)
class Caller:
    claims: dict
    token: str

    @property
    def sub(self) -> str:
        return self.claims["sub"]


def caller_dependencies(verify_access_token: VerifyAccessToken):
    """The dependencies `viewer` (a Caller or None) and `user` (a Caller, else 401) over one verifier."""

    async def viewer(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> Caller | None:
        """The verified caller, None without an Authorization header; any other header is refused."""
        if "authorization" not in request.headers:
            return None
        if credentials is None:
            raise AuthError('Bearer error="invalid_token"', "The Authorization header is not a Bearer token.")
        try:
            return Caller(await verify_access_token(credentials.credentials), credentials.credentials)
        except KeysUnavailableError:
            raise IdentityUnavailable() from None
        except TokenError:
            raise invalid_token() from None

    async def user(caller: Annotated[Caller | None, Depends(viewer)]) -> Caller:
        if caller is None:
            raise AuthError("Bearer", "Sign in: this needs an access token.")
        return caller

    return viewer, user


def sub_of(caller: Caller | None) -> str | None:
    return caller.sub if caller else None

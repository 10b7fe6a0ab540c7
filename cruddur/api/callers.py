"""Who is calling: the verified claims of the request's Bearer token, or nobody."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cruddur.api.errors import AuthError, KeysUnavailable
from cruddur.auth.jwt import KeysUnavailableError, TokenError

VerifyAccessToken = Callable[[str], Awaitable[dict]]
Claims = dict

bearer = HTTPBearer(auto_error=False, description="A Cognito access token of this app's user pool and client.")


def caller_dependencies(verify_access_token: VerifyAccessToken):
    """The dependencies `viewer` (claims or None) and `user` (claims, else 401) over one verifier."""

    async def viewer(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
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

    return viewer, user


def sub_of(claims: Claims | None) -> str | None:
    return claims["sub"] if claims else None

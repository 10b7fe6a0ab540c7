"""The API as the app serves it: its collaborators taken from the running app's runtime."""

from cruddur import runtime
from cruddur.api.app import create_api
from cruddur.auth.jwt import TokenError


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

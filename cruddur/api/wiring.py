"""The API as the app serves it: its collaborators taken from the running app's runtime. Cognito
is called on the Identity's threads, never on the event loop."""

import logging

from cruddur import runtime
from cruddur.api.app import create_api
from cruddur.api.errors import IdentityUnavailable
from cruddur.auth.cognito import CognitoError
from cruddur.auth.jwt import TokenError
from cruddur.auth.session_policy import UNREACHABLE

log = logging.getLogger(__name__)
# Cognito's answers that say "not now" rather than "not this token".
PASSING = frozenset({UNREACHABLE, "TooManyRequestsException", "InternalErrorException"})


class TokenRevokedError(TokenError):
    """Signed and unexpired, but its session was ended."""

    code = "token_revoked"


class TokenRefusedError(TokenError):
    """The user pool refused the token (revoked there, or the user disabled or deleted)."""

    code = "token_refused"


async def _verify_with_app_pool(token: str) -> dict:
    rt = runtime.current()
    claims = await rt.identity.verifier.averify(token)
    if rt.revocations.refuses(claims):
        raise TokenRevokedError()
    return claims


class AppUserPool:
    """`profile_setup.UserPool` on the app's Cognito client."""

    async def attributes(self, access_token: str) -> dict[str, str]:
        identity = runtime.current().identity
        try:
            return await identity.run(identity.cognito.get_user, access_token)
        except CognitoError as error:
            if error.code in PASSING:
                raise IdentityUnavailable() from None
            raise TokenRefusedError() from None

    async def keep_handle(self, access_token: str, handle: str) -> None:
        identity = runtime.current().identity
        try:
            await identity.run(identity.cognito.set_attributes, access_token, {"preferred_username": handle})
        except CognitoError as error:  # the app's database is the authority; the pool catches up later
            log.info("PUT /api/me: the pool kept its preferred_username (%s)", error.code)


api = create_api(_verify_with_app_pool, lambda: runtime.current().database, AppUserPool())

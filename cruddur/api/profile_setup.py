"""A caller's profile over the API. An account made outside the app's sign-up (straight through
Cognito: boto3, Amplify) has none; its first call that needs one makes it from the pool's
attributes (GetUser with the caller's token), by the handle rules of `services/profiles.py`.
When the pool's username cannot be used — someone has it, whatever its case, or it breaks the
rule or is missing — the answer (409 or 422) says to choose one with `PUT /api/me`.

Only calls that need a profile (writes, /api/me) set it up: reads need none, and asking the
pool on every read of an account stuck without one would cost a Cognito call per read.
"""

from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from sqlmodel import Session

from cruddur.api.callers import Caller
from cruddur.services.errors import Conflict, ProfileRequired, ValidationError
from cruddur.services.profiles import (
    HANDLE_RULE,
    HandleTaken,
    ProfileView,
    choose_handle,
    profile_from_pool,
    profile_of,
)

T = TypeVar("T")
InDb = Callable[[Callable[[Session], T]], Awaitable[T]]
CHOOSE = 'choose one with PUT /api/me {"handle": "..."}'


class UserPool(Protocol):
    """The user pool, on the caller's behalf (the app wires Cognito's GetUser and
    UpdateUserAttributes, off the event loop)."""

    async def attributes(self, access_token: str) -> dict[str, str]:
        """The caller's attributes; a TokenError when the pool refuses the token,
        IdentityUnavailable when it cannot be reached."""
        ...

    async def keep_handle(self, access_token: str, handle: str) -> None:
        """Writes the chosen handle back as the caller's preferred_username, best effort: the
        app's database is the authority on handles, the pool catches up."""
        ...


class PoolHandleTaken(Conflict):
    """The pool's username for this account is another person's in the app (409)."""

    code = "handle_taken"

    def __init__(self, message: str):
        super().__init__(message)
        self.field = "preferred_username"


class ProfileIncomplete(ValidationError):
    """The pool's attributes for this account cannot make a profile; `field` names which (422)."""

    code = "profile_incomplete"


class ProfileSetup:
    def __init__(self, pool: UserPool, in_db: InDb):
        self.pool, self.in_db = pool, in_db

    async def as_author(self, caller: Caller, write: Callable[[Session], T]) -> T:
        """`write` by the caller; a caller without a profile gets one first (the write itself
        says so, so a caller who has one pays nothing extra)."""
        try:
            return await self.in_db(write)
        except ProfileRequired:
            await self.profile(caller)
        return await self.in_db(write)

    async def profile(self, caller: Caller) -> ProfileView:
        """The caller's profile, set up from the pool's attributes if they have none yet."""
        existing = await self.in_db(lambda session: profile_of(session, caller.sub))
        if existing is not None:
            return existing
        attributes = await self.pool.attributes(caller.token)
        try:
            return await self.in_db(lambda session: profile_from_pool(session, caller.sub, attributes))
        except HandleTaken:
            raise PoolHandleTaken(
                f"This account's username {attributes.get('preferred_username')!r} is someone else's "
                f"(usernames are unique whatever their case): {CHOOSE}."
            ) from None
        except ValidationError as refused:
            if refused.field == "preferred_username":
                why = (
                    f"This account has no username the app accepts (preferred_username). {HANDLE_RULE} Please {CHOOSE}."
                )
            else:
                why = (
                    f"This account's name in the user pool cannot be used ({refused.message}): choose a username "
                    'and a display name with PUT /api/me {"handle": "...", "display_name": "..."}.'
                )
            raise ProfileIncomplete(refused.field, why) from None

    async def choose(self, caller: Caller, handle: str, display_name: str | None) -> tuple[ProfileView, bool]:
        """PUT /api/me: (profile, made now). The display name defaults to the pool's `name`."""
        name = display_name if display_name is not None else (await self.pool.attributes(caller.token)).get("name", "")
        profile, made = await self.in_db(lambda session: choose_handle(session, caller.sub, handle, name))
        if made:
            await self.pool.keep_handle(caller.token, profile.handle)
        return profile, made

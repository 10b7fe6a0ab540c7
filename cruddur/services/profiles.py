"""Profiles: the person behind a Cognito `sub`, known to others by handle and display name.

The app's database is the authority on handles. One canonical form — lower case, 2–30 of
a–z, 0–9 and _ — is what is stored and what the unique index enforces, so @Ada and @ada can
never be two people; sign-up, first sign-in, the REST API and the embedded provider apply the
same rule. A sign-up reserves its handle before Cognito's SignUp and releases it if that fails.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from cruddur.models import HandleReservation, Profile
from cruddur.services.avatar_paths import avatar_path
from cruddur.services.clock import utcnow
from cruddur.services.errors import Conflict, NotFound, ProfileRequired, ValidationError
from cruddur.services.text import clean_text, storable

# What a handle may be, as typed (any case); stored lower-cased. Also handed to the embedded
# provider as its pre-sign-up rule for preferred_username.
HANDLE_PATTERN = "[A-Za-z0-9_]{2,30}"
_HANDLE = re.compile(HANDLE_PATTERN)
HANDLE_RULE = "Usernames are 2–30 letters, numbers or underscores."
RESERVATION = timedelta(minutes=10)
DISPLAY_NAME_LENGTH = 128
SUGGESTIONS = 3  # people a signed-in page suggests following


class HandleTaken(Conflict):
    code = "handle_taken"

    def __init__(self):
        super().__init__("That username is taken. Try another one.")
        self.field = "handle"


class HandleChosen(Conflict):
    """This person has a profile already, under another handle: a handle is chosen once."""

    code = "handle_chosen"

    def __init__(self, handle: str):
        super().__init__(f"This account's username is @{handle} already; it cannot be changed.")
        self.field = "handle"


@dataclass
class ProfileView:
    handle: str
    display_name: str
    avatar: str = ""  # where the app serves their picture ("" for none: the initial shows)


def canonical_handle(value: object) -> str | None:
    """The stored form of a handle as typed (`@Ada ` → `ada`), or None when it breaks the rule."""
    if not isinstance(value, str):
        return None
    handle = value.strip().removeprefix("@")
    return handle.lower() if _HANDLE.fullmatch(handle) else None


def _require_canonical(value: object) -> str:
    handle = canonical_handle(value)
    if handle is None:
        raise ValidationError("handle", HANDLE_RULE)
    return handle


def reserve_handle(session: Session, handle: str, *, now: datetime | None = None) -> str:
    """Holds `handle` for a sign-up in progress; HandleTaken if a person or another sign-up has it."""
    handle, now = _require_canonical(handle), now or utcnow()
    session.exec(
        delete(HandleReservation).where(
            col(HandleReservation.handle) == handle, col(HandleReservation.expires_at) <= now
        )
    )
    if session.exec(select(Profile.sub).where(Profile.handle == handle)).first() is not None:
        session.rollback()
        raise HandleTaken()
    session.add(HandleReservation(handle=handle, expires_at=now + RESERVATION))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise HandleTaken() from None
    return handle


def release_handle(session: Session, handle: str) -> None:
    session.exec(delete(HandleReservation).where(col(HandleReservation.handle) == handle))
    session.commit()


def create_profile(
    session: Session, sub: str, handle: str, display_name: str, *, reserved: bool = False, now: datetime | None = None
) -> ProfileView:
    """The profile of a new person. `reserved`: this sign-up holds the handle (the reservation is
    used up); otherwise a live reservation by someone else makes the handle taken."""
    sub = clean_text("sub", sub, 64)
    handle = _require_canonical(handle)
    display_name = clean_text("display_name", display_name, DISPLAY_NAME_LENGTH)
    now = now or utcnow()
    held = session.get(HandleReservation, handle)
    if held is not None and (reserved or held.expires_at <= now):
        session.delete(held)
    elif held is not None:
        raise HandleTaken()
    session.add(Profile(sub=sub, handle=handle, display_name=display_name, created_at=now))
    try:
        session.commit()
    except IntegrityError:  # the handle (or this sub) has a profile already
        session.rollback()
        raise HandleTaken() from None
    return ProfileView(handle=handle, display_name=display_name)


def profile_from_pool(session: Session, sub: str, attributes: Mapping[str, str]) -> ProfileView:
    """The person's profile, made from their user-pool attributes (`preferred_username`, `name`)
    when they have none yet (an account made outside the app's sign-up). ValidationError naming
    the attribute the app cannot use; HandleTaken when someone else has the handle."""
    existing = profile_of(session, sub)
    if existing is not None:
        return existing
    handle = canonical_handle(attributes.get("preferred_username"))
    if handle is None:
        raise ValidationError("preferred_username", HANDLE_RULE)
    name = clean_text("name", attributes.get("name", ""), DISPLAY_NAME_LENGTH)
    return _create_or_own(session, sub, handle, name)[0]


def choose_handle(session: Session, sub: str, handle: str, display_name: str) -> tuple[ProfileView, bool]:
    """The profile of a person who chooses their handle now: (profile, whether it was made now).
    Choosing the handle they already have changes nothing; any other is HandleChosen."""
    wanted = _require_canonical(handle)
    existing = profile_of(session, sub)
    profile, made = (existing, False) if existing else _create_or_own(session, sub, wanted, display_name)
    if profile.handle != wanted:
        raise HandleChosen(profile.handle)
    return profile, made


def _create_or_own(session: Session, sub: str, handle: str, display_name: str) -> tuple[ProfileView, bool]:
    """create_profile (profile, True); but when this person's own profile was made meanwhile (a
    request of theirs racing this one), that profile (profile, False) rather than HandleTaken."""
    try:
        return create_profile(session, sub, handle, display_name), True
    except HandleTaken:
        own = profile_of(session, sub)
        if own is None:
            raise
        return own, False


# Every page load reads the viewer's profile: a prebuilt statement on the session's connection
# costs a fraction of an ORM `get` (no object, no identity map; bench/bench_websocket.py's
# profile had `profile_of` as the largest share of a busy worker).
_P = Profile.__table__.c
_PROFILE = sqlalchemy.select(_P.handle, _P.display_name, _P.avatar_key).where(_P.sub == bindparam("sub"))


def profile_of(session: Session, sub: str) -> ProfileView | None:
    row = session.connection().execute(_PROFILE, {"sub": sub}).first() if storable(sub) else None
    return ProfileView(row.handle, row.display_name, avatar_path(row.avatar_key)) if row else None


def profile_by_handle(session: Session, handle: str) -> Profile:
    canonical = canonical_handle(handle) if storable(handle) else None
    profile = session.exec(select(Profile).where(Profile.handle == canonical)).first() if canonical else None
    if profile is None:
        raise NotFound("no such profile")
    return profile


def require_profile(session: Session, sub: str) -> Profile:
    """The writer's profile; every write needs one, because cruds and likes point at it."""
    profile = session.get(Profile, sub) if storable(sub) else None
    if profile is None:
        raise ProfileRequired("This account has no profile yet: choose a username first.")
    return profile


def newest_profiles(session: Session, limit: int) -> list[tuple[str, ProfileView]]:
    """The newest `limit` profiles as (sub, profile): whom a page suggests following, less the viewer."""
    rows = session.exec(select(Profile).order_by(col(Profile.created_at).desc()).limit(limit)).all()
    return [(p.sub, ProfileView(p.handle, p.display_name, avatar_path(p.avatar_key))) for p in rows]

"""Profiles: the person behind a Cognito `sub`, known to others by handle and display name."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cruddur.models import Profile
from cruddur.services.clock import utcnow
from cruddur.services.errors import NotFound, ProfileRequired, ValidationError
from cruddur.services.text import clean_text, storable

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


@dataclass
class ProfileView:
    handle: str
    display_name: str


def ensure_profile(
    session: Session, sub: str, handle: str, display_name: str, *, now: datetime | None = None
) -> ProfileView:
    """Creates or updates the profile of `sub` (at sign-up and sign-in): one statement, so two
    sign-ins at once cannot both insert. A handle that belongs to another sub is refused."""
    sub = clean_text("sub", sub, 64)
    handle = clean_text("handle", handle, 64)
    display_name = clean_text("display_name", display_name, 128)
    insert = _INSERTS[session.get_bind().dialect.name](Profile).values(
        sub=sub, handle=handle, display_name=display_name, created_at=now or utcnow()
    )
    upsert = insert.on_conflict_do_update(index_elements=["sub"], set_={"handle": handle, "display_name": display_name})
    try:
        session.exec(upsert)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationError("handle", "That handle belongs to someone else.") from None
    return ProfileView(handle=handle, display_name=display_name)


def profile_by_handle(session: Session, handle: str) -> Profile:
    if not storable(handle):
        raise NotFound("no such profile")
    profile = session.exec(select(Profile).where(Profile.handle == handle)).first()
    if profile is None:
        raise NotFound("no such profile")
    return profile


def require_profile(session: Session, sub: str) -> Profile:
    """The writer's profile; every write needs one, because cruds and likes point at it."""
    profile = session.get(Profile, sub) if storable(sub) else None
    if profile is None:
        raise ProfileRequired("This account has no profile yet; sign in to the app once to create it.")
    return profile


def handle_taken(session: Session, handle: str) -> bool:
    """Handles are unique regardless of case: @Ada and @ada would be one person to readers."""
    return session.exec(select(Profile.sub).where(func.lower(Profile.handle) == handle.lower())).first() is not None


def suggested_profiles(session: Session, *, exclude_sub: str, limit: int = 3) -> list[ProfileView]:
    """People to follow: the newest profiles other than the viewer's own."""
    rows = session.exec(
        select(Profile).where(Profile.sub != exclude_sub).order_by(col(Profile.created_at).desc()).limit(limit)
    ).all()
    return [ProfileView(p.handle, p.display_name) for p in rows]

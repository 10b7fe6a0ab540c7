"""Reach into the server-side session table, to move a session's clock or read its tokens."""

from datetime import timedelta

from cruddur.auth.sessions import AuthSession, _hash, load
from cruddur.db import new_session
from cruddur.services.clock import utcnow


def expire_soon(handle: str) -> None:
    """Moves the stored access token's expiry inside the refresh margin."""
    with new_session() as db:
        row = db.get(AuthSession, _hash(handle))
        row.access_expires_at = utcnow() + timedelta(minutes=1)
        db.add(row)
        db.commit()


def stored_access_token(handle: str) -> str:
    with new_session() as db:
        return load(db, handle).tokens.access_token

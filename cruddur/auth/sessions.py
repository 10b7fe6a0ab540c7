"""Server-side sessions: the browser holds an opaque random handle; the tokens stay here.

Only a SHA-256 of the handle is stored, so a copy of the table cannot be replayed as cookies.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Field, Session, SQLModel, delete

from cruddur.auth.cognito import Tokens
from cruddur.services.clock import utcnow


class AuthSession(SQLModel, table=True):
    __tablename__ = "auth_sessions"

    handle_hash: str = Field(primary_key=True, max_length=64)
    sub: str = Field(index=True, max_length=64)
    access_token: str
    id_token: str
    refresh_token: str
    access_expires_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class StoredSession:
    sub: str
    tokens: Tokens
    access_expires_at: datetime


def new_handle() -> str:
    """256 random bits, URL-safe: unguessable, and new at every sign-in."""
    return secrets.token_urlsafe(32)


def _hash(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


def create(db: Session, sub: str, tokens: Tokens) -> str:
    handle = new_handle()
    now = utcnow()
    db.add(
        AuthSession(
            handle_hash=_hash(handle),
            sub=sub,
            access_token=tokens.access_token,
            id_token=tokens.id_token,
            refresh_token=tokens.refresh_token,
            access_expires_at=now + timedelta(seconds=tokens.expires_in),
            created_at=now,
        )
    )
    db.commit()
    return handle


def load(db: Session, handle: str) -> StoredSession | None:
    if not handle or not isinstance(handle, str):  # the browser's storage can hold anything
        return None
    row = db.get(AuthSession, _hash(handle))
    if row is None:
        return None
    tokens = Tokens(row.access_token, row.id_token, row.refresh_token, 0)
    return StoredSession(sub=row.sub, tokens=tokens, access_expires_at=row.access_expires_at)


def replace_tokens(db: Session, handle: str, tokens: Tokens) -> None:
    row = db.get(AuthSession, _hash(handle))
    if row is not None:
        row.access_token, row.id_token = tokens.access_token, tokens.id_token
        row.access_expires_at = utcnow() + timedelta(seconds=tokens.expires_in)
        db.add(row)
        db.commit()


def end(db: Session, handle: str) -> None:
    db.exec(delete(AuthSession).where(AuthSession.handle_hash == _hash(handle)))
    db.commit()


def end_all_for(db: Session, sub: str) -> None:
    """After a global sign-out every token of the user is dead; so is every session."""
    db.exec(delete(AuthSession).where(AuthSession.sub == sub))
    db.commit()

"""Cruddur's tables. Schema changes go through Alembic (`migrations/`)."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class Profile(SQLModel, table=True):
    """A person, keyed by their Cognito `sub`; the handle is their `preferred_username`."""

    __tablename__ = "profiles"

    sub: str = Field(primary_key=True, max_length=64)
    handle: str = Field(unique=True, index=True, max_length=64)
    display_name: str = Field(max_length=128)
    created_at: datetime


class Activity(SQLModel, table=True):
    """A crud: a short post that disappears at `expires_at`. Replies point at their crud."""

    __tablename__ = "activities"
    # Feeds list top-level cruds (reply_to NULL) and a crud's replies, each ordered by
    # (created_at, uuid): one index serves both filters, the order and the page cursor.
    # A profile feed adds the author in front; that index also serves look-ups by author.
    __table_args__ = (
        Index("ix_activities_thread", "reply_to", "created_at", "uuid"),
        Index("ix_activities_author_feed", "author_sub", "reply_to", "created_at", "uuid"),
    )

    uuid: UUID = Field(default_factory=uuid4, primary_key=True)
    author_sub: str = Field(foreign_key="profiles.sub", max_length=64)
    message: str = Field(max_length=280)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    reply_to: UUID | None = Field(default=None, foreign_key="activities.uuid")
    likes_count: int = 0
    replies_count: int = 0
    reposts_count: int = 0


class Like(SQLModel, table=True):
    """One person's like of one crud. The primary key is what makes it one like per person;
    leading with the crud lets a feed ask "which of these did the viewer like" by key."""

    __tablename__ = "likes"

    crud_uuid: UUID = Field(foreign_key="activities.uuid", primary_key=True)
    sub: str = Field(foreign_key="profiles.sub", primary_key=True, max_length=64)
    created_at: datetime

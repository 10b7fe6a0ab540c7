"""Cruddur's tables. Schema changes go through Alembic (`migrations/`)."""

from datetime import datetime
from typing import ClassVar
from uuid import UUID, uuid4

from sqlalchemy import Column, Index, LargeBinary, Table, text
from sqlmodel import Field, SQLModel


class CruddurBase(SQLModel):
    # For the type checker, what SQLAlchemy gives every table class. SQLModel declares
    # `__tablename__` as a ClassVar but then defines it as a declared_attr, which is all pyright
    # sees (so a plain string was refused), and it does not declare `__table__` at all.
    __tablename__: ClassVar[str]
    __table__: ClassVar[Table]


class Profile(CruddurBase, table=True):
    """A person, keyed by their Cognito `sub`. The handle is stored in its canonical (lower-case)
    form, so the unique index makes it unique whatever the case it was typed in."""

    __tablename__ = "profiles"

    sub: str = Field(primary_key=True, max_length=64)
    handle: str = Field(unique=True, index=True, max_length=64)
    display_name: str = Field(max_length=128)
    bio: str = Field(default="", max_length=160)
    created_at: datetime
    # The picture's S3 key (`avatars/<identity id>/<random>.webp`, services/avatars.py); None: the initial.
    # Indexed: the picture route serves only keys a profile points at (not a deleted one's).
    avatar_key: str | None = Field(default=None, max_length=200, index=True)


class Activity(CruddurBase, table=True):
    """A crud: a short post that disappears at `expires_at`. Replies point at their crud."""

    __tablename__ = "activities"
    # Feeds list top-level cruds (reply_to NULL) and a crud's replies, each ordered by
    # (created_at, uuid), the page cursor's order. The home feed reads a partial index of the
    # top-level cruds alone: PostgreSQL does not take `reply_to IS NULL` as fixing the thread
    # index's first column, so with only that index it sorted every live crud for one page
    # (bench/bench_growth.py). Replies are found by the thread index; a profile feed adds the
    # author in front, and that index also serves look-ups by author.
    __table_args__ = (
        Index(
            "ix_activities_home_feed",
            "created_at",
            "uuid",
            postgresql_where=text("reply_to IS NULL"),
            sqlite_where=text("reply_to IS NULL"),
        ),
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


class Like(CruddurBase, table=True):
    """One person's like of one crud. The primary key is what makes it one like per person;
    leading with the crud lets a feed ask "which of these did the viewer like" by key."""

    __tablename__ = "likes"

    crud_uuid: UUID = Field(foreign_key="activities.uuid", primary_key=True)
    sub: str = Field(foreign_key="profiles.sub", primary_key=True, max_length=64)
    created_at: datetime


class HandleReservation(CruddurBase, table=True):
    """A handle held for a sign-up in progress, so the app's database stays the authority on
    handles: reserved before Cognito's SignUp, released when it fails or the reservation lapses."""

    __tablename__ = "handle_reservations"

    handle: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(index=True)


class AuthSession(CruddurBase, table=True):
    """A signed-in browser. The handle lives only in its HttpOnly cookie; here is its SHA-256 and
    the Cognito tokens sealed with a key derived from it (`auth/session_seal.py`)."""

    __tablename__ = "auth_sessions"

    handle_hash: str = Field(primary_key=True, max_length=64)
    sub: str = Field(index=True, max_length=64)
    sealed_tokens: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    origin_jti: str = Field(max_length=64)  # names this sign-in's tokens at Cognito
    access_expires_at: datetime
    created_at: datetime
    last_seen_at: datetime
    rechecked_at: datetime
    expires_at: datetime = Field(index=True)  # idle or absolute limit, whichever is first
    user_agent: str = Field(default="", max_length=256)
    address: str = Field(default="", max_length=64)


class SessionTicket(CruddurBase, table=True):
    """The one-time ticket a sign-in over the websocket hands the page, exchanged within seconds
    by a POST for the session cookie. It holds the session handle sealed under the ticket, and
    only the browser whose HttpOnly device cookie hashes to `device_hash` can redeem it."""

    __tablename__ = "session_tickets"

    ticket_hash: str = Field(primary_key=True, max_length=64)
    sealed_handle: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    device_hash: str = Field(max_length=64)
    expires_at: datetime = Field(index=True)


class TokenRevocation(CruddurBase, table=True):
    """Access tokens refused before their `exp`: those of one sign-in (`origin_jti`), or every
    token of a person signed in at or before `signed_in_before` (epoch seconds of `auth_time`)."""

    __tablename__ = "token_revocations"

    id: int | None = Field(default=None, primary_key=True)
    sub: str | None = Field(default=None, max_length=64)
    origin_jti: str | None = Field(default=None, max_length=64)
    signed_in_before: int | None = None
    expires_at: datetime = Field(index=True)  # after this no token it names can still verify


class RecoveryCode(CruddurBase, table=True):
    """One of the ten single-use codes a person gets when they turn on two-step verification,
    stored as its SHA-256 (each code is 50 random bits: a slow hash would buy nothing)."""

    __tablename__ = "recovery_codes"

    code_hash: str = Field(primary_key=True, max_length=64)
    sub: str = Field(index=True, max_length=64)
    created_at: datetime
    used_at: datetime | None = None


class RememberedDevice(CruddurBase, table=True):
    """A browser Cognito remembers for a person, so signing in there skips the second factor.
    Found by the browser's HttpOnly device cookie (its hash) and the person; Cognito's device
    key, group key and the device's random SRP password are sealed with that cookie."""

    __tablename__ = "remembered_devices"

    browser_hash: str = Field(primary_key=True, max_length=64)
    sub: str = Field(primary_key=True, max_length=64)
    device_key: str = Field(index=True, max_length=128)
    sealed_secret: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime


class OutgoingMail(CruddurBase, table=True):
    """A notice the app itself owes someone by e-mail (Cognito sends only its codes), e.g. to
    the old address when the e-mail changes. With the embedded provider the developer mailbox
    shows them; a relay to real mail reads them from here."""

    __tablename__ = "outgoing_mail"

    id: int | None = Field(default=None, primary_key=True)
    to: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=2000)
    created_at: datetime = Field(index=True)


class SecurityEvent(CruddurBase, table=True):
    """What happened to a person's account, for their security activity list."""

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_person", "sub", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    sub: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    at: datetime
    user_agent: str = Field(default="", max_length=256)
    address: str = Field(default="", max_length=64)


class PasskeyUse(CruddurBase, table=True):
    """When a passkey last signed its person in (ListWebAuthnCredentials does not say)."""

    __tablename__ = "passkey_uses"

    sub: str = Field(primary_key=True, max_length=64)
    passkey_id: str = Field(primary_key=True, max_length=64)  # the account page's digest of its credential id
    used_at: datetime


class PasskeyOffer(CruddurBase, table=True):
    """People already asked, after a password sign-in, whether they want a passkey: once is enough."""

    __tablename__ = "passkey_offers"

    sub: str = Field(primary_key=True, max_length=64)
    offered_at: datetime


class FederationLink(CruddurBase, table=True):
    """A provider's identity waiting to be linked to the password account of its e-mail, until
    the person proves that account's password (`services/federation_links.py`). In the database,
    not a backend's memory: the callback and the link page may reach different workers. Sealed
    under the link's own handle, which only the person's HttpOnly cookie holds."""

    __tablename__ = "federation_links"

    key_hash: str = Field(primary_key=True, max_length=64)
    sealed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    expires_at: datetime = Field(index=True)

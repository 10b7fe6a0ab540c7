"""Server-side sessions in the app's database: created at sign-in, read and updated when a tab
resumes, ended by sign-out, credential changes or the policy's time limits, purged in batches.

Every method opens its own short database session: none is ever held across a call to Cognito.
Tokens are sealed with the session handle (`auth/session_seal.py`); only its hash is stored.

Sign-in tickets carry a new session from the websocket that signed in to the HttpOnly cookie: the
page gets a random ticket, valid for seconds and once, that only the same browser can redeem.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy
from sqlalchemy import bindparam
from sqlmodel import col, delete, select
from user_agents import parse as parse_user_agent

from cruddur.auth.cognito import Tokens
from cruddur.auth.session_policy import SessionPolicy, SessionTimes
from cruddur.auth.session_seal import handle_hash, new_handle, open_tokens, seal, seal_tokens, unseal
from cruddur.db import Database
from cruddur.models import AuthSession, SessionTicket
from cruddur.services.clock import utcnow

TICKET_SECONDS = 30
_TICKET = b"cruddur sign-in ticket v1"
MAX_USER_AGENT = 256


@dataclass(frozen=True)
class Client:
    """Who a request comes from, as far as the server can tell (for the sessions list and limits)."""

    address: str = ""
    user_agent: str = ""
    browser: str = field(default="", repr=False)  # the HttpOnly device cookie: finds remembered devices

    @property
    def device_name(self) -> str:
        return browser_name(self.user_agent)


def browser_name(user_agent: str) -> str:
    """ "Chrome on Linux", from the User-Agent; "Unknown browser" when there is none."""
    if not user_agent:
        return "Unknown browser"
    agent = parse_user_agent(user_agent)
    return f"{agent.browser.family} on {agent.os.family}"


@dataclass(frozen=True)
class StoredSession:
    sub: str
    tokens: Tokens
    origin_jti: str
    times: SessionTimes


# Every page load reads its session: one prebuilt statement on a plain connection costs about
# half of an ORM Session's `get` of the row (no Session, no identity map, no object), measured.
_S = AuthSession.__table__.c
_LOAD = sqlalchemy.select(
    _S.sub,
    _S.sealed_tokens,
    _S.origin_jti,
    _S.created_at,
    _S.last_seen_at,
    _S.access_expires_at,
    _S.rechecked_at,
).where(_S.handle_hash == bindparam("handle_hash"))


def _bound_to(row_hash: str, sub: str) -> str:
    return f"{row_hash}:{sub}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SessionStore:
    def __init__(self, database: Database, policy: SessionPolicy):
        self.database = database
        self.policy = policy

    def create(self, sub: str, origin_jti: str, tokens: Tokens, client: Client) -> str:
        """A new session; returns its handle (for the cookie, never stored)."""
        handle, now = new_handle(), utcnow()
        row_hash = handle_hash(handle)
        row = AuthSession(
            handle_hash=row_hash,
            sub=sub,
            sealed_tokens=seal_tokens(handle, tokens, _bound_to(row_hash, sub)),
            origin_jti=origin_jti,
            access_expires_at=now + timedelta(seconds=tokens.expires_in),
            created_at=now,
            last_seen_at=now,
            rechecked_at=now,
            expires_at=self.policy.expires_at(now, now),
            user_agent=client.user_agent[:MAX_USER_AGENT],
            address=client.address[:64],
        )
        with self.database.session() as db:
            db.add(row)
            db.commit()
        return handle

    def load(self, handle: str) -> StoredSession | None:
        """The session this handle opens, or None (unknown, ended, or not opened by it)."""
        if not isinstance(handle, str) or not handle:
            return None
        row_hash = handle_hash(handle)
        with self.database.engine.connect() as connection:
            row = connection.execute(_LOAD, {"handle_hash": row_hash}).first()
        if row is None:
            return None
        tokens = open_tokens(handle, row.sealed_tokens, _bound_to(row_hash, row.sub), 0)
        if tokens is None:
            return None
        times = SessionTimes(row.created_at, row.last_seen_at, row.access_expires_at, row.rechecked_at)
        return StoredSession(row.sub, tokens, row.origin_jti, times)

    def is_open(self, handle: str) -> bool:
        """Whether the session still exists (one primary-key read; nothing decrypted)."""
        with self.database.session() as db:
            return db.get(AuthSession, handle_hash(handle)) is not None

    def update(self, handle: str, *, tokens: Tokens | None = None, seen: bool = False, rechecked: bool = False) -> None:
        """Writes what a resume learned: refreshed tokens, a visit, a check with Cognito."""
        row_hash, now = handle_hash(handle), utcnow()
        with self.database.session() as db:
            row = db.get(AuthSession, row_hash)
            if row is None:  # ended meanwhile: nothing to keep
                return
            if tokens is not None:
                row.sealed_tokens = seal_tokens(handle, tokens, _bound_to(row_hash, row.sub))
                row.access_expires_at = now + timedelta(seconds=tokens.expires_in)
                row.rechecked_at = now  # a refresh is Cognito saying the person may still sign in
            if rechecked:
                row.rechecked_at = now
            if seen:
                row.last_seen_at = now
                row.expires_at = self.policy.expires_at(row.created_at, now)
            db.add(row)
            db.commit()

    def end(self, handle: str) -> None:
        with self.database.session() as db:
            db.exec(delete(AuthSession).where(col(AuthSession.handle_hash) == handle_hash(handle)))
            db.commit()

    def end_all_for(self, sub: str) -> int:
        """Ends every session of the person; returns how many there were."""
        with self.database.session() as db:
            ended = db.exec(delete(AuthSession).where(col(AuthSession.sub) == sub)).rowcount
            db.commit()
        return ended

    def of_person(self, sub: str) -> list[AuthSession]:
        """The person's open sessions, most recently seen first (what the account page lists)."""
        with self.database.session() as db:
            return list(
                db.exec(
                    select(AuthSession)
                    .where(col(AuthSession.sub) == sub)
                    .order_by(col(AuthSession.last_seen_at).desc())
                ).all()
            )

    def end_rows(self, sub: str, row_hashes: list[str]) -> list[str]:
        """Ends these sessions of `sub` (others' rows are left alone); returns their sign-ins'
        origin_jti, for the revocation list."""
        with self.database.session() as db:
            rows = db.exec(
                select(AuthSession).where(col(AuthSession.sub) == sub, col(AuthSession.handle_hash).in_(row_hashes))
            ).all()
            for row in rows:
                db.delete(row)
            db.commit()
        return [row.origin_jti for row in rows]

    def purge(self, batch: int = 500, now: datetime | None = None) -> int:
        """Deletes up to `batch` sessions past their limit, and stale tickets; returns how many.
        Bounded, so a large backlog is worked off in short transactions that never block the feed."""
        now = now or utcnow()
        with self.database.session() as db:
            due = db.exec(select(AuthSession.handle_hash).where(col(AuthSession.expires_at) <= now).limit(batch)).all()
            if due:
                db.exec(delete(AuthSession).where(col(AuthSession.handle_hash).in_(due)))
            tickets = db.exec(
                select(SessionTicket.ticket_hash).where(col(SessionTicket.expires_at) <= now).limit(batch)
            ).all()
            if tickets:
                db.exec(delete(SessionTicket).where(col(SessionTicket.ticket_hash).in_(tickets)))
            db.commit()
        return len(due) + len(tickets)

    # -- sign-in tickets -------------------------------------------------------------------------

    def issue_ticket(self, handle: str, device: str) -> str:
        """A one-time ticket for `handle`, redeemable for TICKET_SECONDS by the browser holding `device`."""
        ticket = secrets.token_urlsafe(32)
        with self.database.session() as db:
            db.add(
                SessionTicket(
                    ticket_hash=_digest(ticket),
                    sealed_handle=seal(ticket, handle.encode(), info=_TICKET),
                    device_hash=_digest(device),
                    expires_at=utcnow() + timedelta(seconds=TICKET_SECONDS),
                )
            )
            db.commit()
        return ticket

    def redeem_ticket(self, ticket: str, device: str) -> str | None:
        """The session handle, once; None for an unknown, used, stale or other browser's ticket."""
        if not ticket or not device:
            return None
        with self.database.session() as db:
            row = db.get(SessionTicket, _digest(ticket))
            if row is None:
                return None
            # Used up whatever happens next: a guessed or stolen ticket gets one try.
            taken = db.exec(delete(SessionTicket).where(col(SessionTicket.ticket_hash) == row.ticket_hash)).rowcount
            db.commit()
        if taken != 1 or row.expires_at <= utcnow() or not secrets.compare_digest(row.device_hash, _digest(device)):
            return None
        plain = unseal(ticket, row.sealed_handle, info=_TICKET)
        return plain.decode() if plain is not None else None

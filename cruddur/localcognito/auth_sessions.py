"""Challenge Sessions: what a sign-in carries between its steps (the MFA code, MFA setup), sealed
with the server key like SECRET_BLOCK so that any worker on the data dir can take the next step.
A Session expires after the app client's AuthSessionValidity and is answered once; the record of
answered ones (lc_used_challenge) also serves SECRET_BLOCKs."""

import hashlib

from sqlmodel import Session as DbSession
from sqlmodel import col, delete

from .errors import INVALID_SESSION, SESSION_EXPIRED, SESSION_USED, invalid_parameter, not_authorized
from .models import UsedChallenge, User
from .provider import Provider
from .sealing import seal, unseal


def _context(p: Provider) -> str:
    return f"{p.pool_id}:session"


def issue(p: Provider, now: float, **state) -> str:
    """A Session for `state` (the user "u", the challenge it answers "k", and what else the step needs)."""
    return seal(p.keys.seal_key, {**state, "c": p.client_id, "t": now}, _context(p))


def take_state(p: Provider, db: DbSession, session: str | None, now: float, *challenges: str) -> dict:
    """The state of a live, unanswered Session this pool issued to this client for one of
    `challenges`, or Cognito's refusal."""
    if not session:
        raise invalid_parameter("Missing required parameter Session")
    state = unseal(p.keys.seal_key, session, _context(p))
    if state is None or state.get("c") != p.client_id or state["k"] not in challenges:
        raise not_authorized(INVALID_SESSION)
    if now - state["t"] > p.config.auth_session_seconds:
        raise not_authorized(SESSION_EXPIRED)
    if spent(db, session):
        raise not_authorized(SESSION_USED)
    return state


def take(p: Provider, db: DbSession, session: str | None, now: float, *challenges: str) -> tuple[User, dict]:
    """`take_state`, and the user the Session is for."""
    state = take_state(p, db, session, now, *challenges)
    user = db.get(User, state["u"])
    if user is None:
        raise not_authorized(INVALID_SESSION)
    return user, state


def finish(p: Provider, db: DbSession, session: str, state: dict, now: float) -> None:
    """Spend a Session: its step succeeded, or (a passkey's, an e-mailed code's last try) was answered for good."""
    spend(db, session, now, state["t"] + p.config.auth_session_seconds)


def _digest(blob: str) -> str:
    return hashlib.sha256(blob.encode()).hexdigest()


def spent(db: DbSession, blob: str) -> bool:
    """Whether a Session or SECRET_BLOCK has been answered already."""
    return db.get(UsedChallenge, _digest(blob)) is not None


def spend(db: DbSession, blob: str, now: float, keep_until: float) -> None:
    """Record `blob` as answered until it would have expired anyway, forgetting the stale records."""
    db.exec(delete(UsedChallenge).where(col(UsedChallenge.expires_at) < now))
    db.add(UsedChallenge(digest=_digest(blob), expires_at=keep_until))

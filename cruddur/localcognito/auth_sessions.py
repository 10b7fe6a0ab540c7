"""The record of answered challenges (lc_used_challenge), so that each is answered once."""

import hashlib

from sqlmodel import Session as DbSession
from sqlmodel import col, delete

from .models import UsedChallenge


def _digest(blob: str) -> str:
    return hashlib.sha256(blob.encode()).hexdigest()


def spent(db: DbSession, blob: str) -> bool:
    """Whether a SECRET_BLOCK has been answered already."""
    return db.get(UsedChallenge, _digest(blob)) is not None


def spend(db: DbSession, blob: str, now: float, keep_until: float) -> None:
    """Record `blob` as answered until it would have expired anyway, forgetting the stale records."""
    db.exec(delete(UsedChallenge).where(col(UsedChallenge.expires_at) < now))
    db.add(UsedChallenge(digest=_digest(blob), expires_at=keep_until))

"""Recovery codes (beyond Cognito, as GitHub and Clerk have them): ten single-use codes a person
gets, once, when they turn on two-step verification — for the day they lose their phone. Only
each code's SHA-256 is stored; a new set replaces the old one."""

import hashlib
import secrets

from sqlmodel import Session, col, delete, func, select, update

from cruddur.models import RecoveryCode
from cruddur.services.clock import utcnow

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper, typed on a phone


def _digest(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def new_codes(session: Session, sub: str) -> list[str]:
    """Ten fresh codes (`xxxxx-xxxxx`, 49 bits each) for `sub`, replacing any older ones."""
    codes = ["-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2)) for _ in range(COUNT)]
    now = utcnow()
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.sub) == sub))
    session.add_all(RecoveryCode(code_hash=_digest(code), sub=sub, created_at=now) for code in codes)
    session.commit()
    return codes


def use_code(session: Session, sub: str, code: str) -> bool:
    """Whether `code` is one of `sub`'s unused codes; it is used up if so (one statement, so two
    tries at once cannot both use it)."""
    used = session.exec(
        update(RecoveryCode)
        .where(col(RecoveryCode.code_hash) == _digest(code), col(RecoveryCode.sub) == sub)
        .where(col(RecoveryCode.used_at).is_(None))
        .values(used_at=utcnow())
    ).rowcount
    session.commit()
    return used == 1


def drop_codes(session: Session, sub: str) -> None:
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.sub) == sub))
    session.commit()


def codes_left(session: Session, sub: str) -> int:
    return session.exec(
        select(func.count()).where(col(RecoveryCode.sub) == sub, col(RecoveryCode.used_at).is_(None))
    ).one()

"""Confirmation and reset codes: 6 random digits, single use, expiring, attempt-limited, only
the newest one live, sending rate-limited; each one goes to the mailbox."""

import hashlib
import hmac
import secrets

from sqlmodel import Session

from . import mailbox
from .config import LocalCognitoConfig
from .errors import TOO_MANY_FAILED_ATTEMPTS, CognitoError, code_expired, code_mismatch, limit_exceeded
from .models import Code, User

SIGN_UP = "SIGN_UP"
FORGOT_PASSWORD = "FORGOT_PASSWORD"


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def lifetime(config: LocalCognitoConfig, kind: str) -> int:
    return config.sign_up_code_seconds if kind == SIGN_UP else config.reset_code_seconds


def send(session: Session, config: LocalCognitoConfig, user: User, kind: str, now: float) -> None:
    """Issue a new code of `kind` (replacing any older one) and deliver it, within the rate limit."""
    window_start = now - config.code_send_window_seconds
    if mailbox.sends_since(session, user.sub, kind, window_start) >= config.code_sends_per_window:
        raise limit_exceeded()
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = session.get(Code, (user.sub, kind))
    if row is None:
        row = Code(sub=user.sub, kind=kind, code_hash="", expires_at=0.0)
    row.code_hash = _digest(code)
    row.expires_at = now + lifetime(config, kind)
    row.failed_attempts = 0
    row.used = False
    session.add(row)
    mailbox.deliver(
        session, to=user.email, username=user.sub, kind=kind, code=code, now=now, echo=config.echo_codes_to_console
    )


def check(session: Session, config: LocalCognitoConfig, user: User, kind: str, code: str, now: float) -> None:
    """Consume the live code if `code` is it; otherwise count the failure and raise Cognito's error.

    Runs inside `Store.write()`, which keeps the counted failure although the error propagates.
    """
    row = session.get(Code, (user.sub, kind))
    if row is None or row.used:
        raise code_expired()
    if row.failed_attempts >= config.code_attempts:
        raise CognitoError("TooManyFailedAttemptsException", TOO_MANY_FAILED_ATTEMPTS)
    if now >= row.expires_at:
        raise code_expired()
    if not hmac.compare_digest(row.code_hash, _digest(code.strip())):
        row.failed_attempts += 1
        session.add(row)
        raise code_mismatch()
    row.used = True
    session.add(row)

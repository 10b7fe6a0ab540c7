"""Confirmation, reset and attribute verification codes: 6 random digits, single use, expiring, attempt-limited, only
the newest one live, sending rate-limited; each one goes to the mailbox.

For a user the provider must not reveal (prevent user existence errors) the same reads and
writes happen against a decoy identity and the code goes nowhere, so the answer and its cost
are a real user's."""

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from typing import NoReturn

from sqlmodel import Session, func, select

from . import mailbox
from .attributes import delivery_details, normalize_email
from .config import LocalCognitoConfig
from .decoys import decoy_sub
from .errors import TOO_MANY_FAILED_ATTEMPTS, CognitoError, code_expired, code_mismatch, limit_exceeded
from .models import Code, MailboxMessage, SimulatedDelivery, User

SIGN_UP = "SIGN_UP"
FORGOT_PASSWORD = "FORGOT_PASSWORD"
VERIFY_EMAIL = "VERIFY_EMAIL"  # VerifyUserAttribute's, sent to the address it verifies
EMAIL_OTP = "EMAIL_OTP"  # a USER_AUTH sign-in's code (email_otp.py checks it)


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def lifetime(config: LocalCognitoConfig, kind: str) -> int:
    return {
        SIGN_UP: config.sign_up_code_seconds,
        FORGOT_PASSWORD: config.reset_code_seconds,
        VERIFY_EMAIL: config.attribute_code_seconds,
        EMAIL_OTP: config.email_otp_seconds,
    }[kind]


def _issue(
    session: Session,
    config: LocalCognitoConfig,
    sub: str,
    kind: str,
    now: float,
    outbox: type[MailboxMessage] | type[SimulatedDelivery],
) -> str:
    """A new code of `kind` for `sub`, replacing any older one, within the sending rate limit
    (counted in `outbox`, where the caller records the send)."""
    since = now - config.code_send_window_seconds
    sent = select(func.count()).where(outbox.username == sub, outbox.kind == kind, outbox.created_at >= since)
    if session.exec(sent).one() >= config.code_sends_per_window:
        raise limit_exceeded()
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = session.get(Code, (sub, kind)) or Code(sub=sub, kind=kind, code_hash="", expires_at=0.0)
    row.code_hash = _digest(code)
    row.expires_at = now + lifetime(config, kind)
    row.failed_attempts = 0
    row.used = False
    session.add(row)
    return code


def send(
    session: Session, config: LocalCognitoConfig, user: User, kind: str, now: float, to: str | None = None
) -> dict:
    """Issue and deliver a code of `kind` for `user`, to its e-mail or the address `to`; Cognito's
    CodeDeliveryDetails."""
    to = to or user.email
    code = _issue(session, config, user.sub, kind, now, MailboxMessage)
    mailbox.deliver(session, to=to, username=user.sub, kind=kind, code=code, now=now, echo=config.echo_codes_to_console)
    return delivery_details(to)


def discard(session: Session, sub: str, kind: str) -> None:
    """Drop the live code of `kind`, when what it was sent to verify is no longer asked for."""
    row = session.get(Code, (sub, kind))
    if row is not None:
        session.delete(row)


def send_nowhere(
    session: Session, config: LocalCognitoConfig, decoy_key: bytes, username: str, kind: str, now: float
) -> dict:
    """`send` for a user the provider must not reveal: the same work for a decoy, nothing
    delivered, and the details masked from the username as sent, as for an address that exists."""
    sub = decoy_sub(decoy_key, username)
    _issue(session, config, sub, kind, now, SimulatedDelivery)
    session.add(SimulatedDelivery(id=str(uuid.uuid4()), username=sub, kind=kind, created_at=now))
    return delivery_details(normalize_email(username))


def matches(row: Code, code: str) -> bool:
    return hmac.compare_digest(row.code_hash, _digest(code.strip()))


def too_many_failed_attempts() -> CognitoError:
    return CognitoError("TooManyFailedAttemptsException", TOO_MANY_FAILED_ATTEMPTS)


def check(
    session: Session,
    config: LocalCognitoConfig,
    user: User,
    kind: str,
    code: str,
    now: float,
    exhausted: Callable[[], CognitoError] = too_many_failed_attempts,
) -> None:
    """Consume the live code if `code` is it; otherwise count the failure and raise Cognito's error
    (`exhausted()` once the code has taken its share of wrong guesses: the operation's modelled error).

    Runs inside `Store.write()`, which keeps the counted failure although the error propagates.
    """
    row = session.get(Code, (user.sub, kind))
    if row is None or row.used:
        raise code_expired()
    if row.failed_attempts >= config.code_attempts:
        raise exhausted()
    if now >= row.expires_at:
        raise code_expired()
    if not matches(row, code):
        row.failed_attempts += 1
        session.add(row)
        raise code_mismatch()
    row.used = True
    session.add(row)


def check_nowhere(session: Session, decoy_key: bytes, username: str, kind: str) -> NoReturn:
    """`check` for a user the provider must not reveal: a wrong guess counted against a decoy
    (the write a real wrong guess costs), and Cognito's answer for such users, a mismatch."""
    sub = decoy_sub(decoy_key, username)
    row = session.get(Code, (sub, kind)) or Code(sub=sub, kind=kind, code_hash="", expires_at=0.0)
    row.failed_attempts += 1
    session.add(row)
    raise code_mismatch()

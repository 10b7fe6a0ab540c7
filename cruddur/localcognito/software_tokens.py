"""A user's TOTP authenticator as the pool keeps it (lc_software_token): a new secret for each
association, verification that makes the latest one the authenticator sign-ins check, sign-in
codes accepted once each, and the MFA fields GetUser and AdminGetUser report.

Secrets are sealed with the key kept beside the database (keys.py) and the user's sub as context:
the database file alone yields none, and a sealed secret copied onto another user's row does not
open."""

from typing import TypeGuard

from sqlmodel import Session as DbSession

from . import totp
from .errors import CognitoError
from .models import SoftwareToken
from .provider import Provider
from .sealing import seal, unseal

SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
NOT_FOUND = "Software Token MFA does not exist for the user."


def _context(p: Provider, sub: str) -> str:
    return f"{p.pool_id}:totp:{sub}"


def _secret(p: Provider, sub: str, sealed: str | None) -> str | None:
    payload = unseal(p.keys.stored_secrets_key, sealed, _context(p, sub)) if sealed else None
    return payload["s"] if payload else None


def verified(token: SoftwareToken | None) -> TypeGuard[SoftwareToken]:
    return token is not None and token.secret is not None


def associate(p: Provider, db: DbSession, sub: str) -> str:
    """A new secret, pending until verified; it replaces any earlier pending one, while the verified
    authenticator (if any) keeps working meanwhile."""
    token = db.get(SoftwareToken, sub) or SoftwareToken(sub=sub)
    secret = totp.new_secret()
    token.pending = seal(p.keys.stored_secrets_key, {"s": secret}, _context(p, sub))
    db.add(token)
    return secret


def verify(p: Provider, db: DbSession, sub: str, code: str, now: float, friendly_name: str | None) -> SoftwareToken:
    """Make the pending secret the user's authenticator if `code` is one of its codes."""
    token = db.get(SoftwareToken, sub)
    if token is None or token.pending is None:
        raise CognitoError("SoftwareTokenMFANotFoundException", NOT_FOUND)
    pending = _secret(p, sub, token.pending)
    step = totp.matching_step(pending, code, now) if pending else None
    if step is None:
        raise CognitoError("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
    # The verifying code is spent too: it cannot serve again as the next sign-in's second factor.
    token.secret, token.pending, token.last_step = token.pending, None, step
    token.friendly_name = friendly_name or None
    db.add(token)
    return token


def accept(p: Provider, db: DbSession, token: SoftwareToken, code: str, now: float) -> bool:
    """Whether `code` is a current code of the user's authenticator not accepted before (RFC 6238
    §5.2: a code is good once); accepting it spends it and every earlier one."""
    secret = _secret(p, token.sub, token.secret)
    step = totp.matching_step(secret, code, now, after=token.last_step) if secret else None
    if step is None:
        return False
    token.last_step = step
    db.add(token)
    return True


def mfa_settings(db: DbSession, sub: str) -> dict:
    """UserMFASettingList and PreferredMfaSetting, present only when TOTP is on, as Cognito omits
    them; MFAOptions, which speaks of SMS only, never."""
    token = db.get(SoftwareToken, sub)
    if token is None or not token.enabled:
        return {}
    settings: dict = {"UserMFASettingList": [SOFTWARE_TOKEN_MFA]}
    if token.preferred:
        settings["PreferredMfaSetting"] = SOFTWARE_TOKEN_MFA
    return settings

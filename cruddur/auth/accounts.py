"""What a person does with their account — sign up, confirm, sign in, recover, sign out — as
blocking functions for the app to call from a worker thread. No Reflex here.

Every refusal is an `AccountError` whose `code` keys the friendly-text table in `errors.py`:
Cognito's own exception names, plus the checks made here before any call.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from cruddur.auth import sessions
from cruddur.auth.cognito import CodeSent, CognitoError
from cruddur.auth.identity import get_cognito, get_verifier
from cruddur.auth.jwt import KeysUnavailableError, TokenError
from cruddur.auth.password_policy import DEFAULT_POLICY
from cruddur.db import new_session
from cruddur.models import Profile
from cruddur.services.clock import utcnow
from cruddur.services.errors import ValidationError
from cruddur.services.profiles import ensure_profile, handle_taken

# Refresh the access token when it has less than this left, so a request never carries a
# token that expires on the way.
REFRESH_MARGIN = timedelta(minutes=5)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The longest address SMTP can carry (RFC 5321). Checked before the pattern, whose backtracking
# is quadratic in the length: a 32 KB "a@a.a.a...@" costs seconds of CPU with the GIL held.
MAX_EMAIL_LENGTH = 254
HANDLE = re.compile(r"^[A-Za-z0-9_]{2,30}$")


class AccountError(Exception):
    def __init__(self, code: str, operation: str = ""):
        super().__init__(code)
        self.code = code
        self.operation = operation


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, from verified token claims and their profile."""

    sub: str
    handle: str
    display_name: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_email(email: str) -> str:
    email = normalise_email(email)
    if len(email) > MAX_EMAIL_LENGTH or not EMAIL.match(email):
        raise AccountError("InvalidEmail")
    return email


def _check_password(password: str) -> None:
    if DEFAULT_POLICY.first_violation(password):
        raise AccountError("InvalidPasswordException")


def _cognito(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except CognitoError as error:
        raise AccountError(error.code, error.operation) from None


def sign_up(*, name: str, email: str, handle: str, password: str) -> CodeSent:
    name, handle = name.strip(), handle.strip().lstrip("@")
    if not name:
        raise AccountError("NameRequired")
    email = _check_email(email)
    if not HANDLE.match(handle):
        raise AccountError("InvalidHandle")
    _check_password(password)
    with new_session() as db:
        if handle_taken(db, handle):
            raise AccountError("HandleTakenException")
    sub, sent = _cognito(get_cognito().sign_up, email=email, password=password, name=name, handle=handle)
    _ensure_profile(sub, handle, name)
    return sent


def _ensure_profile(sub: str, handle: str, name: str) -> None:
    with new_session() as db:
        try:
            ensure_profile(db, sub, handle, name)
        except ValidationError:  # a handle someone else took between the check and now
            raise AccountError("HandleTakenException") from None


def confirm_sign_up(*, email: str, code: str) -> None:
    email, code = _check_email(email), code.strip()
    if not code.isdigit():
        raise AccountError("CodeMismatchException")
    _cognito(get_cognito().confirm_sign_up, email=email, code=code)


def resend_code(*, email: str) -> CodeSent:
    return _cognito(get_cognito().resend_confirmation_code, email=_check_email(email))


def sign_in(*, email: str, password: str) -> tuple[str, Viewer]:
    """Returns a new session handle (rotated at every sign-in) and who signed in."""
    email = _check_email(email)
    if not password:
        raise AccountError("NotAuthorizedException")
    tokens = _cognito(get_cognito().sign_in, email=email, password=password)
    try:
        access = get_verifier().verify(tokens.access_token, token_use="access")
        identity = get_verifier().verify(tokens.id_token, token_use="id")
    except KeysUnavailableError:  # the pool's keys could not be fetched: a passing fault
        raise AccountError("Unavailable", "InitiateAuth") from None
    except TokenError as error:
        raise AccountError(error.code, "InitiateAuth") from None
    if access["sub"] != identity["sub"]:
        raise AccountError("TokenMismatch", "InitiateAuth")
    _ensure_profile(access["sub"], identity["preferred_username"], identity["name"])
    with new_session() as db:
        handle = sessions.create(db, access["sub"], tokens)
    return handle, Viewer(access["sub"], identity["preferred_username"], identity["name"])


def restore(handle: str) -> Viewer | None:
    """Who holds this session handle, with a verified (and, when due, refreshed) access token.

    None when the handle names no session. Raises AccountError("SessionExpired") and ends the
    session when Cognito no longer honours it (refresh token expired or revoked), and
    AccountError("Unavailable"), keeping the session, when Cognito or its keys cannot be reached
    and the stored token cannot be checked without them.
    """
    with new_session() as db:
        stored = sessions.load(db, handle)
        if stored is None:
            return None
        access_token = stored.tokens.access_token
        if stored.access_expires_at - utcnow() < REFRESH_MARGIN:
            access_token = _refresh(db, handle, stored)
        try:
            claims = get_verifier().verify(access_token)
        except KeysUnavailableError:
            # The keys could not be fetched (e.g. a restart during an outage): the token may be
            # fine, so the session stays for the next try.
            raise AccountError("Unavailable") from None
        except TokenError:
            sessions.end(db, handle)
            raise AccountError("SessionExpired") from None
        profile = db.get(Profile, claims["sub"])
    if profile is None:
        return None
    return Viewer(profile.sub, profile.handle, profile.display_name)


def _refresh(db, handle: str, stored: sessions.StoredSession) -> str:
    try:
        tokens = get_cognito().refresh(stored.tokens.refresh_token)
    except CognitoError as error:
        if error.code == "Unavailable":
            if stored.access_expires_at > utcnow():
                # Cognito is unreachable, but the token still holds: use it, refresh next time.
                return stored.tokens.access_token
            raise AccountError("Unavailable") from None
        sessions.end(db, handle)
        raise AccountError("SessionExpired") from None
    sessions.replace_tokens(db, handle, tokens)
    return tokens.access_token


def sign_out(handle: str) -> None:
    """Revokes every token of the user at Cognito and ends their sessions here at once."""
    with new_session() as db:
        stored = sessions.load(db, handle)
        if stored is None:
            return
        sessions.end_all_for(db, stored.sub)
    try:
        get_cognito().global_sign_out(stored.tokens.access_token)
    except CognitoError:
        pass  # already revoked or expired; the sessions are gone either way


def forgot_password(*, email: str) -> CodeSent:
    return _cognito(get_cognito().forgot_password, email=_check_email(email))


def reset_password(*, email: str, code: str, password: str, confirm: str) -> None:
    email, code = _check_email(email), code.strip()
    if not code.isdigit():
        raise AccountError("CodeMismatchException")
    if password != confirm:
        raise AccountError("PasswordMismatch")
    _check_password(password)
    _cognito(get_cognito().confirm_forgot_password, email=email, code=code, password=password)

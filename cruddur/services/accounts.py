"""What a person does with their account — sign up, confirm, sign in, resume, recover, sign out —
orchestrated across the user pool (`auth/`), their profile and their server-side sessions. The
methods block: the app calls them on the identity threads. No Reflex here.

Every refusal is an `AccountError` whose `code` keys the friendly-text table in
`auth/errors.py`: Cognito's exception names, plus the checks made here before any call.

Answers never tell whether an account exists: confirming, resending and requesting a reset say
the same for an unknown e-mail, an unconfirmed one and a confirmed one (codes the pool's
"prevent user existence errors" would otherwise tell apart are folded together here).

Sessions end when credentials change: a password reset, a sign-out anywhere, a person disabled
or deleted at Cognito end every session of that person — in the app's database, in the REST
API's revocation list and, where a token allows, at Cognito.
"""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

import redis

from cruddur.auth.cognito import Authenticated, CodeSent, CognitoError, Tokens
from cruddur.auth.identity import Identity
from cruddur.auth.jwt import KeysUnavailableError, TokenError
from cruddur.auth.password_policy import PasswordPolicy
from cruddur.auth.session_policy import UNREACHABLE, Resume, SessionPolicy
from cruddur.auth.sign_in import MFA_SETUP, Challenge
from cruddur.db import Database
from cruddur.services import security_log
from cruddur.services.clock import utcnow
from cruddur.services.errors import ValidationError
from cruddur.services.profiles import (
    HandleTaken,
    canonical_handle,
    create_profile,
    profile_from_pool,
    profile_of,
    release_handle,
    reserve_handle,
)
from cruddur.services.rate_limits import RateLimiter
from cruddur.services.remembered_devices import RememberedDevices
from cruddur.services.revocations import Revocations
from cruddur.services.sessions import Client, SessionStore, StoredSession

log = logging.getLogger(__name__)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The longest address SMTP can carry (RFC 5321). Checked before the pattern, whose backtracking
# is quadratic in the length: a 32 KB "a@a.a.a...@" costs seconds of CPU with the GIL held.
MAX_EMAIL_LENGTH = 254
# Refusals of a code that would tell an unknown e-mail from a real one: all read "not accepted".
CODE_REFUSALS = frozenset(
    {
        "CodeMismatchException",
        "ExpiredCodeException",
        "TooManyFailedAttemptsException",
        "UserNotFoundException",
        "NotAuthorizedException",
    }
)
# Refusals of a code *send* that only a real account can get (already confirmed, no verified
# address): answered as if the code went out, as Cognito answers for an unknown e-mail.
SILENT_SEND_REFUSALS = frozenset(
    {
        "InvalidParameterException",
        "UserNotFoundException",
        "UserNotConfirmedException",
        "NotAuthorizedException",
    }
)
# An access token this close to its expiry is refreshed before it signs anyone out.
SIGN_OUT_MARGIN = timedelta(seconds=30)


class AccountError(Exception):
    def __init__(self, code: str, operation: str = "", retry_after: int = 0):
        super().__init__(code)
        self.code = code
        self.operation = operation
        self.retry_after = retry_after


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, from verified token claims and their profile. No handle yet: the
    person must choose one before they can post (Cognito accepted one the app refuses)."""

    sub: str
    handle: str
    display_name: str


@dataclass(frozen=True)
class SignedIn:
    handle: str  # the new session's handle, for the cookie
    viewer: Viewer


@dataclass(frozen=True)
class Account:
    """A signed-in person as the account page acts for them."""

    viewer: Viewer
    session: StoredSession
    access_token: str
    email: str


@dataclass(frozen=True)
class SecondStep:
    """The password was right and the pool wants more: a code from the person's authenticator
    app (SOFTWARE_TOKEN_MFA) or setting one up (MFA_SETUP). Held in process memory only, for
    the minutes Cognito's challenge lives; the password stays with it for the one case that
    needs a second sign-in (a recovery code: `services/second_factor.py`)."""

    challenge: Challenge
    email: str
    password: str

    @property
    def setting_up(self) -> bool:
        return self.challenge.name == MFA_SETUP


def normalize_email(email: str) -> str:
    return email.strip().lower()


def mask_email(email: str) -> str:
    """Where a code went, as Cognito says it: `jane@example.com` → `j***@e***`."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def on_pool(call, *args, **kwargs):
    """A call to the pool; its refusal as an AccountError keyed on Cognito's code."""
    try:
        return call(*args, **kwargs)
    except CognitoError as error:
        raise AccountError(error.code, error.operation) from None


class Accounts:
    def __init__(
        self,
        identity: Identity,
        database: Database,
        sessions: SessionStore,
        revocations: Revocations,
        limiter: RateLimiter,
        password_policy: PasswordPolicy,
        devices: RememberedDevices,
        remember_devices: str,
    ):
        self.identity = identity
        self.cognito = identity.cognito
        self.database = database
        self.sessions = sessions
        self.policy: SessionPolicy = sessions.policy
        self.revocations = revocations
        self.limiter = limiter
        self.password_policy = password_policy
        self.devices, self.remember_devices = devices, remember_devices  # "always", "opt-in" or "off"

    # -- sign up and confirm ----------------------------------------------------------------------

    def sign_up(
        self, *, name: str, email: str, handle: str, password: str, client: Client, passwordless: bool = False
    ) -> CodeSent:
        """The new account, and where its code went. `passwordless`: no password at all (the pool
        refuses unless it signs people in with e-mailed codes); its CodeSent carries the Session
        that signs the person in once confirmed (`sign_in_signed_up`)."""
        name = name.strip()
        if not name:
            raise AccountError("NameRequired")
        email = self.checked_email(email)
        wanted = canonical_handle(handle)
        if wanted is None:
            raise AccountError("InvalidHandle")
        if passwordless:
            password = ""
        else:
            self._check_password(password)
        self.brake("send_code", email, client)
        with self.database.session() as db:
            try:
                reserve_handle(db, wanted)
            except HandleTaken:
                raise AccountError("HandleTakenException") from None
        try:
            sub, sent = self.cognito.sign_up(email=email, password=password, name=name, handle=wanted)
        except CognitoError as error:
            with self.database.session() as db:
                release_handle(db, wanted)
            raise AccountError(error.code, error.operation) from None
        with self.database.session() as db:
            try:
                create_profile(db, sub, wanted, name, reserved=True)
            except (HandleTaken, ValidationError):
                # Cognito has the account; the person will be asked for a handle at first sign-in.
                log.warning("sign-up: no profile for a new account; it will ask for a handle")
        return sent

    def confirm_sign_up(self, *, email: str, code: str, client: Client, session: str = "") -> str:
        """Confirms the address; with SignUp's `session`, returns the one that signs in now ("" when none)."""
        email, code = self.checked_email(email), code.strip()
        self.brake("confirm", email, client)
        if not code.isdigit():
            raise AccountError("CodeNotAccepted")
        return self._code_call(self.cognito.confirm_sign_up, email=email, code=code, session=session) or ""

    def sign_in_signed_up(self, *, email: str, session: str, client: Client) -> "SignedIn | SecondStep":
        """Signed in just after confirming, with ConfirmSignUp's `session` (no password asked)."""
        email = self.checked_email(email)
        outcome = on_pool(self.cognito.sign_in_signed_up, email=email, session=session)
        if isinstance(outcome, Challenge):
            return SecondStep(outcome, email, password="")
        return self.open_session(outcome, client, "", email=email)

    def resend_code(self, *, email: str, client: Client) -> CodeSent:
        email = self.checked_email(email)
        self.brake("send_code", email, client)
        return self._send_call(self.cognito.resend_confirmation_code, email)

    # -- sign in, resume, sign out ----------------------------------------------------------------

    def sign_in(self, *, email: str, password: str, client: Client, replacing: str = "") -> "SignedIn | SecondStep":
        """A new session (a new handle: it rotates at every sign-in), or the second step the
        pool asks for. A session the browser already had is ended once the person is in."""
        email = self.checked_email(email)
        self.brake("sign_in", email, client)
        if not password:
            raise AccountError("NotAuthorizedException")
        outcome = self.srp_sign_in(email, password, client)
        if isinstance(outcome, Challenge):
            return SecondStep(outcome, email, password)
        return self.open_session(outcome, client, replacing, email=email)

    def srp_sign_in(self, email: str, password: str, client: Client) -> Authenticated | Challenge:
        """The pool's sign-in, as the device this browser holds for the person where it has one
        (so a remembered browser skips the second factor); a device the pool no longer knows is
        forgotten here and the sign-in goes on without it."""
        device = self.devices.for_sign_in(client.browser, email)
        try:
            return self.cognito.sign_in(email=email, password=password, device=device)
        except CognitoError as error:
            if device is None or error.code != "ResourceNotFoundException":
                raise AccountError(error.code, error.operation) from None
            self.devices.drop(device.key)
        return on_pool(self.cognito.sign_in, email=email, password=password)

    def signed_in(self, handle: str) -> "Account":
        """The signed-in person behind a session, with a live access token and their e-mail, for
        the account page's calls; AccountError("SessionExpired") when the session is over."""
        viewer = self.resume(handle)
        stored = self.sessions.load(handle) if viewer is not None else None
        access = self._live_access_token(stored) if stored is not None else ""
        if viewer is None or stored is None or not access:
            raise AccountError("SessionExpired")
        email = self.identity.verifier.verify(stored.tokens.id_token, token_use="id").get("email", "")
        return Account(viewer, stored, access, email)

    def password_is_right(self, email: str, password: str, client: Client) -> bool:
        """Whether `password` is the person's (a fresh SRP exchange; a second factor asked for
        still means the password was right). The session it opens at Cognito is revoked."""
        self.brake("sign_in", email, client)
        try:
            outcome = self.cognito.sign_in(email=email, password=password)
        except CognitoError as error:
            if error.code == UNREACHABLE:
                raise AccountError(UNREACHABLE) from None
            return False
        if not isinstance(outcome, Challenge):
            self._quietly(self.cognito.revoke_token, outcome.tokens.refresh_token)
        return True

    def open_session(
        self, authenticated: Authenticated, client: Client, replacing: str, *, email: str, remember: bool = False
    ) -> SignedIn:
        """The new session; the device Cognito met remembered for this browser when the pool
        remembers them all, or when the person asked."""
        tokens = authenticated.tokens
        access, id_claims = self._verified(tokens)
        if replacing:
            self.end_session(replacing)
        viewer = self._viewer_at_sign_in(access["sub"], id_claims)
        handle = self.sessions.create(access["sub"], access.get("origin_jti", ""), tokens, client)
        with self.database.session() as db:
            security_log.record(db, access["sub"], "signed_in", client)
        if authenticated.new_device is not None and (remember or self.remember_devices == "always"):
            self.devices.remember(
                browser=client.browser,
                sub=access["sub"],
                email=email or str(id_claims.get("email", "")),  # none typed: a passkey from autofill
                access_token=tokens.access_token,
                new_device=authenticated.new_device,
                name=client.device_name,
            )
        return SignedIn(handle, viewer)

    def resume(self, handle: str) -> Viewer | None:
        """Who holds this session, with a verified (and when due, refreshed) access token, in
        three steps: read the session, ask Cognito if the policy says so, write what changed.

        None when the handle opens no session. AccountError("SessionExpired") when it ended now
        (idle, too old, refused by Cognito); AccountError("Unavailable"), keeping the session,
        when Cognito or its keys cannot be reached and the stored token cannot be used without.
        """
        stored = self.sessions.load(handle)
        if stored is None:
            return None
        now = utcnow()
        step = self.policy.resume(stored.times, now)
        if step is Resume.END:
            self._end_after_refusal(handle, stored)
        tokens, refreshed, rechecked = stored.tokens, None, False
        try:
            if step is Resume.REFRESH:
                tokens = refreshed = self.cognito.refresh(stored.tokens.refresh_token)
            elif step is Resume.RECHECK:
                self.cognito.get_user(stored.tokens.access_token)
                rechecked = True
        except CognitoError as error:
            if self.policy.refusal_ends_session(error.code):
                self._end_after_refusal(handle, stored)
            if not self.policy.usable_while_unreachable(stored.times.access_expires_at, now):
                raise AccountError(UNREACHABLE) from None
        try:
            claims = self.identity.verifier.verify(tokens.access_token)
        except KeysUnavailableError:
            # The keys could not be fetched (e.g. a restart during an outage): the token may be
            # fine, so the session stays for the next try.
            raise AccountError(UNREACHABLE) from None
        except TokenError:
            self._end_after_refusal(handle, stored)
        seen = self.policy.touch_due(stored.times.last_seen_at, now)
        if refreshed or rechecked or seen:
            self.sessions.update(handle, tokens=refreshed, seen=seen, rechecked=rechecked)
        return self._viewer(claims["sub"], tokens)

    def sign_out(self, handle: str) -> None:
        """Ends every session of the person, here at once and then at Cognito (GlobalSignOut, and
        RevokeToken for this session's refresh token). Cognito unreachable or the access token
        expired never keeps a session alive: the rows and the API's tokens are ended first."""
        stored = self.sessions.load(handle)
        if stored is None:
            self.sessions.end(handle)
            return
        self._end_everywhere(stored.sub)
        access = self._live_access_token(stored)
        if access:
            self._quietly(self.cognito.global_sign_out, access)
        self._quietly(self.cognito.revoke_token, stored.tokens.refresh_token)

    def end_session(self, handle: str) -> None:
        """Ends one session (signing in over it, or "sign out" of one device)."""
        stored = self.sessions.load(handle)
        self.sessions.end(handle)
        if stored is not None:
            self.revocations.revoke_sign_in(stored.sub, stored.origin_jti)
            self._quietly(self.cognito.revoke_token, stored.tokens.refresh_token)

    def choose_handle(self, session_handle: str, *, handle: str, name: str) -> Viewer:
        """The profile of a signed-in person who has none yet (Cognito holds a handle the app
        refuses, or another person's): made with the handle they choose now, which is also
        written back to the pool as their preferred_username."""
        viewer = self.resume(session_handle)
        if viewer is None:
            raise AccountError("SessionExpired")
        if viewer.handle:
            return viewer
        wanted, name = canonical_handle(handle), name.strip()
        if wanted is None:
            raise AccountError("InvalidHandle")
        if not name:
            raise AccountError("NameRequired")
        with self.database.session() as db:
            try:
                made = create_profile(db, viewer.sub, wanted, name)
            except HandleTaken:
                raise AccountError("HandleTakenException") from None
        stored = self.sessions.load(session_handle)
        if stored is not None:
            try:
                self.cognito.set_attributes(stored.tokens.access_token, {"preferred_username": made.handle})
            except CognitoError as error:  # the app's database is the authority; the pool catches up later
                log.info("choose handle: the pool kept its preferred_username (%s)", error.code)
        return Viewer(viewer.sub, made.handle, made.display_name)

    def change_password(
        self, handle: str, *, email: str, previous: str, proposed: str, confirm: str, client: Client
    ) -> "SignedIn | SecondStep":
        """A new password for the signed-in person. Every session of theirs ends (Cognito's and
        the app's, this one included); this browser is signed in again with the new password, so
        it keeps going on a new session the caller hands to the browser (as Django's
        update_session_auth_hash keeps the current one)."""
        email = self.checked_email(email)
        self.brake("sign_in", email, client)
        if proposed != confirm:
            raise AccountError("PasswordMismatch")
        self._check_password(proposed)
        stored = self.sessions.load(handle)
        if stored is None:
            raise AccountError("SessionExpired")
        access = self._live_access_token(stored)
        if not access:
            raise AccountError("SessionExpired")
        try:
            self.cognito.change_password(access, previous=previous, proposed=proposed)
        except CognitoError as error:
            raise AccountError(error.code, error.operation) from None
        self._end_everywhere(stored.sub)
        self._quietly(self.cognito.global_sign_out, access)
        return self.sign_in(email=email, password=proposed, client=client)

    # -- recover ---------------------------------------------------------------------------------

    def forgot_password(self, *, email: str, client: Client) -> CodeSent:
        email = self.checked_email(email)
        self.brake("send_code", email, client)
        return self._send_call(self.cognito.forgot_password, email)

    def reset_password(self, *, email: str, code: str, password: str, confirm: str, client: Client) -> None:
        email, code = self.checked_email(email), code.strip()
        self.brake("reset", email, client)
        if not code.isdigit():
            raise AccountError("CodeNotAccepted")
        if password != confirm:
            raise AccountError("PasswordMismatch")
        self._check_password(password)
        self._code_call(self.cognito.confirm_forgot_password, email=email, code=code, password=password)
        self._end_everywhere_after_reset(email)

    def _end_everywhere_after_reset(self, email: str) -> None:
        """Cognito keeps a person's refresh tokens through a reset: revoke them (as the pool's
        admin, so a second factor is no obstacle) and end the app's sessions of that person."""
        try:
            sub = self.cognito.sub_of(email)
            self._end_everywhere(sub)
            self.cognito.sign_out_everywhere(email)
        except CognitoError as error:
            log.warning("password reset: the old sessions could not all be ended now (%s)", error.code)

    # -- shared steps -----------------------------------------------------------------------------

    def _end_everywhere(self, sub: str) -> None:
        self.sessions.end_all_for(sub)
        self.revocations.revoke_person(sub)

    def _end_after_refusal(self, handle: str, stored: StoredSession):
        """The policy says this session is over: end it here (and its tokens) and say so."""
        self.sessions.end(handle)
        self.revocations.revoke_sign_in(stored.sub, stored.origin_jti)
        self._quietly(self.cognito.revoke_token, stored.tokens.refresh_token)
        raise AccountError("SessionExpired")

    def _live_access_token(self, stored: StoredSession) -> str:
        """An access token Cognito still takes: the stored one, or a refreshed one ("" if none)."""
        if self.policy.usable_while_unreachable(stored.times.access_expires_at, utcnow() + SIGN_OUT_MARGIN):
            return stored.tokens.access_token
        try:
            return self.cognito.refresh(stored.tokens.refresh_token).access_token
        except CognitoError:
            return ""

    def _quietly(self, call, token: str) -> None:
        """A revocation at Cognito that may fail (already revoked, unreachable): logged, not raised."""
        try:
            call(token)
        except CognitoError as error:
            log.info("%s at Cognito did not go through: %s", error.operation, error.code)

    def _verified(self, tokens: Tokens) -> tuple[dict, dict]:
        try:
            access = self.identity.verifier.verify(tokens.access_token, token_use="access")
            identity = self.identity.verifier.verify(tokens.id_token, token_use="id")
        except KeysUnavailableError:  # the pool's keys could not be fetched: a passing fault
            raise AccountError(UNREACHABLE, "InitiateAuth") from None
        except TokenError as error:
            raise AccountError(error.code, "InitiateAuth") from None
        if access["sub"] != identity["sub"]:
            raise AccountError("TokenMismatch", "InitiateAuth")
        return access, identity

    def _viewer_at_sign_in(self, sub: str, id_claims: dict) -> Viewer:
        """The person's profile; a first sign-in creates it from the pool's attributes when the
        handle there is one the app accepts and nobody has, and otherwise asks for one."""
        with self.database.session() as db:
            try:
                profile = profile_from_pool(db, sub, id_claims)
                return Viewer(sub, profile.handle, profile.display_name)
            except (HandleTaken, ValidationError):
                pass
        return Viewer(sub, "", (id_claims.get("name") or "").strip())

    def _viewer(self, sub: str, tokens: Tokens) -> Viewer:
        with self.database.session() as db:
            profile = profile_of(db, sub)
        if profile is not None:
            return Viewer(sub, profile.handle, profile.display_name)
        try:
            name = self.identity.verifier.verify(tokens.id_token, token_use="id").get("name", "")
        except TokenError:
            name = ""
        return Viewer(sub, "", name)

    def checked_email(self, email: str) -> str:
        email = normalize_email(email)
        if len(email) > MAX_EMAIL_LENGTH or not EMAIL.match(email):
            raise AccountError("InvalidEmail")
        return email

    def _check_password(self, password: str) -> None:
        if self.password_policy.first_violation(password):
            raise AccountError("InvalidPasswordException")

    def brake(self, action: str, email: str, client: Client) -> None:
        try:
            wait = self.limiter.attempt(action, account=email, address=client.address)
        except redis.RedisError:
            raise AccountError(UNREACHABLE) from None
        if wait:
            raise AccountError("RateLimited", retry_after=wait)

    def _code_call(self, call, **kwargs):
        try:
            return call(**kwargs)
        except CognitoError as error:
            code = "CodeNotAccepted" if error.code in CODE_REFUSALS else error.code
            raise AccountError(code, error.operation) from None

    def _send_call(self, call, email: str) -> CodeSent:
        try:
            return call(email=email)
        except CognitoError as error:
            if error.code in SILENT_SEND_REFUSALS:
                return CodeSent(destination=mask_email(email))
            raise AccountError(error.code, error.operation) from None

"""The account page's work, for a signed-in person: their profile, two-step verification, their
sessions, their security activity, and deleting the account. Blocking: the app calls these on
the identity threads. No Reflex here.

Credential changes end sessions as the rest of the app does (services/accounts.py); turning
two-step verification off, and deleting the account, ask for the password first.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import aliased
from sqlmodel import col, delete, func, select, update

from cruddur.auth.cognito import CodeSent, CognitoError
from cruddur.auth.session_seal import handle_hash
from cruddur.db import Database
from cruddur.models import (
    Activity,
    HandleReservation,
    Like,
    PasskeyOffer,
    PasskeyUse,
    Profile,
    RecoveryCode,
    RememberedDevice,
    SecurityEvent,
)
from cruddur.services import outbox, recovery_codes, security_log
from cruddur.services.accounts import (
    CODE_REFUSALS,
    Account,
    AccountError,
    Accounts,
    mask_email,
    on_pool,
)
from cruddur.services.clock import readable, short_span, utcnow
from cruddur.services.errors import ValidationError
from cruddur.services.federation import made_by_provider
from cruddur.services.revocations import Revocations
from cruddur.services.second_factor import AUTHENTICATOR_NAME, authenticator_code
from cruddur.services.sessions import Client, SessionStore, browser_name
from cruddur.services.text import clean_text

log = logging.getLogger(__name__)
MAX_BIO = 160
# A deleted person's handle stays theirs this long, so nobody can pose as them to people who
# knew it (and links to their profile do not land on a stranger) — then it is free again.
HANDLE_QUARANTINE = timedelta(days=30)
SESSION_ID_CHARS = 16  # of a session row's key, enough to name one of a person's sessions
# Where no password can prove it is the person (adding the passkey just offered; deleting an
# account made by a provider), a sign-in this recent does.
FRESH_SIGN_IN = timedelta(minutes=5)


def just_signed_in(account: Account, now: datetime) -> bool:
    return now - account.session.times.created_at <= FRESH_SIGN_IN


@dataclass
class SessionLine:
    id: str
    browser: str
    started: str
    last_seen: str
    address: str
    current: bool


@dataclass
class DeviceLine:
    id: str  # a digest of Cognito's device key: enough to name it, never the key itself
    name: str
    remembered: str
    last_used: str
    current: bool


class AccountSettings:
    def __init__(
        self,
        accounts: Accounts,
        database: Database,
        sessions: SessionStore,
        revocations: Revocations,
        *,
        mfa_required: bool,
    ):
        self.accounts, self.cognito = accounts, accounts.cognito
        self.database, self.sessions, self.revocations = database, sessions, revocations
        self.mfa_required = mfa_required  # the pool's MFA is ON: nobody turns their factor off

    # -- profile ---------------------------------------------------------------------------------

    def profile(self, handle: str) -> tuple[str, str]:
        account = self.accounts.signed_in(handle)
        with self.database.session() as db:
            profile = db.get(Profile, account.viewer.sub)
        return (profile.display_name, profile.bio) if profile else (account.viewer.display_name, "")

    def save_profile(self, handle: str, *, display_name: str, bio: str) -> None:
        account = self.accounts.signed_in(handle)
        try:
            name = clean_text("display_name", display_name, 128)
            bio = bio.strip()[:MAX_BIO]
        except ValidationError:
            raise AccountError("NameRequired") from None
        with self.database.session() as db:
            db.exec(update(Profile).where(col(Profile.sub) == account.viewer.sub).values(display_name=name, bio=bio))
            db.commit()
        try:  # the pool's `name` follows, as sign-up set it; the app's profile is the authority
            self.cognito.set_attributes(account.access_token, {"name": name})
        except CognitoError as error:
            log.info("profile: the pool kept the old name (%s)", error.code)

    # -- e-mail ----------------------------------------------------------------------------------

    def email_of(self, handle: str) -> str:
        return self.accounts.signed_in(handle).email

    def change_email(self, handle: str, *, new_email: str, client: Client) -> CodeSent:
        """A code to the new address. The old one keeps signing the person in until the new one
        is verified (the pool keeps the original value active); sessions stay, as Cognito's do."""
        account = self.accounts.signed_in(handle)
        try:
            new_email = self.accounts.checked_email(new_email)
        except AccountError:
            raise AccountError("InvalidEmail", "UpdateUserAttributes") from None
        if new_email == account.email:
            raise AccountError("EmailUnchanged")
        self.accounts.brake("send_code", account.email, client)
        try:
            return self.cognito.request_email_change(account.access_token, new_email)
        except CognitoError as error:
            if error.code == "AliasExistsException":  # someone's address: said only to its owner, at verify
                return CodeSent(destination=mask_email(new_email))
            raise AccountError(error.code, error.operation) from None

    def resend_email_code(self, handle: str, *, client: Client) -> CodeSent:
        account = self.accounts.signed_in(handle)
        self.accounts.brake("send_code", account.email, client)
        return on_pool(self.cognito.resend_email_code, account.access_token)

    def confirm_email(self, handle: str, *, code: str, client: Client) -> str:
        """The code from the new address: it becomes the one the person signs in with. This
        session's tokens are refreshed to carry it; returns it."""
        account = self.accounts.signed_in(handle)
        self.accounts.brake("confirm", account.email, client)
        code = code.strip()
        if not code.isdigit():
            raise AccountError("CodeNotAccepted", "VerifyUserAttribute")
        try:
            self.cognito.verify_email(account.access_token, code)
        except CognitoError as error:
            refused = "CodeNotAccepted" if error.code in CODE_REFUSALS else error.code
            raise AccountError(refused, error.operation) from None
        self.sessions.update(handle, tokens=on_pool(self.cognito.refresh, account.session.tokens.refresh_token))
        now_email = self.accounts.signed_in(handle).email
        with self.database.session() as db:
            outbox.post(
                db,
                to=account.email,
                subject="Your Cruddur email address changed",
                body=f"Your Cruddur account now signs in as {mask_email(now_email)}, not this address. "
                "If that wasn't you, reset your password with this address and sign out everywhere.",
            )
            security_log.record(db, account.viewer.sub, "email_changed", client)  # commits both
        return now_email

    # -- two-step verification ---------------------------------------------------------------------

    def two_step_is_on(self, handle: str) -> bool:
        account = self.accounts.signed_in(handle)
        return "SOFTWARE_TOKEN_MFA" in on_pool(self.cognito.mfa_settings, account.access_token)

    def begin_authenticator(self, handle: str) -> tuple[str, str]:
        """A new authenticator-app secret for the person, and their e-mail (for the QR code)."""
        account = self.accounts.signed_in(handle)
        return on_pool(self.cognito.associate_software_token, account.access_token), account.email

    def confirm_authenticator(self, handle: str, *, code: str, client: Client) -> list[str]:
        """The first code from the app: two-step verification on, as the preferred factor; ten
        new recovery codes, shown once."""
        account = self.accounts.signed_in(handle)
        code = authenticator_code(code, "VerifySoftwareToken")
        on_pool(self.cognito.verify_software_token, account.access_token, code, AUTHENTICATOR_NAME)
        on_pool(self.cognito.set_authenticator_app, account.access_token, enabled=True)
        with self.database.session() as db:
            security_log.record(db, account.viewer.sub, "two_step_on", client)
            return recovery_codes.new_codes(db, account.viewer.sub)

    def turn_off_authenticator(self, handle: str, *, password: str, client: Client) -> None:
        if self.mfa_required:
            raise AccountError("SecondFactorRequired")
        account = self.with_password(handle, password, client)
        on_pool(self.cognito.set_authenticator_app, account.access_token, enabled=False)
        if self.accounts.remember_devices != "off":  # a browser remembered now would skip the next app's code
            on_pool(self.cognito.forget_my_devices, account.access_token)
            self.accounts.devices.drop_all(account.viewer.sub)
        with self.database.session() as db:
            recovery_codes.drop_codes(db, account.viewer.sub)
            security_log.record(db, account.viewer.sub, "two_step_off", client)

    def new_recovery_codes(self, handle: str, *, password: str, client: Client) -> list[str]:
        account = self.with_password(handle, password, client)
        with self.database.session() as db:
            return recovery_codes.new_codes(db, account.viewer.sub)

    def recovery_codes_left(self, handle: str) -> int:
        account = self.accounts.signed_in(handle)
        with self.database.session() as db:
            return recovery_codes.codes_left(db, account.viewer.sub)

    # -- sessions ----------------------------------------------------------------------------------

    def sessions_of(self, handle: str) -> list[SessionLine]:
        """The person's sessions, this one first, then the most recently seen."""
        account = self.accounts.signed_in(handle)
        now, current = utcnow(), handle_hash(handle)
        rows = sorted(self.sessions.of_person(account.viewer.sub), key=lambda r: r.handle_hash != current)
        return [
            SessionLine(
                id=row.handle_hash[:SESSION_ID_CHARS],
                browser=browser_name(row.user_agent),
                started=readable(row.created_at),
                last_seen=_seen(now - row.last_seen_at),
                address=row.address,
                current=row.handle_hash == current,
            )
            for row in rows
        ]

    def sign_out_sessions(self, handle: str, *, ids: list[str] | None = None) -> int:
        """Ends the person's sessions named by `ids` (all but this one when None). Their refresh
        tokens go with their rows (sealed with handles only their browsers had); their access
        tokens join the REST API's revocation list."""
        account = self.accounts.signed_in(handle)
        current = handle_hash(handle)
        rows = [r.handle_hash for r in self.sessions.of_person(account.viewer.sub) if r.handle_hash != current]
        chosen = rows if ids is None else [r for r in rows if r[:SESSION_ID_CHARS] in set(ids)]
        for origin_jti in self.sessions.end_rows(account.viewer.sub, chosen):
            self.revocations.revoke_sign_in(account.viewer.sub, origin_jti)
        return len(chosen)

    # -- remembered browsers ------------------------------------------------------------------------

    def remembered_browsers(self, handle: str, *, browser: str) -> list[DeviceLine]:
        """The browsers the pool remembers for the person (skipping the second factor there),
        most recently used first; `browser` (this one's device cookie) marks this one."""
        if self.accounts.remember_devices == "off":
            return []
        account = self.accounts.signed_in(handle)
        here, now = self.accounts.devices.key_of(browser, account.viewer.sub), utcnow()
        return [
            DeviceLine(
                id=line_id(device.key),
                name=device.name,
                remembered=readable(device.created),
                last_used=_seen(now - device.last_used) if device.last_used else "never",
                current=device.key == here,
            )
            for device in on_pool(self.cognito.remembered_devices, account.access_token)
        ]

    def forget_browser(self, handle: str, device_id: str) -> None:
        """The pool forgets the device (ForgetDevice): signing in there asks for the code again."""
        account = self.accounts.signed_in(handle)
        for device in on_pool(self.cognito.remembered_devices, account.access_token):
            if line_id(device.key) == device_id:
                on_pool(self.cognito.forget_device, account.access_token, device.key)
                self.accounts.devices.drop(device.key)

    def activity(self, handle: str) -> list[security_log.ActivityLine]:
        account = self.accounts.signed_in(handle)
        with self.database.session() as db:
            return security_log.recent(db, account.viewer.sub)

    # -- deleting the account ------------------------------------------------------------------------

    def delete_account(self, handle: str, *, password: str, client: Client) -> None:
        """The Cognito user (DeleteUser), then in one transaction the profile and everything the
        person made — cruds (and the replies and likes on them), likes, recovery codes,
        remembered devices, security activity, notes on passkeys — and every session. Their handle is held back
        for HANDLE_QUARANTINE."""
        account = self._proven_for_deleting(handle, password, client)
        sub = account.viewer.sub
        on_pool(self.cognito.delete_user, account.access_token)
        with self.database.session() as db:
            _forget_contributions(db, sub)
            for table in (RecoveryCode, RememberedDevice, SecurityEvent, PasskeyUse, PasskeyOffer):
                db.exec(delete(table).where(col(table.sub) == sub))
            profile = db.get(Profile, sub)
            if profile is not None:
                db.add(HandleReservation(handle=profile.handle, expires_at=utcnow() + HANDLE_QUARANTINE))
                db.delete(profile)
            db.commit()
        self.sessions.end_all_for(sub)
        self.revocations.revoke_person(sub)

    def _proven_for_deleting(self, handle: str, password: str, client: Client) -> Account:
        """Its password proves it is the person; an account a provider made has none, so a sign-in
        through that provider in the last few minutes does instead."""
        account = self.accounts.signed_in(handle)
        if password or not made_by_provider(on_pool(self.cognito.get_user, account.access_token)):
            return self.with_password(handle, password, client)
        if not just_signed_in(account, utcnow()):
            raise AccountError("SignInAgainToDelete")
        return account

    def with_password(self, handle: str, password: str, client: Client) -> Account:
        account = self.accounts.signed_in(handle)
        if not password or not self.accounts.password_is_right(account.email, password, client):
            raise AccountError("PasswordNotAccepted")
        return account


def _forget_contributions(db, sub: str) -> None:
    """Deletes the person's cruds (with the replies and likes on them), their replies and likes
    on other people's cruds, and takes what they added off those cruds' counts."""
    mine = select(Activity.uuid).where(col(Activity.author_sub) == sub, col(Activity.reply_to).is_(None))
    under_mine = select(Activity.uuid).where(col(Activity.reply_to).in_(mine))
    replies = aliased(Activity)
    their_replies = (
        select(func.count()).where(col(replies.reply_to) == Activity.uuid, col(replies.author_sub) == sub)
    ).scalar_subquery()
    db.exec(
        update(Activity)
        .where(col(Activity.uuid).in_(select(Like.crud_uuid).where(col(Like.sub) == sub)))
        .values(likes_count=Activity.likes_count - 1)
    )
    db.exec(update(Activity).where(their_replies > 0).values(replies_count=Activity.replies_count - their_replies))
    db.exec(delete(Like).where(col(Like.sub) == sub))
    db.exec(delete(Like).where(col(Like.crud_uuid).in_(mine) | col(Like.crud_uuid).in_(under_mine)))
    db.exec(delete(Activity).where(col(Activity.uuid).in_(under_mine)))
    db.exec(delete(Activity).where(col(Activity.author_sub) == sub))


def line_id(key: str) -> str:
    """A row's name on the page: a digest of a key the page never sees (a device's, a passkey's)."""
    return hashlib.sha256(key.encode()).hexdigest()[:SESSION_ID_CHARS]


def _seen(span: timedelta) -> str:
    return "just now" if span < timedelta(minutes=1) else f"{short_span(span)} ago"

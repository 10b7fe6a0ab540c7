"""Changing a user's attributes (UpdateUserAttributes, AdminUpdateUserAttributes) and verifying
an e-mail (GetUserAttributeVerificationCode, VerifyUserAttribute), as a pool that signs in by
e-mail does it.

With the pool's UserAttributeUpdateSettings listing `email` ("keep original attribute value active
when an update is pending"), a new address of a verified user waits, with a code sent to it, and
the old one signs in until the code comes back; without, the new address takes effect at once,
unverified, and a code is sent to it. Either way the user's sessions carry on: Cognito ends none
on an e-mail change.

A federated user's address lives in `external_email` (its `email` column holds its sub, see
User.username): the same rules apply there, but the address is no sign-in alias, so another
user's address is not refused (Cognito keeps federated and native users with one address apart),
and its provider's next sign-in maps the address again."""

from typing import Any

from sqlmodel import Session as DbSession
from sqlmodel import select

from . import codes
from .attributes import handle_key, handle_taken, is_email, normalize_email
from .errors import CognitoError, invalid_parameter, limit_exceeded
from .models import User
from .pool import check_handle, keeps_original_email
from .provider import Provider

EMAIL_TAKEN = "An account with the given email already exists."


def _email_column(user: User) -> str:
    """The column that holds the `email` attribute of `user`."""
    return "external_email" if user.federated else "email"


def _refuse_taken_email(db: DbSession, user: User, email: str) -> None:
    """E-mail is the sign-in name: one user per address, confirmed or not (as SignUp has it). A
    federated user's address signs nobody in, so it takes none."""
    if user.federated:
        return
    if db.exec(select(User.sub).where(User.email == email, User.sub != user.sub)).first() is not None:
        raise CognitoError("AliasExistsException", EMAIL_TAKEN)


def _email_changes(
    p: Provider, db: DbSession, user: User, value: str, verified: bool | None
) -> tuple[dict[str, Any], str | None]:
    """The columns a new e-mail value changes, and the address a code must go to (None: none)."""
    email = normalize_email(value)
    if not is_email(email):
        raise invalid_parameter("Invalid email address format.")
    column = _email_column(user)
    if verified:  # an administrator's email_verified=true: in effect at once, no code
        _refuse_taken_email(db, user, email)
        return {column: email, "email_verified": True, "pending_email": None}, None
    if email == user.email_attribute:  # the address in use again: a pending change is dropped
        return {"pending_email": None}, None
    # An unverified address is no way to reach the user, so there is nothing to keep in use.
    if keeps_original_email(p.config.user_attribute_update_settings) and user.email_verified:
        # Another user's address is refused at verification, once the code proves the mailbox is
        # the requester's: refused here, any signed-in user could test which addresses have accounts.
        return {"pending_email": email}, email
    _refuse_taken_email(db, user, email)
    # An unconfirmed user's new address is proven by the sign-up code ResendConfirmationCode sends.
    code_to = email if user.status == "CONFIRMED" or user.federated else None
    return {column: email, "email_verified": False, "pending_email": None}, code_to


def update(
    p: Provider, db: DbSession, user: User, attributes: dict[str, str], now: float, verified: bool | None = None
) -> list[dict]:
    """Apply `attributes` (parsed; `verified`: an administrator's email_verified) and return the
    CodeDeliveryDetailsList. Everything is checked, and the code sent, before anything changes:
    the store keeps what a refused request wrote."""
    changes: dict[str, Any] = {}
    if "preferred_username" in attributes:
        handle = attributes["preferred_username"] or None  # an empty value removes the handle
        if handle:
            check_handle(p.config.handle_pattern, handle)
        key = handle_key(handle)
        if key and db.exec(select(User.sub).where(User.handle_key == key, User.sub != user.sub)).first():
            raise handle_taken("AliasExistsException")
        changes |= {"preferred_username": handle, "handle_key": key}
    if "name" in attributes:
        if not attributes["name"].strip():
            raise invalid_parameter("Attributes did not conform to the schema: name: The attribute name is required")
        changes["name"] = attributes["name"]
    code_to = None
    column = _email_column(user)
    if "email" in attributes:
        email_changes, code_to = _email_changes(p, db, user, attributes["email"], verified)
        changes |= email_changes
    elif verified is not None:
        changes["email_verified"] = verified
    if verified is False:
        changes["email_verified"] = False

    deliveries = []
    if code_to is not None:
        deliveries.append(codes.send(db, p.config, user, codes.VERIFY_EMAIL, now, to=code_to))
    elif changes.get("pending_email", user.pending_email) != user.pending_email or column in changes:
        codes.discard(db, user.sub, codes.VERIFY_EMAIL)  # it was sent to verify what is no longer asked
    if changes.get("email", user.email) != user.email and user.status != "CONFIRMED":
        codes.discard(db, user.sub, codes.SIGN_UP)  # it went to the old address
    for column, value in changes.items():
        setattr(user, column, value)
    user.updated_at = now
    db.add(user)
    return deliveries


def _verifiable(attribute_name: str) -> None:
    if attribute_name != "email":
        raise invalid_parameter(f"Attribute {attribute_name} cannot be verified: this pool verifies email only.")


def send_code(p: Provider, db: DbSession, user: User, attribute_name: str, now: float) -> dict:
    """GetUserAttributeVerificationCode: a new code for the pending address, else the current one."""
    _verifiable(attribute_name)
    to = user.pending_email or user.email_attribute
    if to is None:  # a federated user whose provider mapped no address
        raise invalid_parameter("The user has no email to verify.")
    return codes.send(db, p.config, user, codes.VERIFY_EMAIL, now, to=to)


def verify(p: Provider, db: DbSession, user: User, attribute_name: str, code: str, now: float) -> None:
    """VerifyUserAttribute: the pending address becomes the user's e-mail, verified (or the current
    one is verified). Wrong guesses burn the code as the other codes' do; the model's error for
    that here is LimitExceededException."""
    _verifiable(attribute_name)
    codes.check(db, p.config, user, codes.VERIFY_EMAIL, code, now, exhausted=limit_exceeded)
    if user.pending_email is not None:
        email, user.pending_email = user.pending_email, None
        db.add(user)  # kept when refused below: an address taken meanwhile drops the change
        _refuse_taken_email(db, user, email)
        setattr(user, _email_column(user), email)
    user.email_verified = True
    user.updated_at = now
    db.add(user)

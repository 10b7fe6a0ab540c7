"""SignUp, ConfirmSignUp, ResendConfirmationCode.

Where the pool signs people in with e-mailed codes (EMAIL_OTP among its first factors) a user may
sign up without a password. SignUp answers with a Session; ConfirmSignUp given it answers with
another, which InitiateAuth USER_AUTH takes once, within the sign-in session's validity, to sign the
new user in without asking again for what the confirmation code proved."""

import secrets
import uuid

from sqlmodel import select

from . import auth_sessions, codes, srp
from .attributes import handle_key, handle_taken, is_email, normalize_email, parse_attributes
from .errors import CognitoError, invalid_parameter, not_authorized
from .models import User
from .pool import check_handle
from .provider import Provider, find_user
from .sign_in_policy import EMAIL_OTP

CONFIRMED = "CONFIRMED"
UNCONFIRMED = "UNCONFIRMED"
# What the Sessions of SignUp and of ConfirmSignUp are for (auth_sessions.py's "k").
SIGNING_UP = "SIGN_UP"
SIGNED_UP = "SIGNED_UP"


def sign_up(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    email = normalize_email(req["Username"])
    if not is_email(email):
        raise invalid_parameter("Username should be an email.")
    attributes = parse_attributes(req.get("UserAttributes"))
    if "email" in attributes and normalize_email(attributes["email"]) != email:
        raise invalid_parameter("Attributes did not conform to the schema: email: must be the username")
    if not (attributes.get("name") or "").strip():
        raise invalid_parameter("Attributes did not conform to the schema: name: The attribute name is required")
    handle = attributes.get("preferred_username")
    if handle:
        check_handle(p.config.handle_pattern, handle)
    password = req.get("Password") or ""
    passwordless = not password and p.allows(EMAIL_OTP)
    if not passwordless:
        p.config.password_policy.check(password)

    sub = str(uuid.uuid4())
    # A passwordless user's verifier is of no password (as a federated user's): none signs in.
    salt, verifier = (
        (secrets.token_hex(16), secrets.token_hex(32)) if passwordless else srp.new_verifier(p.pool_id, sub, password)
    )
    now = p.now()
    with p.store.write() as session:
        if session.exec(select(User.sub).where(User.email == email)).first() is not None:
            raise CognitoError("UsernameExistsException", "An account with the given email already exists.")
        if handle and session.exec(select(User.sub).where(User.handle_key == handle_key(handle))).first():
            # SignUp's modelled errors have no AliasExistsException, so this is the parameter error.
            raise handle_taken("InvalidParameterException")
        user = User(
            sub=sub,
            email=email,
            name=attributes["name"],
            preferred_username=handle or None,
            handle_key=handle_key(handle),
            salt=salt,
            verifier=verifier,
            has_password=not passwordless,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        session.flush()
        delivery = codes.send(session, p.config, user, codes.SIGN_UP, now)
    session = auth_sessions.issue(p, now, k=SIGNING_UP, u=sub)
    return {"UserConfirmed": False, "CodeDeliveryDetails": delivery, "UserSub": sub, "Session": session}


def confirm_sign_up(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    now = p.now()
    with p.store.write() as session:
        user = find_user(session, req["Username"])
        if user is None or not user.enabled:  # prevent user existence errors
            codes.check_nowhere(session, p.keys.decoy_key, req["Username"], codes.SIGN_UP)
        if user.status == CONFIRMED:
            raise not_authorized("User cannot be confirmed. Current status is CONFIRMED")
        codes.check(session, p.config, user, codes.SIGN_UP, req["ConfirmationCode"], now)
        user.status = CONFIRMED
        user.email_verified = True
        user.updated_at = now
        session.add(user)
        return _signing_in(p, session, req.get("Session"), user, now)


def _signing_in(p: Provider, db, sign_up_session: str | None, user: User, now: float) -> dict:
    """ConfirmSignUp's answer: a Session to sign in with, when it was given the live Session of
    this user's SignUp (spent now); nothing otherwise, and the confirmation stands either way."""
    if not sign_up_session:
        return {}
    try:
        state = auth_sessions.take_state(p, db, sign_up_session, now, SIGNING_UP)
    except CognitoError:
        return {}
    if state["u"] != user.sub:
        return {}
    auth_sessions.finish(p, db, sign_up_session, state, now)
    return {"Session": auth_sessions.issue(p, now, k=SIGNED_UP, u=user.sub)}


def resend_confirmation_code(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    now = p.now()
    with p.store.write() as session:
        user = find_user(session, req["Username"])
        if user is None or not user.enabled:  # prevent user existence errors
            delivery = codes.send_nowhere(session, p.config, p.keys.decoy_key, req["Username"], codes.SIGN_UP, now)
            return {"CodeDeliveryDetails": delivery}
        if user.status == CONFIRMED:
            # Cognito says so even with user existence errors prevented (docs/localcognito.md).
            raise invalid_parameter("User is already confirmed.")
        return {"CodeDeliveryDetails": codes.send(session, p.config, user, codes.SIGN_UP, now)}

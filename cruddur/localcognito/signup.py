"""SignUp, ConfirmSignUp, ResendConfirmationCode."""

import uuid

from sqlmodel import select

from . import codes, srp
from .attributes import handle_key, handle_taken, is_email, normalize_email, parse_attributes
from .errors import CognitoError, invalid_parameter, not_authorized
from .models import User
from .pool import check_handle
from .provider import Provider, find_user

CONFIRMED = "CONFIRMED"
UNCONFIRMED = "UNCONFIRMED"


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
    p.config.password_policy.check(password)

    sub = str(uuid.uuid4())
    salt, verifier = srp.new_verifier(p.pool_id, sub, password)
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
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        session.flush()
        delivery = codes.send(session, p.config, user, codes.SIGN_UP, now)
    return {"UserConfirmed": False, "CodeDeliveryDetails": delivery, "UserSub": sub}


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
    return {}


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

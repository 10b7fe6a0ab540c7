"""ForgotPassword, ConfirmForgotPassword, ChangePassword."""

from . import codes, srp
from .account import authenticate
from .attributes import delivery_details, normalize_email
from .errors import code_mismatch, incorrect_credentials, invalid_parameter
from .models import User
from .provider import Provider, find_user
from .signin import record_wrong_password, refuse_if_locked

NO_VERIFIED_DESTINATION = "Cannot reset password for the user as there is no registered/verified email or phone_number"


def forgot_password(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    now = p.now()
    with p.store.write() as session:
        user = find_user(session, req["Username"])
        if user is None or not user.enabled:  # prevent user existence errors: answer as if a code was sent
            return {"CodeDeliveryDetails": delivery_details(normalize_email(req["Username"]))}
        if not user.email_verified:
            raise invalid_parameter(NO_VERIFIED_DESTINATION)
        codes.send(session, p.config, user, codes.FORGOT_PASSWORD, now)
        return {"CodeDeliveryDetails": delivery_details(user.email)}


def _set_password(user: User, salt: str, verifier: str, now: float) -> None:
    user.salt, user.verifier = salt, verifier
    user.failed_sign_ins = 0
    user.locked_until = 0.0
    user.updated_at = now


def confirm_forgot_password(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    p.config.password_policy.check(req["Password"])
    with p.store.read() as session:
        user = find_user(session, req["Username"])
    if user is None or not user.enabled:
        raise code_mismatch()  # prevent user existence errors
    salt, verifier = srp.new_verifier(p.pool_id, user.sub, req["Password"])
    now = p.now()
    with p.store.write() as session:
        user = session.get(User, user.sub)
        if user is None or not user.enabled:
            raise code_mismatch()
        codes.check(session, p.config, user, codes.FORGOT_PASSWORD, req["ConfirmationCode"], now)
        _set_password(user, salt, verifier, now)
        session.add(user)
    return {}


def change_password(p: Provider, req: dict) -> dict:
    with p.store.read() as session:
        user, _claims = authenticate(p, session, req["AccessToken"])
    previous = req.get("PreviousPassword")
    if not previous:
        raise invalid_parameter(
            "1 validation error detected: Value null at 'previousPassword' failed to satisfy constraint: "
            "Member must not be null"
        )
    p.config.password_policy.check(req["ProposedPassword"])
    matches = srp.password_matches(p.pool_id, user.sub, previous, user.salt, user.verifier)
    salt, verifier = srp.new_verifier(p.pool_id, user.sub, req["ProposedPassword"])
    now = p.now()
    with p.store.write() as session:
        current = session.get(User, user.sub)
        if current is None:
            raise incorrect_credentials()
        refuse_if_locked(current, now)
        if not matches or current.verifier != user.verifier:
            record_wrong_password(p, current, now)
            session.add(current)
            raise incorrect_credentials()
        _set_password(current, salt, verifier, now)
        session.add(current)
    return {}

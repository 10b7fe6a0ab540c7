"""ForgotPassword, ConfirmForgotPassword, ChangePassword."""

from typing import TypeGuard

from . import codes, srp
from .account import authenticate
from .decoys import decoy_sub
from .errors import incorrect_credentials, invalid_parameter
from .models import User
from .provider import Provider, find_user
from .signin import record_wrong_password, refuse_if_locked


def _can_reset(user: User | None) -> TypeGuard[User]:
    """Whether a reset may go ahead. With user existence errors prevented, Cognito answers an
    unknown, disabled or unverified user (no verified address to send to) as if a code was sent;
    a federated user too: it has no password here, and its `email` column is no address."""
    return user is not None and user.enabled and user.email_verified and not user.federated


def forgot_password(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    now = p.now()
    with p.store.write() as session:
        user = find_user(session, req["Username"])
        if _can_reset(user):
            delivery = codes.send(session, p.config, user, codes.FORGOT_PASSWORD, now)
        else:
            delivery = codes.send_nowhere(
                session, p.config, p.keys.decoy_key, req["Username"], codes.FORGOT_PASSWORD, now
            )
        return {"CodeDeliveryDetails": delivery}


def _set_password(user: User, salt: str, verifier: str, now: float) -> None:
    user.salt, user.verifier, user.has_password = salt, verifier, True
    user.failed_sign_ins = 0
    user.locked_until = 0.0
    user.updated_at = now


def confirm_forgot_password(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    p.config.password_policy.check(req["Password"])
    username = req["Username"]
    with p.store.read() as session:
        found = find_user(session, username)
    sub = found.sub if _can_reset(found) else None
    # A verifier for a decoy too: the costliest step, so both answers take as long.
    salt, verifier = srp.new_verifier(p.pool_id, sub or decoy_sub(p.keys.decoy_key, username), req["Password"])
    now = p.now()
    with p.store.write() as session:
        user = session.get(User, sub) if sub else None
        if not _can_reset(user):  # Cognito's answer: a mismatch
            codes.check_nowhere(session, p.keys.decoy_key, username, codes.FORGOT_PASSWORD)
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

"""InitiateAuth (USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH; USER_AUTH in user_auth.py) and the answer to
PASSWORD_VERIFIER, with lock-out and prevent-user-existence-errors; and what follows a proven
password (a second factor, a device's SRP, tokens)."""

import uuid

from sqlmodel import Session as DbSession
from sqlmodel import select

from . import auth_sessions, devices, mfa, srp
from .decoys import decoy_srp
from .errors import (
    ATTEMPTS_EXCEEDED,
    INVALID_SESSION,
    SESSION_EXPIRED,
    USER_DISABLED,
    CognitoError,
    incorrect_credentials,
    invalid_parameter,
    not_authorized,
)
from .models import Session, User
from .provider import Provider, find_user
from .sealing import seal, unseal
from .tokens import new_refresh_token, refresh_token_hash
from .validation import required_parameter, srp_public

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"


# --- shared by every way of signing in -------------------------------------------------------


def refuse_if_locked(user: User, now: float) -> None:
    if user.locked_until > now:
        raise not_authorized(ATTEMPTS_EXCEEDED)


def record_wrong_password(p: Provider, user: User, now: float) -> None:
    user.failed_sign_ins += 1
    if user.failed_sign_ins >= p.config.lockout_threshold:
        user.locked_until = now + p.config.lockout_seconds


def refuse_if_unusable(user: User) -> None:
    """Runs once the password proved right, so only its owner learns the account is disabled or
    unconfirmed."""
    if not user.enabled:
        raise not_authorized(USER_DISABLED)
    if user.status != "CONFIRMED":
        raise CognitoError("UserNotConfirmedException", "User is not confirmed.")


def complete_sign_in(p: Provider, session: DbSession, user: User, now: float) -> dict:
    """Reset the failure count, open a session (refresh-token family) and issue tokens."""
    refuse_if_unusable(user)
    user.failed_sign_ins = 0
    user.locked_until = 0.0
    session.add(user)
    refresh_token = new_refresh_token()
    login = Session(
        id=str(uuid.uuid4()),
        sub=user.sub,
        client_id=p.client_id,
        refresh_hash=refresh_token_hash(refresh_token),
        event_id=str(uuid.uuid4()),
        auth_time=int(now),
        expires_at=now + p.config.refresh_token_seconds,
    )
    session.add(login)
    return {
        "ChallengeParameters": {},
        "AuthenticationResult": p.tokens.authentication_result(user, login, int(now), refresh_token),
    }


def next_step(
    p: Provider, session: DbSession, user: User, now: float, device_key: str | None, mfa_done: bool = False
) -> dict:
    """What follows a proven password: the second factor, unless a remembered device stands in for
    it; then a tracked device's own SRP; then tokens, with a new device key for a sign-in that
    named none. Wrong answers on the way count toward the lock-out, so the count is reset only here
    at the end (complete_sign_in)."""
    refuse_if_unusable(user)
    device = devices.tracked(p, session, user.sub, device_key)
    factor = None if mfa_done or devices.skips_mfa(p, device) else mfa.required_challenge(p, session, user.sub)
    if factor is not None:
        return mfa.challenge(p, session, user, factor, now, device_key)
    if device is not None:
        return devices.challenge(p, session, device, now)
    result = complete_sign_in(p, session, user, now)
    if devices.tracking(p) and device_key is None:
        result["AuthenticationResult"]["NewDeviceMetadata"] = devices.issue(p, session, user.sub, now)
    return result


# --- InitiateAuth ----------------------------------------------------------------------------


def initiate_auth(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    flow = req["AuthFlow"]
    params = req.get("AuthParameters") or {}
    if flow == "USER_SRP_AUTH":
        return start_srp(p, params)
    if flow == "USER_PASSWORD_AUTH":
        return password_sign_in(p, params)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return _refresh(p, params)
    if flow == "USER_AUTH":
        from . import user_auth  # it builds on this module's steps

        return user_auth.initiate(p, params, req.get("Session"))
    raise invalid_parameter(f"{flow} flow not enabled for this client")


def start_srp(p: Provider, params: dict) -> dict:
    username = required_parameter(params, "USERNAME")
    big_a = srp_public(params)
    with p.store.read() as session:
        user = find_user(session, username)
    if user is not None:
        user_id, salt, verifier, decoy = user.sub, user.salt, int(user.verifier, 16), False
    else:
        (user_id, salt, verifier), decoy = decoy_srp(p.keys.decoy_key, username), True
    b, big_b = srp.server_values(verifier)
    state = {
        "u": user_id,
        "a": format(big_a, "x"),
        "b": format(b, "x"),
        "B": format(big_b, "x"),
        "t": p.now(),
        "c": p.client_id,
        "d": decoy,
        "n": username.strip().lower(),
    }
    return {
        "ChallengeName": PASSWORD_VERIFIER,
        "ChallengeParameters": {
            "SALT": salt,
            "SRP_B": format(big_b, "x"),
            "SECRET_BLOCK": seal(p.keys.seal_key, state, p.pool_id),
            "USER_ID_FOR_SRP": user_id,
            "USERNAME": user_id,
        },
    }


def password_sign_in(p: Provider, params: dict) -> dict:
    """USERNAME and PASSWORD (and DEVICE_KEY) checked: USER_PASSWORD_AUTH, and USER_AUTH's PASSWORD."""
    username = required_parameter(params, "USERNAME")
    password = required_parameter(params, "PASSWORD")
    with p.store.read() as session:
        user = find_user(session, username)
    if user is None:  # the work of a real check, against the stand-in, then a wrong password's answer
        user_id, salt, verifier = decoy_srp(p.keys.decoy_key, username)
        srp.password_matches(p.pool_id, user_id, password, salt, format(verifier, "x"))
        raise incorrect_credentials()
    matches = srp.password_matches(p.pool_id, user.sub, password, user.salt, user.verifier)
    device_key = params.get("DEVICE_KEY")
    if matches:
        devices.check_key(p, user, device_key, p.now())
    return _finish(p, user.sub, user.verifier, matches, device_key)


def _finish(
    p: Provider, sub: str, verifier_used: str, matches: bool, device_key: str | None, challenge: str | None = None
) -> dict:
    """Apply the outcome of a password check under the write lock (lock-out, counters, next step)."""
    now = p.now()
    with p.store.write() as session:
        if challenge is not None:
            if auth_sessions.spent(session, challenge):
                raise not_authorized(INVALID_SESSION)
            auth_sessions.spend(session, challenge, now, now + p.config.challenge_seconds)
        user = session.get(User, sub)
        if user is None:
            raise incorrect_credentials()
        refuse_if_locked(user, now)
        if not matches or user.verifier != verifier_used:
            record_wrong_password(p, user, now)
            session.add(user)
            raise incorrect_credentials()
        return next_step(p, session, user, now, device_key)


def _refresh(p: Provider, params: dict) -> dict:
    token = required_parameter(params, "REFRESH_TOKEN")
    now = p.now()
    with p.store.read() as session:
        login = session.exec(select(Session).where(Session.refresh_hash == refresh_token_hash(token))).first()
        if login is None or login.client_id != p.client_id:
            raise not_authorized("Invalid Refresh Token")
        user = session.get(User, login.sub)
        if user is not None and not user.enabled:
            raise not_authorized(USER_DISABLED)
        if login.revoked:
            raise not_authorized("Refresh Token has been revoked")
        if now >= login.expires_at:
            raise not_authorized("Refresh Token has expired")
        if user is None:
            raise not_authorized("Invalid Refresh Token")
    return {
        "ChallengeParameters": {},
        "AuthenticationResult": p.tokens.authentication_result(user, login, int(now), None),
    }


# --- RespondToAuthChallenge (PASSWORD_VERIFIER; challenges.py has the others) ----------------


def answer_password_verifier(p: Provider, req: dict) -> dict:
    answers = req.get("ChallengeResponses") or {}
    username = required_parameter(answers, "USERNAME")
    block = required_parameter(answers, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = required_parameter(answers, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = required_parameter(answers, "TIMESTAMP")

    state = unseal(p.keys.seal_key, block, p.pool_id)
    if state is None or state.get("c") != p.client_id:
        raise not_authorized(INVALID_SESSION)
    if p.now() - state["t"] > p.config.challenge_seconds:
        raise not_authorized(SESSION_EXPIRED)
    user_id = state["u"]
    big_a, b, big_b = int(state["a"], 16), int(state["b"], 16), int(state["B"], 16)

    if state["d"]:  # unknown user: do the same work, then refuse like a wrong password
        srp.session_key(big_a, big_b, b, decoy_srp(p.keys.decoy_key, state["n"])[2])
        raise incorrect_credentials()
    with p.store.read() as session:
        user = session.get(User, user_id)
    if user is None or username.strip().lower() not in (user.sub, user.email, state["n"]):
        raise incorrect_credentials()
    identity = srp.pool_suffix(p.pool_id) + user_id
    matches = srp.claim_matches(big_a, big_b, b, int(user.verifier, 16), identity, block, timestamp, signature)
    device_key = answers.get("DEVICE_KEY")
    if matches:
        devices.check_key(p, user, device_key, p.now())
    return _finish(p, user.sub, user.verifier, matches, device_key, challenge=block)

"""RespondToAuthChallenge: each challenge name to its answer. PASSWORD_VERIFIER is the SRP step
of signin.py, and user_auth.py answers USER_AUTH's first-factor challenges; the others answer what
may follow a proven first factor: SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE and MFA_SETUP (each with its
Session), DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER."""

from collections.abc import Callable

from sqlmodel import Session as DbSession

from . import auth_sessions, devices, mfa, software_tokens, user_auth
from .errors import (
    INVALID_SESSION,
    CognitoError,
    incorrect_credentials,
    invalid_parameter,
    not_authorized,
    sign_in_code_mismatch,
)
from .models import SoftwareToken, User
from .provider import Provider, names
from .signin import (
    PASSWORD_VERIFIER,
    answer_password_verifier,
    complete_sign_in,
    next_step,
    record_wrong_password,
    refuse_if_locked,
)
from .software_tokens import SOFTWARE_TOKEN_MFA
from .validation import required_parameter

SELECT_MFA_TYPE = "SELECT_MFA_TYPE"


def _answers(req: dict) -> dict:
    return req.get("ChallengeResponses") or {}


def _take(p: Provider, db: DbSession, req: dict, now: float, *challenges: str) -> tuple[User, dict]:
    """The user and state of the request's Session, which must be for that USERNAME."""
    username = required_parameter(_answers(req), "USERNAME")
    user, state = auth_sessions.take(p, db, req.get("Session"), now, *challenges)
    if not names(user, username):
        raise not_authorized(INVALID_SESSION)
    return user, state


def _software_token_mfa(p: Provider, req: dict) -> dict:
    code = required_parameter(_answers(req), "SOFTWARE_TOKEN_MFA_CODE")
    now = p.now()
    with p.store.write() as db:
        user, state = _take(p, db, req, now, SOFTWARE_TOKEN_MFA)
        refuse_if_locked(user, now)
        token = db.get(SoftwareToken, user.sub)
        if not software_tokens.verified(token):
            raise CognitoError("SoftwareTokenMFANotFoundException", software_tokens.NOT_FOUND)
        if not software_tokens.accept(p, db, token, code, now):
            # Cognito counts wrong MFA codes toward the same lock-out as wrong passwords. The
            # Session stays answerable, so the user can type the code again.
            record_wrong_password(p, user, now)
            db.add(user)
            raise sign_in_code_mismatch()  # a reused code gets these words too
        auth_sessions.finish(p, db, req["Session"], state, now)
        return next_step(p, db, user, now, state["d"], mfa_done=True)


def _select_mfa_type(p: Provider, req: dict) -> dict:
    """The user's choice among several factors. localcognito has one, so it never asks, but answers
    the choice of TOTP in an MFA Session as Cognito does: with SOFTWARE_TOKEN_MFA and a new Session."""
    answer = required_parameter(_answers(req), "ANSWER")
    now = p.now()
    with p.store.write() as db:
        user, state = _take(p, db, req, now, SELECT_MFA_TYPE, SOFTWARE_TOKEN_MFA)
        if answer != SOFTWARE_TOKEN_MFA:
            raise CognitoError("MFAMethodNotFoundException", f"{answer} is not set up for the user.")
        auth_sessions.finish(p, db, req["Session"], state, now)
        return mfa.challenge(p, db, user, SOFTWARE_TOKEN_MFA, now, state["d"])


def _mfa_setup(p: Provider, req: dict) -> dict:
    """Completes a sign-in whose MFA_SETUP was done: the Session VerifySoftwareToken returned."""
    now = p.now()
    with p.store.write() as db:
        user, state = _take(p, db, req, now, mfa.MFA_SETUP)
        if not state.get("v"):
            raise not_authorized(INVALID_SESSION)  # the setup has not been verified
        auth_sessions.finish(p, db, req["Session"], state, now)
        return next_step(p, db, user, now, state["d"], mfa_done=True)


def _device_srp_auth(p: Provider, req: dict) -> dict:
    return devices.start_srp(p, _answers(req))


def _device_password_verifier(p: Provider, req: dict) -> dict:
    answers = _answers(req)
    state, block, matches = devices.check_claim(p, answers)
    now = p.now()
    with p.store.write() as db:
        if auth_sessions.spent(db, block):
            raise not_authorized(INVALID_SESSION)
        auth_sessions.spend(db, block, now, state["t"] + p.config.challenge_seconds)
        user = db.get(User, state["u"])
        device = devices.tracked(p, db, state["u"], state["k"])
        if user is None or device is None or not matches or not names(user, answers["USERNAME"]):
            raise incorrect_credentials()
        device.authenticated_at = now
        db.add(device)
        return complete_sign_in(p, db, user, now)


ANSWERS: dict[str, Callable[[Provider, dict], dict]] = {
    **user_auth.ANSWERS,
    PASSWORD_VERIFIER: answer_password_verifier,
    SOFTWARE_TOKEN_MFA: _software_token_mfa,
    SELECT_MFA_TYPE: _select_mfa_type,
    mfa.MFA_SETUP: _mfa_setup,
    devices.DEVICE_SRP_AUTH: _device_srp_auth,
    devices.DEVICE_PASSWORD_VERIFIER: _device_password_verifier,
}


def respond_to_auth_challenge(p: Provider, req: dict) -> dict:
    p.check_client(req["ClientId"])
    answer = ANSWERS.get(req["ChallengeName"])
    if answer is None:
        raise invalid_parameter(f"Challenge {req['ChallengeName']} is not expected for this session")
    return answer(p, req)

"""Choice-based sign-in: InitiateAuth with AuthFlow USER_AUTH, and the challenges it leads to —
SELECT_CHALLENGE (AvailableChallenges, answered with ANSWER), PASSWORD, PASSWORD_SRP (then
signin.py's PASSWORD_VERIFIER), EMAIL_OTP (a code to the mailbox) and WEB_AUTHN (a passkey).

The factors offered follow the pool's AllowedFirstAuthFactors and what the user has (WEB_AUTHN
only with a passkey for the pool's relying party). After a password or an e-mailed code the pool's
MFA rules apply as after any password; a passkey that verified the user is two factors in one, so no
second factor is asked for.

A username nobody has (prevent user existence errors) is answered as a user would be: its
stand-in has none to two passkeys derived from the username (decoys.py), its codes go nowhere, its
password never matches, after the same work. A federated user is answered the same way: it signs
in at its identity provider only (managed login), as in Cognito, where federated sign-in uses none
of the app client's authentication flows."""

import json
from dataclasses import dataclass

from sqlmodel import Session as DbSession

from . import auth_sessions, devices, email_otp, passkeys, signin, signup, webauthn_credentials
from .attributes import normalize_email
from .decoys import decoy_passkeys, decoy_sub
from .errors import INVALID_SESSION, invalid_parameter, not_authorized, sign_in_code_mismatch
from .models import User
from .provider import Provider, find_user, names
from .sign_in_policy import EMAIL_OTP, PASSWORD, WEB_AUTHN
from .validation import CHALLENGES, required_parameter, srp_public

SELECT_CHALLENGE = "SELECT_CHALLENGE"
PASSWORD_SRP = "PASSWORD_SRP"
# What each challenge a client may pick must come with: a password, or SRP's first value.
_NEEDS = {PASSWORD: "PASSWORD", PASSWORD_SRP: "SRP_A"}


@dataclass(frozen=True)
class Signer:
    """Whom a USER_AUTH sign-in is for: a user, or (user None) the stand-in of the username as sent."""

    name: str
    sub: str
    user: User | None


def _signer(p: Provider, db: DbSession, username: str) -> Signer:
    user = find_user(db, username)
    if user is None or user.federated:  # a federated user has no first factor here: its stand-in's answers
        return Signer(username, decoy_sub(p.keys.decoy_key, username), None)
    return Signer(username, user.sub, user)


def _passkeys(p: Provider, db: DbSession, who: Signer) -> list[tuple[str, list[str]]]:
    """(credential id, transports) of the passkeys the sign-in may use."""
    if who.user is None:
        return decoy_passkeys(p.keys.decoy_key, who.name)
    return [(c.id, json.loads(c.transports)) for c in webauthn_credentials.usable(p, db, who.sub)]


def _offered(p: Provider, db: DbSession, who: Signer) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """AvailableChallenges, in the order of the pool's AllowedFirstAuthFactors, and the passkeys."""
    allowed = _passkeys(p, db, who) if p.allows(WEB_AUTHN) else []
    offered: list[str] = []
    for factor in p.config.allowed_first_auth_factors:
        if factor == PASSWORD:
            offered += [PASSWORD, PASSWORD_SRP]
        elif factor != WEB_AUTHN or allowed:
            offered.append(factor)
    return offered, allowed


def _issue(p: Provider, now: float, who: Signer, challenge: str, device_key: str | None, **more) -> str:
    return auth_sessions.issue(p, now, u=who.sub, k=challenge, n=who.name, x=who.user is None, d=device_key, **more)


def _reply(challenge: str, session: str, parameters: dict, **more) -> dict:
    return {"ChallengeName": challenge, "Session": session, "ChallengeParameters": parameters, **more}


# --- InitiateAuth ----------------------------------------------------------------------------


def initiate(p: Provider, params: dict, session: str | None = None) -> dict:
    """The preferred challenge when the pool allows it and the user has it, else SELECT_CHALLENGE;
    with ConfirmSignUp's Session, the new user signed in (their code was the first factor)."""
    username = required_parameter(params, "USERNAME")
    if session:
        return _after_sign_up(p, username, session, params.get("DEVICE_KEY"))
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in CHALLENGES:
        raise invalid_parameter(f"PREFERRED_CHALLENGE {preferred} is not a challenge name")
    with p.store.read() as db:
        who = _signer(p, db, username)
        offered, allowed = _offered(p, db, who)
    device_key = params.get("DEVICE_KEY")
    if preferred in offered:
        return _begin(p, who, preferred, params, device_key)
    now = p.now()
    # Passkey options come along, so the choice of WEB_AUTHN can be answered with the CREDENTIAL at once.
    challenge = passkeys.new_challenge() if WEB_AUTHN in offered else None
    session = _issue(p, now, who, SELECT_CHALLENGE, device_key, w=challenge)
    parameters = {"CREDENTIAL_REQUEST_OPTIONS": _request_options(p, challenge, allowed)} if challenge else {}
    return _reply(SELECT_CHALLENGE, session, parameters, AvailableChallenges=offered)


def _after_sign_up(p: Provider, username: str, session: str, device_key: str | None) -> dict:
    now = p.now()
    with p.store.write() as db:
        state = auth_sessions.take_state(p, db, session, now, signup.SIGNED_UP)
        user = db.get(User, state["u"])
        if user is None or not names(user, username) or user.status != signup.CONFIRMED:
            raise not_authorized(INVALID_SESSION)
        auth_sessions.finish(p, db, session, state, now)
        return _after_first_factor(p, db, user, {"d": device_key}, now, mfa_done=False)


def _request_options(p: Provider, challenge: str, allowed: list[tuple[str, list[str]]]) -> str:
    return passkeys.request_options(p.mfa.webauthn, challenge, webauthn_credentials.ceremony_milliseconds(p), allowed)


def _begin(p: Provider, who: Signer, factor: str, values: dict, device_key: str | None) -> dict:
    """Take the sign-in into `factor`, with what the client sent along: a password or SRP_A is
    checked at once; without one, the factor's challenge asks for it."""
    now = p.now()
    if factor in _NEEDS and values.get(_NEEDS[factor]):
        given = {"USERNAME": who.name, _NEEDS[factor]: values[_NEEDS[factor]], "DEVICE_KEY": device_key}
        return signin.password_sign_in(p, given) if factor == PASSWORD else signin.start_srp(p, given)
    if factor == EMAIL_OTP:
        with p.store.write() as db:
            receiver = who.user if who.user is not None and _receives_codes(who.user) else None
            parameters, state = email_otp.send(p, db, receiver, who.name, now)
        session = auth_sessions.issue(p, now, k=EMAIL_OTP, n=who.name, d=device_key, **state)
        return _reply(EMAIL_OTP, session, parameters)
    if factor == WEB_AUTHN:
        with p.store.read() as db:
            allowed = _passkeys(p, db, who)
        challenge = passkeys.new_challenge()
        session = _issue(p, now, who, WEB_AUTHN, device_key, w=challenge)
        return _reply(WEB_AUTHN, session, {"CREDENTIAL_REQUEST_OPTIONS": _request_options(p, challenge, allowed)})
    return _reply(factor, _issue(p, now, who, factor, device_key), {})  # PASSWORD or PASSWORD_SRP, asked for


def _receives_codes(user: User) -> bool:
    """Only a confirmed, enabled user with a verified address is sent a sign-in code; the others'
    go nowhere, as ForgotPassword's do, so the answer does not tell them apart."""
    return user.enabled and user.status == "CONFIRMED" and user.email_verified


# --- RespondToAuthChallenge ------------------------------------------------------------------


def _answers(req: dict) -> dict:
    return req.get("ChallengeResponses") or {}


def _take(p: Provider, db: DbSession, req: dict, now: float, challenge: str) -> tuple[Signer, dict]:
    """Whom the request's Session is for (the USERNAME must name them) and its state."""
    username = required_parameter(_answers(req), "USERNAME")
    state = auth_sessions.take_state(p, db, req.get("Session"), now, challenge)
    if state["x"]:
        if normalize_email(username) != normalize_email(state["n"]):
            raise not_authorized(INVALID_SESSION)
        return Signer(state["n"], state["u"], None), state
    user = db.get(User, state["u"])
    if user is None or not names(user, username):
        raise not_authorized(INVALID_SESSION)
    return Signer(state["n"], user.sub, user), state


def _after_first_factor(p: Provider, db: DbSession, user: User, state: dict, now: float, mfa_done: bool) -> dict:
    devices.check_key(p, user, state["d"], now)
    return signin.next_step(p, db, user, now, state["d"], mfa_done=mfa_done)


def _verify_passkey(p: Provider, db: DbSession, who: Signer, state: dict, session: str, credential: str) -> dict:
    now = p.now()
    auth_sessions.finish(p, db, session, state, now)  # a challenge is answered once, accepted or not
    stored = webauthn_credentials.usable(p, db, who.sub) if who.user is not None else []
    passkey, verified = passkeys.verify_assertion(p.mfa.webauthn, credential, state["w"], who.sub, stored)
    db.add(passkey)
    user = db.get(User, passkey.sub)
    if user is None:
        raise not_authorized(INVALID_SESSION)
    return _after_first_factor(p, db, user, state, now, mfa_done=verified)


def answer_select_challenge(p: Provider, req: dict) -> dict:
    answers = _answers(req)
    answer = required_parameter(answers, "ANSWER")
    now = p.now()
    with p.store.write() as db:
        who, state = _take(p, db, req, now, SELECT_CHALLENGE)
        if answer not in _offered(p, db, who)[0]:
            raise invalid_parameter(f"{answer} is not an available challenge for the user.")
        if answer == WEB_AUTHN and answers.get("CREDENTIAL") and state["w"]:
            return _verify_passkey(p, db, who, state, req["Session"], answers["CREDENTIAL"])
        if answer in _NEEDS:
            required_parameter(answers, _NEEDS[answer])
        auth_sessions.finish(p, db, req["Session"], state, now)
    return _begin(p, who, answer, answers, state["d"])


def answer_web_authn(p: Provider, req: dict) -> dict:
    credential = required_parameter(_answers(req), "CREDENTIAL")
    with p.store.write() as db:
        who, state = _take(p, db, req, p.now(), WEB_AUTHN)
        return _verify_passkey(p, db, who, state, req["Session"], credential)


def answer_email_otp(p: Provider, req: dict) -> dict:
    code = required_parameter(_answers(req), "EMAIL_OTP_CODE")
    now = p.now()
    with p.store.write() as db:
        who, state = _take(p, db, req, now, EMAIL_OTP)
        if who.user is not None:
            signin.refuse_if_locked(who.user, now)
        if not email_otp.accept(p, db, req["Session"], state, code, now) or who.user is None:
            if who.user is not None:  # wrong codes count toward the lock-out, as wrong passwords do
                signin.record_wrong_password(p, who.user, now)
                db.add(who.user)
            raise sign_in_code_mismatch()
        auth_sessions.finish(p, db, req["Session"], state, now)
        return _after_first_factor(p, db, who.user, state, now, mfa_done=False)


def _answer_asked(factor: str):
    """The answer to the PASSWORD or PASSWORD_SRP challenge InitiateAuth asked with."""

    def answer(p: Provider, req: dict) -> dict:
        answers = _answers(req)
        required_parameter(answers, _NEEDS[factor])
        if factor == PASSWORD_SRP:
            srp_public(answers)  # refused before the Session is spent
        now = p.now()
        with p.store.write() as db:
            who, state = _take(p, db, req, now, factor)
            auth_sessions.finish(p, db, req["Session"], state, now)
        return _begin(p, who, factor, answers, state["d"])

    return answer


ANSWERS = {
    SELECT_CHALLENGE: answer_select_challenge,
    WEB_AUTHN: answer_web_authn,
    EMAIL_OTP: answer_email_otp,
    PASSWORD: _answer_asked(PASSWORD),
    PASSWORD_SRP: _answer_asked(PASSWORD_SRP),
}

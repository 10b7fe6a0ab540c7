"""Second factors: what a sign-in asks for once the password is proven (SOFTWARE_TOKEN_MFA, or
MFA_SETUP where the pool requires MFA of a user who has none), and the operations that set TOTP
up: AssociateSoftwareToken and VerifySoftwareToken (with an access token, or with the Session of
an MFA_SETUP challenge), SetUserMFAPreference. The pool's MFA configuration is pool.MfaConfig."""

import json

from sqlmodel import Session as DbSession

from . import auth_sessions, software_tokens
from .account import authenticate
from .errors import CognitoError, invalid_parameter
from .models import SoftwareToken, User
from .provider import Provider
from .software_tokens import SOFTWARE_TOKEN_MFA

MFA_SETUP = "MFA_SETUP"
# Factors Cognito has and localcognito does not: their settings may only say "off".
OTHER_FACTOR_SETTINGS = ("SMSMfaSettings", "EmailMfaSettings", "WebAuthnMfaSettings")


def required_challenge(p: Provider, db: DbSession, sub: str) -> str | None:
    """The challenge a proven password leads to: the code where the user turned TOTP on (or the
    pool requires MFA and the user has an authenticator), its setup where the pool requires MFA
    and the user has none, nothing otherwise. A pool with MFA OFF asks no one."""
    if p.mfa.configuration == "OFF":
        return None
    token = db.get(SoftwareToken, sub)
    required = p.mfa.configuration == "ON"
    if software_tokens.verified(token) and (required or token.enabled):
        return SOFTWARE_TOKEN_MFA
    return MFA_SETUP if required else None


def challenge(p: Provider, db: DbSession, user: User, name: str, now: float, device_key: str | None) -> dict:
    """The challenge reply, with a Session carrying the sign-in's device key to the next step."""
    if name == MFA_SETUP:
        parameters = {"MFAS_CAN_SETUP": json.dumps([SOFTWARE_TOKEN_MFA])}  # a JSON list in a string
    else:
        token = db.get(SoftwareToken, user.sub)
        parameters = {"FRIENDLY_DEVICE_NAME": token.friendly_name} if token and token.friendly_name else {}
    session = auth_sessions.issue(p, now, u=user.sub, k=name, d=device_key)
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": parameters}


# --- setting TOTP up -------------------------------------------------------------------------


def _require_software_tokens(p: Provider) -> None:
    if not p.mfa.software_token:
        # The Cognito Developer Guide's wording ("TOTP software token MFA").
        message = "Software Token MFA has not been enabled by the userPool."
        raise CognitoError("SoftwareTokenMFANotFoundException", message)


def _setup_user(p: Provider, db: DbSession, req: dict, now: float) -> tuple[User, dict | None]:
    """The user an AccessToken names, or the user and state of an MFA_SETUP Session: one of the two."""
    if bool(req.get("AccessToken")) == bool(req.get("Session")):
        raise invalid_parameter("Provide either an AccessToken or a Session, not both.")
    if req.get("AccessToken"):
        return authenticate(p, db, req["AccessToken"])[0], None
    return auth_sessions.take(p, db, req["Session"], now, MFA_SETUP)


def _next_setup_session(p: Provider, db: DbSession, req: dict, state: dict, now: float, **more) -> str:
    """Spend the MFA_SETUP Session a step answered and issue the one for the step after."""
    auth_sessions.finish(p, db, req["Session"], state, now)
    return auth_sessions.issue(p, now, u=state["u"], k=MFA_SETUP, d=state.get("d"), **more)


def associate_software_token(p: Provider, req: dict) -> dict:
    _require_software_tokens(p)
    now = p.now()
    with p.store.write() as db:
        user, state = _setup_user(p, db, req, now)
        secret = software_tokens.associate(p, db, user.sub)
        if state is None:
            return {"SecretCode": secret}
        return {"SecretCode": secret, "Session": _next_setup_session(p, db, req, state, now)}


def verify_software_token(p: Provider, req: dict) -> dict:
    """A wrong code is EnableSoftwareTokenMFAException, as Cognito answers it (not Status ERROR)."""
    _require_software_tokens(p)
    now = p.now()
    with p.store.write() as db:
        user, state = _setup_user(p, db, req, now)
        token = software_tokens.verify(p, db, user.sub, req["UserCode"], now, req.get("FriendlyDeviceName"))
        if state is None:
            return {"Status": "SUCCESS"}
        # Set up because the pool requires MFA: it is on (and preferred) from here.
        token.enabled = token.preferred = True
        return {"Status": "SUCCESS", "Session": _next_setup_session(p, db, req, state, now, v=True)}


# --- preferences -----------------------------------------------------------------------------


def _flag(settings: dict, name: str, current: bool) -> bool:
    value = settings.get(name, current)
    if type(value) is not bool:
        raise invalid_parameter(f"{name} must be true or false")
    return value


def set_preference(p: Provider, db: DbSession, sub: str, req: dict) -> None:
    """SetUserMFAPreference and AdminSetUserMFAPreference: turn TOTP on or off and prefer it."""
    for name in OTHER_FACTOR_SETTINGS:
        other = req.get(name) or {}
        if not isinstance(other, dict) or other.get("Enabled") or other.get("PreferredMfa"):
            raise invalid_parameter(f"{name}: localcognito has software token MFA only")
    settings = req.get("SoftwareTokenMfaSettings")
    if settings is None:
        return
    if not isinstance(settings, dict):
        raise invalid_parameter("SoftwareTokenMfaSettings must be a structure")
    token = db.get(SoftwareToken, sub)
    enabled = _flag(settings, "Enabled", token is not None and token.enabled)
    preferred = _flag(settings, "PreferredMfa", token is not None and token.preferred)
    if enabled and not software_tokens.verified(token):
        raise invalid_parameter("User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
    if token is None or not software_tokens.verified(token):
        return  # nothing to turn off
    if not enabled and p.mfa.configuration == "ON":
        raise invalid_parameter("MFA is required in this user pool: software token MFA cannot be turned off")
    token.enabled, token.preferred = enabled, enabled and preferred
    db.add(token)


def set_user_mfa_preference(p: Provider, req: dict) -> dict:
    with p.store.write() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        set_preference(p, db, user.sub, req)
    return {}

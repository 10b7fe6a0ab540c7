"""GetUserAuthFactors: the first factors a signed-in user can start a USER_AUTH sign-in with (and
TOTP, the second factor), with the MFA settings GetUser reports. A federated user has none: it
signs in at its identity provider (user_auth.py answers it as a stand-in)."""

from . import software_tokens, webauthn_credentials
from .account import authenticate
from .models import SoftwareToken
from .provider import Provider
from .sign_in_policy import EMAIL_OTP, PASSWORD, WEB_AUTHN


def get_user_auth_factors(p: Provider, req: dict) -> dict:
    with p.store.read() as db:
        user, _ = authenticate(p, db, req["AccessToken"])
        factors = []
        if not user.federated:
            if user.has_password:
                factors.append(PASSWORD)
            if p.allows(EMAIL_OTP) and user.email_verified:
                factors.append(EMAIL_OTP)
            if p.allows(WEB_AUTHN) and webauthn_credentials.usable(p, db, user.sub):
                factors.append(WEB_AUTHN)
        token = db.get(SoftwareToken, user.sub)
        if software_tokens.verified(token) and token.enabled:
            factors.append("SOFTWARE_TOKEN")
        settings = software_tokens.mfa_settings(db, user.sub)
    return {"Username": user.cognito_username, "ConfiguredUserAuthFactors": factors, **settings}

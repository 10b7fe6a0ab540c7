"""How users may start a sign-in (choice-based, USER_AUTH): the pool's SignInPolicy
(`AllowedFirstAuthFactors`) and its passkey relying party (`WebAuthnConfigurationType`), with the
browser origins a passkey ceremony may come from."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .errors import invalid_parameter

PASSWORD, EMAIL_OTP, WEB_AUTHN = "PASSWORD", "EMAIL_OTP", "WEB_AUTHN"
# The first factors localcognito has (Cognito also has SMS_OTP). A new Cognito pool allows PASSWORD only;
# localcognito allows all it has, so a local app can try each.
FIRST_AUTH_FACTORS = (PASSWORD, EMAIL_OTP, WEB_AUTHN)
USER_VERIFICATIONS = ("required", "preferred")
# A host name as a relying party id must be: lower-case labels, no scheme, port or path.
_RP_ID = re.compile(r"(?=.{1,127}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def check_first_auth_factors(factors: Iterable[str]) -> tuple[str, ...]:
    """AllowedFirstAuthFactors as Cognito holds it: one to five known factors, PASSWORD among them
    (Cognito refuses a pool without it: the AWS CDK documents `password` as "must be true")."""
    if isinstance(factors, str) or not isinstance(factors, Iterable):
        raise TypeError(f"AllowedFirstAuthFactors is a list of factors, not {factors!r}")
    factors = tuple(factors)
    unknown = [factor for factor in factors if factor not in FIRST_AUTH_FACTORS]
    if unknown:
        raise ValueError(f"AllowedFirstAuthFactors: {unknown!r} not among {', '.join(FIRST_AUTH_FACTORS)}")
    if PASSWORD not in factors or len(set(factors)) != len(factors):
        raise ValueError("AllowedFirstAuthFactors must include PASSWORD, each factor once")
    return factors


@dataclass(frozen=True)
class WebAuthnConfig:
    """WebAuthnConfigurationType: the relying party id passkeys are bound to, and whether the
    authenticator must verify the user (biometrics, PIN) or is only asked to."""

    relying_party_id: str = "localhost"
    user_verification: str = "preferred"

    def __post_init__(self):
        if not isinstance(self.relying_party_id, str) or not _RP_ID.fullmatch(self.relying_party_id):
            raise ValueError(f"RelyingPartyId must be a lower-case host name, not {self.relying_party_id!r}")
        if self.user_verification not in USER_VERIFICATIONS:
            raise ValueError(f"UserVerification must be required or preferred, not {self.user_verification!r}")

    @property
    def requires_verification(self) -> bool:
        return self.user_verification == "required"

    def as_type(self) -> dict[str, str]:
        return {"RelyingPartyId": self.relying_party_id, "UserVerification": self.user_verification}

    def updated(self, request: Any) -> "WebAuthnConfig":
        """What SetUserPoolMfaConfig's WebAuthnConfiguration asks for (members left out keep their value)."""
        if not isinstance(request, Mapping):
            raise invalid_parameter("WebAuthnConfiguration must be a structure")
        if "FactorConfiguration" in request:
            # localcognito's one rule: a passkey that verified the user is multi-factor, one that did not is not.
            raise invalid_parameter("localcognito does not set FactorConfiguration: a user-verified passkey is MFA")
        try:
            return WebAuthnConfig(
                request.get("RelyingPartyId", self.relying_party_id),
                request.get("UserVerification", self.user_verification),
            )
        except ValueError as error:
            raise invalid_parameter(str(error)) from None

    def allows_origin(self, origin: str) -> bool:
        """Whether a ceremony's origin may use this relying party: https on the RP id or a subdomain
        of it (what browsers permit), and http://localhost on any port, for development servers."""
        try:
            parts = urlsplit(origin)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            return False
        if parts.path or parts.query or parts.fragment or parts.username is not None or not parts.hostname:
            return False
        host = parts.hostname
        if parts.scheme == "http":
            return host == "localhost"
        rp_id = self.relying_party_id
        return parts.scheme == "https" and (host == rp_id or host.endswith(f".{rp_id}"))

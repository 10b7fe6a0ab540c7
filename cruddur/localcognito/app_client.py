"""The app client's managed-login settings, handed in as Cognito's UserPoolClientType holds them
(CallbackURLs, LogoutURLs, AllowedOAuthFlows, AllowedOAuthScopes, AllowedOAuthFlowsUserPoolClient,
SupportedIdentityProviders), and the pool's domain prefix; with the checks that refuse what
Cognito would not accept."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

# The standard scopes Cognito grants; resource-server scopes are not modelled here.
OAUTH_SCOPES = ("phone", "email", "openid", "profile", "aws.cognito.signin.user.admin")
# Cognito also has implicit and client_credentials; only the authorization code grant is served.
OAUTH_FLOWS = ("code",)
COGNITO_PROVIDER = "COGNITO"
# CreateUserPoolDomain's rule for a prefix domain.
_DOMAIN_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
_TYPE_FIELDS = {
    "CallbackURLs": "callback_urls",
    "LogoutURLs": "logout_urls",
    "AllowedOAuthFlows": "allowed_oauth_flows",
    "AllowedOAuthScopes": "allowed_oauth_scopes",
    "AllowedOAuthFlowsUserPoolClient": "allowed_oauth_flows_user_pool_client",
    "SupportedIdentityProviders": "supported_identity_providers",
}


def check_url(url: str, what: str) -> None:
    """Cognito's rule: absolute, no fragment, HTTPS except for a local address (Cognito allows
    http://localhost; 127.0.0.1 and [::1] are allowed here too, the same machine)."""
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in _LOOPBACK
    if parts.fragment or not parts.netloc or not (parts.scheme == "https" or local):
        raise ValueError(f"{what} {url!r} must be an absolute https URL (http for localhost only), without a fragment")


@dataclass(frozen=True)
class AppClientOAuth:
    """Managed-login settings of the pool's one app client; the defaults are a new client's
    (no OAuth, the pool's own users only)."""

    callback_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    allowed_oauth_flows: tuple[str, ...] = ()
    allowed_oauth_scopes: tuple[str, ...] = ()
    allowed_oauth_flows_user_pool_client: bool = False
    supported_identity_providers: tuple[str, ...] = (COGNITO_PROVIDER,)

    def __post_init__(self):
        for name in ("callback_urls", "logout_urls", "allowed_oauth_flows", "allowed_oauth_scopes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "supported_identity_providers", tuple(self.supported_identity_providers))
        for url in self.callback_urls:
            check_url(url, "CallbackURL")
        for url in self.logout_urls:
            check_url(url, "LogoutURL")
        unknown = set(self.allowed_oauth_flows) - set(OAUTH_FLOWS)
        if unknown:
            raise ValueError(f"AllowedOAuthFlows: only code is supported, not {', '.join(sorted(unknown))}")
        unknown = set(self.allowed_oauth_scopes) - set(OAUTH_SCOPES)
        if unknown:
            raise ValueError(f"AllowedOAuthScopes: unknown scopes {', '.join(sorted(unknown))}")
        if type(self.allowed_oauth_flows_user_pool_client) is not bool:
            raise ValueError("AllowedOAuthFlowsUserPoolClient must be true or false")
        if self.allowed_oauth_flows_user_pool_client and not (
            self.allowed_oauth_flows and self.allowed_oauth_scopes and self.callback_urls
        ):
            # Cognito's UpdateUserPoolClient refuses such a client in the same terms.
            raise ValueError(
                "AllowedOAuthFlowsUserPoolClient needs AllowedOAuthFlows, AllowedOAuthScopes and CallbackURLs"
            )

    @classmethod
    def from_type(cls, client: Mapping[str, Any]) -> "AppClientOAuth":
        """From the UserPoolClientType members a real client is created with; others are refused."""
        if not isinstance(client, Mapping):
            raise TypeError(f"a UserPoolClientType is a JSON object, not {client!r}")
        unknown = set(client) - set(_TYPE_FIELDS)
        if unknown:
            raise ValueError(f"unsupported UserPoolClientType members: {', '.join(sorted(unknown))}")
        return cls(**{_TYPE_FIELDS[name]: value for name, value in client.items()})

    def as_type(self) -> dict[str, Any]:
        return {name: _listed(getattr(self, field)) for name, field in _TYPE_FIELDS.items()}

    @property
    def hosted(self) -> bool:
        """Whether /oauth2/authorize serves this client at all."""
        return self.allowed_oauth_flows_user_pool_client and "code" in self.allowed_oauth_flows


def _listed(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def check_domain(domain: str | None) -> None:
    """A prefix domain as CreateUserPoolDomain takes it (`myapp`, for myapp.auth.<region>.amazoncognito.com)."""
    if domain is not None and (not _DOMAIN_RE.fullmatch(domain) or re.search("aws|amazon|cognito", domain)):
        raise ValueError(f"domain {domain!r}: lower-case letters, digits and hyphens, without aws, amazon or cognito")

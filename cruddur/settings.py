"""Every setting Cruddur reads, from the environment or a `.env` file — read here only.

Each entry point (rxconfig, the backend's start-up, `manage`, `provision`) calls
`load_settings()` once and hands the result on; nothing caches it at module level.

Which user pool the app uses fails closed: both pool ids set → that pool; both unset → the
embedded provider, but only in the dev server or with ALLOW_LOCAL_COGNITO; anything in
between is a `ConfigurationError` that names the variable, and the app does not start.
"""

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SESSION_COOKIE = "cruddur_session"
DEVICE_COOKIE = "cruddur_browser"
FEDERATION_COOKIE = "cruddur_federation"
LINK_COOKIE = "cruddur_link"
DEV_FRONTEND_PORT = 3000
DEV_BACKEND_PORT = 8000
DEV_OIDC_PROVIDER = "DevOIDC"  # the ProviderName the dev server's OpenID provider is registered as
CALLBACK_PATH = "/_federation/callback"
# ProviderNameTypeV2 (botocore's model): what CreateIdentityProvider accepts as a name.
PROVIDER_NAME = re.compile(r"[A-Za-z0-9][\w.@+=-]{1,31}")


class ConfigurationError(Exception):
    """A setting is missing, empty or contradicts another; the message says which and what to do."""


class IdentitySource(Enum):
    USER_POOL = "user pool"  # a real Cognito user pool (or another Cognito-compatible endpoint)
    EMBEDDED = "embedded"  # the embedded localcognito on loopback


class AvatarSource(Enum):
    IDENTITY_POOL = "identity pool"  # AVATAR_BUCKET + COGNITO_IDENTITY_POOL_ID (AWS, or AVATAR_ENDPOINT_URL)
    EMBEDDED = "embedded"  # moto's standalone server on loopback, beside the embedded provider
    OFF = "off"  # a real user pool without an identity pool: no avatar uploads


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None
    redis_url: str | None = None
    # Browser origins allowed to open the app's websocket and call it cross-origin, e.g.
    # "https://cruddur.example" (comma-separated or a JSON list). Unset: the app's own origins.
    allowed_origins: Annotated[list[str], NoDecode] = []

    # A real user pool when both ids are set; the embedded localcognito when neither is.
    cognito_region: str = "us-east-1"
    cognito_user_pool_id: str | None = None
    cognito_app_client_id: str | None = None
    cognito_endpoint_url: str | None = None
    # The embedded provider outside the dev server (`reflex run --env prod`): never in production.
    allow_local_cognito: bool = False
    # The embedded provider listens here (loopback only).
    local_cognito_port: int = 9229

    # Avatars: an S3 bucket people write to with temporary AWS credentials from a Cognito identity
    # pool that trusts the user pool (`python -m cruddur.provision --identity-pool` makes both).
    # Both set, or neither: with neither, the embedded provider comes with moto's standalone server
    # on a free loopback port standing in for S3 and Cognito Identity, and a real pool has no avatars.
    # AVATAR_ENDPOINT_URL points both at another endpoint (a moto server, say) instead of AWS.
    avatar_bucket: str | None = None
    cognito_identity_pool_id: str | None = None
    avatar_endpoint_url: str | None = None

    # The pool's second factor (MfaConfiguration: off, optional for each person, required) and
    # whether it remembers browsers so a known one skips the second factor: always, when the
    # person ticks "Remember this browser", or never. The embedded provider is made so;
    # `python -m cruddur.provision` makes a real pool so.
    mfa: Literal["OFF", "OPTIONAL", "ON"] = "OPTIONAL"
    remember_devices: Literal["always", "opt-in", "off"] = "opt-in"
    # The ways to sign in first (the pool's SignInPolicy): a password, a code by e-mail (a real pool
    # sends those only through Amazon SES), a passkey. And the domain passkeys belong to (WebAuthn's
    # relying party id: the site's host name, e.g. cruddur.example).
    sign_in_factors: Annotated[list[Literal["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]], NoDecode] = [
        "PASSWORD",
        "EMAIL_OTP",
        "WEB_AUTHN",
    ]
    passkey_domain: str = "localhost"

    # Federated sign-in ("Continue with ..."): the pool's identity providers the app offers, by
    # their ProviderName (comma-separated), through the pool's domain (its managed login: e.g.
    # https://cruddur.auth.us-east-1.amazoncognito.com), back at the app's callback URL, and
    # signed out of managed login toward the sign-out URL. All four for a real pool, or none;
    # on the embedded provider only the names (the rest follows from where the app runs).
    # DEV_OIDC=1: the dev server (the embedded provider, never a real pool) also starts "Dev OIDC",
    # an OpenID provider on this machine with seeded people (npm's oidc-provider from .tools, on
    # DEV_OIDC_PORT), and offers it, so federation can be tried offline (docs/federation.md).
    federated_providers: Annotated[list[str], NoDecode] = []
    cognito_domain_url: str | None = None
    oauth_callback_url: str | None = None
    oauth_sign_out_url: str | None = None
    dev_oidc: bool = False
    dev_oidc_port: int = 9230
    # Only `python -m cruddur.provision --provider google|microsoft` reads these: the OAuth client
    # registered at Google / in Microsoft Entra ID (its tenant) for the pool's /oauth2/idpresponse.
    google_client_id: str | None = None
    google_client_secret: str | None = None
    microsoft_client_id: str | None = None
    microsoft_client_secret: str | None = None
    microsoft_tenant_id: str | None = None

    # Sessions: signed out after this long without a visit, and this long after signing in
    # whatever happens (Cognito's refresh tokens live 30 days by default).
    session_idle_days: float = 7
    session_max_days: float = 30
    # Sign-in, code and reset attempts one client address may make per window, all accounts
    # together (per account the limits are fixed, see services/rate_limits.py).
    rate_limit_per_address: int = 100

    # Reflex's own settings that decide where the app is reached (read, never set, here).
    reflex_env_mode: str | None = None  # set by `reflex run`: "dev" or "prod"
    reflex_api_url: str | None = None
    reflex_deploy_url: str | None = None
    reflex_frontend_port: int | None = None
    reflex_backend_port: int | None = None

    @field_validator("allow_local_cognito", mode="before")
    @classmethod
    def _empty_is_no(cls, value):
        return False if value == "" else value  # ALLOW_LOCAL_COGNITO= reads as "not allowed"

    @field_validator("sign_in_factors", mode="before")
    @classmethod
    def _factor_list(cls, value):
        factors = [f.strip().upper() for f in value.split(",") if f.strip()] if isinstance(value, str) else value
        if "PASSWORD" not in factors:  # Cognito's rule: the password is always one of them
            raise ValueError("SIGN_IN_FACTORS must include PASSWORD")
        return factors

    @field_validator("dev_oidc", mode="before")
    @classmethod
    def _empty_is_off(cls, value):
        return False if value == "" else value

    @field_validator("federated_providers", mode="before")
    @classmethod
    def _provider_list(cls, value):
        names = [name.strip() for name in value.split(",")] if isinstance(value, str) else value
        names = [name for name in names if name]
        for name in names:
            if not PROVIDER_NAME.fullmatch(name) or name.upper() == "COGNITO":
                raise ValueError(f"{name!r} is not an identity provider's ProviderName")
        return names

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origin_list(cls, value):
        if isinstance(value, str):
            value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
        return [origin.strip().rstrip("/") for origin in value if origin.strip()]

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cruddur.db'}"

    @property
    def dev_server(self) -> bool:
        """`reflex run` without `--env prod` (it says so in REFLEX_ENV_MODE); nothing else is."""
        return self.reflex_env_mode == "dev"

    def identity_source(self) -> IdentitySource:
        """Which user pool to use, or a ConfigurationError naming what is wrong."""
        ids = {"COGNITO_USER_POOL_ID": self.cognito_user_pool_id, "COGNITO_APP_CLIENT_ID": self.cognito_app_client_id}
        if all(value is None for value in ids.values()):
            if self.dev_server or self.allow_local_cognito:
                return IdentitySource.EMBEDDED
            raise ConfigurationError(
                "no user pool configured: set COGNITO_USER_POOL_ID and COGNITO_APP_CLIENT_ID "
                "(python -m cruddur.provision prints them), or ALLOW_LOCAL_COGNITO=true to run the "
                "embedded provider outside the dev server (never in production)"
            )
        for name, value in ids.items():
            if value is None or not value.strip():
                state = "missing" if value is None else "empty"
                raise ConfigurationError(
                    f"{name} is {state} while the other pool id is set: set both COGNITO_USER_POOL_ID "
                    "and COGNITO_APP_CLIENT_ID for a real user pool, or neither for the embedded provider"
                )
        return IdentitySource.USER_POOL

    def avatar_source(self) -> AvatarSource:
        """Where avatars go, or a ConfigurationError naming what is wrong; after identity_source."""
        names = {"AVATAR_BUCKET": self.avatar_bucket, "COGNITO_IDENTITY_POOL_ID": self.cognito_identity_pool_id}
        if all(value is None for value in names.values()):
            if self.avatar_endpoint_url is not None:
                raise ConfigurationError(
                    "AVATAR_ENDPOINT_URL is set without AVATAR_BUCKET and COGNITO_IDENTITY_POOL_ID: set all "
                    "three for another endpoint, or none of them"
                )
            embedded = self.identity_source() is IdentitySource.EMBEDDED
            return AvatarSource.EMBEDDED if embedded else AvatarSource.OFF
        for name, value in names.items():
            if value is None or not value.strip():
                state = "missing" if value is None else "empty"
                raise ConfigurationError(
                    f"{name} is {state} while the other avatar setting is set: set both AVATAR_BUCKET and "
                    "COGNITO_IDENTITY_POOL_ID (python -m cruddur.provision --identity-pool prints them), or neither"
                )
        return AvatarSource.IDENTITY_POOL

    @property
    def backend_url(self) -> str:
        """Where browsers reach the backend's own HTTP routes (the dev server serves pages elsewhere)."""
        if self.reflex_api_url:
            return self.reflex_api_url.rstrip("/")
        if self.dev_server:
            return f"http://localhost:{self.reflex_backend_port or DEV_BACKEND_PORT}"
        return self.public_urls[0].rstrip("/")

    @property
    def offered_providers(self) -> list[str]:
        """The identity providers /signin offers: FEDERATED_PROVIDERS, and Dev OIDC where it runs."""
        dev = [DEV_OIDC_PROVIDER] if self.dev_oidc and DEV_OIDC_PROVIDER not in self.federated_providers else []
        return [*self.federated_providers, *dev]

    def federation(self, source: IdentitySource, pool_endpoint: str | None = None) -> "FederationSettings | None":
        """Where federated sign-in goes, or None when no provider is offered; a half-configured
        federation is a ConfigurationError naming what is missing. On the embedded provider the
        domain is the provider itself (`pool_endpoint`) and the URLs follow from the app's."""
        if self.dev_oidc and source is not IdentitySource.EMBEDDED:
            raise ConfigurationError(
                "DEV_OIDC runs a development OpenID provider: only with the embedded identity provider (make run), "
                "never with a real user pool; unset it"
            )
        urls = {
            "COGNITO_DOMAIN_URL": self.cognito_domain_url,
            "OAUTH_CALLBACK_URL": self.oauth_callback_url,
            "OAUTH_SIGN_OUT_URL": self.oauth_sign_out_url,
        }
        if not self.offered_providers:
            given = [name for name, value in urls.items() if value]
            if given:
                raise ConfigurationError(
                    f"{', '.join(given)} set but FEDERATED_PROVIDERS is empty: name the identity providers to offer, "
                    "or unset them"
                )
            return None
        if source is IdentitySource.EMBEDDED:
            for name, value in urls.items():
                if value:
                    raise ConfigurationError(
                        f"{name} is for a real user pool; on the embedded provider it follows from where the app runs"
                    )
            return FederationSettings(
                domain_url=(pool_endpoint or "").rstrip("/"),
                callback_url=f"{self.backend_url}{CALLBACK_PATH}",
                sign_out_url=f"{self.public_urls[0].rstrip('/')}/",
                providers=tuple(self.offered_providers),
            )
        for name, value in urls.items():
            if not value or not value.strip():
                raise ConfigurationError(
                    f"{name} is {'missing' if value is None else 'empty'} while FEDERATED_PROVIDERS is set: set "
                    "COGNITO_DOMAIN_URL, OAUTH_CALLBACK_URL and OAUTH_SIGN_OUT_URL (python -m cruddur.provision "
                    "prints them), or unset FEDERATED_PROVIDERS"
                )
            if not value.startswith("https://") and urlsplit(value).hostname not in ("localhost", "127.0.0.1"):
                raise ConfigurationError(f"{name} must be an https URL")
        return FederationSettings(
            domain_url=(self.cognito_domain_url or "").rstrip("/"),
            callback_url=self.oauth_callback_url or "",
            sign_out_url=self.oauth_sign_out_url or "",
            providers=tuple(self.offered_providers),
        )

    @property
    def public_urls(self) -> list[str]:
        """Where browsers reach the app: the deploy and API URLs, else the dev server's frontend."""
        urls = [url for url in (self.reflex_deploy_url, self.reflex_api_url) if url]
        if urls:
            return urls
        port = self.reflex_frontend_port or DEV_FRONTEND_PORT
        return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]

    @property
    def origins(self) -> list[str]:
        """Origins allowed to open the websocket and make credentialed calls: ALLOWED_ORIGINS,
        else the app's own (never "any origin")."""
        return self.allowed_origins or sorted({_origin(url) for url in self.public_urls})

    @property
    def served_over_https(self) -> bool:
        return any(url.startswith("https://") for url in self.public_urls)

    @property
    def session_cookie(self) -> str:
        """`__Host-` where served over https: only this origin over TLS can set or overwrite it."""
        return ("__Host-" if self.served_over_https else "") + SESSION_COOKIE

    @property
    def device_cookie(self) -> str:
        return ("__Host-" if self.served_over_https else "") + DEVICE_COOKIE

    @property
    def federation_cookie(self) -> str:
        """A federated sign-in in progress (its sealed nonce and PKCE verifier), for minutes."""
        return ("__Host-" if self.served_over_https else "") + FEDERATION_COOKIE

    @property
    def link_cookie(self) -> str:
        """A provider's sign-in waiting to be linked to a password account (its pending link's handle)."""
        return ("__Host-" if self.served_over_https else "") + LINK_COOKIE

    @property
    def mfa_configuration(self) -> dict[str, Any]:
        """The pool's SetUserPoolMfaConfig for MFA: TOTP is the second factor. With MFA off no factor
        is configured: Cognito refuses to "turn off MFA and configure an MFA together". The passkeys'
        relying party is set with it (the same call holds WebAuthnConfiguration)."""
        return {
            "MfaConfiguration": self.mfa,
            "SoftwareTokenMfaConfiguration": {"Enabled": self.mfa != "OFF"},
            "WebAuthnConfiguration": self.webauthn_configuration,
        }

    @property
    def sign_in_policy(self) -> dict[str, list[str]]:
        """The pool's SignInPolicyType for SIGN_IN_FACTORS."""
        return {"AllowedFirstAuthFactors": list(self.sign_in_factors)}

    @property
    def webauthn_configuration(self) -> dict[str, str]:
        """The pool's WebAuthnConfigurationType: passkeys for PASSKEY_DOMAIN, the person verified
        (fingerprint, face, PIN) every time, so a passkey is two factors."""
        return {"RelyingPartyId": self.passkey_domain, "UserVerification": "required"}

    @property
    def user_attribute_update_settings(self) -> dict[str, list[str]]:
        """The pool's UserAttributeUpdateSettingsType: a changed e-mail takes effect once the code sent
        to it comes back, and the old address signs in until then, so a mistyped one locks nobody out."""
        return {"AttributesRequireVerificationBeforeUpdate": ["email"]}

    @property
    def device_configuration(self) -> dict[str, bool] | None:
        """The pool's DeviceConfigurationType for REMEMBER_DEVICES (None: devices not remembered).
        A remembered device stands in for the second factor (ChallengeRequiredOnNewDevice)."""
        if self.remember_devices == "off":
            return None
        return {
            "ChallengeRequiredOnNewDevice": True,
            "DeviceOnlyRememberedOnUserPrompt": self.remember_devices == "opt-in",
        }

    @property
    def session_idle(self) -> timedelta:
        return timedelta(days=self.session_idle_days)

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(days=self.session_max_days)


@dataclass(frozen=True)
class FederationSettings:
    """Federated sign-in as the app runs it: the pool's domain (managed login), the app's callback
    and where managed login's sign-out comes back to, and the providers offered (ProviderNames)."""

    domain_url: str
    callback_url: str
    sign_out_url: str
    providers: tuple[str, ...]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def load_settings(**overrides) -> Settings:
    """The settings from the environment and `.env`; keyword arguments win (tests build theirs).
    A value that does not parse is a ConfigurationError naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as invalid:
        problem = invalid.errors()[0]
        name = str(problem["loc"][0]).upper() if problem["loc"] else "a setting"
        raise ConfigurationError(f"{name}: {problem['msg']}") from None

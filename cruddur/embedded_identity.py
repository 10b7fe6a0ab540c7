"""The embedded localcognito, run the way the app needs it when no user pool is configured: on
loopback, on its own thread and event loop (so the backend's blocking boto3 calls can never
deadlock against it), with the app's pool configuration handed in as a user pool holds it.

Several workers share one data directory and port: the first serves, the others attach after
checking that what listens on the port is this data directory's provider, not some other
(a `make run` in another checkout, say) — that would be a clear error, never a silent mix-up.
"""

import errno
from dataclasses import dataclass

import httpx

from cruddur.auth.cognito import PoolConfig
from cruddur.auth.managed_login import SCOPES
from cruddur.auth.password_policy import PasswordPolicy
from cruddur.localcognito import LocalCognitoConfig, LocalCognitoHandle, start_in_thread
from cruddur.localcognito.app_client import AppClientOAuth
from cruddur.localcognito.pool import PasswordPolicy as PoolPasswordPolicy
from cruddur.localcognito.provider import Provider
from cruddur.services.profiles import HANDLE_PATTERN
from cruddur.settings import ConfigurationError, IdentitySource, Settings

DOMAIN = "cruddur-local"  # the embedded pool's domain prefix: its managed login is served when federating


@dataclass
class EmbeddedProvider:
    pool: PoolConfig
    mailbox_url: str
    _serving: LocalCognitoHandle | None = None  # None when another worker of the app serves it

    @property
    def serving(self) -> bool:
        """This process serves it (another worker of the app may, instead)."""
        return self._serving is not None

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None


def provider_config(settings: Settings, password_policy: PasswordPolicy) -> LocalCognitoConfig:
    """The pool as the app wants it: its password policy, handle rule, second factor, remembered
    devices, e-mail changes, first factors and passkeys' domain, from the settings `python -m
    cruddur.provision` makes a real pool from; codes echoed to the console only in the dev server."""
    mfa = settings.mfa_configuration
    federation = settings.federation(IdentitySource.EMBEDDED)
    oauth = (
        AppClientOAuth(
            callback_urls=(federation.callback_url,),
            logout_urls=(federation.sign_out_url,),
            allowed_oauth_flows=("code",),
            allowed_oauth_scopes=tuple(SCOPES.split()),
            allowed_oauth_flows_user_pool_client=True,
            supported_identity_providers=("COGNITO", *federation.providers),
        )
        if federation
        else AppClientOAuth()
    )
    return LocalCognitoConfig(
        data_dir=settings.data_dir,
        port=settings.local_cognito_port,
        region=settings.cognito_region,
        echo_codes_to_console=settings.dev_server,
        password_policy=PoolPasswordPolicy.from_type(password_policy.as_cognito()),
        handle_pattern=HANDLE_PATTERN,
        mfa_configuration=mfa["MfaConfiguration"],
        software_token_mfa=mfa["SoftwareTokenMfaConfiguration"]["Enabled"],
        device_configuration=settings.device_configuration,
        user_attribute_update_settings=settings.user_attribute_update_settings,
        allowed_first_auth_factors=tuple(settings.sign_in_policy["AllowedFirstAuthFactors"]),
        webauthn_relying_party_id=settings.webauthn_configuration["RelyingPartyId"],
        webauthn_user_verification=settings.webauthn_configuration["UserVerification"],
        domain=DOMAIN if federation else None,
        app_client_oauth=oauth,
    )


def start(settings: Settings, password_policy: PasswordPolicy) -> EmbeddedProvider:
    config = provider_config(settings, password_policy)
    try:
        serving = start_in_thread(config)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        info = _attach(config)
        serving = None
    else:
        info = LocalCognitoHandle.describe(serving.provider)
    pool = PoolConfig(info["region"], info["user_pool_id"], info["client_id"], info["endpoint_url"])
    return EmbeddedProvider(pool, info["mailbox_url"], serving)


def _attach(config: LocalCognitoConfig) -> dict:
    """This data directory's provider, served by another worker on the configured port."""
    provider = Provider.open(config)  # reads the pool's ids and keys from the shared data dir
    try:
        info = LocalCognitoHandle.describe(provider)
        ours = {key["kid"] for key in provider.tokens.jwks()["keys"]}
    finally:
        provider.store.dispose()
    try:
        served = httpx.get(info["jwks_url"], timeout=5)
        theirs = {key.get("kid") for key in served.json().get("keys", [])} if served.is_success else set()
    except (httpx.HTTPError, ValueError, AttributeError):
        theirs = set()
    if theirs != ours:
        raise ConfigurationError(
            f"127.0.0.1:{config.port} is taken by something other than this data directory's identity "
            f"provider (another `make run`?): stop it, or set LOCAL_COGNITO_PORT to a free port"
        )
    return info

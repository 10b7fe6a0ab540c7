"""Settings of one local identity provider: where it keeps its data, where it listens, the
pool's own rules, how long things live. A plain dataclass; `clock` makes time injectable so tests
never sleep."""

import time
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

from .app_client import AppClientOAuth, check_domain
from .pool import (
    KEEP_ORIGINAL_EMAIL,
    MfaConfig,
    PasswordPolicy,
    check_device_configuration,
    check_handle_pattern,
    check_user_attribute_update_settings,
)
from .sign_in_policy import FIRST_AUTH_FACTORS, WebAuthnConfig, check_first_auth_factors
from .throttle import DEFAULT_REQUEST_RATES, check_rates

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass
class LocalCognitoConfig:
    data_dir: Path = Path("data")
    port: int = 9229  # 0 = an ephemeral port, chosen when the server binds
    host: str = "127.0.0.1"  # loopback only; anything else is refused
    region: str = "us-east-1"
    # Fixed ids (e.g. for a pre-built SPA). None = generated on first start, then persisted.
    pool_id: str | None = None
    client_id: str | None = None
    pool_name: str = "localcognito"  # what DescribeUserPool reports as the pool's Name
    # The URL clients use, when it differs from http://host:port (e.g. mounted under a path).
    endpoint_url: str | None = None
    # Browser origins (e.g. "http://localhost:5173") allowed to call the provider cross-origin.
    # None = any origin, echoed back. Others get no CORS headers and a 403 on preflight.
    allowed_origins: tuple[str, ...] | None = None

    # The pool's rules, as a user pool holds them (see pool.py). PasswordPolicy.from_type takes
    # the PasswordPolicyType dict a real pool is created with.
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    # A regular expression every preferred_username must match in full, case ignored. None = any.
    handle_pattern: str | None = None
    # Second factors (SetUserPoolMfaConfig): MfaConfiguration OFF | OPTIONAL | ON, and whether TOTP
    # (SoftwareTokenMfaConfiguration.Enabled) is one; SetUserPoolMfaConfig changes them while running.
    mfa_configuration: str = "OPTIONAL"
    software_token_mfa: bool = True
    # The DeviceConfigurationType a pool is created with, e.g. {"ChallengeRequiredOnNewDevice": True,
    # "DeviceOnlyRememberedOnUserPrompt": False}; members left out are false. None: devices are not remembered.
    device_configuration: dict[str, bool] | None = None
    # The UserAttributeUpdateSettingsType: with "email" listed, a changed e-mail takes effect once its
    # code is verified and the old one signs in until then; with [], it takes effect at once, unverified.
    user_attribute_update_settings: dict[str, list[str]] = field(default_factory=lambda: deepcopy(KEEP_ORIGINAL_EMAIL))
    # Choice-based sign-in (USER_AUTH): SignInPolicy.AllowedFirstAuthFactors, PASSWORD always among them.
    allowed_first_auth_factors: tuple[str, ...] = FIRST_AUTH_FACTORS
    # The WebAuthnConfigurationType (SetUserPoolMfaConfig changes it while running): the relying party
    # passkeys are bound to, and UserVerification "required" or "preferred". The origins allowed follow
    # from it: https on the RP id or its subdomains, and http://localhost on any port.
    webauthn_relying_party_id: str = "localhost"
    webauthn_user_verification: str = "preferred"

    # Managed login (managed_login.py, oauth2.py): the pool's domain prefix — with one, /oauth2/* and /logout are
    # served at the provider's base URL — and the app client's OAuth settings (UserPoolClientType
    # terms; AppClientOAuth.from_type reads a dict).
    domain: str | None = None
    app_client_oauth: AppClientOAuth = field(default_factory=AppClientOAuth)
    authorization_code_seconds: int = 300  # a managed-login authorization code lives ~5 minutes
    managed_login_session_seconds: int = 3600  # the managed-login session cookie

    access_token_seconds: int = 3600
    id_token_seconds: int = 3600
    refresh_token_seconds: int = 30 * 24 * 3600
    # Print each code Cognito would e-mail to stderr too. Off by default: a terminal, a CI log or
    # a log collector is no place for live codes; the app turns it on in its dev server only.
    echo_codes_to_console: bool = False

    # Seconds since the epoch, like time.time. Tests pass a clock they can move forward.
    clock: Callable[[], float] = field(default=time.time)

    sign_up_code_seconds: int = 24 * 3600
    reset_code_seconds: int = 3600
    attribute_code_seconds: int = 24 * 3600  # VerifyUserAttribute's codes
    # Sign-in codes (EMAIL_OTP): valid this long, but never beyond their challenge Session, which takes
    # this many wrong codes before it ends (each one also counts toward the lock-out).
    email_otp_seconds: int = 300
    email_otp_attempts: int = 3
    code_attempts: int = 5  # wrong guesses before a code is burnt
    code_sends_per_window: int = 5  # codes of one kind per user per window
    code_send_window_seconds: int = 3600
    lockout_threshold: int = 5  # consecutive wrong passwords before the lock-out
    lockout_seconds: int = 900
    challenge_seconds: int = 300  # how long an SRP challenge (SECRET_BLOCK) stays answerable
    # How long a challenge Session (the MFA code, its setup) stays answerable: the app
    # client's AuthSessionValidity, 3 to 15 minutes, 3 by default.
    auth_session_seconds: int = 180
    # Requests per second per operation category (throttle.py), AWS's default quotas. A dict
    # naming some categories keeps AWS's numbers for the others.
    request_rates: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_REQUEST_RATES))

    def __post_init__(self):
        if not isinstance(self.password_policy, PasswordPolicy):
            raise TypeError("password_policy must be a PasswordPolicy (PasswordPolicy.from_type reads a dict)")
        check_handle_pattern(self.handle_pattern)
        check_rates(self.request_rates)
        MfaConfig(self.mfa_configuration, self.software_token_mfa)
        check_device_configuration(self.device_configuration)
        check_user_attribute_update_settings(self.user_attribute_update_settings)
        self.allowed_first_auth_factors = check_first_auth_factors(self.allowed_first_auth_factors)
        WebAuthnConfig(self.webauthn_relying_party_id, self.webauthn_user_verification)
        check_domain(self.domain)
        if not isinstance(self.app_client_oauth, AppClientOAuth):
            raise TypeError("app_client_oauth must be an AppClientOAuth (AppClientOAuth.from_type reads a dict)")
        if not 180 <= self.auth_session_seconds <= 900:
            raise ValueError("auth_session_seconds is AuthSessionValidity: 3 to 15 minutes (180 to 900)")

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "localcognito.db"

"""The user pool's own rules, handed in as data the way Cognito holds them: the password policy
(`PasswordPolicyType` of CreateUserPool/DescribeUserPool), the rule a pre-sign-up check applies
to `preferred_username`, second factors and devices, and how attribute changes take effect
(`UserAttributeUpdateSettingsType`); and the checks that refuse what breaks them, in Cognito's words."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .errors import CognitoError, invalid_parameter
from .sign_in_policy import WebAuthnConfig

# The characters Cognito counts as symbols.
SYMBOLS = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-"
# The range the service model allows for PasswordPolicyType.MinimumLength.
MINIMUM_LENGTH_RANGE = range(6, 100)
_TYPE_FIELDS = {
    "MinimumLength": "minimum_length",
    "RequireUppercase": "require_uppercase",
    "RequireLowercase": "require_lowercase",
    "RequireNumbers": "require_numbers",
    "RequireSymbols": "require_symbols",
    "TemporaryPasswordValidityDays": "temporary_password_validity_days",
}


@dataclass(frozen=True)
class PasswordPolicy:
    """Cognito's PasswordPolicyType; the defaults are a new pool's."""

    minimum_length: int = 8
    require_uppercase: bool = True
    require_lowercase: bool = True
    require_numbers: bool = True
    require_symbols: bool = True
    # Accepted so the policy a real pool is created with passes through unchanged, and reported
    # by DescribeUserPool; localcognito has no AdminCreateUser, hence no temporary passwords.
    temporary_password_validity_days: int = 7

    def __post_init__(self):
        for member in fields(self):
            value = getattr(self, member.name)
            if type(value) is not member.type:  # bool is an int, and 8 is no bool
                raise ValueError(f"password policy {member.name}: {value!r} has the wrong type")
        if self.minimum_length not in MINIMUM_LENGTH_RANGE:
            raise ValueError(f"MinimumLength must be 6 to 99, not {self.minimum_length!r}")
        if not 0 <= self.temporary_password_validity_days <= 365:
            raise ValueError("TemporaryPasswordValidityDays must be 0 to 365")

    @classmethod
    def from_type(cls, policy: Mapping[str, Any]) -> "PasswordPolicy":
        """From a PasswordPolicyType dict (`{"MinimumLength": 8, "RequireSymbols": True, ...}`);
        members left out keep Cognito's defaults."""
        if not isinstance(policy, Mapping):
            raise TypeError(f"a PasswordPolicyType is a JSON object, not {policy!r}")
        unknown = set(policy) - set(_TYPE_FIELDS)
        if unknown:
            # PasswordHistorySize among them: localcognito keeps no password history to check.
            raise ValueError(f"unsupported PasswordPolicyType members: {', '.join(sorted(unknown))}")
        return cls(**{_TYPE_FIELDS[name]: value for name, value in policy.items()})

    def as_type(self) -> dict[str, Any]:
        return {name: getattr(self, attribute) for name, attribute in _TYPE_FIELDS.items()}

    def violation(self, password: str) -> str | None:
        """Cognito's wording of the first rule `password` breaks, or None when it conforms."""
        if len(password) < self.minimum_length:
            return "Password not long enough"
        rules = [
            (self.require_uppercase, str.isupper, "Password must have uppercase characters"),
            (self.require_lowercase, str.islower, "Password must have lowercase characters"),
            (self.require_numbers, str.isdigit, "Password must have numeric characters"),
            (self.require_symbols, SYMBOLS.__contains__, "Password must have symbol characters"),
        ]
        for required, test, message in rules:
            if required and not any(test(c) for c in password):
                return message
        return None

    def check(self, password: str) -> None:
        """Refuse a password as SignUp, ConfirmForgotPassword and ChangePassword do."""
        violation = self.violation(password)
        if violation:
            raise CognitoError("InvalidPasswordException", f"Password did not conform with policy: {violation}")


def check_handle_pattern(pattern: str | None) -> None:
    """Refuse, at start-up, a handle rule that is not a regular expression."""
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(f"handle pattern {pattern!r} is not a regular expression: {error}") from None


def check_handle(pattern: str | None, handle: str) -> None:
    """The pool's rule for `preferred_username`: the value exactly as typed (not trimmed) must
    match `pattern` in full, letter case ignored, so `[a-z0-9_]{2,30}` admits `Jane_Doe`. The
    value is kept as typed; uniqueness ignores case. None admits any value."""
    if pattern is not None and not re.fullmatch(pattern, handle, re.IGNORECASE):
        raise invalid_parameter(
            f"Attributes did not conform to the schema: preferred_username must match {pattern} (case ignored)"
        )


MFA_CONFIGURATIONS = ("OFF", "OPTIONAL", "ON")
# Factors Cognito has and localcognito does not.
_OTHER_FACTOR_CONFIGURATIONS = ("SmsMfaConfiguration", "EmailMfaConfiguration")
_DEVICE_CONFIGURATION_MEMBERS = ("ChallengeRequiredOnNewDevice", "DeviceOnlyRememberedOnUserPrompt")


@dataclass(frozen=True)
class MfaConfig:
    """What SetUserPoolMfaConfig sets: whether sign-ins ask for a second factor (OFF, OPTIONAL for
    users who turned one on, ON for everyone), whether TOTP is one, and the passkeys' relying party.
    TOTP is the only second factor localcognito has, so MFA without it is refused."""

    configuration: str = "OPTIONAL"
    software_token: bool = True
    webauthn: WebAuthnConfig = field(default_factory=WebAuthnConfig)

    def __post_init__(self):
        if self.configuration not in MFA_CONFIGURATIONS:
            raise ValueError(f"MfaConfiguration must be OFF, OPTIONAL or ON, not {self.configuration!r}")
        if type(self.software_token) is not bool:
            raise ValueError(f"SoftwareTokenMfaConfiguration Enabled must be a boolean, not {self.software_token!r}")
        if self.configuration != "OFF" and not self.software_token:
            raise ValueError(f"MfaConfiguration {self.configuration} needs software token MFA, the only factor here")

    def as_type(self) -> dict[str, Any]:
        return {
            "MfaConfiguration": self.configuration,
            "SoftwareTokenMfaConfiguration": {"Enabled": self.software_token},
            "WebAuthnConfiguration": self.webauthn.as_type(),
        }

    def updated(self, request: Mapping[str, Any]) -> "MfaConfig":
        """What a SetUserPoolMfaConfig request asks for (members left out keep their value), or its
        refusal as InvalidParameterException."""
        if any(request.get(name) for name in _OTHER_FACTOR_CONFIGURATIONS):
            raise invalid_parameter("localcognito has software token MFA only: SMS and e-mail MFA are not supported")
        software = request.get("SoftwareTokenMfaConfiguration") or {}
        if not isinstance(software, Mapping):
            raise invalid_parameter("SoftwareTokenMfaConfiguration must be a structure")
        webauthn = self.webauthn.updated(request.get("WebAuthnConfiguration") or {})
        try:
            return MfaConfig(
                request.get("MfaConfiguration") or self.configuration,
                software.get("Enabled", self.software_token),
                webauthn,
            )
        except ValueError as error:
            raise invalid_parameter(str(error)) from None


def check_device_configuration(configuration: Mapping[str, Any] | None) -> None:
    """Refuse, at start-up, a DeviceConfigurationType Cognito would not hold. None: devices are not remembered."""
    if configuration is None:
        return
    if not isinstance(configuration, Mapping):
        raise TypeError(f"a DeviceConfigurationType is a JSON object, not {configuration!r}")
    unknown = set(configuration) - set(_DEVICE_CONFIGURATION_MEMBERS)
    if unknown:
        raise ValueError(f"unknown DeviceConfigurationType members: {', '.join(sorted(unknown))}")
    for name, value in configuration.items():
        if type(value) is not bool:
            raise ValueError(f"DeviceConfiguration {name} must be true or false, not {value!r}")


def device_configuration_type(configuration: Mapping[str, bool]) -> dict[str, bool]:
    """The DeviceConfigurationType DescribeUserPool reports: members left out are false."""
    return {name: bool(configuration.get(name)) for name in _DEVICE_CONFIGURATION_MEMBERS}


# The attributes Cognito can hold back until verified; this pool has e-mail and no phone numbers.
_VERIFIABLE_ATTRIBUTES = ("email",)
_UPDATE_SETTINGS_MEMBER = "AttributesRequireVerificationBeforeUpdate"
# The embedded pool's: "keep original attribute value active when an update is pending".
KEEP_ORIGINAL_EMAIL = {_UPDATE_SETTINGS_MEMBER: ["email"]}


def check_user_attribute_update_settings(settings: Mapping[str, Any]) -> None:
    """Refuse, at start-up, a UserAttributeUpdateSettingsType this pool cannot hold."""
    if not isinstance(settings, Mapping):
        raise TypeError(f"a UserAttributeUpdateSettingsType is a JSON object, not {settings!r}")
    if set(settings) != {_UPDATE_SETTINGS_MEMBER}:
        raise ValueError(f"UserAttributeUpdateSettings has exactly one member, {_UPDATE_SETTINGS_MEMBER}")
    attributes = settings[_UPDATE_SETTINGS_MEMBER]
    if not isinstance(attributes, list | tuple) or any(name not in _VERIFIABLE_ATTRIBUTES for name in attributes):
        allowed = ", ".join(_VERIFIABLE_ATTRIBUTES)
        raise ValueError(f"{_UPDATE_SETTINGS_MEMBER} lists attributes of {allowed} only, not {attributes!r}")


def user_attribute_update_settings_type(settings: Mapping[str, Any]) -> dict[str, list[str]]:
    """The UserAttributeUpdateSettingsType DescribeUserPool reports."""
    return {_UPDATE_SETTINGS_MEMBER: list(settings[_UPDATE_SETTINGS_MEMBER])}


def keeps_original_email(settings: Mapping[str, Any]) -> bool:
    """Whether a changed e-mail waits for its code while the old one stays in use ("keep original
    attribute value active when an update is pending")."""
    return "email" in settings[_UPDATE_SETTINGS_MEMBER]

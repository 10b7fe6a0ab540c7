"""Request validation as Cognito answers it: InvalidParameterException with the AWS wording
"1 validation error detected: Value null at 'username' failed to satisfy constraint: Member must
not be null". Shapes follow botocore's cognito-idp service model (required members, lengths,
patterns, enums); values of secrets are never echoed."""

import re
from dataclasses import dataclass

from . import srp
from .errors import invalid_parameter
from .pool import MFA_CONFIGURATIONS


@dataclass(frozen=True)
class Member:
    kind: type = str
    required: bool = False
    min: int | None = None
    max: int | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    sensitive: bool = False
    strings: bool = True  # a map's values: strings (AuthParameters) or any JSON (a Document)


POOL_ID = Member(required=True, min=1, max=55, pattern=r"[\w-]+_[0-9a-zA-Z]+")
CLIENT_ID = Member(required=True, min=1, max=128, pattern=r"[\w+]+")
USERNAME = Member(required=True, min=1, max=128, sensitive=True)  # trimmed by the handlers
PASSWORD = Member(max=256, pattern=r"[\S]+", sensitive=True)
CODE = Member(required=True, min=1, max=2048, pattern=r"[\S]+", sensitive=True)
TOKEN = Member(required=True, pattern=r"[A-Za-z0-9\-_=.]+", sensitive=True)
OPTIONAL_TOKEN = Member(pattern=TOKEN.pattern, sensitive=True)  # where a Session may stand in for it
SESSION = Member(min=20, max=4096, sensitive=True)
DEVICE_KEY = Member(required=True, min=1, max=55, pattern=r"[\w-]+_[0-9a-f-]+")
DEVICE_STATUS = Member(required=True, enum=("remembered", "not_remembered"))
PAGE = {"Limit": Member(kind=int), "PaginationToken": Member(min=1, pattern=r"[\S]+")}
ATTRIBUTES = Member(kind=list)
PARAMETERS = Member(kind=dict)
ATTRIBUTE_NAME = Member(required=True, min=1, max=32)
# Cognito's Document shapes: a JSON object, here a passkey's RegistrationResponseJSON.
DOCUMENT = Member(kind=dict, required=True, sensitive=True, strings=False)
PROVIDER_NAME = Member(required=True, min=1, max=32)  # its pattern: identity_providers.py
PROVIDER_TYPES = ("SAML", "Facebook", "Google", "LoginWithAmazon", "SignInWithApple", "OIDC")
PROVIDER_USER = Member(kind=dict, required=True)  # ProviderUserIdentifierType
AUTH_FLOWS = (
    "USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN",
    "CUSTOM_AUTH",
    "ADMIN_NO_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "ADMIN_USER_PASSWORD_AUTH",
    "USER_AUTH",
)
CHALLENGES = (
    "SMS_MFA",
    "EMAIL_OTP",
    "SOFTWARE_TOKEN_MFA",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "PASSWORD_VERIFIER",
    "CUSTOM_CHALLENGE",
    "SELECT_CHALLENGE",
    "DEVICE_SRP_AUTH",
    "DEVICE_PASSWORD_VERIFIER",
    "ADMIN_NO_SRP_AUTH",
    "NEW_PASSWORD_REQUIRED",
    "SMS_OTP",
    "PASSWORD",
    "WEB_AUTHN",
    "PASSWORD_SRP",
)

SHAPES: dict[str, dict[str, Member]] = {
    "SignUp": {"ClientId": CLIENT_ID, "Username": USERNAME, "Password": PASSWORD, "UserAttributes": ATTRIBUTES},
    "ConfirmSignUp": {"ClientId": CLIENT_ID, "Username": USERNAME, "ConfirmationCode": CODE, "Session": SESSION},
    "ResendConfirmationCode": {"ClientId": CLIENT_ID, "Username": USERNAME},
    "InitiateAuth": {
        "AuthFlow": Member(required=True, enum=AUTH_FLOWS),
        "ClientId": CLIENT_ID,
        "AuthParameters": PARAMETERS,
        "Session": SESSION,
    },
    "RespondToAuthChallenge": {
        "ClientId": CLIENT_ID,
        "ChallengeName": Member(required=True, enum=CHALLENGES),
        "ChallengeResponses": PARAMETERS,
        "Session": SESSION,
    },
    "ForgotPassword": {"ClientId": CLIENT_ID, "Username": USERNAME},
    "ConfirmForgotPassword": {
        "ClientId": CLIENT_ID,
        "Username": USERNAME,
        "ConfirmationCode": CODE,
        "Password": Member(required=True, max=256, pattern=r"[\S]+", sensitive=True),
    },
    "GetUser": {"AccessToken": TOKEN},
    "GlobalSignOut": {"AccessToken": TOKEN},
    "RevokeToken": {"Token": TOKEN, "ClientId": CLIENT_ID},
    "ChangePassword": {
        "PreviousPassword": PASSWORD,
        "ProposedPassword": Member(required=True, max=256, pattern=r"[\S]+", sensitive=True),
        "AccessToken": TOKEN,
    },
    "UpdateUserAttributes": {
        "UserAttributes": Member(kind=list, required=True),
        "AccessToken": TOKEN,
        "ClientMetadata": PARAMETERS,
    },
    "GetUserAttributeVerificationCode": {
        "AccessToken": TOKEN,
        "AttributeName": ATTRIBUTE_NAME,
        "ClientMetadata": PARAMETERS,
    },
    "VerifyUserAttribute": {"AccessToken": TOKEN, "AttributeName": ATTRIBUTE_NAME, "Code": CODE},
    "AdminUpdateUserAttributes": {
        "UserPoolId": POOL_ID,
        "Username": USERNAME,
        "UserAttributes": Member(kind=list, required=True),
        "ClientMetadata": PARAMETERS,
    },
    "DeleteUser": {"AccessToken": TOKEN},
    "DescribeUserPool": {"UserPoolId": POOL_ID},
    "AssociateSoftwareToken": {"AccessToken": OPTIONAL_TOKEN, "Session": SESSION},
    "VerifySoftwareToken": {
        "AccessToken": OPTIONAL_TOKEN,
        "Session": SESSION,
        "UserCode": Member(required=True, min=6, max=6, pattern=r"[0-9]+", sensitive=True),
        "FriendlyDeviceName": Member(max=131072),
    },
    "SetUserMFAPreference": {"AccessToken": TOKEN},
    "AdminSetUserMFAPreference": {"UserPoolId": POOL_ID, "Username": USERNAME},
    "SetUserPoolMfaConfig": {
        "UserPoolId": POOL_ID,
        "MfaConfiguration": Member(enum=MFA_CONFIGURATIONS),
        "WebAuthnConfiguration": PARAMETERS,
    },
    "GetUserPoolMfaConfig": {"UserPoolId": POOL_ID},
    "ConfirmDevice": {
        "AccessToken": TOKEN,
        "DeviceKey": DEVICE_KEY,
        "DeviceSecretVerifierConfig": Member(kind=dict, sensitive=True),
        "DeviceName": Member(min=1, max=1024),
    },
    "UpdateDeviceStatus": {"AccessToken": TOKEN, "DeviceKey": DEVICE_KEY, "DeviceRememberedStatus": DEVICE_STATUS},
    "GetDevice": {"AccessToken": TOKEN, "DeviceKey": DEVICE_KEY},
    "ForgetDevice": {"AccessToken": TOKEN, "DeviceKey": DEVICE_KEY},
    "ListDevices": {"AccessToken": TOKEN, **PAGE},
    "AdminListDevices": {"UserPoolId": POOL_ID, "Username": USERNAME, **PAGE},
    "AdminUpdateDeviceStatus": {
        "UserPoolId": POOL_ID,
        "Username": USERNAME,
        "DeviceKey": DEVICE_KEY,
        "DeviceRememberedStatus": DEVICE_STATUS,
    },
    "StartWebAuthnRegistration": {"AccessToken": TOKEN},
    "CompleteWebAuthnRegistration": {"AccessToken": TOKEN, "Credential": DOCUMENT},
    "ListWebAuthnCredentials": {
        "AccessToken": TOKEN,
        "NextToken": Member(min=1, max=131072, pattern=r"[\S]+"),
        "MaxResults": Member(kind=int),
    },
    "DeleteWebAuthnCredential": {"AccessToken": TOKEN, "CredentialId": Member(required=True, max=131072)},
    "GetUserAuthFactors": {"AccessToken": TOKEN},
    **{
        operation: {"UserPoolId": POOL_ID, "Username": USERNAME, "DeviceKey": DEVICE_KEY}
        for operation in ("AdminGetDevice", "AdminForgetDevice")
    },
    **{
        operation: {"UserPoolId": POOL_ID, "Username": USERNAME}
        for operation in (
            "AdminGetUser",
            "AdminUserGlobalSignOut",
            "AdminDisableUser",
            "AdminEnableUser",
            "AdminDeleteUser",
        )
    },
    # Federation: identity providers (identity_providers.py checks IdpIdentifiers, a list of strings).
    "CreateIdentityProvider": {
        "UserPoolId": POOL_ID,
        "ProviderName": PROVIDER_NAME,
        "ProviderType": Member(required=True, enum=PROVIDER_TYPES),
        "ProviderDetails": Member(kind=dict, required=True, sensitive=True),
        "AttributeMapping": PARAMETERS,
    },
    "UpdateIdentityProvider": {
        "UserPoolId": POOL_ID,
        "ProviderName": PROVIDER_NAME,
        "ProviderDetails": Member(kind=dict, sensitive=True),
        "AttributeMapping": PARAMETERS,
    },
    **{
        operation: {"UserPoolId": POOL_ID, "ProviderName": PROVIDER_NAME}
        for operation in ("DescribeIdentityProvider", "DeleteIdentityProvider")
    },
    "ListIdentityProviders": {
        "UserPoolId": POOL_ID,
        "MaxResults": Member(kind=int),
        "NextToken": Member(min=1, pattern=r"[\S]+"),
    },
    "DescribeUserPoolClient": {"UserPoolId": POOL_ID, "ClientId": CLIENT_ID},
    "AdminLinkProviderForUser": {
        "UserPoolId": POOL_ID,
        "DestinationUser": PROVIDER_USER,
        "SourceUser": PROVIDER_USER,
    },
    "AdminDisableProviderForUser": {"UserPoolId": POOL_ID, "User": PROVIDER_USER},
}

_TYPE_NAMES = {str: "a string", list: "a list", dict: "a map", int: "a number"}


def _problems(name: str, member: Member, value) -> list[str]:
    where = f"at '{name[0].lower()}{name[1:]}'"
    if value is None:
        return [f"Value null {where} failed to satisfy constraint: Member must not be null"] if member.required else []
    shown = where if member.sensitive or not isinstance(value, str) else f"'{value}' {where}"
    prefix = f"Value {shown} failed to satisfy constraint: Member must"
    if not isinstance(value, member.kind):
        return [f"{prefix} be {_TYPE_NAMES[member.kind]}"]
    problems = []
    if member.min is not None and len(value) < member.min:
        problems.append(f"{prefix} have length greater than or equal to {member.min}")
    if member.max is not None and len(value) > member.max:
        problems.append(f"{prefix} have length less than or equal to {member.max}")
    if member.pattern and isinstance(value, str) and value and not re.fullmatch(member.pattern, value):
        problems.append(f"{prefix} satisfy regular expression pattern: {member.pattern}")
    if member.enum and value not in member.enum:
        problems.append(f"{prefix} satisfy enum value set: [{', '.join(member.enum)}]")
    if isinstance(value, list) and any(
        not isinstance(item, dict) or not isinstance(item.get("Name"), str) for item in value
    ):
        problems.append(f"{prefix} be a list of attributes with a Name")
    if (
        isinstance(value, dict)
        and member.strings
        and any(v is not None and not isinstance(v, str) for v in value.values())
    ):
        problems.append(f"{prefix} be a map of strings")
    return problems


def validate(operation: str, request: dict) -> None:
    problems = []
    for name, member in SHAPES.get(operation, {}).items():
        problems.extend(_problems(name, member, request.get(name)))
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise invalid_parameter(f"{count} validation {noun} detected: " + "; ".join(problems))
    for name, member in SHAPES.get(operation, {}).items():
        # A null entry in a map counts as absent, as Cognito takes it: amazon-cognito-identity-js
        # sends AuthParameters {"REFRESH_TOKEN": ..., "DEVICE_KEY": null} when it has no device.
        if member.kind is dict and isinstance(request.get(name), dict):
            request[name] = {key: value for key, value in request[name].items() if value is not None}


def required_parameter(parameters: dict, name: str) -> str:
    """A value from AuthParameters/ChallengeResponses, or Cognito's 'Missing required parameter'."""
    value = parameters.get(name)
    if not value:
        raise invalid_parameter(f"Missing required parameter {name}")
    return value


def srp_public(parameters: dict) -> int:
    """The client's SRP_A from AuthParameters/ChallengeResponses, refused when malformed or 0 mod N."""
    srp_a = required_parameter(parameters, "SRP_A")
    try:
        big_a = int(srp_a, 16)
    except ValueError:
        raise invalid_parameter("SRP_A must be a hexadecimal number") from None
    if big_a % srp.N == 0:
        raise invalid_parameter("SRP_A cannot be 0 mod N")
    return big_a

"""The user pool, as the app uses it: boto3 for each call, SRP sign-in through `sign_in.py`.

The same code talks to AWS or to the embedded provider; only `endpoint_url` differs. Every
method blocks on the network: call them from a worker thread, never from the event loop.
Failures raise `CognitoError` carrying Cognito's exception name, never its English text.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

import boto3
from botocore import UNSIGNED, xform_name
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from cruddur.auth.sign_in import (
    Answer,
    Challenge,
    ChoiceSignIn,
    Device,
    FactorNotAvailable,
    SignedUpSignIn,
    SignInFlow,
    SrpSignIn,
    new_device_secret,
)

# Short timeouts and few retries: a person waiting on a button should hear "try again" quickly.
# Two attempts in all (botocore's "max_attempts" would count retries: 3 attempts, 24 s + back-off
# against a provider that accepts but never answers; this way at most ~17 s).
BOTO_CONFIG = Config(
    connect_timeout=3, read_timeout=8, retries={"total_max_attempts": 2, "mode": "standard"}, signature_version=UNSIGNED
)
# The admin calls are signed with the app's AWS credentials (IAM): the same limits, SigV4.
ADMIN_CONFIG = BOTO_CONFIG.merge(Config(signature_version="v4"))
# A provider on this machine (the embedded one) takes any signature: sign with these.
LOOPBACK_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


@dataclass(frozen=True)
class PoolConfig:
    region: str
    user_pool_id: str
    client_id: str
    endpoint_url: str | None = None

    @property
    def on_loopback(self) -> bool:
        host = urlsplit(self.endpoint_url).hostname if self.endpoint_url else None
        return host in ("127.0.0.1", "localhost", "::1")

    @property
    def issuer(self) -> str:
        if self.endpoint_url:  # how pycognito and the embedded provider name a local issuer
            return f"{self.endpoint_url}/{self.user_pool_id}"
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


class CognitoError(Exception):
    """A refused or failed call. `code` is Cognito's exception name ("Unavailable" if unreachable)."""

    def __init__(self, code: str, operation: str):
        super().__init__(f"{operation}: {code}")
        self.code = code
        self.operation = operation


@dataclass(frozen=True)
class Tokens:
    access_token: str
    id_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class NewDevice:
    """A device Cognito just met (the pool remembers devices): confirm it to remember it."""

    key: str
    group_key: str


@dataclass(frozen=True)
class RememberedDevice:
    """A device the pool remembers for the person (ListDevices), as the account page lists it."""

    key: str
    name: str
    created: datetime
    last_used: datetime | None


@dataclass(frozen=True)
class Passkey:
    """One of the person's passkeys (ListWebAuthnCredentials)."""

    id: str
    name: str
    created: datetime


@dataclass(frozen=True)
class Authenticated:
    tokens: Tokens
    new_device: NewDevice | None = None


@dataclass(frozen=True)
class CodeSent:
    destination: str  # Cognito's masked address, e.g. "a***@e***"
    session: str = ""  # SignUp's: handed to ConfirmSignUp, it signs the new person in after


class CognitoClient:
    def __init__(self, pool: PoolConfig):
        self.pool = pool
        # One client of each kind per process: boto3 clients are thread-safe and slow to build.
        # The user-facing operations go unsigned, as a browser's would; the admin ones signed.
        self._boto = boto3.client(
            "cognito-idp", region_name=pool.region, endpoint_url=pool.endpoint_url, config=BOTO_CONFIG
        )
        self._admin = boto3.client(
            "cognito-idp",
            region_name=pool.region,
            endpoint_url=pool.endpoint_url,
            config=ADMIN_CONFIG,
            **(LOOPBACK_CREDENTIALS if pool.on_loopback else {}),
        )

    def _as_admin(self, operation: str, **params) -> dict:
        with _translated(operation):
            return getattr(self._admin, xform_name(operation))(UserPoolId=self.pool.user_pool_id, **params)

    def sub_of(self, email: str) -> str:
        """The user's `sub` (AdminGetUser); needs IAM permission cognito-idp:AdminGetUser."""
        reply = self._as_admin("AdminGetUser", Username=email)
        return next(a["Value"] for a in reply["UserAttributes"] if a["Name"] == "sub")

    def sign_out_everywhere(self, email: str) -> None:
        """Revokes every token of the user without one of theirs (AdminUserGlobalSignOut)."""
        self._as_admin("AdminUserGlobalSignOut", Username=email)

    def turn_off_authenticator_app(self, username: str) -> None:
        """AdminSetUserMFAPreference: the person's authenticator app off (a recovery code used)."""
        self._as_admin(
            "AdminSetUserMFAPreference",
            Username=username,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )

    def forget_every_device(self, username: str) -> None:
        """AdminListDevices + AdminForgetDevice: no browser skips the second factor any more (a
        recovery code was used); needs cognito-idp:AdminListDevices and AdminForgetDevice."""
        listed = _every(lambda **page: self._as_admin("AdminListDevices", Username=username, Limit=60, **page))
        for device in listed:
            self._as_admin("AdminForgetDevice", Username=username, DeviceKey=device["DeviceKey"])

    # -- federated identities (AdminGetUser, AdminDeleteUser, AdminLinkProviderForUser,
    # AdminDisableProviderForUser; each needs its IAM permission on the pool) ---------------------

    def status_of(self, username: str) -> str | None:
        """The user's UserStatus (CONFIRMED, EXTERNAL_PROVIDER, ...), or None when there is none."""
        try:
            return self._as_admin("AdminGetUser", Username=username).get("UserStatus")
        except CognitoError as error:
            if error.code == "UserNotFoundException":
                return None
            raise

    def delete_as_admin(self, username: str) -> None:
        self._as_admin("AdminDeleteUser", Username=username)

    def link_identity(self, email: str, provider: str, provider_user_id: str) -> None:
        """The external identity signs in as the password account `email` from now on."""
        self._as_admin(
            "AdminLinkProviderForUser",
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": email},
            SourceUser={
                "ProviderName": provider,
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": provider_user_id,
            },
        )

    def unlink_identity(self, provider: str, provider_user_id: str) -> None:
        self._as_admin(
            "AdminDisableProviderForUser",
            User={
                "ProviderName": provider,
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": provider_user_id,
            },
        )

    def _call(self, operation: str, **params) -> dict:
        with _translated(operation):
            return getattr(self._boto, xform_name(operation))(ClientId=self.pool.client_id, **params)

    def sign_up(self, *, email: str, password: str, name: str, handle: str) -> tuple[str, CodeSent]:
        """Returns the new user's `sub` and where the confirmation code went. No password (""):
        a passwordless user, where the pool signs people in with e-mailed codes."""
        reply = self._call(
            "SignUp",
            Username=email,
            **({"Password": password} if password else {}),
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "name", "Value": name},
                {"Name": "preferred_username", "Value": handle},
            ],
        )
        return reply["UserSub"], replace(_code_sent(reply), session=reply.get("Session", ""))

    def confirm_sign_up(self, *, email: str, code: str, session: str = "") -> str:
        """Confirms the address; given SignUp's Session, returns the one that signs the person in
        now (`sign_in_signed_up`), else ""."""
        reply = self._call(
            "ConfirmSignUp", Username=email, ConfirmationCode=code, **({"Session": session} if session else {})
        )
        return reply.get("Session", "")

    def sign_in_signed_up(self, *, email: str, session: str) -> Authenticated | Challenge:
        """The sign-in that follows ConfirmSignUp: tokens, or the second factor the pool asks for."""
        with _translated("InitiateAuth"):
            return _outcome(SignedUpSignIn(self._boto, self.pool.client_id, email, session).start())

    def resend_confirmation_code(self, *, email: str) -> CodeSent:
        return _code_sent(self._call("ResendConfirmationCode", Username=email))

    def sign_in(self, *, email: str, password: str, device: Device | None = None) -> Authenticated | Challenge:
        """SRP sign-in (the password never leaves this process): tokens, or the challenge the
        person must answer (a code from their authenticator app, or setting one up)."""
        flow = SrpSignIn(self._boto, self.pool.user_pool_id, self.pool.client_id, email, password, device)
        with _translated("InitiateAuth"):
            return _outcome(flow.start())

    def sign_in_by_choice(self, *, username: str, factor: str) -> Challenge:
        """USER_AUTH with the factor the person chose (WEB_AUTHN or EMAIL_OTP) for `username` (the
        e-mail, or the pool's username, which is the sub): its challenge, carrying the passkey
        request options or where the code went. FactorNotAvailable (as CognitoError
        "FactorNotAvailable") when the person or the pool has no such factor."""
        flow = ChoiceSignIn(self._boto, self.pool.client_id, username, factor)
        with _translated("InitiateAuth"):
            try:
                answer = flow.start()
            except FactorNotAvailable:
                raise CognitoError("FactorNotAvailable", "InitiateAuth") from None
        if answer.challenge is None:
            raise CognitoError("FactorNotAvailable", "InitiateAuth")
        return answer.challenge

    def answer_challenge(self, challenge: Challenge, answers: dict) -> Authenticated | Challenge:
        """The person's answer to a WEB_AUTHN (CREDENTIAL) or EMAIL_OTP (EMAIL_OTP_CODE) challenge."""
        with _translated("RespondToAuthChallenge"):
            return _outcome(_flow_of(challenge).answer(challenge, answers))

    def start_passkey_registration(self, access_token: str) -> dict:
        """PublicKeyCredentialCreationOptionsJSON for the browser (StartWebAuthnRegistration)."""
        with _translated("StartWebAuthnRegistration"):
            return self._boto.start_web_authn_registration(AccessToken=access_token)["CredentialCreationOptions"]

    def complete_passkey_registration(self, access_token: str, credential: dict) -> None:
        with _translated("CompleteWebAuthnRegistration"):
            self._boto.complete_web_authn_registration(AccessToken=access_token, Credential=credential)

    def passkeys(self, access_token: str) -> list[Passkey]:
        """The person's passkeys (ListWebAuthnCredentials, every page), newest first."""
        with _translated("ListWebAuthnCredentials"):
            listed = _every(
                lambda **page: self._boto.list_web_authn_credentials(AccessToken=access_token, MaxResults=20, **page),
                items="Credentials",
                token="NextToken",
            )
        found = [
            Passkey(c["CredentialId"], c.get("FriendlyCredentialName") or "Passkey", c["CreatedAt"]) for c in listed
        ]
        return sorted(found, key=lambda passkey: passkey.created, reverse=True)

    def delete_passkey(self, access_token: str, credential_id: str) -> None:
        with _translated("DeleteWebAuthnCredential"):
            self._boto.delete_web_authn_credential(AccessToken=access_token, CredentialId=credential_id)

    def answer_mfa_code(self, challenge: Challenge, code: str) -> Authenticated | Challenge:
        with _translated("RespondToAuthChallenge"):
            return _outcome(_flow_of(challenge).answer_code(challenge, code))

    def begin_mfa_setup(self, challenge: Challenge) -> tuple[str, Challenge]:
        """The secret for a person setting up their authenticator app during sign-in (MFA_SETUP)."""
        with _translated("AssociateSoftwareToken"):
            reply = self._boto.associate_software_token(Session=challenge.session)
        return reply["SecretCode"], challenge.renewed(reply["Session"])

    def finish_mfa_setup(self, challenge: Challenge, code: str, device_name: str) -> Authenticated | Challenge:
        with _translated("VerifySoftwareToken"):
            verified = self._boto.verify_software_token(
                Session=challenge.session, UserCode=code, FriendlyDeviceName=device_name
            )
        if verified.get("Status") != "SUCCESS":
            raise CognitoError("CodeMismatchException", "VerifySoftwareToken")
        with _translated("RespondToAuthChallenge"):
            return _outcome(_flow_of(challenge).finish_setup(challenge, verified["Session"]))

    def remember_device(self, access_token: str, new_device: NewDevice, name: str) -> Device:
        """The device this sign-in met, confirmed with a fresh SRP verifier (ConfirmDevice) and
        marked remembered where the pool leaves that to the person (UpdateDeviceStatus). Returns
        it with its random password, which only the app keeps."""
        password, verifier = new_device_secret(new_device.group_key, new_device.key)
        with _translated("ConfirmDevice"):
            reply = self._boto.confirm_device(
                AccessToken=access_token,
                DeviceKey=new_device.key,
                DeviceSecretVerifierConfig=verifier,
                DeviceName=name,
            )
        if reply.get("UserConfirmationNecessary"):
            with _translated("UpdateDeviceStatus"):
                self._boto.update_device_status(
                    AccessToken=access_token, DeviceKey=new_device.key, DeviceRememberedStatus="remembered"
                )
        return Device(new_device.key, new_device.group_key, password)

    def remembered_devices(self, access_token: str) -> list[RememberedDevice]:
        """The person's remembered devices (ListDevices, every page), most recently used first."""
        found = [d for d in map(_remembered, self._my_devices(access_token)) if d is not None]
        return sorted(found, key=lambda d: d.last_used or d.created, reverse=True)

    def forget_my_devices(self, access_token: str) -> None:
        """ListDevices + ForgetDevice: every device of the person, remembered or not."""
        for device in self._my_devices(access_token):
            self.forget_device(access_token, device["DeviceKey"])

    def _my_devices(self, access_token: str) -> list[dict]:
        with _translated("ListDevices"):
            return _every(lambda **page: self._boto.list_devices(AccessToken=access_token, Limit=60, **page))

    def forget_device(self, access_token: str, device_key: str) -> None:
        with _translated("ForgetDevice"):
            self._boto.forget_device(AccessToken=access_token, DeviceKey=device_key)

    def associate_software_token(self, access_token: str) -> str:
        """A new authenticator-app secret (base32) for a signed-in person; not active until verified."""
        with _translated("AssociateSoftwareToken"):
            return self._boto.associate_software_token(AccessToken=access_token)["SecretCode"]

    def verify_software_token(self, access_token: str, code: str, device_name: str) -> None:
        with _translated("VerifySoftwareToken"):
            verified = self._boto.verify_software_token(
                AccessToken=access_token, UserCode=code, FriendlyDeviceName=device_name
            )
        if verified.get("Status") != "SUCCESS":
            raise CognitoError("CodeMismatchException", "VerifySoftwareToken")

    def set_authenticator_app(self, access_token: str, *, enabled: bool) -> None:
        """The authenticator app on (as the preferred factor) or off, by the person themself."""
        with _translated("SetUserMFAPreference"):
            self._boto.set_user_mfa_preference(
                AccessToken=access_token, SoftwareTokenMfaSettings={"Enabled": enabled, "PreferredMfa": enabled}
            )

    def mfa_settings(self, access_token: str) -> list[str]:
        """The person's second factors (GetUser's UserMFASettingList), e.g. ["SOFTWARE_TOKEN_MFA"]."""
        with _translated("GetUser"):
            return self._boto.get_user(AccessToken=access_token).get("UserMFASettingList", [])

    def refresh(self, refresh_token: str) -> Tokens:
        reply = self._call(
            "InitiateAuth", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
        )
        return _tokens(reply["AuthenticationResult"], refresh_token)

    def forgot_password(self, *, email: str) -> CodeSent:
        return _code_sent(self._call("ForgotPassword", Username=email))

    def confirm_forgot_password(self, *, email: str, code: str, password: str) -> None:
        self._call("ConfirmForgotPassword", Username=email, ConfirmationCode=code, Password=password)

    def change_password(self, access_token: str, *, previous: str, proposed: str) -> None:
        with _translated("ChangePassword"):
            self._boto.change_password(AccessToken=access_token, PreviousPassword=previous, ProposedPassword=proposed)

    def global_sign_out(self, access_token: str) -> None:
        """Revokes every refresh token of the user (and the access tokens issued from them)."""
        with _translated("GlobalSignOut"):
            self._boto.global_sign_out(AccessToken=access_token)

    def revoke_token(self, refresh_token: str) -> None:
        """Revokes one refresh token and the access tokens issued from it; needs no access token."""
        self._call("RevokeToken", Token=refresh_token)

    def set_attributes(self, access_token: str, attributes: dict[str, str]) -> None:
        with _translated("UpdateUserAttributes"):
            self._boto.update_user_attributes(
                AccessToken=access_token, UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()]
            )

    def request_email_change(self, access_token: str, new_email: str) -> CodeSent:
        """UpdateUserAttributes: a code to the new address. Where the pool keeps the original
        value active until the new one is verified, the old address still signs in meanwhile."""
        with _translated("UpdateUserAttributes"):
            reply = self._boto.update_user_attributes(
                AccessToken=access_token, UserAttributes=[{"Name": "email", "Value": new_email}]
            )
        sent = reply.get("CodeDeliveryDetailsList") or [{}]
        return CodeSent(destination=sent[0].get("Destination", "your new address"))

    def resend_email_code(self, access_token: str) -> CodeSent:
        with _translated("GetUserAttributeVerificationCode"):
            reply = self._boto.get_user_attribute_verification_code(AccessToken=access_token, AttributeName="email")
        return _code_sent(reply)

    def verify_email(self, access_token: str, code: str) -> None:
        """VerifyUserAttribute: the new address, verified, becomes the one the person signs in with."""
        with _translated("VerifyUserAttribute"):
            self._boto.verify_user_attribute(AccessToken=access_token, AttributeName="email", Code=code)

    def delete_user(self, access_token: str) -> None:
        with _translated("DeleteUser"):
            self._boto.delete_user(AccessToken=access_token)

    def get_user(self, access_token: str) -> dict[str, str]:
        """The user's attributes; refused once the user is disabled or deleted or the token revoked."""
        with _translated("GetUser"):
            reply = self._boto.get_user(AccessToken=access_token)
        return {item["Name"]: item["Value"] for item in reply["UserAttributes"]}


@contextmanager
def _translated(operation: str) -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        raise CognitoError(error.response["Error"]["Code"], operation) from None
    except BotoCoreError:  # unreachable, timed out, or an unreadable reply
        raise CognitoError("Unavailable", operation) from None


def _every(list_page: Callable[..., dict], items: str = "Devices", token: str = "PaginationToken") -> list[dict]:
    """Every item of a paged list call: `list_page(**page)` again with each page's token."""
    found, next_token = [], None
    while True:
        reply = list_page(**({token: next_token} if next_token else {}))
        found += reply.get(items, [])
        if not (next_token := reply.get(token)):
            return found


def _flow_of(challenge: Challenge) -> SignInFlow:
    if challenge.flow is None:
        raise CognitoError("ExpiredCodeException", "RespondToAuthChallenge")  # not from a sign-in here
    return challenge.flow


def _remembered(device: dict) -> RememberedDevice | None:
    attributes = {a["Name"]: a["Value"] for a in device.get("DeviceAttributes", [])}
    if attributes.get("dev:device_remembered_status") != "remembered":
        return None
    name = attributes.get("device_name") or "Unnamed device"
    return RememberedDevice(
        device["DeviceKey"], name, device["DeviceCreateDate"], device.get("DeviceLastAuthenticatedDate")
    )


def _code_sent(reply: dict) -> CodeSent:
    return CodeSent(destination=reply.get("CodeDeliveryDetails", {}).get("Destination", "your email"))


def _outcome(answer: Answer) -> Authenticated | Challenge:
    return answer.challenge if answer.challenge is not None else _authenticated(answer.result or {})


def _authenticated(result: dict) -> Authenticated:
    device = result.get("NewDeviceMetadata")
    new_device = NewDevice(device["DeviceKey"], device["DeviceGroupKey"]) if device else None
    return Authenticated(_tokens(result), new_device)


def _tokens(result: dict, refresh_token: str = "") -> Tokens:
    return Tokens(
        access_token=result["AccessToken"],
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken", refresh_token),
        expires_in=int(result["ExpiresIn"]),
    )

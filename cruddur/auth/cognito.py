"""The user pool, as the app uses it: boto3 for each call, pycognito for the SRP sign-in.

The same code talks to AWS or to the embedded provider; only `endpoint_url` differs. Every
method blocks on the network: call them from a worker thread, never from the event loop.
Failures raise `CognitoError` carrying Cognito's exception name, never its English text.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pycognito.aws_srp import AWSSRP

# Short timeouts and few retries: a person waiting on a button should hear "try again" quickly.
# Two attempts in all (botocore's "max_attempts" would count retries: 3 attempts, 24 s + back-off
# against a provider that accepts but never answers; this way at most ~17 s).
BOTO_CONFIG = Config(
    connect_timeout=3, read_timeout=8, retries={"total_max_attempts": 2, "mode": "standard"}, signature_version=UNSIGNED
)


@dataclass(frozen=True)
class PoolConfig:
    region: str
    user_pool_id: str
    client_id: str
    endpoint_url: str | None = None

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
class CodeSent:
    destination: str  # Cognito's masked address, e.g. "a***@e***"


class CognitoClient:
    def __init__(self, pool: PoolConfig):
        self.pool = pool
        # One client per process: boto3 clients are thread-safe and slow to build.
        self._boto = boto3.client(
            "cognito-idp", region_name=pool.region, endpoint_url=pool.endpoint_url, config=BOTO_CONFIG
        )

    def _call(self, operation: str, **params) -> dict:
        with _translated(operation):
            return getattr(self._boto, _snake(operation))(ClientId=self.pool.client_id, **params)

    def sign_up(self, *, email: str, password: str, name: str, handle: str) -> tuple[str, CodeSent]:
        """Returns the new user's `sub` and where the confirmation code went."""
        reply = self._call(
            "SignUp",
            Username=email,
            Password=password,
            UserAttributes=[
                {"Name": "email", "Value": email},
                {"Name": "name", "Value": name},
                {"Name": "preferred_username", "Value": handle},
            ],
        )
        return reply["UserSub"], _code_sent(reply)

    def confirm_sign_up(self, *, email: str, code: str) -> None:
        self._call("ConfirmSignUp", Username=email, ConfirmationCode=code)

    def resend_confirmation_code(self, *, email: str) -> CodeSent:
        return _code_sent(self._call("ResendConfirmationCode", Username=email))

    def sign_in(self, *, email: str, password: str) -> Tokens:
        """SRP sign-in: the password never leaves this process."""
        srp = AWSSRP(
            username=email,
            password=password,
            pool_id=self.pool.user_pool_id,
            client_id=self.pool.client_id,
            client=self._boto,
        )
        with _translated("InitiateAuth"):
            reply = srp.authenticate_user()
        return _tokens(reply["AuthenticationResult"])

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
            self._boto.change_password(
                AccessToken=access_token, PreviousPassword=previous, ProposedPassword=proposed
            )

    def global_sign_out(self, access_token: str) -> None:
        """Revokes every refresh token of the user (and the access tokens issued from them)."""
        with _translated("GlobalSignOut"):
            self._boto.global_sign_out(AccessToken=access_token)

    def revoke_token(self, refresh_token: str) -> None:
        """Revokes one refresh token and the access tokens issued from it; needs no access token."""
        self._call("RevokeToken", Token=refresh_token)

    def set_handle(self, access_token: str, handle: str) -> None:
        with _translated("UpdateUserAttributes"):
            self._boto.update_user_attributes(
                AccessToken=access_token, UserAttributes=[{"Name": "preferred_username", "Value": handle}]
            )

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


def _snake(operation: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def _code_sent(reply: dict) -> CodeSent:
    return CodeSent(destination=reply.get("CodeDeliveryDetails", {}).get("Destination", "your email"))


def _tokens(result: dict, refresh_token: str = "") -> Tokens:
    return Tokens(
        access_token=result["AccessToken"],
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken", refresh_token),
        expires_in=int(result["ExpiresIn"]),
    )

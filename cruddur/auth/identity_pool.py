"""A Cognito identity pool, as the app uses it: a signed-in person's ID token exchanged for
temporary AWS credentials (GetId, then GetCredentialsForIdentity), scoped by the pool's IAM role
to that person's own identity (`${cognito-identity.amazonaws.com:sub}` in the role's policy).

Both calls are unsigned, as a browser's would be: the ID token is what proves who asks. Every
method blocks on the network: call it from a worker thread. Failures raise `CognitoError` with
the service's exception name ("Unavailable" when it cannot be reached), never its English text.
No Reflex, no database here.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3

from cruddur.auth.cognito import BOTO_CONFIG, CognitoError, PoolConfig, _translated


@dataclass(frozen=True)
class TemporaryCredentials:
    """What GetCredentialsForIdentity hands out; the secret parts never reach a log or a page."""

    identity_id: str  # "us-east-1:<uuid>": the `cognito-identity.amazonaws.com:sub` the policy names
    access_key_id: str
    secret_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime | None = None

    def as_boto(self) -> dict[str, str]:
        """Keyword arguments for `boto3.client(...)` that sign with these credentials."""
        return {
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_key,
            "aws_session_token": self.session_token,
        }


def provider_name(pool: PoolConfig) -> str:
    """The user pool as an identity pool names it (the key of `Logins`), on AWS and off it."""
    return f"cognito-idp.{pool.region}.amazonaws.com/{pool.user_pool_id}"


def trusted_user_pool(pool: PoolConfig) -> dict[str, Any]:
    """The identity pool's CognitoIdentityProvider for the user pool and the app's client."""
    return {"ProviderName": provider_name(pool), "ClientId": pool.client_id, "ServerSideTokenCheck": True}


class IdentityPoolClient:
    def __init__(self, identity_pool_id: str, user_pool: PoolConfig, *, endpoint_url: str | None = None):
        self.identity_pool_id = identity_pool_id
        self.login_provider = provider_name(user_pool)
        region = identity_pool_id.split(":", 1)[0] or user_pool.region
        self._boto = boto3.client("cognito-identity", region_name=region, endpoint_url=endpoint_url, config=BOTO_CONFIG)

    def credentials_for(self, id_token: str) -> TemporaryCredentials:
        """The person's identity in the pool and credentials for it, from their (verified) ID token."""
        if not isinstance(id_token, str) or not id_token:
            raise CognitoError("NotAuthorizedException", "GetId")
        logins = {self.login_provider: id_token}
        with _translated("GetId"):
            identity_id = self._boto.get_id(IdentityPoolId=self.identity_pool_id, Logins=logins)["IdentityId"]
        with _translated("GetCredentialsForIdentity"):
            reply = self._boto.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
        granted = reply["Credentials"]
        return TemporaryCredentials(
            identity_id=reply.get("IdentityId", identity_id),
            access_key_id=granted["AccessKeyId"],
            secret_key=granted["SecretKey"],
            session_token=granted["SessionToken"],
            expiration=granted.get("Expiration"),
        )

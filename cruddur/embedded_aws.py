"""moto's standalone server standing in for S3 and Cognito Identity beside the embedded provider
(when no AVATAR_BUCKET / COGNITO_IDENTITY_POOL_ID is set): on loopback, on a free port, in this
process's memory, with the avatars bucket and an identity pool that trusts the embedded user pool.

What differs from AWS (docs/avatars.md): moto checks no ID token and enforces no IAM policy — any
GetId answers a new identity, and any credentials may write anywhere in the bucket — so the app
verifies the person's tokens itself and checks the key's prefix before every write. Avatars last
as long as the process: a restart starts with an empty bucket (profiles then show the default).
"""

import logging
import secrets
from dataclasses import dataclass

import boto3

from cruddur.auth.cognito import PoolConfig
from cruddur.auth.identity_pool import trusted_user_pool

# moto keeps one store per process, whatever server answers: each start gets its own bucket.
BUCKET_PREFIX = "cruddur-avatars-"
IDENTITY_POOL_NAME = "cruddur"
# moto takes any credentials; boto3 still wants some to sign with.
MOTO_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


@dataclass
class EmbeddedAws:
    endpoint_url: str
    bucket: str
    identity_pool_id: str
    _server: object | None = None

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()  # type: ignore[attr-defined]
            self._server = None


def start(user_pool: PoolConfig) -> EmbeddedAws:
    """moto on 127.0.0.1 (a free port), with the bucket and an identity pool trusting `user_pool`."""
    from moto.server import ThreadedMotoServer  # heavy: only where the stand-in runs

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint_url = f"http://{host}:{port}"
    bucket = BUCKET_PREFIX + secrets.token_hex(6)
    try:
        options = {"region_name": user_pool.region, "endpoint_url": endpoint_url, **MOTO_CREDENTIALS}
        where = (
            {}
            if user_pool.region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": user_pool.region}}
        )
        boto3.client("s3", **options).create_bucket(Bucket=bucket, **where)
        pool = boto3.client("cognito-identity", **options).create_identity_pool(
            IdentityPoolName=IDENTITY_POOL_NAME,
            AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[trusted_user_pool(user_pool)],
        )
    except BaseException:
        server.stop()
        raise
    return EmbeddedAws(endpoint_url, bucket, pool["IdentityPoolId"], server)

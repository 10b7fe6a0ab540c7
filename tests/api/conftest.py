"""The API against a real verifier: a JWKS served over HTTP on 127.0.0.1, and tokens minted
here in the shape Cognito gives access and ID tokens, signed RS256 with a `kid`."""

import json
import time
import uuid

import httpx
import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from cruddur.api import create_api
from cruddur.auth.jwt import CognitoJwtVerifier
from cruddur.services.profiles import create_profile
from tests.support.jwks_server import JwksServer

POOL_ID = "us-east-1_ApiTests1"
CLIENT_ID = "3n4b5urk1ft4fl3mg5e62d9ado"
OTHER_CLIENT_ID = "6f0someotherappclient00000"
ADA_SUB = "a1b2c3d4-0000-4000-8000-00000000ada0"
BOB_SUB = "b1b2c3d4-0000-4000-8000-00000000b0b0"


class Key:
    def __init__(self, kid: str):
        self.kid = kid
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key())) | {"kid": kid, "alg": "RS256", "use": "sig"}


@pytest.fixture(scope="session")
def keys() -> dict[str, Key]:
    return {"access": Key("access-kid-1"), "id": Key("id-kid-1"), "stranger": Key("access-kid-1")}


@pytest.fixture
def jwks(keys):
    published = [keys["access"], keys["id"]]
    server = JwksServer(lambda: {"keys": [k.jwk for k in published]}, POOL_ID)
    yield server
    server.close()


@pytest.fixture
def verifier(jwks) -> CognitoJwtVerifier:
    return CognitoJwtVerifier(jwks.issuer, CLIENT_ID, jwks_url=jwks.jwks_url)


class Minter:
    def __init__(self, issuer: str, keys: dict[str, Key]):
        self.issuer, self.keys = issuer, keys

    def access(self, sub: str = ADA_SUB, *, key: str = "access", **overrides) -> str:
        now = int(time.time())
        claims = {
            "sub": sub,
            "client_id": CLIENT_ID,
            "username": sub,
            "scope": "aws.cognito.signin.user.admin",
            "token_use": "access",
            "auth_time": now,
            "iss": self.issuer,
            "exp": now + 3600,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
            "version": 2,
        }
        return self._sign(self.keys[key], claims | overrides)

    def id_token(self, sub: str = ADA_SUB) -> str:
        now = int(time.time())
        claims = {
            "sub": sub,
            "aud": CLIENT_ID,
            "email_verified": True,
            "token_use": "id",
            "auth_time": now,
            "iss": self.issuer,
            "cognito:username": sub,
            "exp": now + 3600,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "preferred_username": "ada",
        }
        return self._sign(self.keys["id"], claims)

    @staticmethod
    def _sign(key: Key, claims: dict) -> str:
        return pyjwt.encode(claims, key.pem, algorithm="RS256", headers={"kid": key.kid})


@pytest.fixture
def mint(jwks, keys) -> Minter:
    return Minter(jwks.issuer, keys)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(database):
    """Ada and Bob have profiles (made at sign-up); other subs have none."""
    with database.session() as session:
        create_profile(session, ADA_SUB, "ada", "Ada Lovelace")
        create_profile(session, BOB_SUB, "bob", "Bob")
    return database


class FakePool:
    """The user pool as the API asks it on a caller's behalf: attributes by the token's `sub`
    (what GetUser would answer), and the handles written back."""

    def __init__(self):
        self.accounts: dict[str, dict[str, str]] = {}
        self.kept: list[tuple[str, str]] = []

    async def attributes(self, access_token: str) -> dict[str, str]:
        return self.accounts.get(self._sub(access_token), {})

    async def keep_handle(self, access_token: str, handle: str) -> None:
        self.kept.append((self._sub(access_token), handle))

    @staticmethod
    def _sub(access_token: str) -> str:
        return pyjwt.decode(access_token, options={"verify_signature": False})["sub"]


@pytest.fixture
def pool() -> FakePool:
    return FakePool()


@pytest.fixture
def api(verifier, people, pool):
    return create_api(verifier.averify, lambda: people, pool)


@pytest.fixture
async def client(api):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://cruddur.test") as client:
        yield client

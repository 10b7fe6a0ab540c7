"""A real JWKS server on 127.0.0.1, Cognito-shaped tokens, and a clock that tests move by hand."""

import base64
import contextlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cruddur.auth.jwt import CognitoJwtVerifier

REGION = "us-east-1"
POOL_ID = "us-east-1_TestPool1"
CLIENT_ID = "5ackeuvmc0t3jgprjbh6bd2tgb"
OTHER_CLIENT_ID = "7b3ksomeotherclient0000000"
NOW = 1_760_000_000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(obj) -> str:
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


class SigningKey:
    def __init__(self, kid: str, bits: int = 2048):
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        self.pem = self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def jwk(self) -> dict:
        numbers = self.private.public_key().public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
        return {"alg": "RS256", "e": b64url(e), "kid": self.kid, "kty": "RSA", "n": b64url(n), "use": "sig"}

    def sign(self, signing_input: bytes) -> bytes:
        return self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())


@pytest.fixture(scope="session")
def keys():
    """Two pool keys like Cognito's (one for ID tokens, one for access), a rotation key, a stranger."""
    return {
        "access": SigningKey("access-key-1"),
        "id": SigningKey("id-key-1"),
        "rotated": SigningKey("access-key-2"),
        "stranger": SigningKey("access-key-1"),  # same kid, another private key
    }


class JwksServer:
    """A tiny real HTTP server whose JWKS answer a test can change while it runs."""

    def __init__(self):
        self.body: bytes = b'{"keys": []}'
        self.status = 200
        self.delay = 0.0
        self.hits = 0
        self.send_length = True
        self.headers: dict[str, str] = {}
        self.release = threading.Event()
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                state.hits += 1
                if state.delay:
                    state.release.wait(state.delay)
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                if state.send_length:
                    self.send_header("Content-Length", str(len(state.body)))
                for name, value in state.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(state.body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address[:2]
        self.issuer = f"http://{host}:{port}/_cognito/{POOL_ID}"
        self.url = self.issuer + "/.well-known/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def reset(self, *keys: SigningKey):
        self.status, self.delay, self.hits, self.send_length, self.headers = 200, 0.0, 0, True, {}
        self.release.set()
        self.release = threading.Event()
        self.publish(*keys)

    def publish(self, *keys: SigningKey, extra: list | None = None):
        self.set_json({"keys": [k.jwk for k in keys] + (extra or [])})

    def set_json(self, doc):
        self.body = json.dumps(doc).encode()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def _jwks_server_process():
    server = JwksServer()
    yield server
    server.close()


@pytest.fixture
def jwks_server(_jwks_server_process, keys):
    """The JWKS server, reset for each test: the pool's two keys, 200, no delay, no hits."""
    _jwks_server_process.reset(keys["access"], keys["id"])
    yield _jwks_server_process
    _jwks_server_process.release.set()


class Monotonic:
    """A monotonic clock for the JWKS cool-down that tests move by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Clock:
    def __init__(self, now: float = NOW + 0.25):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_verifier(jwks_server, clock):
    def make(**options):
        options.setdefault("clock", clock)
        options.setdefault("leeway", 5)
        return CognitoJwtVerifier(jwks_server.issuer, options.pop("client_id", CLIENT_ID), **options)

    return make


@pytest.fixture
def verifier(make_verifier):
    return make_verifier()


def access_claims(issuer: str, now: int = NOW, **overrides) -> dict:
    claims = {
        "sub": "8f1e2d3c-0000-4000-8000-000000000001",
        "client_id": CLIENT_ID,
        "username": "8f1e2d3c-0000-4000-8000-000000000001",
        "scope": "aws.cognito.signin.user.admin",
        "token_use": "access",
        "auth_time": now,
        "iss": issuer,
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not DROP}


def id_claims(issuer: str, now: int = NOW, **overrides) -> dict:
    claims = {
        "sub": "8f1e2d3c-0000-4000-8000-000000000001",
        "aud": CLIENT_ID,
        "email_verified": True,
        "token_use": "id",
        "auth_time": now,
        "iss": issuer,
        "cognito:username": "8f1e2d3c-0000-4000-8000-000000000001",
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "origin_jti": str(uuid.uuid4()),
        "event_id": str(uuid.uuid4()),
        "email": "andrew@example.com",
        "name": "Andrew Brown",
        "preferred_username": "andrewbrown",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not DROP}


DROP = object()


def sign_token(key: SigningKey, claims: dict, header: dict | None = None) -> str:
    """An RS256 token built by hand, so tests can put anything in the header."""
    head = {"kid": key.kid, "alg": "RS256"} if header is None else header
    signing_input = f"{b64url_json(head)}.{b64url_json(claims)}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode()))}"


def pyjwt_token(key: SigningKey, claims: dict) -> str:
    """The same kind of token minted by pyjwt, the way the local identity provider does."""
    return pyjwt.encode(claims, key.pem, algorithm="RS256", headers={"kid": key.kid, "typ": None})


@pytest.fixture
def mint(jwks_server, keys):
    """mint(use="access"|"id", key=None, header=None, **claim_overrides) -> token."""

    def make(use="access", key=None, header=None, **overrides):
        build = access_claims if use == "access" else id_claims
        signer = key or keys[use]
        return sign_token(signer, build(jwks_server.issuer, **overrides), header)

    return make


def wait_until(predicate, timeout=2.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)

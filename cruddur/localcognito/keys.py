"""Pool identity and server secrets, generated on first start and persisted in the provider's DB:
the pool and client ids, one RSA key for ID tokens and another for access tokens (as Cognito),
the AES key that seals SRP challenges, and the key that derives decoy challenges. The AES key that
seals secrets kept in the DB (TOTP secrets) lives in a file of its own beside it instead, so that
a copy of the DB alone does not yield them."""

import base64
import contextlib
import hashlib
import os
import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from .config import LocalCognitoConfig
from .store import Store


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: RSAPrivateKey = field(repr=False)

    @property
    def jwk(self) -> dict:
        numbers = self.private_key.public_key().public_numbers()
        return {
            "alg": "RS256",
            "e": _b64url_uint(numbers.e),
            "kid": self.kid,
            "kty": "RSA",
            "n": _b64url_uint(numbers.n),
            "use": "sig",
        }


@dataclass(frozen=True)
class ServerKeys:
    pool_id: str
    client_id: str
    id_key: SigningKey
    access_key: SigningKey
    seal_key: bytes = field(repr=False)
    decoy_key: bytes = field(repr=False)
    stored_secrets_key: bytes = field(repr=False)


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _load_signing_key(pem: str) -> SigningKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, RSAPrivateKey):  # the pool's files hold only keys made by _new_rsa_pem
        raise TypeError(f"a signing key must be RSA, not {type(key).__name__}")
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return SigningKey(kid=base64.standard_b64encode(hashlib.sha256(der).digest()).decode(), private_key=key)


def _random_id(length: int, alphabet: str) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def check_pool_id(pool_id: str) -> str:
    if pool_id.count("_") != 1 or not all(pool_id.split("_")):
        raise ValueError(f"pool id must look like '<region>_<suffix>' with one '_': {pool_id!r}")
    return pool_id


def _file_key(path: Path) -> bytes:
    """A 256-bit key in `path`, created once (owner-only) by whichever process comes first: it is
    written whole under another name, then linked into place, which fails if one is there already."""
    if not path.exists():
        draft = path.with_name(f"{path.name}.{secrets.token_hex(8)}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_hex(32))
        try:
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink()
    return bytes.fromhex(path.read_text().strip())


def load_keys(store: Store, config: LocalCognitoConfig) -> ServerKeys:
    """Read (or create once) everything the provider must keep across restarts.

    A `pool_id`/`client_id` in the config wins over the stored ones. Note that SRP verifiers
    depend on the pool id, so overriding it for an existing data dir invalidates its passwords.
    """
    alnum = string.ascii_letters + string.digits
    stored_pool = store.setting("pool_id", lambda: config.pool_id or f"{config.region}_{_random_id(9, alnum)}")
    stored_client = store.setting(
        "client_id", lambda: config.client_id or _random_id(26, string.ascii_lowercase + string.digits)
    )
    return ServerKeys(
        pool_id=check_pool_id(config.pool_id or stored_pool),
        client_id=config.client_id or stored_client,
        id_key=_load_signing_key(store.setting("id_token_key", _new_rsa_pem)),
        access_key=_load_signing_key(store.setting("access_token_key", _new_rsa_pem)),
        seal_key=bytes.fromhex(store.setting("seal_key", lambda: secrets.token_hex(32))),
        decoy_key=bytes.fromhex(store.setting("decoy_key", lambda: secrets.token_hex(32))),
        stored_secrets_key=_file_key(store.path.with_name("localcognito.key")),
    )

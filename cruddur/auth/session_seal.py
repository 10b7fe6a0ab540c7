"""A session's Cognito tokens sealed at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
the session handle, which only the browser's HttpOnly cookie holds. The server stores the
handle's SHA-256 to find the row and the sealed tokens; a copy of the database alone yields no
token, and a row moved to another handle or person does not open (both are bound as AAD).
"""

import hashlib
import json
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cruddur.auth.cognito import Tokens

NONCE_BYTES = 12
_TOKENS = b"cruddur session tokens v1"


def new_handle() -> str:
    """256 random bits, URL-safe: unguessable, and new at every sign-in."""
    return secrets.token_urlsafe(32)


def handle_hash(handle: str) -> str:
    """How the server finds a session without keeping what would open it."""
    return hashlib.sha256(handle.encode()).hexdigest()


def seal(secret: str, plain: bytes, *, info: bytes, aad: bytes = b"") -> bytes:
    """nonce ‖ AES-GCM ciphertext of `plain` under a key derived from `secret` for `info`."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad)


def unseal(secret: str, sealed: bytes, *, info: bytes, aad: bytes = b"") -> bytes | None:
    """The plaintext, or None when `sealed` was not made with this secret, info and aad."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode())
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError):
        return None


def seal_tokens(handle: str, tokens: Tokens, bound_to: str) -> bytes:
    """The three tokens sealed with the handle; `bound_to` (the row's identity) is the AAD."""
    plain = json.dumps([tokens.access_token, tokens.id_token, tokens.refresh_token]).encode()
    return seal(handle, plain, info=_TOKENS, aad=bound_to.encode())


def open_tokens(handle: str, sealed: bytes, bound_to: str, expires_in: int) -> Tokens | None:
    """The tokens, or None when the blob was not sealed with this handle for this row."""
    plain = unseal(handle, sealed, info=_TOKENS, aad=bound_to.encode())
    if plain is None:
        return None
    access, id_token, refresh = json.loads(plain)
    return Tokens(access, id_token, refresh, expires_in)

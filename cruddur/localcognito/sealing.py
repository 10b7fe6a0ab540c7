"""Sealed blobs (AES-256-GCM under a persisted server key): the SRP SECRET_BLOCK carries the
challenge state, so any worker that shares the data directory can answer the second step."""

import base64
import binascii
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


def seal(key: bytes, payload: dict, context: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    data = json.dumps(payload, separators=(",", ":")).encode()
    return base64.standard_b64encode(nonce + AESGCM(key).encrypt(nonce, data, context.encode())).decode()


def unseal(key: bytes, blob: str, context: str) -> dict | None:
    """The payload, or None when the blob is malformed, tampered with or sealed for another context."""
    try:
        raw = base64.standard_b64decode(blob.encode("ascii"))
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        payload = json.loads(plain)
    except (binascii.Error, ValueError, UnicodeEncodeError, InvalidTag):
        return None
    return payload if isinstance(payload, dict) else None

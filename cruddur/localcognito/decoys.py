"""Stand-ins for users the provider must not reveal (prevent user existence errors): an internal
id and SRP values derived from the username under a persisted server key, so they are stable per
username across restarts, different between usernames, and look like a real user's."""

import hashlib
import hmac
import uuid

from . import srp


def _name(username: str) -> bytes:
    return username.strip().lower().encode()


def decoy_sub(decoy_key: bytes, username: str) -> str:
    """A random-looking UUID, like a real user's sub (USER_ID_FOR_SRP, the key of decoy codes)."""
    digest = hmac.new(decoy_key, b"user:" + _name(username), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def decoy_srp(decoy_key: bytes, username: str) -> tuple[str, str, int]:
    """(user id, salt, verifier) for an SRP challenge to an unknown user."""
    name = _name(username)
    salt = hmac.new(decoy_key, b"salt:" + name, hashlib.sha256).hexdigest()[:32]
    stream = b"".join(hmac.new(decoy_key, b"v%d:" % i + name, hashlib.sha512).digest() for i in range(6))
    return decoy_sub(decoy_key, username), salt, int.from_bytes(stream, "big") % srp.N

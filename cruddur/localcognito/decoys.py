"""Stand-ins for users the provider must not reveal (prevent user existence errors): an internal
id and SRP values derived from the username under a persisted server key, so they are stable per
username across restarts, different between usernames, and look like a real user's."""

import base64
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


# Transports real passkeys report: a phone or laptop's own, a synced one, a security key.
_DECOY_TRANSPORTS = (["internal", "hybrid"], ["hybrid", "internal"], ["usb", "nfc"])


def decoy_passkeys(decoy_key: bytes, username: str) -> list[tuple[str, list[str]]]:
    """(credential id, transports) of none to two passkeys, stable per username: a sign-in for an
    unknown user offers WEB_AUTHN, or not, as one for a user with or without passkeys does."""
    name = _name(username)
    count = hmac.new(decoy_key, b"passkeys:" + name, hashlib.sha256).digest()[0] % 3
    passkeys = []
    for i in range(count):
        digest = hmac.new(decoy_key, b"passkey%d:" % i + name, hashlib.sha256).digest()
        credential_id = base64.urlsafe_b64encode(digest[:16] if digest[16] % 2 else digest).rstrip(b"=").decode()
        passkeys.append((credential_id, _DECOY_TRANSPORTS[digest[17] % len(_DECOY_TRANSPORTS)]))
    return passkeys

"""Time-based one-time passwords as Cognito's software tokens use them (RFC 6238 over RFC 4226):
HMAC-SHA1, 30-second steps, 6 digits, a code one step early or late still accepted.

Written out here rather than taken from pyotp: it is a dozen lines, the provider gains no
runtime dependency, and the tests check it against pyotp, an implementation it shares nothing with.
"""

import base64
import hashlib
import hmac
import re
import secrets
import struct

STEP_SECONDS = 30
DIGITS = 6
TOLERANCE = 1  # steps either side of now: clock skew and the time it takes to type
_CODE = re.compile(r"[0-9]{6}")


def new_secret() -> str:
    """160 random bits in base32 (32 characters, no padding), like Cognito's SecretCode."""
    return base64.b32encode(secrets.token_bytes(20)).decode()


def code_at(secret: str, step: int) -> str:
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**DIGITS:0{DIGITS}d}"


def matching_step(secret: str, code: str, now: float, after: int = 0) -> int | None:
    """The time step `code` belongs to, within the tolerance around `now` and later than `after`
    (the step last accepted, so a code is good once), or None."""
    if not _CODE.fullmatch(code):
        return None
    current = int(now // STEP_SECONDS)
    for step in range(current - TOLERANCE, current + TOLERANCE + 1):
        if step > after and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None

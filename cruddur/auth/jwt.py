"""Verify Cognito ID and access tokens (RS256 JWTs) before serving per-user data.

    verifier = CognitoJwtVerifier.for_user_pool("us-east-1", "us-east-1_AbC123", client_id="...")
    verifier.warm()                                   # optional: fetch the keys at start-up
    claims = verifier.verify(token)                   # an access token, or a TokenError
    claims = await verifier.averify(token, token_use="id")   # from async request handlers

Everything is checked, in this order, and every refusal is a `TokenError` subclass naming it:

1. size (16 KB at most, before any decoding) and shape: three strict, canonical base64url parts;
2. header: `alg` exactly "RS256"; only `alg`, `kid`, `typ` ("JWT") allowed, so `crit`, `jku`,
   `x5u`, `jwk`, `x5c` are refused, never followed; `kid` names a key of the pool's JWKS;
3. the RS256 signature (the payload's JSON is not parsed before it holds);
4. claims: `iss`, `token_use`, `client_id` (access) or `aud` (ID), `exp` (required), `nbf` and
   `iat` not in the future, each within `leeway` seconds; required claims present with their types.

Speed: a validated header is remembered by its exact text, so a token costs two SIMD base64
decodes (payload, signature), one RSA operation, one SHA-256 and one JSON parse (orjson). A
verified token is remembered (bounded, found by its signature's tail, matched on its exact text)
until it expires or its key leaves the JWKS; a repeat costs a dict look-up and a JSON parse of its
payload, and still has its `token_use` and expiry checked against the clock. Every call returns
freshly parsed claims, so callers may change them.

No token and no claim value is ever logged or put in an error message; logs name the failure.
"""

from __future__ import annotations

import asyncio
import binascii
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future

import orjson
import pybase64
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding

from .jwks import JwksCache, check_url

__all__ = [
    "MAX_TOKEN_LENGTH",
    "CognitoJwtVerifier",
    "KeysUnavailableError",
    "MissingKeyIdError",
    "TokenAlgorithmError",
    "TokenClaimError",
    "TokenClientError",
    "TokenError",
    "TokenExpiredError",
    "TokenHeaderError",
    "TokenIssuerError",
    "TokenMalformedError",
    "TokenNotYetValidError",
    "TokenSignatureError",
    "TokenTooLargeError",
    "TokenUseError",
    "UnknownKeyError",
    "UnsuitableKeyError",
]

_log = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 16 * 1024
MAX_LEEWAY = 300.0
_SLOT_CHARS = 32  # 192 bits of the signature
ALGORITHM = "RS256"


# -- errors ---------------------------------------------------------------------------------


class TokenError(Exception):
    """The token was refused. `code` names why, for logs and for the friendly-text table."""

    code = "token_invalid"

    def __init__(self, detail: str = ""):
        super().__init__(f"{self.code}: {detail}" if detail else self.code)
        self.detail = detail


class TokenMalformedError(TokenError):
    """Not a compact JWS: wrong shape, not base64url, not JSON, not an object."""

    code = "token_malformed"


class TokenTooLargeError(TokenMalformedError):
    """Longer than MAX_TOKEN_LENGTH; refused before any decoding."""

    code = "token_too_large"


class TokenAlgorithmError(TokenError):
    """`alg` is not exactly RS256 (none, HS256, rs256, ...)."""

    code = "token_algorithm"


class TokenHeaderError(TokenError):
    """The header carries a parameter this verifier will not honour (crit, jku, x5u, jwk, ...)."""

    code = "token_header"


class TokenSignatureError(TokenError):
    """The signature is missing or does not match the header and payload."""

    code = "token_signature"


class TokenClaimError(TokenError):
    """A claim is missing or has the wrong type; also the base of every claim refusal."""

    code = "token_claim"


class TokenExpiredError(TokenClaimError):
    code = "token_expired"


class TokenNotYetValidError(TokenClaimError):
    """`nbf` or `iat` lies in the future (beyond the leeway)."""

    code = "token_not_yet_valid"


class TokenIssuerError(TokenClaimError):
    code = "token_issuer"


class TokenUseError(TokenClaimError):
    """An ID token where an access token is required, or the other way round."""

    code = "token_use"


class TokenClientError(TokenClaimError):
    """Issued to another app client (`client_id` of an access token, `aud` of an ID token)."""

    code = "token_client"


class UnknownKeyError(TokenError):
    """The JWKS, freshly fetched, has no usable key for the token's `kid`."""

    code = "token_key_unknown"


class MissingKeyIdError(UnknownKeyError):
    """The header has no `kid` (or not a string)."""

    code = "token_key_id_missing"


class UnsuitableKeyError(UnknownKeyError):
    """The JWKS entry for the `kid` is not an RS256 signature key (kty/use/alg/size...)."""

    code = "token_key_unsuitable"


class KeysUnavailableError(TokenError):
    """The JWKS could not be fetched (failed, slow, oversized, malformed) when it was needed."""

    code = "keys_unavailable"


class _FetchNeeded(Exception):
    """Internal: the key needs a fetch the caller chose to wait for elsewhere (averify)."""

    def __init__(self, future: Future):
        self.future = future


# -- strict base64url and JSON ----------------------------------------------------------------

_PAD = (b"", b"", b"==", b"=")
# Canonical encoding: the unused low bits of the last character must be zero, so one byte string
# has exactly one spelling (no second token string for the same signature).
_CANONICAL_TAIL = (frozenset(), frozenset(), frozenset(b"AQgw"), frozenset(b"AEIMQUYcgkosw048"))

# pybase64 (SIMD) decodes base64url itself (altchars "-_"), strictly: padding required, anything
# outside the alphabet refused. It still takes '+' and '/' (deprecated), and '=' would pass at a
# segment's end, so `_verify` refuses those three in the whole token first. Together with the
# tail check: one spelling per byte string.
_pybase64_decode = pybase64.b64decode


def _a2b(segment: bytes) -> bytes:
    # Positional on purpose: keyword arguments cost pybase64 ~0.3 us more per call.
    return _pybase64_decode(segment, b"-_", True)  # altchars, validate


def _b64decode(segment: bytes) -> bytes:
    """A base64url segment (unpadded, no '+', '/' or '=' in it) as bytes, or the refusal."""
    rest = len(segment) & 3
    if rest:
        if rest == 1 or segment[-1] not in _CANONICAL_TAIL[rest]:
            raise TokenMalformedError("base64url")
        segment += _PAD[rest]
    try:
        return _a2b(segment)
    except binascii.Error:
        raise TokenMalformedError("base64url") from None


def _refuse_constant(name: str):
    raise ValueError("non-finite number")


def _unique_object(pairs: list) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise ValueError("duplicate member")
    return obj


# Headers (parsed once per distinct header text) refuse duplicate members too.
_HEADER_DECODER = json.JSONDecoder(object_pairs_hook=_unique_object, parse_constant=_refuse_constant)


def _parse_header_json(raw: bytes) -> dict:
    try:
        obj = _HEADER_DECODER.decode(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise TokenMalformedError("json") from None
    if type(obj) is not dict:
        raise TokenMalformedError("not a JSON object")
    return obj


# orjson parses a payload in well under the stdlib's time (and pydantic-core's, whose keyword
# arguments alone cost): strict RFC 8259 (no NaN/Infinity, no number overflowing to inf), strict
# UTF-8 (no lone surrogates), nesting capped at 1024. Only keys (<= 64 bytes) are cached, so no
# claim value lingers there. An integer beyond 64 bits comes back as a float, so such an
# exp/iat/nbf is refused as mistyped rather than trusted.
_payload_json = orjson.loads


def _parse_payload(raw: bytes) -> dict:
    """The claims of a payload whose signature already holds."""
    try:
        obj = _payload_json(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise TokenMalformedError("json") from None
    if type(obj) is not dict:
        raise TokenMalformedError("not a JSON object")
    return obj


_ALLOWED_HEADER = frozenset({"alg", "kid", "typ"})


def _parse_header(segment: bytes) -> str:
    """The `kid` of a header segment that is fit to verify, or the precise refusal."""
    header = _parse_header_json(_b64decode(segment))
    alg = header.get("alg")
    if type(alg) is not str or alg != ALGORITHM:
        raise TokenAlgorithmError("only RS256 is accepted")
    for name in header:
        if name not in _ALLOWED_HEADER:
            # crit, jku, x5u, jwk, x5c, ... : never followed, never ignored.
            raise TokenHeaderError("header parameter not accepted")
    typ = header.get("typ")
    if typ is not None and (type(typ) is not str or typ.upper() != "JWT"):
        raise TokenHeaderError("typ")
    kid = header.get("kid")
    if type(kid) is not str or not kid or len(kid) > 256:
        raise MissingKeyIdError()
    return kid


# -- claims ------------------------------------------------------------------------------------

# What each claim must be when present (and which must be present), for the precise refusal.
_EXPECTED_TYPE = {
    "iss": str, "token_use": str, "exp": int, "iat": int, "nbf": int, "auth_time": int, "sub": str,
    "jti": str, "origin_jti": str, "event_id": str, "client_id": str, "username": str, "scope": str,
    "aud": str, "cognito:username": str, "email_verified": bool, "email": str, "name": str,
    "preferred_username": str,
}  # fmt: skip
_REQUIRED = frozenset({"iss", "token_use", "exp", "iat", "sub", "client_id", "username", "aud", "cognito:username"})
_ABSENT = object()
_COMMON_CLAIMS = ("exp", "iat", "nbf", "auth_time", "sub", "jti", "origin_jti", "event_id")
_ACCESS_CLAIMS = ("client_id", "username", "scope")
_ID_CLAIMS = ("aud", "cognito:username", "email_verified", "email", "name", "preferred_username")


def _claim_error(claims: dict, *names: str) -> TokenClaimError | None:
    """The refusal for the first of `names` that is missing (when required) or mistyped."""
    for name in names:
        if name not in claims:
            if name in _REQUIRED:
                return TokenClaimError(f"{name} missing")
            continue
        if type(claims[name]) is not _EXPECTED_TYPE[name]:
            return TokenClaimError(f"{name} of the wrong type")
    return None


def _check_groups(groups: object) -> None:
    if type(groups) is not list or any(type(g) is not str for g in groups):
        raise TokenClaimError("cognito:groups not a list of strings")


# -- the verifier --------------------------------------------------------------------------------

# RSASSA-PKCS1-v1_5 verification as RFC 8017 8.2.2 spells it: recover the encoded message with the
# public key (cryptography checks the 00 01 FF..FF 00 padding; the length we check ourselves), then
# compare it, in constant time, with the DigestInfo of the SHA-256 we compute. Same primitive,
# same verdict as `key.verify(..., PKCS1v15(), SHA256())`, ~1.3 us cheaper per token (no hash
# context inside cryptography, no DigestInfo parse; measured in bench/bench_jwt.py).
_PKCS1 = padding.PKCS1v15()
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
_sha256 = hashlib.sha256
_same = hmac.compare_digest
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_POOL_ID = re.compile(r"[\w-]+_[0-9A-Za-z]+")


class CognitoJwtVerifier:
    """Verifies tokens of one user pool (`issuer`) for one app client (or a few).

    `client_id` must be given: a string, several strings, or None to accept any client of the
    pool on purpose. `token_use` is chosen per call ("access" by default, or "id").
    """

    def __init__(
        self,
        issuer: str,
        client_id: str | Iterable[str] | None,
        jwks_url: str | None = None,
        *,
        leeway: float = 5.0,
        clock: Callable[[], float] = time.time,
        jwks_cache: JwksCache | None = None,
        jwks_timeout: float = 2.0,
        jwks_cooldown: float = 10.0,
        max_cached_tokens: int = 4096,
    ):
        check_url(issuer, "issuer")
        if issuer.endswith("/"):
            raise ValueError("issuer must not end with '/' (Cognito issuers never do)")
        self.issuer = issuer
        if isinstance(client_id, str):
            client_ids: frozenset[str] | None = frozenset({client_id})
        elif client_id is None:
            client_ids = None
        else:
            client_ids = frozenset(client_id)
            if not client_ids or not all(isinstance(c, str) for c in client_ids):
                raise ValueError("client_id must be a string, strings, or None on purpose")
        if client_ids is not None and not all(client_ids):
            raise ValueError("client_id must not be empty")
        self.client_ids = client_ids
        if not 0 <= leeway <= MAX_LEEWAY:
            raise ValueError(f"leeway must be within [0, {MAX_LEEWAY}] seconds")
        self.leeway = leeway
        self._clock = clock
        if jwks_cache is None:
            jwks_cache = JwksCache(
                jwks_url or issuer + "/.well-known/jwks.json", timeout=jwks_timeout, cooldown=jwks_cooldown
            )
        elif jwks_url is not None and jwks_url != jwks_cache.url:
            raise ValueError("jwks_url and jwks_cache.url disagree")
        self.jwks = jwks_cache
        if max_cached_tokens < 0:
            raise ValueError("max_cached_tokens must not be negative")
        self.max_cached_tokens = max_cached_tokens
        # signature tail -> (token, payload JSON, token_use, valid_from, valid_until, kid, key)
        self._verified: dict[str, tuple] = {}
        self._next_sweep = 0.0
        # signature tail -> (token, kid, key) of tokens whose signature that key refused, so a
        # forged or corrupted token sent again costs a look-up, not an RSA operation.
        self._refused: dict[str, tuple] = {}
        # exact header segment (bytes) -> kid; only headers that led to a good token.
        self._headers: dict[bytes, str] = {}

    @classmethod
    def for_user_pool(
        cls, region: str, user_pool_id: str, client_id: str | Iterable[str] | None, **options
    ) -> CognitoJwtVerifier:
        """A verifier for an AWS user pool: issuer https://cognito-idp.<region>.amazonaws.com/<pool>."""
        if not isinstance(region, str) or not _REGION.fullmatch(region):
            raise ValueError(f"not an AWS region: {region!r}")
        if not isinstance(user_pool_id, str) or not _POOL_ID.fullmatch(user_pool_id):
            raise ValueError(f"not a user pool id: {user_pool_id!r}")
        if user_pool_id.split("_", 1)[0] != region:
            raise ValueError("the user pool id belongs to another region")
        return cls(f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}", client_id, **options)

    # -- public API ----------------------------------------------------------------------------

    def verify(self, token: str, token_use: str = "access") -> dict:
        """The token's claims if it is a valid `token_use` token of this pool and client.

        May block (at most the JWKS timeout, 2 s) when the token's key is not cached yet.
        """
        try:
            return self._verify(token, token_use, True)
        except TokenError as err:
            _log.debug("token refused: %s", err.code)
            raise

    async def averify(self, token: str, token_use: str = "access") -> dict:
        """`verify` for async code: inline when the key is cached, else the JWKS fetch runs in
        a thread (shared with every concurrent caller) while the event loop keeps going."""
        try:
            try:
                return self._verify(token, token_use, False)
            except _FetchNeeded as need:
                outcome = await self._await_fetch(need.future)
                return self._verify(token, token_use, None, outcome)
        except TokenError as err:
            _log.debug("token refused: %s", err.code)
            raise

    def warm(self) -> None:
        """Fetch the JWKS now (e.g. at start-up); KeysUnavailableError if that fails."""
        outcome = self.jwks.refresh(force=True)
        if outcome is not None:
            raise KeysUnavailableError(outcome)

    async def awarm(self) -> None:
        future = self.jwks.request_fetch(force=True)
        outcome = await self._await_fetch(future)
        if outcome is not None:
            raise KeysUnavailableError(outcome)

    def forget_verified_tokens(self) -> None:
        """Empty the verified-token cache and the remembered refusals (benchmarks, tests, or after
        revoking a session)."""
        self._verified.clear()
        self._refused.clear()

    # -- the check -----------------------------------------------------------------------------

    def _verify(self, token, token_use, fetch_mode, fetch_outcome=None):
        # fetch_mode: True = may fetch and wait here; False = raise _FetchNeeded instead of
        # waiting; None = a fetch was just awaited (its outcome given), decide without another.
        if type(token) is not str:
            raise TokenMalformedError("not a string")
        if len(token) > MAX_TOKEN_LENGTH:
            raise TokenTooLargeError()
        if token_use not in ("access", "id"):
            raise ValueError('token_use must be "access" or "id"')
        now = self._clock()

        # The verified-token cache is indexed by the signature's last characters (hashing 32
        # characters, not the whole token) and a hit counts only if the whole token is equal.
        slot = token[-_SLOT_CHARS:]
        hit = self._verified.get(slot)
        if hit is not None and hit[0] == token:
            _, payload, use, valid_from, valid_until, kid, key = hit
            if use != token_use:
                raise TokenUseError()
            if now >= valid_until:
                self._verified.pop(slot, None)
                raise TokenExpiredError()
            if now < valid_from:
                raise TokenNotYetValidError()
            if self.jwks.keys.get(kid) is key:
                return _payload_json(payload)
            self._verified.pop(slot, None)  # its key left the JWKS: judge it afresh
        miss = self._refused.get(slot)
        if miss is not None and miss[0] == token and self.jwks.keys.get(miss[1]) is miss[2]:
            raise TokenSignatureError()

        # 1. shape: ASCII, three base64url parts. '+', '/' and '=' are refused here so the
        # decoder only ever sees base64url (see _b64decode). Searched in the str: `x in bytes`
        # with a bytes needle first tries it as an int and pays for a TypeError, every time.
        try:
            raw = token.encode("ascii")
        except UnicodeEncodeError:
            raise TokenMalformedError("not ASCII") from None
        if "=" in token or "+" in token or "/" in token:
            raise TokenMalformedError("base64url")
        parts = raw.split(b".")
        if len(parts) != 3:
            raise TokenMalformedError("not three parts")
        head, body, sig = parts

        # 2. header (validated once per distinct header text) and its key.
        kid = self._headers.get(head)
        new_header = kid is None
        if new_header:
            kid = _parse_header(head)
        key = self.jwks.keys.get(kid)
        if key is None:
            key = self._key_after_fetch(kid, fetch_mode, fetch_outcome)

        # 3. signature, before the payload's JSON is even looked at.
        if not sig:
            raise TokenSignatureError("missing")
        payload = _b64decode(body)
        signature = _b64decode(sig)
        # RFC 8017 8.2.2 step 1: exactly k bytes. OpenSSL's recovery takes a shorter string as the
        # same integer, which would give one signature several spellings (~40 ns: a property read).
        if len(signature) != (key.key_size + 7) >> 3:
            raise TokenSignatureError("length")
        try:
            encoded = key.recover_data_from_signature(signature, _PKCS1, None)
        except InvalidSignature:
            encoded = b""
        digest = _sha256(raw[: len(head) + len(body) + 1]).digest()
        if not _same(encoded, _SHA256_DIGEST_INFO + digest):
            self._remember_refusal(slot, (token, kid, key))
            raise TokenSignatureError()

        # 4. claims.
        claims = _parse_payload(payload)
        # Straight-line on purpose: each check is a dict look-up and an identity test, and a
        # required claim that is missing fails its type test (None is not str/int).
        get = claims.get
        if get("iss") != self.issuer:
            raise _claim_error(claims, "iss") or TokenIssuerError()
        if get("token_use") != token_use:
            raise _claim_error(claims, "token_use") or TokenUseError()
        exp = get("exp")
        iat = get("iat")
        nbf = get("nbf", _ABSENT)
        if (
            type(exp) is not int
            or type(iat) is not int
            or (nbf is not _ABSENT and type(nbf) is not int)
            or type(get("auth_time", 0)) is not int
            or type(get("sub")) is not str
            or type(get("jti", "")) is not str
            or type(get("origin_jti", "")) is not str
            or type(get("event_id", "")) is not str
        ):
            raise _claim_error(claims, *_COMMON_CLAIMS) or TokenClaimError("claims of the wrong type")
        if token_use == "access":
            client = get("client_id")
            if type(client) is not str or type(get("username")) is not str or type(get("scope", "")) is not str:
                raise _claim_error(claims, *_ACCESS_CLAIMS) or TokenClaimError("claims of the wrong type")
        else:
            client = get("aud")
            if (
                type(client) is not str
                or type(get("cognito:username")) is not str
                or type(get("email_verified", False)) is not bool
                or type(get("email", "")) is not str
                or type(get("name", "")) is not str
                or type(get("preferred_username", "")) is not str
            ):
                raise _claim_error(claims, *_ID_CLAIMS) or TokenClaimError("claims of the wrong type")
        if "cognito:groups" in claims:
            _check_groups(claims["cognito:groups"])
        if self.client_ids is not None and client not in self.client_ids:
            raise TokenClientError()
        leeway = self.leeway
        valid_until = exp + leeway
        if now >= valid_until:
            raise TokenExpiredError()
        valid_from = iat - leeway
        if nbf is not _ABSENT and nbf - leeway > valid_from:
            valid_from = nbf - leeway
        if now < valid_from:
            raise TokenNotYetValidError()

        # Remember the header (it led to a good token) and the token itself.
        if new_header:
            if len(self._headers) >= 64:
                self._headers.clear()
            self._headers[head] = kid
        if self.max_cached_tokens:
            entry = (token, payload, token_use, valid_from, valid_until, kid, key)
            if len(self._verified) < self.max_cached_tokens:
                self._verified[slot] = entry
            else:
                self._remember(slot, entry, now)
        return claims

    def _remember_refusal(self, slot: str, entry: tuple) -> None:
        if not self.max_cached_tokens:
            return
        refused = self._refused
        while len(refused) >= self.max_cached_tokens:  # the oldest go first
            try:
                refused.pop(next(iter(refused)), None)
            except (StopIteration, RuntimeError):
                break
        refused[slot] = entry

    def _remember(self, slot: str, entry: tuple, now: float) -> None:
        cache = self._verified
        if len(cache) >= self.max_cached_tokens:
            if now >= self._next_sweep:  # drop the expired first, at most once a second
                self._next_sweep = now + 1.0
                for old in [t for t, e in list(cache.items()) if now >= e[4]]:
                    cache.pop(old, None)
            while len(cache) >= self.max_cached_tokens:  # then the oldest
                try:
                    cache.pop(next(iter(cache)), None)
                except (StopIteration, RuntimeError):
                    break
        cache[slot] = entry

    # -- keys --------------------------------------------------------------------------------

    def _key_after_fetch(self, kid: str, fetch_mode, fetch_outcome):
        jwks = self.jwks
        if fetch_mode is not None:
            future = jwks.request_fetch()
            if future is None:  # inside the cool-down: judge with what the last fetch said
                fetch_outcome = jwks.last_failure
            elif fetch_mode is False:
                raise _FetchNeeded(future)
            else:
                fetch_outcome = jwks.wait(future)
        key = jwks.keys.get(kid)
        if key is not None:
            return key
        if kid in jwks.unsuitable:
            raise UnsuitableKeyError(jwks.unsuitable[kid])
        if fetch_outcome is not None:
            raise KeysUnavailableError(fetch_outcome)
        raise UnknownKeyError()

    async def _await_fetch(self, future: Future | None) -> str | None:
        if future is None:
            return "cooldown"
        remaining = future.deadline - time.monotonic()  # type: ignore[attr-defined]
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(future)), max(remaining, 0.0))
        except TimeoutError:
            return "timeout"

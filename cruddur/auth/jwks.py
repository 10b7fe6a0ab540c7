"""A user pool's signing keys (JWKS): fetched on need, parsed once, cached per `kid`.

`JwksCache` holds ready `RSAPublicKey` objects keyed by `kid`, so verifying a token costs one
dict look-up for its key. The network is touched only when a key is missing:

- one fetch at a time: callers that need keys while a fetch runs wait for that same fetch
  (single flight); the fetch itself runs in its own short-lived thread, so an async caller can
  await it without blocking the event loop and a sync caller can wait with a deadline;
- at most one fetch per `cooldown` seconds (a token with an unknown `kid` cannot make us hammer
  the pool's endpoint), `force=True` aside (start-up warming);
- a fetch that fails, is slow (`timeout`, at most 2 s, from start to parsed body), is too big
  (`max_bytes`, 64 KB) or is not a JWKS changes nothing: the keys already cached keep serving;
- a good fetch replaces the whole key set: a key the pool stopped publishing is dropped (rotation),
  and a key published unchanged keeps its object, so whatever was verified with it stays valid.

JWK entries that do not fit an RS256 signing key (`kty` other than RSA, `use` other than sig,
`alg` other than RS256, `key_ops` without verify, private members, a modulus under 2048 bits)
are not cached; the reason is kept by `kid` so a token naming one gets a precise refusal.

Nothing here knows about tokens: `cruddur.auth.jwt` turns the outcomes into `TokenError`s.
"""

from __future__ import annotations

import binascii
import json
import logging
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

_log = logging.getLogger(__name__)

MAX_TIMEOUT = 2.0
MAX_JWKS_BYTES = 64 * 1024
MAX_KEYS = 100
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 8192
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# A fetcher gets (url, timeout_seconds, max_bytes, deadline_on_the_monotonic_clock) and returns
# the body, or raises JwksFetchError. Tests and other transports can plug their own.
Fetcher = Callable[[str, float, int, float], bytes]


class JwksFetchError(Exception):
    """A fetch gave no usable key set. `reason` is a short code, safe to log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_url(url: str, what: str) -> str:
    """Refuse anything but https, or plain http to this machine (the embedded local pool)."""
    if not isinstance(url, str):
        raise TypeError(f"{what} must be a string")
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return url
    raise ValueError(f"{what} must be an https URL (plain http only to a loopback host): {url!r}")


def _b64url_uint(value: object) -> int:
    if not isinstance(value, str) or not value or len(value) > 2048:
        raise ValueError("not a base64url integer")
    if any(c in value for c in "+/= \t\r\n"):
        raise ValueError("not base64url")
    raw = binascii.a2b_base64(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4), strict_mode=True)
    return int.from_bytes(raw, "big")


def parse_jwk(jwk: dict) -> tuple[int, int]:
    """The (n, e) of an RS256 signature-verification JWK, or ValueError naming what does not fit."""
    if jwk.get("kty") != "RSA":
        raise ValueError("jwk_kty")
    if "use" in jwk and jwk["use"] != "sig":
        raise ValueError("jwk_use")
    if "alg" in jwk and jwk["alg"] != "RS256":
        raise ValueError("jwk_alg")
    if "key_ops" in jwk and (not isinstance(jwk["key_ops"], list) or "verify" not in jwk["key_ops"]):
        raise ValueError("jwk_key_ops")
    if any(member in jwk for member in ("d", "p", "q", "dp", "dq", "qi", "oth")):
        raise ValueError("jwk_private")
    try:
        n, e = _b64url_uint(jwk.get("n")), _b64url_uint(jwk.get("e"))
    except (ValueError, binascii.Error):
        raise ValueError("jwk_numbers") from None
    if not MIN_RSA_BITS <= n.bit_length() <= MAX_RSA_BITS:
        raise ValueError("jwk_size")
    if e < 3 or e % 2 == 0 or e.bit_length() > 32:
        raise ValueError("jwk_exponent")
    return n, e


def parse_jwks(body: bytes, previous: dict[str, tuple[int, int, RSAPublicKey]] | None = None):
    """(usable keys as kid -> (n, e, key), unsuitable kids as kid -> reason) from a JWKS document.

    Raises JwksFetchError when the document itself is not a JWKS. A key identical to one in
    `previous` keeps its object.
    """
    try:
        doc = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise JwksFetchError("jwks_not_json") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("keys"), list):
        raise JwksFetchError("jwks_without_keys")
    if len(doc["keys"]) > MAX_KEYS:
        raise JwksFetchError("jwks_too_many_keys")
    previous = previous or {}
    usable: dict[str, tuple[int, int, RSAPublicKey]] = {}
    unsuitable: dict[str, str] = {}
    for jwk in doc["keys"]:
        kid = jwk.get("kid") if isinstance(jwk, dict) else None
        if not isinstance(kid, str) or not kid:
            continue  # nothing could ever name it
        if kid in usable or kid in unsuitable:
            usable.pop(kid, None)  # two keys under one kid: trust neither
            unsuitable[kid] = "jwk_duplicate_kid"
            continue
        try:
            n, e = parse_jwk(jwk)
            old = previous.get(kid)
            key = old[2] if old is not None and old[:2] == (n, e) else RSAPublicNumbers(e, n).public_key()
        except ValueError as err:
            unsuitable[kid] = str(err) if str(err).startswith("jwk_") else "jwk_numbers"
            continue
        usable[kid] = (n, e, key)
    return usable, unsuitable


def _refuse_constant(name: str):
    raise ValueError("non-finite number")


_ssl_context = None


def _tls() -> ssl.SSLContext:
    global _ssl_context
    if _ssl_context is None:  # built once: loading the CA bundle costs more than a fetch
        _ssl_context = httpx.create_ssl_context()
    return _ssl_context


def http_fetch(url: str, timeout: float, max_bytes: int, deadline: float) -> bytes:
    """GET `url`: 200 only, no redirects, no compression, at most `max_bytes`, done by `deadline`."""
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, verify=_tls()) as client,
            client.stream("GET", url, headers={"Accept": "application/json", "Accept-Encoding": "identity"}) as resp,
        ):
            if resp.status_code != 200:
                raise JwksFetchError(f"http_{resp.status_code}")
            if resp.headers.get("content-encoding", "identity").lower() != "identity":
                raise JwksFetchError("jwks_encoded")
            length = resp.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > max_bytes):
                raise JwksFetchError("jwks_too_large")
            body = bytearray()
            for chunk in resp.iter_raw():
                body += chunk
                if len(body) > max_bytes:
                    raise JwksFetchError("jwks_too_large")
                if time.monotonic() > deadline:
                    raise JwksFetchError("timeout")
            return bytes(body)
    except httpx.TimeoutException:
        raise JwksFetchError("timeout") from None
    except httpx.HTTPError as err:
        raise JwksFetchError(f"network_{type(err).__name__}") from None


class JwksCache:
    """The key set of one JWKS URL. Safe to share between threads and verifiers."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = MAX_TIMEOUT,
        max_bytes: int = MAX_JWKS_BYTES,
        cooldown: float = 10.0,
        fetcher: Fetcher | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.url = check_url(url, "jwks_url")
        if not 0 < timeout <= MAX_TIMEOUT:
            raise ValueError(f"timeout must be in (0, {MAX_TIMEOUT}] seconds")
        if not 0 < max_bytes <= MAX_JWKS_BYTES:
            raise ValueError(f"max_bytes must be in (0, {MAX_JWKS_BYTES}]")
        if cooldown < 0:
            raise ValueError("cooldown must not be negative")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.cooldown = cooldown
        self._fetcher = fetcher or http_fetch
        self._monotonic = monotonic
        # Read without a lock on the hot path: both are replaced whole, never mutated in place.
        self.keys: dict[str, RSAPublicKey] = {}
        self.unsuitable: dict[str, str] = {}
        self._entries: dict[str, tuple[int, int, RSAPublicKey]] = {}
        self._lock = threading.Lock()
        self._inflight: Future | None = None
        self._last_attempt: float | None = None
        # None after a good fetch, a reason code after a failed one, "never_fetched" before any.
        self.last_failure: str | None = "never_fetched"
        self.fetch_count = 0

    # -- asking for a fetch ---------------------------------------------------------------

    def request_fetch(self, force: bool = False) -> Future | None:
        """The fetch to wait for: the one running, a new one, or None inside the cool-down.

        The future's result is None on success or the failure's reason code; it never raises.
        Its `deadline` attribute (time.monotonic) is when waiting for it stops making sense.
        The cool-down runs on the injectable `monotonic` clock, so tests can skip through it.
        """
        with self._lock:
            running = self._inflight
            if running is not None and not running.done():
                return running
            now = self._monotonic()
            if not force and self._last_attempt is not None and now - self._last_attempt < self.cooldown:
                return None
            self._last_attempt = now
            future: Future = Future()
            future.deadline = time.monotonic() + self.timeout  # type: ignore[attr-defined]
            self._inflight = future
            self.fetch_count += 1
        threading.Thread(target=self._fetch, args=(future,), name="jwks-fetch", daemon=True).start()
        return future

    def wait(self, future: Future) -> str | None:
        """Block until `future` settles or its deadline passes: None on success, else a reason."""
        remaining = future.deadline - time.monotonic()  # type: ignore[attr-defined]
        try:
            return future.result(timeout=max(remaining, 0.0))
        except FutureTimeout:
            return "timeout"

    def refresh(self, force: bool = True) -> str | None:
        """Fetch now (sharing a running fetch) and wait: None on success, else a reason code."""
        future = self.request_fetch(force=force)
        if future is None:
            return "cooldown"
        return self.wait(future)

    # -- the fetch itself (its own thread) -------------------------------------------------

    def _fetch(self, future: Future) -> None:
        deadline = future.deadline  # type: ignore[attr-defined]
        outcome: str | None
        try:
            body = self._fetcher(self.url, self.timeout, self.max_bytes, deadline)
            if len(body) > self.max_bytes:
                raise JwksFetchError("jwks_too_large")
            if time.monotonic() > deadline:
                raise JwksFetchError("timeout")
            entries, unsuitable = parse_jwks(body, self._entries)
            self._entries = entries
            self.unsuitable = unsuitable
            self.keys = {kid: entry[2] for kid, entry in entries.items()}
            outcome = None
            _log.info("JWKS fetched: %d usable keys, %d refused", len(entries), len(unsuitable))
        except JwksFetchError as err:
            outcome = err.reason
        except Exception as err:  # noqa: BLE001 (a fetcher's bug must not leave waiters hanging)
            # Named, not logged with its traceback: no record of ours carries one (test_jwt_logging).
            outcome = f"error_{type(err).__name__}"
        if outcome is not None:
            _log.warning("JWKS fetch failed (%s); keeping %d cached keys", outcome, len(self.keys))
        self.last_failure = outcome
        future.set_result(outcome)

"""A brake on guessing: how many sign-in, code and reset attempts an account and a client address
may make per window, before the identity provider's own lock-out.

Fixed windows counted per (action, account) and per (action, address): in this process's memory,
or in Redis when REDIS_URL is set so every worker counts together. Accounts are counted by a
hash of the normalised e-mail, so neither store holds an address book. `attempt` answers 0 to go
ahead, or the whole seconds to wait. It blocks (Redis): call it from a worker thread.

Per account the limits sit under the provider's (codes: 5 an hour at Cognito), so an unknown
e-mail and a real one are braked alike and the provider's own answer never tells them apart.
"""

import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis


@dataclass(frozen=True)
class Limit:
    attempts: int
    window_seconds: int


# Per account. "send_code" is every e-mail the app asks Cognito to send (resend, reset).
PER_ACCOUNT = {
    "sign_in": Limit(10, 600),
    "confirm": Limit(10, 600),
    "send_code": Limit(4, 3600),
    "reset": Limit(10, 600),
}
ADDRESS_WINDOW_SECONDS = 600


class Counter(Protocol):
    def increment(self, key: str, ttl_seconds: int) -> int:
        """Adds one to `key` (created to live `ttl_seconds`) and returns its count."""
        ...


class RateLimiter:
    """Counts attempts in a store (`MemoryCounter` or `RedisCounter`)."""

    def __init__(self, counter: Counter, per_address: int, clock: Callable[[], float] = time.time):
        self.counter = counter
        self.per_address = Limit(per_address, ADDRESS_WINDOW_SECONDS)
        self.clock = clock

    def attempt(self, action: str, *, account: str, address: str) -> int:
        """Counts one attempt; 0 when it may go ahead, else the seconds until it may."""
        now = self.clock()
        account_key = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]
        waits = [
            self._count(f"{action}:account:{account_key}", PER_ACCOUNT[action], now),
            self._count(f"{action}:address:{address or 'unknown'}", self.per_address, now),
        ]
        return max(waits)

    def _count(self, key: str, limit: Limit, now: float) -> int:
        window = int(now // limit.window_seconds)
        count = self.counter.increment(f"cruddur:rate:{key}:{window}", limit.window_seconds)
        if count <= limit.attempts:
            return 0
        return max(1, math.ceil((window + 1) * limit.window_seconds - now))


class MemoryCounter:
    """One process's counts. Old windows are dropped as new ones start."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self._counts: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._next_sweep = 0.0

    def increment(self, key: str, ttl_seconds: int) -> int:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._next_sweep = now + 60
            count, expires = self._counts.get(key, (0, now + ttl_seconds))
            self._counts[key] = (count + 1, expires)
            return count + 1


class RedisCounter:
    """Counts shared by every worker: INCR, and the key's expiry set with the first count."""

    def __init__(self, url: str):
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def increment(self, key: str, ttl_seconds: int) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl_seconds, nx=True)
        count, _ = pipe.execute()
        return int(count)

    def close(self) -> None:
        self._redis.close()

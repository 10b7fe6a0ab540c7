"""Request-rate quotas as Cognito enforces them: every operation belongs to a category
(UserAuthentication, UserCreation, ...) with a quota in requests per second, and a request beyond
it is refused at once with TooManyRequestsException (HTTP 400) — never queued, slowed or 5xx.

One token bucket per category, over the provider's clock, holding one second's worth of
requests. Buckets live in the process: several processes on one data dir each have their own.
"""

import threading
from collections.abc import Callable, Mapping

from .errors import CognitoError

# AWS's default quotas (requests per second) for the categories of the operations served here.
DEFAULT_REQUEST_RATES: dict[str, float] = {
    "UserAuthentication": 120,
    "UserCreation": 50,
    "UserAccountRecovery": 30,
    "UserRead": 120,
    "UserUpdate": 25,
    "UserToken": 120,
    "UserPoolRead": 15,
    "UserPoolUpdate": 15,
    # Federation's categories (quotas as recalled from AWS's table, not checked).
    "UserPoolClientRead": 15,
    "IdentityProviderRead": 20,
    "IdentityProviderUpdate": 15,
    "UserFederation": 25,
}
# AWS's special handling: RespondToAuthChallenge has an allowance of its own, three times the
# UserAuthentication quota, so multi-step sign-ins fit; answers beyond it count as UserAuthentication.
CHALLENGE_ANSWER = "RespondToAuthChallenge"
CHALLENGE_ALLOWANCE = 3


def check_rates(rates: Mapping[str, float]) -> None:
    if not isinstance(rates, Mapping):
        raise TypeError(f"request rates are a map of category to requests per second, not {rates!r}")
    unknown = set(rates) - set(DEFAULT_REQUEST_RATES)
    if unknown:
        raise ValueError(f"unknown request-rate categories: {', '.join(sorted(unknown))}")
    for category, rate in rates.items():
        if not isinstance(rate, int | float) or rate <= 0:
            raise ValueError(f"the {category} rate must be a positive number of requests per second, not {rate!r}")


def too_many_requests() -> CognitoError:
    return CognitoError("TooManyRequestsException", "Too many requests")


class _Bucket:
    def __init__(self, rate: float, now: float):
        self.rate = rate
        self.capacity = max(float(rate), 1.0)
        self.tokens = self.capacity
        self.updated = now

    def take(self, now: float) -> bool:
        # max(0, ...): a clock set back (tests rewind theirs) refills nothing rather than draining.
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class Throttle:
    def __init__(self, rates: Mapping[str, float], clock: Callable[[], float]):
        rates = {**DEFAULT_REQUEST_RATES, **rates}  # categories left out keep AWS's quota
        now = float(clock())
        self._clock = clock
        self._lock = threading.Lock()  # handlers run on many worker threads
        self._buckets = {category: _Bucket(rate, now) for category, rate in rates.items()}
        self._challenge_answers = _Bucket(CHALLENGE_ALLOWANCE * rates["UserAuthentication"], now)

    def admit(self, operation: str, category: str) -> None:
        """Count one request of `operation`, or refuse it when its category is over quota."""
        with self._lock:
            now = float(self._clock())
            if operation == CHALLENGE_ANSWER and self._challenge_answers.take(now):
                return
            if not self._buckets[category].take(now):
                raise too_many_requests()

"""The brake on guessing: per account and per client address, in memory or shared in Redis."""

import secrets

import pytest
import redis

from cruddur.services.rate_limits import PER_ACCOUNT, MemoryCounter, RateLimiter, RedisCounter


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def counter(request):
    if request.param == "memory":
        yield MemoryCounter()
        return
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis on 127.0.0.1:6379 is unreachable: {exc}")
    yield RedisCounter(url)


def limiter(counter, per_address: int = 1000) -> tuple[RateLimiter, Clock]:
    clock = Clock()
    return RateLimiter(counter, per_address, clock=clock), clock


def account() -> str:
    return f"{secrets.token_hex(6)}@example.com"  # Redis is shared between runs: fresh names


def address() -> str:
    return f"192.0.2.{secrets.randbelow(250)}-{secrets.token_hex(3)}"


def test_an_account_gets_its_attempts_then_waits_for_the_window(counter):
    brake, clock = limiter(counter)
    email, client, limit = account(), address(), PER_ACCOUNT["sign_in"]
    attempts = [brake.attempt("sign_in", account=email, address=client) for _ in range(limit.attempts)]
    assert attempts == [0] * limit.attempts
    wait = brake.attempt("sign_in", account=email, address=client)
    assert 0 < wait <= limit.window_seconds
    clock.now += wait
    assert brake.attempt("sign_in", account=email, address=client) == 0


def test_the_account_is_counted_whatever_the_case_and_spaces_of_the_email(counter):
    brake, _ = limiter(counter)
    email = account()
    for n in range(PER_ACCOUNT["send_code"].attempts):
        spelling = email.upper() if n % 2 else f"  {email} "
        assert brake.attempt("send_code", account=spelling, address=address()) == 0
    assert brake.attempt("send_code", account=email, address=address()) > 0


def test_one_address_trying_many_accounts_is_braked_too(counter):
    brake, _ = limiter(counter, per_address=5)
    busy = address()
    assert all(brake.attempt("sign_in", account=account(), address=busy) == 0 for _ in range(5))
    assert brake.attempt("sign_in", account=account(), address=busy) > 0
    assert brake.attempt("sign_in", account=account(), address=address()) == 0


def test_actions_are_counted_apart(counter):
    brake, _ = limiter(counter)
    email = account()
    for _ in range(PER_ACCOUNT["send_code"].attempts + 1):
        brake.attempt("send_code", account=email, address="")
    assert brake.attempt("sign_in", account=email, address="") == 0


def test_two_workers_sharing_redis_count_together():
    url = "redis://127.0.0.1:6379/0"
    first, _ = limiter(RedisCounter(url))
    second, _ = limiter(RedisCounter(url))
    email, limit = account(), PER_ACCOUNT["confirm"]
    for n in range(limit.attempts):
        assert (first if n % 2 else second).attempt("confirm", account=email, address="") == 0
    assert first.attempt("confirm", account=email, address="") > 0

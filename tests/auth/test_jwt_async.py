"""averify: inline when the key is cached; a JWKS fetch runs in a thread, shared, off the loop."""

import asyncio
import time

import pytest

from cruddur.auth.jwt import KeysUnavailableError, TokenExpiredError, TokenUseError, UnknownKeyError

from .conftest import NOW, access_claims, sign_token


def test_averify_returns_the_claims(verifier, mint):
    assert asyncio.run(verifier.averify(mint()))["token_use"] == "access"
    assert asyncio.run(verifier.averify(mint("id"), token_use="id"))["token_use"] == "id"


def test_averify_refuses_like_verify(verifier, mint, clock):
    with pytest.raises(TokenUseError):
        asyncio.run(verifier.averify(mint("id")))
    token = mint()
    clock.now = NOW + 7200
    with pytest.raises(TokenExpiredError):
        asyncio.run(verifier.averify(token))


def test_averify_with_a_cached_key_runs_inline_without_a_thread(verifier, mint, monkeypatch):
    """With the key cached, averify finishes on its first step: it awaits nothing at all (no
    thread, no fetch, not even a turn of the event loop), so it cannot have left the loop."""
    verifier.warm()
    monkeypatch.setattr(
        verifier.jwks, "request_fetch", lambda *a, **k: (_ for _ in ()).throw(AssertionError("fetched"))
    )
    step = verifier.averify(mint())
    try:
        with pytest.raises(StopIteration) as finished:
            step.send(None)  # a coroutine that awaits anything suspends here instead
    finally:
        step.close()
    assert finished.value.value["client_id"]


def test_jwks_fetch_does_not_block_the_event_loop_and_is_shared(verifier, mint, jwks_server):
    jwks_server.delay = 0.4
    tokens = [mint() for _ in range(10)]

    async def main():
        gaps = []
        done = asyncio.Event()

        async def ticker():
            last = time.monotonic()
            while not done.is_set():
                await asyncio.sleep(0.01)
                now = time.monotonic()
                gaps.append(now - last)
                last = now

        tick = asyncio.create_task(ticker())
        started = time.monotonic()
        results = await asyncio.gather(*(verifier.averify(t) for t in tokens))
        elapsed = time.monotonic() - started
        done.set()
        await tick
        return results, gaps, elapsed

    results, gaps, elapsed = asyncio.run(main())
    assert len(results) == 10
    assert elapsed >= 0.35  # the fetch really was slow ...
    assert max(gaps) < 0.2  # ... yet the loop kept ticking
    assert len(gaps) >= 10
    assert jwks_server.hits == 1


def test_averify_slow_jwks_gives_keys_unavailable_without_blocking(make_verifier, mint, jwks_server):
    verifier = make_verifier(jwks_timeout=0.3)
    jwks_server.delay = 5

    async def main():
        started = time.monotonic()
        with pytest.raises(KeysUnavailableError):
            await verifier.averify(mint())
        return time.monotonic() - started

    assert asyncio.run(main()) < 1.0


def test_averify_unknown_kid_after_the_fetch_is_unknown_key(verifier, keys, jwks_server):
    token = sign_token(keys["rotated"], access_claims(jwks_server.issuer))
    with pytest.raises(UnknownKeyError):
        asyncio.run(verifier.averify(token))
    assert jwks_server.hits == 1


def test_awarm_fetches_without_blocking(verifier, jwks_server):
    asyncio.run(verifier.awarm())
    assert jwks_server.hits == 1
    jwks_server.status = 500
    with pytest.raises(KeysUnavailableError):
        asyncio.run(verifier.awarm())

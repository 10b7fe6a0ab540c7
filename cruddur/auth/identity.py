"""The user pool as the app holds it: the pool's settings, one Cognito client, one token verifier
(and with it the JWKS cache), and the threads that blocking identity calls run on.

Built once where the app starts (`cruddur.runtime`) and handed to whatever needs it. Which pool
it is — AWS, or the embedded provider on loopback — is decided before; nothing here knows.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from cruddur.auth.cognito import CognitoClient, PoolConfig
from cruddur.auth.jwt import CognitoJwtVerifier

T = TypeVar("T")

# Each identity call can wait out the boto timeouts (about 17 s) when the provider hangs. On the
# default executor (min(32, cores + 4) threads: 6 on two cores) a handful of sign-ins pressed
# during a hang would hold every thread, and with them every database read (measured: the public
# feed stalled 15 s with 8 sign-ins, tests/resilience). Here they queue among themselves.
IDENTITY_THREADS = 16


class Identity:
    def __init__(self, pool: PoolConfig, *, threads: int = IDENTITY_THREADS):
        self.pool = pool
        self.cognito = CognitoClient(pool)
        self.threads = threads
        self.verifier = CognitoJwtVerifier(issuer=pool.issuer, client_id=pool.client_id)
        self._threads = ThreadPoolExecutor(threads, thread_name_prefix="cruddur-identity")

    async def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """`fn(*args, **kwargs)` (blocking: it may call Cognito) on the identity threads."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)

"""Worker threads for calls that go to the identity provider, apart from the default pool.

Each such call can wait out the boto timeouts (about 17 s) when the provider hangs. On the
default executor (min(32, cores + 4) threads: 6 on two cores) a handful of sign-ins pressed
during a hang would hold every thread, and with them every database read: the public feed
stalled for everyone (measured 15 s with 8 sign-ins, tests/resilience). Here they queue among
themselves, and the default pool stays free for the database.
"""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
IDENTITY_THREADS = 16

_identity = ThreadPoolExecutor(IDENTITY_THREADS, thread_name_prefix="cruddur-identity")


async def run_identity_call(fn: Callable[[], T]) -> T:
    """`fn()` (blocking, it may call Cognito) on the identity threads, awaited off the loop."""
    return await asyncio.get_running_loop().run_in_executor(_identity, fn)

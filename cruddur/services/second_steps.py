"""The second step of a sign-in in progress (a code from an authenticator app, or setting one up),
by websocket connection: in this process's memory only, never at rest, for as long as Cognito's
challenge lives. A connection lives in one worker, so its second step does too."""

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
LIFETIME_SECONDS = 180  # Cognito's challenge sessions last three minutes by default
MAX_PENDING = 10_000


class PendingSteps(Generic[T]):
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._steps: dict[str, tuple[float, T]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def put(self, connection: str, step: T) -> None:
        now = self._clock()
        with self._lock:
            if len(self._steps) >= MAX_PENDING:
                self._steps = {k: v for k, v in self._steps.items() if v[0] > now}
            self._steps[connection] = (now + LIFETIME_SECONDS, step)

    def get(self, connection: str) -> T | None:
        with self._lock:
            expires, step = self._steps.get(connection, (0.0, None))
        return step if expires > self._clock() else None

    def drop(self, connection: str) -> None:
        with self._lock:
            self._steps.pop(connection, None)

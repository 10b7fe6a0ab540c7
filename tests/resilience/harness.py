"""The pieces the resilience tests and `bench/reliability_report.py` share:

- `serve_with_provider`: the production app (tests/support/appserver.serve_app) configured for a
  standalone provider (tests/support/identity_provider.py) as its user pool (COGNITO_* settings),
  which a scenario can freeze (SIGSTOP: "hung") or stop (SIGTERM: "down").
- `Target.browser()`: a browser on the app's own origin, whose tabs speak Reflex's Socket.IO
  protocol (tests/support/socket_tab.py).
- `create_people`: confirmed accounts made straight at the provider (boto3 + mailbox codes).
- `AppLog`: the app's log, to count tracebacks written during a scenario.

Loopback only: every URL here is 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.appserver import ROOT, RunningApp, serve_app
from tests.support.identity_provider import StandaloneProvider
from tests.support.socket_tab import Browser

PASSWORD = "Resil-ience-2026!"


def boto_attempts() -> int:
    """Attempts per Cognito call under the app's BOTO_CONFIG (botocore's `max_attempts` counts
    retries, `total_max_attempts` counts the first try too)."""
    from cruddur.auth.cognito import BOTO_CONFIG

    retries = BOTO_CONFIG.retries or {}
    return retries.get("total_max_attempts") or retries.get("max_attempts", 2) + 1


def hung_call_bound_s() -> float:
    """The longest one call to a provider that accepts but never answers may take: each attempt
    waits out the read timeout; standard-mode back-off sleeps at most 2**n s before retry n."""
    from cruddur.auth.cognito import BOTO_CONFIG

    attempts = boto_attempts()
    return BOTO_CONFIG.read_timeout * attempts + sum(2**n for n in range(attempts - 1)) + 2


def loopback(url: str) -> str:
    return url.replace("://localhost:", "://127.0.0.1:")


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no samples."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


# -- the served app ------------------------------------------------------------------------------


@dataclass
class Target:
    """A served app and the provider it uses as its user pool."""

    app: RunningApp
    provider: StandaloneProvider
    log: AppLog

    @property
    def url(self) -> str:
        return loopback(self.app.url)

    def browser(self) -> Browser:
        """A new browser on a page of the app's own origin (the default ALLOWED_ORIGINS)."""
        return Browser(origin=self.url)


@contextlib.contextmanager
def serve_with_provider(work_dir: Path, loglevel: str | None = None, **extra_env: str) -> Iterator[Target]:
    """A standalone provider, and the production app using it as its configured user pool."""
    provider = StandaloneProvider(work_dir / "cognito", work_dir / "localcognito.log")
    provider.start()
    try:
        # Wide columns: the app's log keeps each traceback line whole, so paths can be counted.
        # Every tab here comes from 127.0.0.1: the per-address limit would count them all as one.
        env = {"COLUMNS": "400", "RATE_LIMIT_PER_ADDRESS": "1000000"} | provider.app_env() | extra_env
        with serve_app(work_dir / "data", loglevel, **env) as app:
            yield Target(app, provider, AppLog(app.log))
    finally:
        provider.stop()


# -- the app's log ------------------------------------------------------------------------------


class AppLog:
    FRAME = re.compile(r'^\s*File "([^"]+)", line \d+', re.M)
    APP_DIR = str(ROOT / "cruddur") + "/"

    def __init__(self, path: Path):
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size

    def since(self, mark: int) -> str:
        with self.path.open(errors="replace") as log:
            log.seek(mark)
            return log.read()

    CHAINED = re.compile(
        r"(?:During handling of the above exception, another exception occurred:|"
        r"The above exception was the direct cause of the following exception:)\s*Traceback \(most recent call last\)"
    )

    def tracebacks(self, mark: int) -> tuple[int, int]:
        """(errors logged with a traceback, those raised in the app's own code) since `mark`.
        A chained exception counts once, with its cause."""
        text = self.CHAINED.sub("(chained)", self.since(mark))
        reports = text.split("Traceback (most recent call last)")[1:]
        return len(reports), sum(1 for report in reports if self._raised_in_app(report))

    def _raised_in_app(self, report: str) -> bool:
        """Raised in (or right under) the app's own code: an app frame among the innermost
        three. An app frame far up the stack is only a middleware the error passed through."""
        return any(path.startswith(self.APP_DIR) for path in self.FRAME.findall(report)[-3:])


# -- accounts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    handle: str
    name: str
    password: str = PASSWORD


def people(prefix: str, count: int) -> list[Person]:
    return [Person(f"{prefix}{i:03d}@example.com", f"{prefix}{i:03d}", f"{prefix.title()} {i}") for i in range(count)]


def create_people(provider: StandaloneProvider, who: list[Person], workers: int = 8) -> None:
    """Signs each person up at the provider and confirms them with the code from its mailbox."""
    client, pool = provider.boto(), provider.info["client_id"]

    def sign_up(p: Person) -> None:
        attributes = {"email": p.email, "name": p.name, "preferred_username": p.handle}
        client.sign_up(
            ClientId=pool,
            Username=p.email,
            Password=p.password,
            UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        )

    with ThreadPoolExecutor(workers) as executor:
        list(executor.map(sign_up, who))
        messages = httpx.get(provider.info["mailbox_url"], timeout=10).json()["messages"]
        codes = {m["to"]: m["code"] for m in reversed(messages) if m["kind"] == "SIGN_UP"}  # newest wins
        list(
            executor.map(
                lambda p: client.confirm_sign_up(ClientId=pool, Username=p.email, ConfirmationCode=codes[p.email]), who
            )
        )

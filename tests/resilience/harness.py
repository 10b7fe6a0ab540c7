"""The pieces the resilience tests and `bench/reliability_report.py` share:

- `StandaloneProvider`: `python -m cruddur.localcognito` in its own process, which a scenario can
  freeze (SIGSTOP: "hung") or stop (SIGTERM: "down") and bring back on the same port and data.
- `serve_with_provider`: the production app (tests/support/appserver.serve_app) configured for
  that provider as its user pool (COGNITO_USER_POOL_ID / _APP_CLIENT_ID / _ENDPOINT_URL).
- `RxClient`: a browserless tab speaking Reflex's Socket.IO event protocol (docs/REFLEX-NOTES.md):
  hydrate on connect, send events by full handler name, merge the deltas it gets back.
- `create_people`: confirmed accounts made straight at the provider (boto3 + mailbox codes).
- `AppLog`: the app's log, to count tracebacks written during a scenario.

Loopback only: every URL here is 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import httpx
import socketio
from botocore import UNSIGNED
from botocore.config import Config

from cruddur.state.auth import AuthState
from cruddur.state.feed import FeedState
from cruddur.state.session import SessionState
from tests.support.appserver import ROOT, RunningApp, free_port, serve_app

ROOT_STATE = "reflex___state____state"
AUTH = AuthState.get_full_name()
FEED = FeedState.get_full_name()
SESSION = SessionState.get_full_name()
HYDRATE = f"{ROOT_STATE}.hydrate_and_load"
ERROR_TOAST = "An error occurred."  # Reflex's answer to an exception raised in a handler
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


# -- the identity provider, in a process of its own -------------------------------------------


class StandaloneProvider:
    """localcognito on a fixed loopback port and data dir; stop/pause/resume/start at will."""

    def __init__(self, data_dir: Path, log_path: Path):
        self.data_dir, self.log_path = data_dir, log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.info: dict = {}
        self.paused = False

    def start(self, timeout: float = 30) -> dict:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("a") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "cruddur.localcognito",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                ],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"localcognito exited: {self.log_path.read_text()[-2000:]}")
            with self.log_path.open() as log:
                log.seek(offset)
                for line in log:
                    if line.startswith("{") and '"endpoint_url"' in line:
                        self.info = json.loads(line)
            if self.info and self._answers():
                self.paused = False
                return self.info
            time.sleep(0.1)
        raise RuntimeError("localcognito did not start in time")

    def _answers(self) -> bool:
        try:
            return httpx.get(self.info["mailbox_url"], timeout=2).is_success
        except httpx.HTTPError:
            return False

    def pause(self) -> None:
        """Frozen: the kernel still accepts connections, nothing ever answers."""
        os.kill(self.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)
        self.paused = False

    def stop(self) -> None:
        """Down: the port refuses connections."""
        if self.process is None or self.process.poll() is not None:
            return
        if self.paused:
            self.resume()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None and not self.paused

    def ensure_running(self) -> None:
        if self.paused:
            self.resume()
        if self.process is None or self.process.poll() is not None:
            self.start()

    def app_env(self) -> dict[str, str]:
        return {
            "COGNITO_USER_POOL_ID": self.info["user_pool_id"],
            "COGNITO_APP_CLIENT_ID": self.info["client_id"],
            "COGNITO_ENDPOINT_URL": self.info["endpoint_url"],
            "COGNITO_REGION": self.info["region"],
        }

    def boto(self):
        return boto3.client(
            "cognito-idp",
            region_name=self.info["region"],
            endpoint_url=self.info["endpoint_url"],
            config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}, connect_timeout=3, read_timeout=10),
        )


@dataclass
class Target:
    """A served app and the provider it uses as its user pool."""

    app: RunningApp
    provider: StandaloneProvider
    log: AppLog

    @property
    def url(self) -> str:
        return loopback(self.app.url)


@contextlib.contextmanager
def serve_with_provider(work_dir: Path) -> Iterator[Target]:
    """A standalone provider, and the production app using it as its configured user pool."""
    provider = StandaloneProvider(work_dir / "cognito", work_dir / "localcognito.log")
    provider.start()
    try:
        # Wide columns: the app's log keeps each traceback line whole, so paths can be counted.
        with serve_app(work_dir / "data", COLUMNS="400", **provider.app_env()) as app:
            port = app.url.rsplit(":", 1)[1]
            yield Target(app, provider, AppLog(app.data_dir.parent / f"reflex-{port}.log"))
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
        """(errors logged with a traceback, those raised in the app's own code) since `mark`. A chained exception counts once, with its cause."""
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


def access_token(provider: StandaloneProvider, person: Person) -> str:
    from pycognito.aws_srp import AWSSRP

    srp = AWSSRP(
        username=person.email,
        password=person.password,
        pool_id=provider.info["user_pool_id"],
        client_id=provider.info["client_id"],
        client=provider.boto(),
    )
    return srp.authenticate_user()["AuthenticationResult"]["AccessToken"]


# -- a browserless tab ----------------------------------------------------------------------------


def router(path: str) -> dict:
    return {"pathname": path.split("?", maxsplit=1)[0], "asPath": path}


@dataclass
class Outcome:
    ok: bool
    seconds: float
    error: str = ""
    field: str = ""


@dataclass
class RxClient:
    """One tab: its Reflex token, the state it has been sent, and what the server asked of it."""

    base: str
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: dict[str, dict] = field(default_factory=dict)
    messages: list[dict] = field(default_factory=list)
    error_toasts: int = 0
    disconnects: int = 0

    def __post_init__(self):
        self.sio = socketio.AsyncClient(reconnection=False)
        self._changed = asyncio.Condition()
        self.sio.on("event", self._on_event, namespace="/_event")
        self.sio.on("disconnect", self._on_disconnect, namespace="/_event")

    async def _on_event(self, message: dict) -> None:
        for name, values in (message.get("delta") or {}).items():
            self.state.setdefault(name, {}).update({k.removesuffix("_rx_state_"): v for k, v in values.items()})
        for event in message.get("events") or []:
            if ERROR_TOAST in json.dumps(event.get("payload", "")):
                self.error_toasts += 1
        async with self._changed:
            self.messages.append(message)
            self._changed.notify_all()

    async def _on_disconnect(self, *_args) -> None:
        self.disconnects += 1

    def var(self, state: str, name: str, default=None):
        return self.state.get(state, {}).get(name, default)

    @property
    def signed_in(self) -> bool:
        return bool(self.var(SESSION, "signed_in"))

    async def connect(self, path: str = "/", timeout: float = 30, storage: dict | None = None) -> float:
        """Connects with the hydrate event (as the browser does); seconds until hydrated."""
        start = time.perf_counter()
        payload = {"vars": storage} if storage else {}
        await self.sio.connect(
            f"{self.base}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            namespaces=["/_event"],
            auth={"event": {"name": HYDRATE, "payload": payload, "router_data": router(path)}},
            wait_timeout=timeout,
        )
        await self.wait(lambda msgs: self.var(ROOT_STATE, "is_hydrated") is True, 0, timeout)
        return time.perf_counter() - start

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.sio.disconnect()

    async def send(self, state: str, handler: str, payload: dict | None = None, path: str = "/") -> int:
        mark = len(self.messages)
        event = {"name": f"{state}.{handler}", "payload": payload or {}, "router_data": router(path)}
        await self.sio.emit("event", event, namespace="/_event")
        return mark

    async def wait(self, done: Callable[[list[dict]], bool], mark: int, timeout: float) -> bool:
        """Until `done(messages since mark)`; False on timeout."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: done(self.messages[mark:])), timeout)
                return True
            except TimeoutError:
                return False

    @staticmethod
    def _delta_has(messages: list[dict], state: str, name: str, value=...) -> bool:
        for message in messages:
            values = (message.get("delta") or {}).get(state, {})
            if name + "_rx_state_" in values and (value is ... or values[name + "_rx_state_"] == value):
                return True
        return False

    async def sign_in(self, email: str, password: str, path: str = "/signin", timeout: float = 60) -> Outcome:
        """Presses "Sign in": signed in, or the form's error (after the handler un-busies it)."""
        start = time.perf_counter()
        mark = await self.send(AUTH, "sign_in", {"form": {"email": email, "password": password}}, path)
        finished = await self.wait(
            lambda m: self._delta_has(m, SESSION, "signed_in", True) or self._delta_has(m, AUTH, "busy", False),
            mark,
            timeout,
        )
        seconds = time.perf_counter() - start
        if not finished:
            return Outcome(False, seconds, "timeout")
        return Outcome(self.signed_in, seconds, self.var(AUTH, "error", ""), self.var(AUTH, "error_field", ""))

    async def load_home(self, timeout: float = 30) -> Outcome:
        start = time.perf_counter()
        mark = await self.send(FEED, "load_home", path="/")
        finished = await self.wait(
            lambda m: self._delta_has(m, FEED, "loaded", True) or self._delta_has(m, FEED, "cruds"), mark, timeout
        )
        seconds = time.perf_counter() - start
        ok = finished and bool(self.var(FEED, "cruds"))
        return Outcome(ok, seconds, "" if finished else "timeout")

    async def post(self, message: str, timeout: float = 30) -> Outcome:
        start = time.perf_counter()
        mark = await self.send(FEED, "set_draft", {"value": message})
        await self.wait(lambda m: self._delta_has(m, FEED, "draft", message), mark, timeout)
        mark = await self.send(FEED, "post")
        finished = await self.wait(
            lambda m: (
                self._delta_has(m, FEED, "posting", False)
                or any((x.get("delta") or {}).get(FEED, {}).get("compose_error_rx_state_") for x in m)
            ),
            mark,
            timeout,
        )
        seconds = time.perf_counter() - start
        cruds = self.var(FEED, "cruds") or []
        ok = finished and bool(cruds) and cruds[0]["message"] == message and not self.var(FEED, "compose_error")
        return Outcome(ok, seconds, self.var(FEED, "compose_error", "") if finished else "timeout")

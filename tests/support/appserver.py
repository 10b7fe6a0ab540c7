"""Serve the real app as `reflex run --env prod` does, on free ports and its own data dir.

Used by the browser tests and by the benchmarks that need the whole app (`serve_app`), and by
the scale-out tests, which run backend workers (`Backend`) as separate processes they can kill
and restart (the identity provider as its own process: `tests/support/identity_provider.py`).
"""

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 240


class AppDidNotStart(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningApp:
    url: str
    data_dir: Path
    env: dict[str, str]

    @property
    def log(self) -> Path:
        """Everything `reflex run` and the app wrote."""
        return self.data_dir.parent / f"reflex-{self.url.rsplit(':', 1)[1]}.log"

    @property
    def mailbox_url(self) -> str:
        return f"http://127.0.0.1:{self.env['LOCAL_COGNITO_PORT']}/_mailbox"

    @property
    def states_dir(self) -> Path:
        """Where Reflex's disk state manager keeps this app's tab states."""
        return Path(self.env["REFLEX_STATES_WORKDIR"])

    def manage(self, action: str) -> None:
        subprocess.run([sys.executable, "-m", "cruddur.manage", action], cwd=ROOT, env=self.env, check=True)


def app_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh app on the embedded defaults, whatever the caller's shell has."""
    outside = (
        "COGNITO_",
        "DATABASE_URL",
        "REDIS_URL",
        "ALLOWED_ORIGINS",
        "REFLEX_API_URL",
        "REFLEX_DEPLOY_URL",
        "DEV_OIDC",
        "FEDERATED_PROVIDERS",
        "OAUTH_",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(outside)}
    env.update(
        DATA_DIR=str(data_dir),
        LOCAL_COGNITO_PORT=str(free_port()),
        # `reflex run --env prod` on the embedded provider, as the tests serve it: on purpose.
        ALLOW_LOCAL_COGNITO="true",
        # Its own build and state directories: another served app, or a `make run` in this
        # checkout, would otherwise rebuild the pages this one serves (their websocket's port
        # is baked in) or share its tabs' states.
        REFLEX_WEB_WORKDIR=str(data_dir.parent / "reflex-web"),
        REFLEX_STATES_WORKDIR=str(data_dir.parent / "reflex-states"),
        REFLEX_USE_SYSTEM_BUN="1",
        PATH=os.pathsep.join([str(ROOT / ".tools/node_modules/.bin"), str(Path(sys.executable).parent), env["PATH"]]),
    )
    env.update(extra)
    return env


@contextlib.contextmanager
def one_build_at_a_time() -> Iterator[None]:
    """While a `reflex run` builds: it rewrites the checkout's `reflex.lock/` (the frontend's
    pinned packages), which two builds at once corrupt. Held across processes (xdist workers)."""
    with (ROOT / ".reflex-build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AppDidNotStart(f"reflex run exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url + "/ping").is_success and httpx.get(url + "/").is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AppDidNotStart(f"the app did not serve {url} within {START_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


@contextlib.contextmanager
def serve_app(data_dir: Path, loglevel: str | None = None, **extra_env: str) -> Iterator[RunningApp]:
    """Migrates and seeds `data_dir`, serves the production build, and stops it afterwards.
    `loglevel`: Reflex's `--loglevel` (debug, info, ...); its default otherwise."""
    port = free_port()
    app = RunningApp(url=f"http://localhost:{port}", data_dir=data_dir, env=app_env(data_dir, **extra_env))
    app.manage("setup")
    with one_build_at_a_time(), app.log.open("w") as out:
        process = subprocess.Popen(
            ["reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port)]
            + (["--loglevel", loglevel] if loglevel else []),
            cwd=ROOT,
            env=app.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_serving(process, app.url, app.log)
        except BaseException:
            _stop(process)
            raise
    try:
        yield app
    finally:
        _stop(process)


def _stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM to the process group (the process and its workers), SIGKILL if that is not enough."""
    if process.poll() is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # workers the leader left behind
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class Backend:
    """One backend process, `reflex run --env prod --backend-only` with a single Granian worker,
    on loopback. Several of these with one REDIS_URL and DATABASE_URL are the scale-out shape.

    `kill()` is a crash (SIGKILL to the whole process group); `start()` again is a restart on
    the same port.
    """

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, port: int | None = None):
        self.name, self.env, self.log_dir = name, env, log_dir
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.log_dir / f"backend-{self.name}-{self.port}-{self.starts}.log"

    def start(self) -> "Backend":
        """Starts the process and returns once it serves."""
        return self.launch().wait_until_serving()

    def launch(self) -> "Backend":
        """Starts the process without waiting (start several, then wait for each)."""
        assert self.process is None or self.process.poll() is not None, f"{self.name} is already running"
        self.starts += 1
        env = self.env | {"GRANIAN_WORKERS": "1"}  # one worker per process: the test picks the worker
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    "reflex",
                    "run",
                    "--env",
                    "prod",
                    "--backend-only",
                    "--backend-host",
                    "127.0.0.1",
                    "--backend-port",
                    str(self.port),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_until_serving(self) -> "Backend":
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AppDidNotStart(f"backend {self.name} exited with {self.process.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.url + "/ping", timeout=2).is_success:
                    return self
            time.sleep(0.1)
        raise AppDidNotStart(f"backend {self.name} did not serve {self.url} within {START_TIMEOUT_S}s:\n{self.tail()}")

    def kill(self) -> None:
        """A crash: SIGKILL to the process and its worker, nothing flushed, nothing said goodbye."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text()[-chars:] if self.log.exists() else ""

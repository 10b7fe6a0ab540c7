"""Serve the real app as `reflex run --env prod` does, on free ports and its own data dir.

Used by the browser tests and by the benchmarks that need the whole app.
"""

import contextlib
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
    def mailbox_url(self) -> str:
        return f"http://127.0.0.1:{self.env['LOCAL_COGNITO_PORT']}/_mailbox"

    def manage(self, action: str) -> None:
        subprocess.run([sys.executable, "-m", "cruddur.manage", action], cwd=ROOT, env=self.env, check=True)


def app_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh app on the embedded defaults, whatever the caller's shell has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DATA_DIR=str(data_dir),
        LOCAL_COGNITO_PORT=str(free_port()),
        REFLEX_USE_SYSTEM_BUN="1",
        PATH=os.pathsep.join([str(ROOT / ".tools/node_modules/.bin"), str(Path(sys.executable).parent), env["PATH"]]),
    )
    env.update(extra)
    return env


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
def serve_app(data_dir: Path, **extra_env: str) -> Iterator[RunningApp]:
    """Migrates and seeds `data_dir`, serves the production build, and stops it afterwards."""
    port = free_port()
    app = RunningApp(url=f"http://localhost:{port}", data_dir=data_dir, env=app_env(data_dir, **extra_env))
    app.manage("setup")
    log = data_dir.parent / f"reflex-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port)],
            cwd=ROOT, env=app.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_until_serving(process, app.url, log)
        yield app
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)

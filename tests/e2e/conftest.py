"""The real app, served as `make run`'s production build would be, driven by Debian's Chromium."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 240


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningApp:
    url: str
    data_dir: Path
    env: dict[str, str]

    def manage(self, action: str) -> None:
        subprocess.run([sys.executable, "-m", "cruddur.manage", action], cwd=ROOT, env=self.env, check=True)


def _app_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DATA_DIR=str(data_dir),
        LOCAL_COGNITO_PORT=str(free_port()),
        REFLEX_USE_SYSTEM_BUN="1",
        PATH=os.pathsep.join([str(ROOT / ".tools/node_modules/.bin"), str(Path(sys.executable).parent), env["PATH"]]),
    )
    return env


def _wait_until_serving(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"reflex run exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(url + "/ping").is_success and httpx.get(url + "/").is_success:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the app did not serve {url} within {START_TIMEOUT_S}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def cruddur_app(tmp_path_factory) -> RunningApp:
    data_dir = tmp_path_factory.mktemp("app") / "data"
    port = free_port()
    app = RunningApp(url=f"http://localhost:{port}", data_dir=data_dir, env=_app_env(data_dir))
    app.manage("setup")
    log = data_dir.parent / "reflex.log"
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


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run the README's test command, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()

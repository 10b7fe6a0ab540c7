"""The local Cognito-compatible provider as a process of its own (`python -m cruddur.localcognito`),
as a real user pool is: outside the backend. A test can freeze it (SIGSTOP: "hung"), stop it
(SIGTERM: "down") and bring it back on the same port and data. Loopback only.

The app reaches it either as its configured user pool (`app_env()`: the COGNITO_* settings), or,
on the provider's data dir and port, as the embedded provider another worker already serves.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import httpx
from botocore import UNSIGNED
from botocore.config import Config
from pycognito.aws_srp import AWSSRP

from tests.support.appserver import ROOT, free_port


class StandaloneProvider:
    """localcognito on a fixed loopback port and data dir; stop/pause/resume/start at will."""

    def __init__(self, data_dir: Path, log_path: Path, port: int | None = None):
        self.data_dir, self.log_path = data_dir, log_path
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.info: dict = {}  # endpoint_url, user_pool_id, client_id, region, mailbox_url, issuer, jwks_url
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
                    if line.startswith("{") and '"endpoint_url"' in line:  # one JSON line once it listens
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

    def ensure_running(self) -> None:
        if self.paused:
            self.resume()
        if self.process is None or self.process.poll() is not None:
            self.start()

    @property
    def mailbox_url(self) -> str:
        return self.info["mailbox_url"]

    def app_env(self) -> dict[str, str]:
        """The settings that make the app use this provider as its user pool."""
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

    def access_token(self, email: str, password: str) -> str:
        """An access token straight from the provider (SRP), for the REST API."""
        srp = AWSSRP(
            username=email,
            password=password,
            pool_id=self.info["user_pool_id"],
            client_id=self.info["client_id"],
            client=self.boto(),
        )
        return srp.authenticate_user()["AuthenticationResult"]["AccessToken"]

"""Benchmark: GetUser round trips to localcognito over one kept-alive connection.

Starts the provider as its own process (`python -m cruddur.localcognito --port 0`, temp data
dir, so the client does not share its interpreter lock), signs a user up, confirms and signs in
via boto3, then times N GetUser calls over one reused `http.client.HTTPConnection` and, as a
same-run baseline, N GetUser calls over a fresh connection per request. A keep-alive reply that
paid a delayed-ACK stall (Nagle against the client's delayed ACK) would show up here as ~40 ms.
Budget: kept-alive median ≤ 5 ms. Exit status 1 when over budget.

    python bench/bench_localcognito_getuser.py [--calls 200]
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 5.0
EMAIL = "bench-getuser@example.com"
PASSWORD = "Bench-passw0rd!"
WARMUP = 20
PROVIDER = [sys.executable, "-m", "cruddur.localcognito", "--port", "0"]


@contextmanager
def provider_process(data_dir: str):
    """The standalone provider on an ephemeral loopback port; yields its JSON description."""
    process = subprocess.Popen(
        # UserRead lifted above AWS's 120 rps quota: the benchmark measures latency, not throttling.
        [*PROVIDER, "--data-dir", data_dir, "--request-rates", '{"UserRead": 100000}'],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"localcognito exited with {process.wait(timeout=10)} before it served")
        yield json.loads(line)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def signed_in_access_token(info: dict) -> str:
    client = boto3.client(
        "cognito-idp",
        region_name=info["region"],
        endpoint_url=info["endpoint_url"],
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )
    client.sign_up(
        ClientId=info["client_id"],
        Username=EMAIL,
        Password=PASSWORD,
        UserAttributes=[{"Name": "name", "Value": "Bench"}],
    )
    code = json.loads(_get(info["mailbox_url"]))["messages"][0]["code"]
    client.confirm_sign_up(ClientId=info["client_id"], Username=EMAIL, ConfirmationCode=code)
    reply = client.initiate_auth(
        ClientId=info["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )
    return reply["AuthenticationResult"]["AccessToken"]


def _get(url: str) -> bytes:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path)
        return connection.getresponse().read()
    finally:
        connection.close()


def get_user(connection: http.client.HTTPConnection, body: bytes) -> None:
    connection.request(
        "POST",
        "/",
        body=body,
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser",
        },
    )
    response = connection.getresponse()
    payload = response.read()
    if response.status != 200:
        raise SystemExit(f"GetUser failed: {response.status} {payload[:200]!r}")


def kept_alive(host: str, port: int, body: bytes, calls: int) -> list[float]:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        for _ in range(WARMUP):
            get_user(connection, body)
        samples = []
        for _ in range(calls):
            started = time.perf_counter()
            get_user(connection, body)
            samples.append((time.perf_counter() - started) * 1000.0)
        return samples
    finally:
        connection.close()


def fresh_connections(host: str, port: int, body: bytes, calls: int) -> list[float]:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        connection = http.client.HTTPConnection(host, port, timeout=10)
        try:
            get_user(connection, body)
        finally:
            connection.close()
        samples.append((time.perf_counter() - started) * 1000.0)
    return samples


def describe(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    return (
        f"{label:<34} median {statistics.median(samples):6.2f} ms   p90 {p90:6.2f} ms   "
        f"max {ordered[-1]:6.2f} ms   (n={len(samples)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir, provider_process(data_dir) as info:
        body = json.dumps({"AccessToken": signed_in_access_token(info)}).encode()
        parts = urlsplit(info["endpoint_url"])
        reused = kept_alive(parts.hostname, parts.port, body, args.calls)
        fresh = fresh_connections(parts.hostname, parts.port, body, args.calls)
    print(describe("GetUser, one kept-alive connection", reused))
    print(describe("GetUser, fresh connection each", fresh))
    median = statistics.median(reused)
    verdict = "OK" if median <= BUDGET_MS else "OVER BUDGET"
    print(f"kept-alive median {median:.2f} ms vs budget {BUDGET_MS:.1f} ms: {verdict}")
    return 0 if median <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

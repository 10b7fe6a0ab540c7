"""Benchmark: the server's share of an SRP sign-in in localcognito.

Times the in-process handlers for InitiateAuth(USER_SRP_AUTH) + RespondToAuthChallenge
(PASSWORD_VERIFIER) over ~30 sign-ins (pycognito's AWSSRP plays the client, untimed), prints the
median next to a pure-Python big-integer baseline (the same three modular powers with builtin
pow) measured in the same run, then the median of full pycognito sign-ins over HTTP.
Budget: server share ≤ 20 ms. Exit status 1 when over budget.

    python bench/bench_localcognito_srp.py [--runs 30]
"""

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pycognito import Cognito
from pycognito.aws_srp import AWSSRP

from cruddur.localcognito import LocalCognitoConfig, mailbox, srp, start_in_thread
from cruddur.localcognito.operations import call
from cruddur.localcognito.provider import Provider

BUDGET_MS = 20.0
EMAIL = "bench@example.com"
PASSWORD = "Bench-passw0rd!"


def ms(seconds: float) -> float:
    return seconds * 1000.0


def confirmed_user(provider: Provider) -> None:
    attributes = [{"Name": "name", "Value": "Bench"}]
    call(
        provider,
        "SignUp",
        json.dumps(
            {
                "ClientId": provider.client_id,
                "Username": EMAIL,
                "Password": PASSWORD,
                "UserAttributes": attributes,
            }
        ).encode(),
    )
    code = mailbox.messages(provider.store)[0]["code"]
    call(
        provider,
        "ConfirmSignUp",
        json.dumps(
            {
                "ClientId": provider.client_id,
                "Username": EMAIL,
                "ConfirmationCode": code,
            }
        ).encode(),
    )


def server_share(provider: Provider, runs: int) -> list[float]:
    """Milliseconds spent in the two handlers per sign-in (client maths excluded)."""
    samples = []
    for _ in range(runs):
        client = AWSSRP(EMAIL, PASSWORD, provider.pool_id, provider.client_id, client=object())
        params = client.get_auth_params()
        started = time.perf_counter()
        challenge = call(
            provider,
            "InitiateAuth",
            json.dumps(
                {
                    "ClientId": provider.client_id,
                    "AuthFlow": "USER_SRP_AUTH",
                    "AuthParameters": params,
                }
            ).encode(),
        )
        first = time.perf_counter() - started
        answer = client.process_challenge(challenge["ChallengeParameters"], params)
        started = time.perf_counter()
        result = call(
            provider,
            "RespondToAuthChallenge",
            json.dumps(
                {
                    "ClientId": provider.client_id,
                    "ChallengeName": "PASSWORD_VERIFIER",
                    "ChallengeResponses": answer,
                }
            ).encode(),
        )
        second = time.perf_counter() - started
        assert result["AuthenticationResult"]["TokenType"] == "Bearer"
        samples.append(ms(first + second))
    return samples


def big_int_work(runs: int, power=pow) -> list[float]:
    """The server's big-integer work per sign-in: g^b, v^u, (A·v^u)^b (builtin pow by default)."""
    verifier = pow(srp.G, secrets.randbits(256), srp.N)
    big_a = pow(srp.G, secrets.randbits(1024), srp.N)
    samples = []
    for _ in range(runs):
        b, u = secrets.randbits(srp.SERVER_SECRET_BITS), secrets.randbits(256)
        started = time.perf_counter()
        power(srp.G, b, srp.N)
        power(big_a * power(verifier, u, srp.N) % srp.N, b, srp.N)
        samples.append(ms(time.perf_counter() - started))
    return samples


def round_trips(data_dir: Path, runs: int) -> list[float]:
    handle = start_in_thread(LocalCognitoConfig(data_dir=data_dir, port=0, echo_codes_to_console=False))
    try:
        kwargs = {"endpoint_url": handle.endpoint_url, "aws_access_key_id": "x", "aws_secret_access_key": "x"}
        user = Cognito(handle.user_pool_id, handle.client_id, username=EMAIL, boto3_client_kwargs=kwargs)
        user.authenticate(PASSWORD)  # warm the connection
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            user.authenticate(PASSWORD)
            samples.append(ms(time.perf_counter() - started))
        return samples
    finally:
        handle.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        provider = Provider.open(LocalCognitoConfig(data_dir=data_dir, port=0, echo_codes_to_console=False))
        confirmed_user(provider)
        server_share(provider, 3)  # warm-up
        server = statistics.median(server_share(provider, runs))
        baseline = statistics.median(big_int_work(runs))
        accelerated = statistics.median(big_int_work(runs, srp.powmod))
        provider.store.dispose()
        full = statistics.median(round_trips(data_dir, runs))

    print(f"big-int backend: {srp.BACKEND}")
    print(f"server share of an SRP sign-in (InitiateAuth + RespondToAuthChallenge), median of {runs}: {server:.2f} ms")
    print(f"pure-Python pow baseline (same modular powers), median of {runs}: {baseline:.2f} ms")
    print(
        f"  same modular powers with {srp.BACKEND}: {accelerated:.2f} ms"
        f" ({baseline / accelerated:.1f}x faster than pow)"
    )
    print(f"ratio pure-Python baseline / server share: {baseline / server:.2f}x")
    print(f"full pycognito sign-in round trip over HTTP, median of {runs}: {full:.2f} ms")
    verdict = "PASS" if server <= BUDGET_MS else "FAIL"
    print(f"{verdict}: server share {server:.2f} ms (budget {BUDGET_MS:.0f} ms)")
    return 0 if server <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

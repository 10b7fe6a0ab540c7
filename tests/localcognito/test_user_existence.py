"""Prevent user existence errors: for an address with no user behind it, ForgotPassword,
ResendConfirmationCode, ConfirmSignUp and ConfirmForgotPassword give a real user's answer and
take a real user's time, so neither the reply nor the clock tells whether an account exists."""

import statistics
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from .support import error_of

CALLS = 30
WRONG_CODE = "not-the-code"  # never one of the 6-digit codes, so no call can succeed by luck


def test_sending_a_code_reads_the_same_for_a_user_and_for_nobody(pool, new_email):
    pool.confirmed_user(new_email)
    pending = f"pending-{new_email}"
    pool.sign_up(pending)
    client_id = pool.handle.client_id

    def forgot(username):
        return pool.client.forgot_password(ClientId=client_id, Username=username)["CodeDeliveryDetails"]

    def resend(username):
        return pool.client.resend_confirmation_code(ClientId=client_id, Username=username)["CodeDeliveryDetails"]

    # Same first letters, so the masked destinations could only differ by how they are computed.
    assert forgot(f" {new_email.upper()} ") == forgot(f"u{uuid.uuid4().hex}@Example.org")
    assert resend(pending) == resend(f"p{uuid.uuid4().hex}@e.example")


@pytest.mark.parametrize("operation", ["forgot_password", "resend_confirmation_code"])
def test_the_sending_limit_reads_the_same_for_a_user_and_for_nobody(pool, new_email, operation):
    sent_at_sign_up = operation == "resend_confirmation_code"  # SignUp sent the first code already
    if sent_at_sign_up:
        pool.sign_up(new_email)
    else:
        pool.confirmed_user(new_email)
    send = getattr(pool.client, operation)
    nobody = f"nobody-{new_email}"

    for _ in range(5 - sent_at_sign_up):
        send(ClientId=pool.handle.client_id, Username=new_email)
    for _ in range(5):
        send(ClientId=pool.handle.client_id, Username=nobody)

    outcomes = []
    for username in (new_email, nobody):
        with pytest.raises(pool.client.exceptions.LimitExceededException) as excinfo:
            send(ClientId=pool.handle.client_id, Username=username)
        outcomes.append(error_of(excinfo))
    assert outcomes[0] == outcomes[1]


def timed(call, username: str) -> tuple[float, str]:
    """(seconds, the answer: "OK" or the error code) of `call(username)`."""
    started = time.perf_counter()
    try:
        call(username)
        answer = "OK"
    except ClientError as error:
        answer = error.response["Error"]["Code"]
    return time.perf_counter() - started, answer


def test_an_unknown_address_costs_what_a_real_user_costs(start_own_pool):
    # Far more calls a second than AWS's quotas allow: lifted, so the clock measures the work only.
    pool = start_own_pool(request_rates={"UserCreation": 10_000, "UserAccountRecovery": 10_000})
    client, client_id = pool.client, pool.handle.client_id

    def new_address():
        return f"user-{uuid.uuid4().hex[:12]}@example.com"

    confirmed = [new_address() for _ in range(CALLS)]
    for email in confirmed:
        pool.confirmed_user(email)
    pending = [new_address() for _ in range(CALLS)]
    for email in pending:
        pool.sign_up(email)

    def reset(email):
        client.confirm_forgot_password(
            ClientId=client_id, Username=email, ConfirmationCode=WRONG_CODE, Password="N3w-password!"
        )

    operations = {  # each: a real user's call and an unknown address's, with the same answer
        "ForgotPassword": (confirmed, lambda email: client.forgot_password(ClientId=client_id, Username=email)),
        "ResendConfirmationCode": (
            pending,
            lambda email: client.resend_confirmation_code(ClientId=client_id, Username=email),
        ),
        "ConfirmSignUp": (
            pending,
            lambda email: client.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=WRONG_CODE),
        ),
        "ConfirmForgotPassword": (confirmed, reset),
    }
    for name, (users, call) in operations.items():
        real, unknown = [], []
        for email in users:  # interleaved, so a slower moment of the machine hits both
            real.append(timed(call, email))
            unknown.append(timed(call, new_address()))
        answers = {answer for _, answer in real} | {answer for _, answer in unknown}
        assert len(answers) == 1, (name, answers)
        real_ms = statistics.median(seconds for seconds, _ in real) * 1000
        unknown_ms = statistics.median(seconds for seconds, _ in unknown) * 1000
        slower, faster = max(real_ms, unknown_ms), min(real_ms, unknown_ms)
        assert slower < 1.5 * faster + 5, f"{name}: real user {real_ms:.2f} ms, unknown address {unknown_ms:.2f} ms"

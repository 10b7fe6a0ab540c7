"""Confirm, resend and reset answer alike — same words, same next step, times within the noise —
for an unknown e-mail, an unconfirmed one and a confirmed one."""

import statistics
import time

import pytest

from cruddur.state.auth import UNIFORM_SECONDS, AuthState
from tests.auth_flows.conftest import PASSWORD
from tests.auth_flows.test_auth_state import signed_up_and_confirmed, signup_form
from tests.support.tabs import Tab

KINDS = ("unknown", "unconfirmed", "confirmed")


@pytest.fixture
async def three_emails(app_runtime, mailbox) -> dict[str, str]:
    await signed_up_and_confirmed(mailbox, "confirmed@example.com", "confirmed")
    await Tab("/signup").run(AuthState.sign_up, signup_form("unconfirmed@example.com", "unconfirmed"))
    return {
        "unknown": "nobody@example.com",
        "unconfirmed": "unconfirmed@example.com",
        "confirmed": "confirmed@example.com",
    }


async def answer(handler, path: str, *args) -> tuple[str, str, str, float]:
    """What the page shows after the handler: (error, field, step), and how long it took."""
    tab = Tab(path)
    auth = tab.state(AuthState)
    started = time.perf_counter()
    await tab.run(handler, *args)
    return auth.error, auth.error_field, auth.forgot_step, time.perf_counter() - started


async def test_a_reset_request_goes_to_the_code_step_for_every_email(three_emails):
    answers = {
        kind: await answer(AuthState.send_reset_code, "/forgot", {"email": e}) for kind, e in three_emails.items()
    }
    assert {a[:3] for a in answers.values()} == {("", "", "reset")}, answers


async def test_a_wrong_confirmation_code_reads_the_same_for_every_email(three_emails):
    answers = {
        kind: await answer(AuthState.confirm, "/confirm", {"email": email, "code": "123456"})
        for kind, email in three_emails.items()
    }
    assert len({a[:2] for a in answers.values()}) == 1, answers
    assert next(iter(answers.values()))[1] == "code"


async def test_a_wrong_reset_code_reads_the_same_for_every_email(three_emails):
    answers = {}
    for kind, email in three_emails.items():
        tab = Tab("/forgot")
        tab.state(AuthState).email = email
        await tab.run(AuthState.reset_password, {"code": "123456", "password": PASSWORD, "confirm": PASSWORD})
        answers[kind] = (tab.state(AuthState).error, tab.state(AuthState).error_field)
    assert len(set(answers.values())) == 1, answers


async def test_resending_a_code_reads_the_same_for_every_email(three_emails):
    answers = {}
    for kind, email in three_emails.items():
        tab = Tab("/confirm")
        tab.state(AuthState).email = email
        await tab.run(AuthState.resend_code)
        auth = tab.state(AuthState)
        answers[kind] = (auth.error, auth.code_destination)
    assert {error for error, _ in answers.values()} == {""}, answers
    assert answers["unknown"][1] == "n***@e***"


@pytest.mark.parametrize(
    ("handler", "path", "form"),
    [
        (AuthState.send_reset_code, "/forgot", lambda email: {"email": email}),
        (AuthState.confirm, "/confirm", lambda email: {"email": email, "code": "123456"}),
    ],
    ids=["reset-request", "confirm"],
)
async def test_answers_take_as_long_for_an_unknown_email_as_for_a_real_one(three_emails, handler, path, form):
    timings = {kind: [] for kind in KINDS}
    for _ in range(3):
        for kind, email in three_emails.items():
            timings[kind].append((await answer(handler, path, form(email)))[3])
    medians = {kind: statistics.median(samples) for kind, samples in timings.items()}
    assert min(medians.values()) >= UNIFORM_SECONDS, medians
    assert max(medians.values()) - min(medians.values()) < 0.1, medians  # the provider's work sits under the floor

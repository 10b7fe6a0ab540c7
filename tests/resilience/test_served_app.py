"""The production app, served against a standalone identity provider, over its real websocket
and REST API: load, abuse storms, lock-out, and the provider down, hung, or its JWKS gone.
(Smaller than bench/reliability_report.py, which runs the same scenarios at full size.)"""

from tests.resilience import scenarios


def assert_passed(result: scenarios.Result) -> None:
    print(result.scenario, result.numbers)  # shown with -s, or when the test fails
    assert not result.failures, result.failures


async def test_twenty_clients_sign_in_and_load_the_feed_without_errors(running, crowd):
    result = await scenarios.load(running, crowd("load", 20), feed_rounds=2, paced_s=3, budget_s=60)
    assert_passed(result)
    assert result.numbers["errors"] == 0 and result.numbers["sign-in event"]["n"] == 20


async def test_malformed_websocket_events_leave_no_mark(running, crowd):
    after = crowd("after", 1)[0]
    result = await scenarios.ws_storm(running, 240, sockets=6, after=after)
    assert_passed(result)
    assert sum(result.numbers["by kind"].values()) == result.numbers["events sent"] > 0


async def test_malformed_rest_requests_never_get_a_5xx(running, crowd):
    person = crowd("rest", 1)[0]
    await scenarios.has_profile(running, person)
    result = await scenarios.api_storm(running, 200, running.provider.access_token(person.email, person.password))
    assert_passed(result)
    assert result.numbers["5xx"] == 0 and sum(result.numbers["statuses"].values()) == 200


async def test_wrong_passwords_lock_out_one_account_and_answer_like_an_unknown_email(running, crowd):
    target, bystander = crowd("locked", 2)
    result = await scenarios.lockout(running, target, bystander)
    assert_passed(result)
    assert result.numbers["distinct answers"] == 1


async def test_tokens_verify_on_cached_keys_with_the_jwks_endpoint_gone(running, crowd):
    result = await scenarios.jwks_cached(running, crowd("keys", 1)[0])
    assert_passed(result)
    assert result.numbers["app REST with unseen token"] == 200


async def test_provider_down_sign_in_says_try_again_and_the_feed_is_served(running, crowd):
    people = crowd("down", 2)
    await scenarios.has_profile(running, people[0])
    bearer = running.provider.access_token(people[0].email, people[0].password)
    result = await scenarios.provider_down(running, people, bearer)
    assert_passed(result)
    assert result.numbers["REST with token"] == 200 and result.numbers["tracebacks"] == 0


async def test_provider_hung_sign_ins_answer_within_the_timeouts_and_the_feed_is_served(running, crowd):
    result = await scenarios.provider_hung(running, crowd("hung", 4), stampede=8)
    assert_passed(result)
    assert result.numbers["sign-in answers"]["n"] == 8 and result.numbers["tracebacks"] == 0

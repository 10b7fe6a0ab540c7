"""Request-rate quotas per operation category, as Cognito enforces them: a request over its
category's rate is refused at once with a 400 TooManyRequestsException, other categories are
unaffected, and the quota refills with time. The clocks here move only when told."""

import json
import time

import pytest

from cruddur.localcognito import LocalCognitoConfig

from .support import StillClock, boto3_client, error_of, standalone


def get_user_body(access_token: str) -> bytes:
    return json.dumps({"AccessToken": access_token}).encode()


def test_a_category_over_its_rate_is_refused_at_once_and_recovers_with_time(start_own_pool, new_email):
    clock = StillClock()
    pool = start_own_pool(clock=clock, request_rates={"UserRead": 2})
    pool.confirmed_user(new_email)
    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]

    pool.client.get_user(AccessToken=access)
    pool.client.get_user(AccessToken=access)
    started = time.perf_counter()
    status, body = pool.post("GetUser", get_user_body(access))
    assert time.perf_counter() - started < 0.5  # refused, not held back
    assert (status, body) == (400, {"__type": "TooManyRequestsException", "message": "Too many requests"})
    with pytest.raises(pool.client.exceptions.TooManyRequestsException):
        pool.client.get_user(AccessToken=access)
    pool.password_auth(new_email)  # UserAuthentication has its own quota

    clock.advance(0.5)  # one request's worth
    pool.client.get_user(AccessToken=access)
    with pytest.raises(pool.client.exceptions.TooManyRequestsException):
        pool.client.get_user(AccessToken=access)

    clock.advance(60)  # a bucket holds one second's worth, however long it waited
    for _ in range(2):
        pool.client.get_user(AccessToken=access)
    with pytest.raises(pool.client.exceptions.TooManyRequestsException) as excinfo:
        pool.client.get_user(AccessToken=access)
    assert error_of(excinfo) == ("TooManyRequestsException", "Too many requests")


def test_challenge_answers_get_three_times_the_authentication_quota_then_share_it(start_own_pool):
    clock = StillClock()
    pool = start_own_pool(clock=clock, request_rates={"UserAuthentication": 1})
    answer = json.dumps(
        {
            "ClientId": pool.handle.client_id,
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeResponses": {
                "USERNAME": "someone@example.com",
                "PASSWORD_CLAIM_SECRET_BLOCK": "bm90IGEgYmxvY2s=",
                "PASSWORD_CLAIM_SIGNATURE": "c2ln",
                "TIMESTAMP": "Sat Nov 21 22:35:24 UTC 2026",
            },
        }
    ).encode()
    sign_in = json.dumps(
        {
            "ClientId": pool.handle.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "someone@example.com", "PASSWORD": "Wr0ng-password!"},
        }
    ).encode()

    def outcome(target, body):
        return pool.post(target, body)[1]["__type"]

    assert [outcome("RespondToAuthChallenge", answer) for _ in range(3)] == ["NotAuthorizedException"] * 3
    assert outcome("RespondToAuthChallenge", answer) == "NotAuthorizedException"  # the 4th: UserAuthentication's
    assert outcome("RespondToAuthChallenge", answer) == "TooManyRequestsException"
    assert outcome("InitiateAuth", sign_in) == "TooManyRequestsException"

    clock.advance(1)
    assert outcome("InitiateAuth", sign_in) == "NotAuthorizedException"


def test_the_default_rates_are_awss_quotas():
    assert LocalCognitoConfig().request_rates == {
        "UserAuthentication": 120,
        "UserCreation": 50,
        "UserAccountRecovery": 30,
        "UserRead": 120,
        "UserUpdate": 25,
        "UserToken": 120,
        "UserPoolRead": 15,
        "UserPoolUpdate": 15,
        "UserPoolClientRead": 15,
        "IdentityProviderRead": 20,
        "IdentityProviderUpdate": 15,
        "UserFederation": 25,
    }


@pytest.mark.parametrize("rates", [{"UserReads": 5}, {"UserRead": 0}, {"UserRead": "fast"}])
def test_rates_that_name_no_category_or_no_rate_are_refused(rates):
    with pytest.raises(ValueError):
        LocalCognitoConfig(request_rates=rates)


def test_the_command_takes_request_rates(tmp_path):
    with standalone(tmp_path, "--request-rates", '{"UserPoolRead": 0.001}') as (info, _process):
        client = boto3_client(info, retries=0)
        client.describe_user_pool(UserPoolId=info.user_pool_id)
        with pytest.raises(client.exceptions.TooManyRequestsException):
            client.describe_user_pool(UserPoolId=info.user_pool_id)

"""Signing in: pycognito's SRP (USER_SRP_AUTH + PASSWORD_VERIFIER), USER_PASSWORD_AUTH,
lock-out, unconfirmed users and unknown users that look exactly like wrong passwords."""

import base64

import pytest
from pycognito.aws_srp import AWSSRP

from .support import PASSWORD, error_of


def test_srp_refuses_a_wrong_password_then_accepts_the_right_one(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.cognito(new_email)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        user.authenticate("Wr0ng-password!")
    assert error_of(excinfo) == ("NotAuthorizedException", "Incorrect username or password.")

    user.authenticate(PASSWORD)  # pycognito verifies both tokens against the served JWKS
    assert user.token_type == "Bearer"
    assert user.id_claims["email"] == new_email
    assert user.access_claims["token_use"] == "access"
    assert user.refresh_token


def test_sign_in_email_is_case_insensitive_and_trimmed(pool, new_email):
    pool.confirmed_user(new_email)

    user = pool.signed_in(f" {new_email.upper()} ")
    assert user.id_claims["email"] == new_email


def test_srp_challenge_names_the_internal_username_not_the_email(pool, new_email):
    sub = pool.confirmed_user(new_email)["UserSub"]
    srp = AWSSRP(new_email, PASSWORD, pool.handle.user_pool_id, pool.handle.client_id, client=pool.client)

    reply = pool.client.initiate_auth(
        ClientId=pool.handle.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )

    assert reply["ChallengeName"] == "PASSWORD_VERIFIER"
    parameters = reply["ChallengeParameters"]
    assert set(parameters) == {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP", "USERNAME"}
    assert parameters["USER_ID_FOR_SRP"] == parameters["USERNAME"] == sub


def test_a_challenge_can_be_answered_only_once(pool, new_email):
    pool.confirmed_user(new_email)
    srp = AWSSRP(new_email, PASSWORD, pool.handle.user_pool_id, pool.handle.client_id, client=pool.client)
    challenge = pool.client.initiate_auth(
        ClientId=pool.handle.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    answer = srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params())
    pool.client.respond_to_auth_challenge(
        ClientId=pool.handle.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    )

    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
        )


def test_a_stale_or_tampered_challenge_is_refused(pool, new_email):
    pool.confirmed_user(new_email)
    srp = AWSSRP(new_email, PASSWORD, pool.handle.user_pool_id, pool.handle.client_id, client=pool.client)

    def challenge():
        return pool.client.initiate_auth(
            ClientId=pool.handle.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
        )["ChallengeParameters"]

    tampered = challenge()
    block = bytearray(base64.b64decode(tampered["SECRET_BLOCK"]))
    block[20] ^= 1
    tampered["SECRET_BLOCK"] = base64.b64encode(bytes(block)).decode()
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=srp.process_challenge(tampered, srp.get_auth_params()),
        )

    stale = challenge()
    pool.clock.advance(301)
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            ChallengeResponses=srp.process_challenge(stale, srp.get_auth_params()),
        )
    assert error_of(excinfo)[1] == "Invalid session for the user, session is expired."


def test_user_password_auth_refuses_wrong_and_accepts_right_password(pool, new_email):
    pool.confirmed_user(new_email)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.password_auth(new_email, "Wr0ng-password!")
    assert error_of(excinfo)[1] == "Incorrect username or password."

    result = pool.password_auth(new_email)["AuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken", "RefreshToken"}
    assert result["ExpiresIn"] == 3600 and result["TokenType"] == "Bearer"


def test_unconfirmed_user_is_told_so_only_with_the_right_password(pool, new_email):
    pool.sign_up(new_email)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.cognito(new_email).authenticate("Wr0ng-password!")
    with pytest.raises(pool.client.exceptions.UserNotConfirmedException) as excinfo:
        pool.cognito(new_email).authenticate(PASSWORD)
    assert error_of(excinfo)[1] == "User is not confirmed."


def test_unknown_user_is_indistinguishable_from_a_wrong_password(pool, new_email):
    pool.confirmed_user(new_email)
    unknown = f"nobody-{new_email}"

    def srp_challenge(username):
        srp = AWSSRP(username, PASSWORD, pool.handle.user_pool_id, pool.handle.client_id, client=pool.client)
        return pool.client.initiate_auth(
            ClientId=pool.handle.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
        )

    known_reply, unknown_reply = srp_challenge(new_email), srp_challenge(unknown)
    assert set(known_reply["ChallengeParameters"]) == set(unknown_reply["ChallengeParameters"])
    assert known_reply["ChallengeName"] == unknown_reply["ChallengeName"] == "PASSWORD_VERIFIER"
    for key in ("SALT", "USER_ID_FOR_SRP"):  # stable per username, different between usernames
        assert srp_challenge(unknown)["ChallengeParameters"][key] == unknown_reply["ChallengeParameters"][key]
        assert srp_challenge(f"x{unknown}")["ChallengeParameters"][key] != unknown_reply["ChallengeParameters"][key]

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as wrong_password:
        pool.cognito(new_email).authenticate("Wr0ng-password!")
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as unknown_user:
        pool.cognito(unknown).authenticate(PASSWORD)
    assert error_of(wrong_password) == error_of(unknown_user)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as unknown_password_auth:
        pool.password_auth(unknown)
    assert error_of(unknown_password_auth) == error_of(wrong_password)


def test_five_wrong_passwords_lock_the_user_out_for_a_cooling_period(pool, new_email):
    pool.confirmed_user(new_email)
    for _ in range(5):
        with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
            pool.cognito(new_email).authenticate("Wr0ng-password!")
        assert error_of(excinfo)[1] == "Incorrect username or password."

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.cognito(new_email).authenticate(PASSWORD)  # even the right password, while locked
    assert error_of(excinfo)[1] == "Password attempts exceeded"

    pool.clock.advance(901)
    pool.password_auth(new_email)  # after the cooling period the right password works


def test_a_success_resets_the_wrong_password_count(pool, new_email):
    pool.confirmed_user(new_email)
    for _ in range(4):
        with pytest.raises(pool.client.exceptions.NotAuthorizedException):
            pool.password_auth(new_email, "Wr0ng-password!")
    pool.password_auth(new_email)
    for _ in range(4):
        with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
            pool.password_auth(new_email, "Wr0ng-password!")
        assert error_of(excinfo)[1] == "Incorrect username or password."
    pool.password_auth(new_email)


def test_flows_the_client_does_not_allow_are_refused(pool, new_email):
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.client.initiate_auth(
            ClientId=pool.handle.client_id, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": new_email}
        )

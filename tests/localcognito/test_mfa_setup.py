"""A pool that requires MFA (MfaConfiguration ON): a user without a factor meets MFA_SETUP after
the password, sets TOTP up with the challenge's Session (AssociateSoftwareToken, then
VerifySoftwareToken), and completes the sign-in by answering MFA_SETUP with the Session the
verification returned; from then on every sign-in asks for the code."""

import json

import pytest

from .support import error_of


@pytest.fixture
def required(start_own_pool):
    return start_own_pool(mfa_configuration="ON")


def respond_mfa_setup(pool, email, session):
    return pool.client.respond_to_auth_challenge(
        ClientId=pool.handle.client_id,
        ChallengeName="MFA_SETUP",
        Session=session,
        ChallengeResponses={"USERNAME": email},
    )


def test_a_user_without_a_factor_sets_one_up_during_sign_in(required, new_email):
    pool = required
    pool.confirmed_user(new_email)

    challenge = pool.srp_sign_in(new_email)
    assert challenge["ChallengeName"] == "MFA_SETUP" and "AuthenticationResult" not in challenge
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]

    associated = pool.client.associate_software_token(Session=challenge["Session"])
    assert associated["Session"] != challenge["Session"]
    secret = associated["SecretCode"]
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):  # each Session serves one step
        pool.client.associate_software_token(Session=challenge["Session"])
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):  # not verified yet
        respond_mfa_setup(pool, new_email, associated["Session"])

    wrong = "000000" if pool.code(secret) != "000000" else "111111"
    with pytest.raises(pool.client.exceptions.EnableSoftwareTokenMFAException):
        pool.client.verify_software_token(Session=associated["Session"], UserCode=wrong)
    verified = pool.client.verify_software_token(
        Session=associated["Session"], UserCode=pool.code(secret), FriendlyDeviceName="laptop"
    )
    assert verified["Status"] == "SUCCESS" and verified["Session"]

    tokens = respond_mfa_setup(pool, new_email, verified["Session"])["AuthenticationResult"]
    settings = pool.client.get_user(AccessToken=tokens["AccessToken"])
    assert settings["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert settings["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    again = pool.srp_sign_in(new_email)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert again["ChallengeParameters"] == {"FRIENDLY_DEVICE_NAME": "laptop"}
    pool.answer_totp(new_email, again["Session"], pool.next_code(secret))


def test_the_setup_session_expires_like_any_challenge_session(required, new_email):
    pool = required
    pool.confirmed_user(new_email)
    session = pool.password_auth(new_email)["Session"]

    required.clock.advance(181)
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.client.associate_software_token(Session=session)
    assert error_of(excinfo)[1] == "Invalid session for the user, session is expired."


def test_a_setup_needs_one_live_session_and_the_factor_cannot_be_turned_off(required, new_email):
    pool = required
    pool.confirmed_user(new_email)
    session = pool.password_auth(new_email)["Session"]

    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.client.associate_software_token()  # neither an access token nor a Session
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.client.associate_software_token(Session=session[:-4] + "AAAA")
    assert error_of(excinfo)[1] == "Invalid session for the user."

    associated = pool.client.associate_software_token(Session=session)
    code = pool.code(associated["SecretCode"])
    verified = pool.client.verify_software_token(Session=associated["Session"], UserCode=code)
    access = respond_mfa_setup(pool, new_email, verified["Session"])["AuthenticationResult"]["AccessToken"]
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.client.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": False})

"""TOTP as a second factor, through boto3 and pycognito with codes from pyotp: setting an
authenticator up (AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference), the
SOFTWARE_TOKEN_MFA challenge after the password, and the codes and Sessions it refuses."""

import base64
import json
import sqlite3
import threading
from contextlib import closing

import pyotp
import pytest
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from .support import PASSWORD, MovableClock, error_of, start_pool


def sign_in_to_challenge(pool, email):
    reply = pool.srp_sign_in(email)
    assert reply["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    return reply


def test_after_setup_a_sign_in_asks_for_the_code_and_the_right_code_gives_tokens(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)  # no factor yet: an OPTIONAL pool signs in with the password
    secret = user.associate_software_token()
    assert len(secret) == 32 and base64.b32decode(secret)
    assert user.verify_software_token(pool.code(secret), "Jane's phone") is True
    user.set_user_mfa_preference(sms_mfa=False, software_token_mfa=True, preferred="SOFTWARE_TOKEN")
    settings = pool.client.get_user(AccessToken=user.access_token)
    assert settings["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert settings["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert "MFAOptions" not in settings  # it speaks of SMS only

    again = pool.cognito(new_email)
    with pytest.raises(SoftwareTokenMFAChallengeException) as challenge:
        again.authenticate(PASSWORD)
    reply = challenge.value.get_tokens()
    assert reply["ChallengeParameters"] == {"FRIENDLY_DEVICE_NAME": "Jane's phone"}
    assert 20 <= len(reply["Session"]) <= 4096

    again.respond_to_software_token_mfa_challenge(pool.next_code(secret))  # pycognito verifies the tokens
    assert again.id_claims["email"] == new_email
    assert pool.client.get_user(AccessToken=again.access_token)["Username"] == again.access_claims["sub"]


def test_user_password_auth_asks_for_the_code_too(pool, new_email):
    secret = pool.totp_user(new_email)

    reply = pool.password_auth(new_email)
    assert reply["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in reply

    result = pool.answer_totp(new_email, reply["Session"], pool.code(secret))["AuthenticationResult"]
    assert set(result) == {"AccessToken", "ExpiresIn", "TokenType", "IdToken", "RefreshToken"}


def test_a_wrong_code_is_a_mismatch_and_the_same_session_takes_the_right_one(pool, new_email):
    secret = pool.totp_user(new_email)
    session = sign_in_to_challenge(pool, new_email)["Session"]
    right = pool.code(secret)

    with pytest.raises(pool.client.exceptions.CodeMismatchException) as excinfo:
        pool.answer_totp(new_email, session, "000000" if right != "000000" else "111111")
    assert error_of(excinfo) == ("CodeMismatchException", "Invalid code or auth state for the user.")

    assert pool.answer_totp(new_email, session, right)["AuthenticationResult"]["AccessToken"]


def test_codes_of_a_window_long_gone_and_malformed_codes_are_refused(pool, new_email):
    secret = pool.totp_user(new_email)
    stale = pool.code(secret)
    pool.clock.advance(90)  # three steps on: beyond the one step of tolerance
    session = sign_in_to_challenge(pool, new_email)["Session"]

    for code in (stale, "12ab56", "1234567", ""):
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            pool.answer_totp(new_email, session, code or " ")
    access = pool.answer_totp(new_email, session, pool.code(secret))["AuthenticationResult"]["AccessToken"]

    pool.client.associate_software_token(AccessToken=access)
    for code, broken in (("12ab56", "satisfy regular expression pattern: [0-9]+"), ("12345", "length greater")):
        status, body = pool.post("VerifySoftwareToken", json.dumps({"AccessToken": access, "UserCode": code}).encode())
        assert (status, body["__type"]) == (400, "InvalidParameterException")
        assert broken in body["message"] and code not in body["message"]  # a code is never echoed


def test_a_code_one_step_early_or_late_is_accepted(pool, new_email):
    secret = pool.totp_user(new_email)
    late = pool.code(secret)
    pool.clock.advance(30)
    pool.answer_totp(new_email, sign_in_to_challenge(pool, new_email)["Session"], late)

    pool.clock.advance(60)
    early = pyotp.TOTP(secret).at(pool.clock() + 30)
    pool.answer_totp(new_email, sign_in_to_challenge(pool, new_email)["Session"], early)


def test_a_code_is_accepted_once_even_across_sign_ins(pool, new_email):
    pool.confirmed_user(new_email)
    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]
    secret = pool.client.associate_software_token(AccessToken=access)["SecretCode"]
    verifying = pool.code(secret)
    pool.client.verify_software_token(AccessToken=access, UserCode=verifying)
    pool.client.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})

    with pytest.raises(pool.client.exceptions.CodeMismatchException):  # spent by the verification
        pool.answer_totp(new_email, sign_in_to_challenge(pool, new_email)["Session"], verifying)

    code = pool.next_code(secret)
    pool.answer_totp(new_email, sign_in_to_challenge(pool, new_email)["Session"], code)
    with pytest.raises(pool.client.exceptions.CodeMismatchException):  # replayed in another sign-in
        pool.answer_totp(new_email, sign_in_to_challenge(pool, new_email)["Session"], code)


def test_wrong_codes_count_toward_the_lock_out_like_wrong_passwords(pool, new_email):
    secret = pool.totp_user(new_email)
    session = sign_in_to_challenge(pool, new_email)["Session"]
    wrong = "000000" if pool.code(secret) != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            pool.answer_totp(new_email, session, wrong)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.answer_totp(new_email, session, pool.code(secret))
    assert error_of(excinfo)[1] == "Password attempts exceeded"
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.password_auth(new_email)  # the password, too, waits out the lock-out
    assert error_of(excinfo)[1] == "Password attempts exceeded"

    pool.clock.advance(901)
    session = pool.password_auth(new_email)["Session"]
    pool.answer_totp(new_email, session, pool.code(secret))


def test_a_right_password_alone_does_not_reset_the_count_of_wrong_codes(pool, new_email):
    secret = pool.totp_user(new_email)
    wrong = "000000" if pool.code(secret) != "000000" else "111111"
    for _ in range(5):  # one wrong code per sign-in: the password step proves the password each time
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            pool.answer_totp(new_email, pool.password_auth(new_email)["Session"], wrong)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.password_auth(new_email)
    assert error_of(excinfo)[1] == "Password attempts exceeded"


def test_verification_refuses_a_wrong_code_and_preference_needs_a_verified_token(pool, new_email):
    pool.confirmed_user(new_email)
    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]

    with pytest.raises(pool.client.exceptions.SoftwareTokenMFANotFoundException):  # nothing associated
        pool.client.verify_software_token(AccessToken=access, UserCode="123456")
    with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
        pool.client.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True})
    assert error_of(excinfo)[1] == "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"

    secret = pool.client.associate_software_token(AccessToken=access)["SecretCode"]
    wrong = "000000" if pool.code(secret) != "000000" else "111111"
    with pytest.raises(pool.client.exceptions.EnableSoftwareTokenMFAException) as excinfo:
        pool.client.verify_software_token(AccessToken=access, UserCode=wrong)
    assert error_of(excinfo)[1] == "Code mismatch and fail enable Software Token MFA"
    assert "UserMFASettingList" not in pool.client.get_user(AccessToken=access)

    assert pool.client.verify_software_token(AccessToken=access, UserCode=pool.code(secret))["Status"] == "SUCCESS"
    assert "UserMFASettingList" not in pool.client.get_user(AccessToken=access)  # verified, not yet on
    assert "AuthenticationResult" in pool.password_auth(new_email)


def test_a_later_association_wins_and_the_old_authenticator_works_until_it_is_verified(pool, new_email):
    old = pool.totp_user(new_email)
    access = pool.answer_totp(new_email, pool.password_auth(new_email)["Session"], pool.code(old))
    access = access["AuthenticationResult"]["AccessToken"]
    first = pool.client.associate_software_token(AccessToken=access)["SecretCode"]
    second = pool.client.associate_software_token(AccessToken=access)["SecretCode"]
    assert len({old, first, second}) == 3

    pool.answer_totp(new_email, pool.password_auth(new_email)["Session"], pool.next_code(old))  # still the old one
    with pytest.raises(pool.client.exceptions.EnableSoftwareTokenMFAException):
        pool.client.verify_software_token(AccessToken=access, UserCode=pool.next_code(first))
    pool.client.verify_software_token(AccessToken=access, UserCode=pool.code(second))

    session = pool.password_auth(new_email)["Session"]
    with pytest.raises(pool.client.exceptions.CodeMismatchException):
        pool.answer_totp(new_email, session, pool.next_code(old))
    pool.answer_totp(new_email, session, pool.code(second))


def test_racing_associations_leave_exactly_one_secret_that_verifies(pool, new_email):
    pool.confirmed_user(new_email)
    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]
    secrets, start = [], threading.Barrier(4)

    def associate():
        start.wait()
        secrets.append(pool.client.associate_software_token(AccessToken=access)["SecretCode"])

    threads = [threading.Thread(target=associate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(set(secrets)) == 4

    verified = []
    for secret in secrets:
        try:
            pool.client.verify_software_token(AccessToken=access, UserCode=pool.code(secret))
            verified.append(secret)
        except pool.client.exceptions.EnableSoftwareTokenMFAException:
            pass
        except pool.client.exceptions.SoftwareTokenMFANotFoundException:
            pass  # the winner was verified already: nothing is pending any more
    assert len(verified) == 1


def test_an_expired_an_answered_and_a_forged_session_are_refused(pool, new_email):
    secret = pool.totp_user(new_email)

    expired = sign_in_to_challenge(pool, new_email)["Session"]
    pool.clock.advance(181)  # Cognito's default AuthSessionValidity: 3 minutes
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.answer_totp(new_email, expired, pool.code(secret))
    assert error_of(excinfo)[1] == "Invalid session for the user, session is expired."

    session = sign_in_to_challenge(pool, new_email)["Session"]
    pool.answer_totp(new_email, session, pool.code(secret))
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.answer_totp(new_email, session, pool.next_code(secret))
    assert error_of(excinfo)[1] == "Invalid session for the user, session can only be used once."

    forged = bytearray(base64.b64decode(sign_in_to_challenge(pool, new_email)["Session"]))
    forged[20] ^= 1
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.answer_totp(new_email, base64.b64encode(bytes(forged)).decode(), pool.next_code(secret))
    assert error_of(excinfo)[1] == "Invalid session for the user."


def test_a_session_answers_only_its_user_and_its_challenge(pool, new_email):
    secret = pool.totp_user(new_email)
    pool.confirmed_user(f"other-{new_email}")
    session = sign_in_to_challenge(pool, new_email)["Session"]

    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.answer_totp(f"other-{new_email}", session, pool.code(secret))
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):  # not an MFA_SETUP session
        pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id,
            ChallengeName="MFA_SETUP",
            Session=session,
            ChallengeResponses={"USERNAME": new_email},
        )
    with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
        pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id,
            ChallengeName="SOFTWARE_TOKEN_MFA",
            ChallengeResponses={"USERNAME": new_email, "SOFTWARE_TOKEN_MFA_CODE": pool.code(secret)},
        )
    assert error_of(excinfo)[1] == "Missing required parameter Session"
    pool.answer_totp(new_email.upper(), session, pool.code(secret))


def test_choosing_totp_in_select_mfa_type_answers_with_the_totp_challenge(pool, new_email):
    secret = pool.totp_user(new_email, device_name="transparent")
    session = sign_in_to_challenge(pool, new_email)["Session"]

    reply = pool.client.respond_to_auth_challenge(
        ClientId=pool.handle.client_id,
        ChallengeName="SELECT_MFA_TYPE",
        Session=session,
        ChallengeResponses={"USERNAME": new_email, "ANSWER": "SOFTWARE_TOKEN_MFA"},
    )
    assert reply["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert reply["ChallengeParameters"] == {"FRIENDLY_DEVICE_NAME": "transparent"}
    assert reply["Session"] != session
    pool.answer_totp(new_email, reply["Session"], pool.code(secret))

    with pytest.raises(pool.client.exceptions.MFAMethodNotFoundException):
        pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id,
            ChallengeName="SELECT_MFA_TYPE",
            Session=sign_in_to_challenge(pool, new_email)["Session"],
            ChallengeResponses={"USERNAME": new_email, "ANSWER": "SMS_MFA"},
        )


def test_a_refresh_never_asks_for_the_code(pool, new_email):
    secret = pool.totp_user(new_email)
    tokens = pool.answer_totp(new_email, pool.password_auth(new_email)["Session"], pool.code(secret))

    refreshed = pool.client.initiate_auth(
        ClientId=pool.handle.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["AuthenticationResult"]["RefreshToken"]},
    )
    assert "ChallengeName" not in refreshed and refreshed["AuthenticationResult"]["AccessToken"]


def test_turning_totp_off_signs_in_with_the_password_again(pool, new_email):
    secret = pool.totp_user(new_email)
    tokens = pool.answer_totp(new_email, pool.password_auth(new_email)["Session"], pool.code(secret))
    access = tokens["AuthenticationResult"]["AccessToken"]

    pool.client.set_user_mfa_preference(
        AccessToken=access,
        SMSMfaSettings={"Enabled": False, "PreferredMfa": False},  # what pycognito always sends along
        SoftwareTokenMfaSettings={"Enabled": False},
    )
    assert "UserMFASettingList" not in pool.client.get_user(AccessToken=access)
    assert "AuthenticationResult" in pool.password_auth(new_email)
    with pytest.raises(pool.client.exceptions.InvalidParameterException):  # no SMS here to turn on
        pool.client.set_user_mfa_preference(AccessToken=access, SMSMfaSettings={"Enabled": True})


def test_an_administrator_sets_the_preference_and_reads_it_back(pool, new_email):
    pool.confirmed_user(new_email)
    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]
    secret = pool.client.associate_software_token(AccessToken=access)["SecretCode"]
    pool.client.verify_software_token(AccessToken=access, UserCode=pool.code(secret))
    admin = {"UserPoolId": pool.handle.user_pool_id, "Username": new_email}
    assert "UserMFASettingList" not in pool.client.admin_get_user(**admin)

    pool.client.admin_set_user_mfa_preference(**admin, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    user = pool.client.admin_get_user(**admin)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"] and user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert pool.password_auth(new_email)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"

    pool.client.admin_set_user_mfa_preference(**admin, SoftwareTokenMfaSettings={"Enabled": False})
    assert "UserMFASettingList" not in pool.client.admin_get_user(**admin)
    with pytest.raises(pool.client.exceptions.UserNotFoundException):
        pool.client.admin_set_user_mfa_preference(
            UserPoolId=pool.handle.user_pool_id, Username=f"nobody-{new_email}", SoftwareTokenMfaSettings={}
        )


def test_a_copy_of_the_database_alone_does_not_yield_the_secrets(pool, new_email, tmp_path):
    secret = pool.totp_user(new_email)
    stored = b"".join(path.read_bytes() for path in pool.data_dir.glob("localcognito.db*"))
    assert secret.encode() not in stored and base64.b32decode(secret) not in stored

    with (
        closing(sqlite3.connect(pool.data_dir / "localcognito.db")) as live,
        closing(sqlite3.connect(tmp_path / "localcognito.db")) as copy,
    ):
        live.backup(copy)
    thief = start_pool(tmp_path, clock=MovableClock(pool.clock.offset + 60))  # past the steps already spent
    try:
        session = thief.password_auth(new_email)["Session"]  # the users came along, TOTP on
        with pytest.raises(thief.client.exceptions.CodeMismatchException):  # their secrets did not
            thief.answer_totp(new_email, session, thief.code(secret))
    finally:
        thief.handle.stop()
    pool.clock.advance(60)
    pool.answer_totp(new_email, pool.password_auth(new_email)["Session"], pool.code(secret))


def test_an_authenticator_survives_a_restart(tmp_path, new_email):
    first = start_pool(tmp_path)
    try:
        secret = first.totp_user(new_email)
    finally:
        first.handle.stop()
    assert (tmp_path / "localcognito.key").stat().st_mode & 0o077 == 0  # the key file is the owner's only

    second = start_pool(tmp_path, clock=first.clock)
    try:
        second.answer_totp(new_email, second.password_auth(new_email)["Session"], second.code(secret))
    finally:
        second.handle.stop()

"""Choice-based sign-in (InitiateAuth USER_AUTH) through boto3: SELECT_CHALLENGE and the preferred
challenge, PASSWORD, PASSWORD_SRP, EMAIL_OTP codes from the mailbox, passkeys from a software
authenticator; which of them ask for TOTP after; and every assertion and code refused."""

import json

import jwt
import pytest
from pycognito.aws_srp import AWSSRP

from tests.support.authenticator import SoftAuthenticator, b64url, unb64url

from .support import PASSWORD, error_of

ALL = ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]


def options_of(reply):
    return reply["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]


def tokens(reply):
    assert "ChallengeName" not in reply, reply.get("ChallengeName")
    return reply["AuthenticationResult"]


def test_without_a_preference_the_user_selects_among_the_pools_factors(pool, new_email):
    pool.confirmed_user(new_email)
    reply = pool.user_auth(new_email)
    assert reply["ChallengeName"] == "SELECT_CHALLENGE"
    assert reply["AvailableChallenges"] == ALL  # no passkey yet
    assert reply["ChallengeParameters"] == {}

    result = tokens(pool.answer("SELECT_CHALLENGE", reply["Session"], new_email, ANSWER="PASSWORD", PASSWORD=PASSWORD))
    claims = pool.client.get_user(AccessToken=result["AccessToken"])
    assert {"Name": "email", "Value": new_email} in claims["UserAttributes"]


def test_the_preferred_password_signs_in_at_once_or_is_asked_for(pool, new_email):
    pool.confirmed_user(new_email)
    tokens(pool.user_auth(new_email, "PASSWORD", PASSWORD=PASSWORD))
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.user_auth(new_email, "PASSWORD", PASSWORD="Wr0ng-password!")
    assert error_of(excinfo)[1] == "Incorrect username or password."

    asked = pool.user_auth(new_email, "PASSWORD")
    assert asked["ChallengeName"] == "PASSWORD"
    tokens(pool.answer("PASSWORD", asked["Session"], new_email, PASSWORD=PASSWORD))


def answer_srp(pool, email, verifier_reply, srp):
    assert verifier_reply["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = srp.process_challenge(verifier_reply["ChallengeParameters"], srp.get_auth_params())
    return pool.client.respond_to_auth_challenge(
        ClientId=pool.handle.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answer
    )


def test_password_srp_goes_on_to_the_password_verifier(pool, new_email):
    pool.confirmed_user(new_email)
    client_id, pool_id = pool.handle.client_id, pool.handle.user_pool_id
    srp = AWSSRP(new_email, PASSWORD, pool_id, client_id, client=pool.client)
    srp_a = srp.get_auth_params()["SRP_A"]
    tokens(answer_srp(pool, new_email, pool.user_auth(new_email, "PASSWORD_SRP", SRP_A=srp_a), srp))

    srp = AWSSRP(new_email, PASSWORD, pool_id, client_id, client=pool.client)
    asked = pool.user_auth(new_email, "PASSWORD_SRP")
    assert asked["ChallengeName"] == "PASSWORD_SRP"
    reply = pool.answer("PASSWORD_SRP", asked["Session"], new_email, SRP_A=srp.get_auth_params()["SRP_A"])
    tokens(answer_srp(pool, new_email, reply, srp))

    srp = AWSSRP(new_email, PASSWORD, pool_id, client_id, client=pool.client)
    select = pool.user_auth(new_email)["Session"]
    reply = pool.answer(
        "SELECT_CHALLENGE", select, new_email, ANSWER="PASSWORD_SRP", SRP_A=srp.get_auth_params()["SRP_A"]
    )
    tokens(answer_srp(pool, new_email, reply, srp))


# --- EMAIL_OTP -------------------------------------------------------------------------------


def email_challenge(pool, email):
    reply = pool.user_auth(email, "EMAIL_OTP")
    assert reply["ChallengeName"] == "EMAIL_OTP"
    return reply


def wrong(code):
    return "000000" if code != "000000" else "111111"


def test_an_emailed_code_signs_in(pool, new_email):
    pool.confirmed_user(new_email)
    reply = email_challenge(pool, new_email)
    local, domain = new_email.split("@")
    assert reply["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
        "CODE_DELIVERY_DESTINATION": f"{local[0]}***@{domain[0]}***",
    }
    (message,) = [m for m in pool.mailbox() if m["to"] == new_email and m["kind"] == "EMAIL_OTP"]
    tokens(pool.answer("EMAIL_OTP", reply["Session"], new_email, EMAIL_OTP_CODE=message["code"]))

    selected = pool.answer("SELECT_CHALLENGE", pool.user_auth(new_email)["Session"], new_email, ANSWER="EMAIL_OTP")
    assert selected["ChallengeName"] == "EMAIL_OTP"
    code = pool.latest_code(new_email, "EMAIL_OTP")
    tokens(pool.answer("EMAIL_OTP", selected["Session"], new_email, EMAIL_OTP_CODE=code))


def test_a_wrong_code_is_a_mismatch_and_the_session_takes_the_right_one_after(pool, new_email):
    pool.confirmed_user(new_email)
    session = email_challenge(pool, new_email)["Session"]
    code = pool.latest_code(new_email, "EMAIL_OTP")
    with pytest.raises(pool.client.exceptions.CodeMismatchException) as excinfo:
        pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=wrong(code))
    assert error_of(excinfo)[1] == "Invalid code or auth state for the user."
    tokens(pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=code))

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:  # reused in its Session
        pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=code)
    assert error_of(excinfo)[1] == "Invalid session for the user, session can only be used once."
    later = email_challenge(pool, new_email)["Session"]
    with pytest.raises(pool.client.exceptions.CodeMismatchException):  # reused in another sign-in
        pool.answer("EMAIL_OTP", later, new_email, EMAIL_OTP_CODE=code)


def test_three_wrong_codes_end_the_session(pool, new_email):
    pool.confirmed_user(new_email)
    session = email_challenge(pool, new_email)["Session"]
    code = pool.latest_code(new_email, "EMAIL_OTP")
    for _ in range(3):
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=wrong(code))
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:  # the fourth, right or not
        pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=code)
    assert error_of(excinfo)[1] == "Invalid session for the user, session can only be used once."


def test_wrong_codes_count_toward_the_lock_out(pool, new_email):
    pool.confirmed_user(new_email)
    for tries in (3, 2):  # five wrong codes over two sign-ins
        session = email_challenge(pool, new_email)["Session"]
        code = pool.latest_code(new_email, "EMAIL_OTP")
        for _ in range(tries):
            with pytest.raises(pool.client.exceptions.CodeMismatchException):
                pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=wrong(code))
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=code)
    assert error_of(excinfo)[1] == "Password attempts exceeded"
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.password_auth(new_email)
    assert error_of(excinfo)[1] == "Password attempts exceeded"


def test_an_expired_or_replaced_code_is_refused(start_own_pool, new_email):
    pool = start_own_pool(auth_session_seconds=900)
    pool.confirmed_user(new_email)
    session = email_challenge(pool, new_email)["Session"]
    code = pool.latest_code(new_email, "EMAIL_OTP")
    pool.clock.advance(301)  # the code lives five minutes, its Session longer here
    with pytest.raises(pool.client.exceptions.ExpiredCodeException):
        pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=code)

    first = email_challenge(pool, new_email)["Session"]
    first_code = pool.latest_code(new_email, "EMAIL_OTP")
    email_challenge(pool, new_email)  # a newer sign-in's code replaces it
    with pytest.raises(pool.client.exceptions.ExpiredCodeException):
        pool.answer("EMAIL_OTP", first, new_email, EMAIL_OTP_CODE=first_code)


def test_an_emailed_code_sign_in_asks_for_totp_after(pool, new_email):
    secret = pool.totp_user(new_email)
    session = email_challenge(pool, new_email)["Session"]
    reply = pool.answer("EMAIL_OTP", session, new_email, EMAIL_OTP_CODE=pool.latest_code(new_email, "EMAIL_OTP"))
    assert reply["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    tokens(pool.answer_totp(new_email, reply["Session"], pool.code(secret)))


# --- WEB_AUTHN -------------------------------------------------------------------------------


def passkey_challenge(pool, email):
    reply = pool.user_auth(email, "WEB_AUTHN")
    assert reply["ChallengeName"] == "WEB_AUTHN"
    return reply


def test_a_passkey_signs_in(pool, new_email):
    authenticator = SoftAuthenticator()
    pool.passkey_user(new_email, authenticator)
    reply = passkey_challenge(pool, new_email)
    options = json.loads(options_of(reply))
    assert options["rpId"] == "localhost" and options["userVerification"] == "preferred"
    assert [c["id"] for c in options["allowCredentials"]] == list(authenticator.credentials)
    assert options["timeout"] == 180_000
    result = tokens(pool.answer("WEB_AUTHN", reply["Session"], new_email, CREDENTIAL=authenticator.get(options)))
    assert pool.client.get_user(AccessToken=result["AccessToken"])["Username"]

    select = pool.user_auth(new_email)
    assert select["AvailableChallenges"] == [*ALL, "WEB_AUTHN"]
    answer = {"ANSWER": "WEB_AUTHN", "CREDENTIAL": authenticator.get(options_of(select))}
    tokens(pool.answer("SELECT_CHALLENGE", select["Session"], new_email, **answer))  # in one step
    chosen = pool.answer("SELECT_CHALLENGE", pool.user_auth(new_email)["Session"], new_email, ANSWER="WEB_AUTHN")
    assert chosen["ChallengeName"] == "WEB_AUTHN"
    tokens(pool.answer("WEB_AUTHN", chosen["Session"], new_email, CREDENTIAL=authenticator.get(options_of(chosen))))


def test_a_user_verified_passkey_needs_no_totp_and_an_unverified_one_does(pool, new_email):
    secret = pool.totp_user(new_email)
    access = pool.password_auth(new_email)
    access = pool.answer_totp(new_email, access["Session"], pool.next_code(secret))["AuthenticationResult"]
    verifying, presence_only = SoftAuthenticator(), SoftAuthenticator(user_verified=False)
    pool.register_passkey(access["AccessToken"], verifying)
    pool.register_passkey(access["AccessToken"], presence_only)

    reply = passkey_challenge(pool, new_email)
    tokens(pool.answer("WEB_AUTHN", reply["Session"], new_email, CREDENTIAL=verifying.get(options_of(reply))))

    reply = passkey_challenge(pool, new_email)
    then = pool.answer("WEB_AUTHN", reply["Session"], new_email, CREDENTIAL=presence_only.get(options_of(reply)))
    assert then["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    tokens(pool.answer_totp(new_email, then["Session"], pool.next_code(secret)))


def refused(pool, email, reply, credential):
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.answer("WEB_AUTHN", reply["Session"], email, CREDENTIAL=credential)
    return error_of(excinfo)[1]


def test_assertions_from_another_origin_or_for_another_party_are_refused(pool, new_email):
    authenticator = SoftAuthenticator()
    pool.passkey_user(new_email, authenticator)
    reply = passkey_challenge(pool, new_email)
    message = refused(pool, new_email, reply, authenticator.get(options_of(reply), "https://evil.example"))
    assert message == "The origin https://evil.example is not allowed for this user pool's passkeys."

    reply = passkey_challenge(pool, new_email)
    message = refused(pool, new_email, reply, authenticator.get(options_of(reply), rp_id="evil.example"))
    assert message == "The passkey response is not for relying party localhost."


def test_a_replayed_assertion_is_refused(pool, new_email):
    authenticator = SoftAuthenticator()
    pool.passkey_user(new_email, authenticator)
    reply = passkey_challenge(pool, new_email)
    credential = authenticator.get(options_of(reply))
    tokens(pool.answer("WEB_AUTHN", reply["Session"], new_email, CREDENTIAL=credential))
    assert refused(pool, new_email, reply, credential) == "Invalid session for the user, session can only be used once."
    message = refused(pool, new_email, passkey_challenge(pool, new_email), credential)  # in a new sign-in
    assert message == "The passkey response does not answer this challenge."


def test_a_signature_counter_that_goes_back_is_refused(pool, new_email):
    authenticator = SoftAuthenticator()
    pool.passkey_user(new_email, authenticator)
    reply = passkey_challenge(pool, new_email)
    tokens(
        pool.answer(
            "WEB_AUTHN", reply["Session"], new_email, CREDENTIAL=authenticator.get(options_of(reply), counter=7)
        )
    )
    for counter in (7, 3):  # the same count again, or a lower one: a cloned authenticator
        reply = passkey_challenge(pool, new_email)
        message = refused(pool, new_email, reply, authenticator.get(options_of(reply), counter=counter))
        assert message == "The passkey response could not be verified."


def test_another_users_passkey_is_refused(pool, new_email):
    theirs = SoftAuthenticator()
    pool.passkey_user(f"other-{new_email}", theirs)
    pool.passkey_user(new_email, SoftAuthenticator())
    reply = passkey_challenge(pool, new_email)
    (their_id,) = theirs.credentials
    message = refused(pool, new_email, reply, theirs.get(options_of(reply), credential_id=their_id))
    assert message == "The passkey is not registered for this user."


def test_a_tampered_client_data_is_refused(pool, new_email):
    authenticator = SoftAuthenticator()
    pool.passkey_user(new_email, authenticator)
    reply = passkey_challenge(pool, new_email)
    credential = json.loads(authenticator.get(options_of(reply)))
    client_data = json.loads(unb64url(credential["response"]["clientDataJSON"]))
    credential["response"]["clientDataJSON"] = b64url(json.dumps({**client_data, "crossOrigin": True}).encode())
    assert refused(pool, new_email, reply, json.dumps(credential)) == "The passkey response could not be verified."

    reply = passkey_challenge(pool, new_email)
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.answer("WEB_AUTHN", reply["Session"], new_email, CREDENTIAL="{not json")


def test_a_passkey_challenge_expires_with_its_session(pool, new_email):
    authenticator = SoftAuthenticator()
    pool.passkey_user(new_email, authenticator)
    reply = passkey_challenge(pool, new_email)
    pool.clock.advance(181)
    message = refused(pool, new_email, reply, authenticator.get(options_of(reply)))
    assert message == "Invalid session for the user, session is expired."


def test_a_disabled_users_passkey_is_refused(pool, new_email):
    authenticator = SoftAuthenticator()
    pool.passkey_user(new_email, authenticator)
    pool.client.admin_disable_user(UserPoolId=pool.handle.user_pool_id, Username=new_email)
    reply = passkey_challenge(pool, new_email)
    assert refused(pool, new_email, reply, authenticator.get(options_of(reply))) == "User is disabled."


# --- the pool's policy, and users it must not reveal ----------------------------------------


def test_factors_the_pool_does_not_allow_are_not_offered(start_own_pool, new_email):
    pool = start_own_pool(allowed_first_auth_factors=("PASSWORD",))
    pool.confirmed_user(new_email)
    reply = pool.user_auth(new_email, "EMAIL_OTP")
    assert reply["ChallengeName"] == "SELECT_CHALLENGE" and reply["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.answer("SELECT_CHALLENGE", reply["Session"], new_email, ANSWER="EMAIL_OTP")
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.user_auth(new_email, "NOT_A_CHALLENGE")


def test_an_unknown_user_is_answered_as_a_user_would_be(pool, new_email):
    nobody = f"nobody-{new_email}"
    reply = pool.user_auth(nobody)
    assert reply["ChallengeName"] == "SELECT_CHALLENGE"
    assert reply["AvailableChallenges"][:3] == ALL
    again = pool.user_auth(nobody.upper())
    assert again["AvailableChallenges"] == reply["AvailableChallenges"]  # stable per username
    assert again.get("ChallengeParameters", {}).keys() == reply.get("ChallengeParameters", {}).keys()

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.user_auth(nobody, "PASSWORD", PASSWORD=PASSWORD)
    assert error_of(excinfo)[1] == "Incorrect username or password."

    emailed = email_challenge(pool, nobody)
    local, domain = nobody.split("@")
    assert emailed["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == f"{local[0]}***@{domain[0]}***"
    assert not [m for m in pool.mailbox() if m["to"] == nobody]
    for _ in range(3):
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            pool.answer("EMAIL_OTP", emailed["Session"], nobody, EMAIL_OTP_CODE="123456")
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.answer("EMAIL_OTP", emailed["Session"], nobody, EMAIL_OTP_CODE="123456")


def test_an_unknown_users_stand_in_passkeys_are_refused_like_a_users(pool):
    # Among a few usernames, some stand-ins have passkeys (WEB_AUTHN offered) and some have none.
    offered = {}
    for i in range(12):
        name = f"stand-in-{i}@example.com"
        offered[name] = "WEB_AUTHN" in pool.user_auth(name)["AvailableChallenges"]
    assert any(offered.values()) and not all(offered.values())
    name = next(name for name, has in offered.items() if has)
    reply = passkey_challenge(pool, name)
    (allowed, *_) = json.loads(options_of(reply))["allowCredentials"]
    stranger = SoftAuthenticator()
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": b64url(b"x")}, "challenge": "eA"})
    (stranger_id,) = stranger.credentials
    stranger.credentials[allowed["id"]] = stranger.credentials.pop(stranger_id)
    message = refused(pool, name, reply, stranger.get(options_of(reply)))
    assert message == "The passkey is not registered for this user."


def test_every_first_factors_tokens_carry_the_apis_scope(pool, new_email):
    """USER_AUTH's tokens are the API's own, as USER_SRP_AUTH's: GetUser and the passkey and factor
    operations, which need aws.cognito.signin.user.admin, take them."""
    authenticator = SoftAuthenticator()
    pool.passkey_user(new_email, authenticator)
    by_password = tokens(pool.user_auth(new_email, "PASSWORD", PASSWORD=PASSWORD))
    emailed = email_challenge(pool, new_email)
    by_code = tokens(
        pool.answer("EMAIL_OTP", emailed["Session"], new_email, EMAIL_OTP_CODE=pool.latest_code(new_email, "EMAIL_OTP"))
    )
    reply = passkey_challenge(pool, new_email)
    by_passkey = tokens(
        pool.answer("WEB_AUTHN", reply["Session"], new_email, CREDENTIAL=authenticator.get(options_of(reply)))
    )
    for result in (by_password, by_code, by_passkey):
        access = result["AccessToken"]
        assert jwt.decode(access, options={"verify_signature": False})["scope"] == "aws.cognito.signin.user.admin"
        assert pool.client.get_user(AccessToken=access)["Username"]
        assert pool.client.list_web_authn_credentials(AccessToken=access)["Credentials"]
        factors = pool.client.get_user_auth_factors(AccessToken=access)["ConfiguredUserAuthFactors"]
        assert factors == ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]

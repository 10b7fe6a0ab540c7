"""Signing up without a password, where the pool signs people in with e-mailed codes: SignUp's
Session, handed to ConfirmSignUp, comes back as one InitiateAuth USER_AUTH takes once to sign the
new user in; such a user has no password until ForgotPassword gives them one."""

import pytest
from botocore.exceptions import ClientError

from .support import PASSWORD, error_of


def passwordless_sign_up(pool, email: str) -> dict:
    return pool.client.sign_up(
        ClientId=pool.handle.client_id, Username=email, UserAttributes=[{"Name": "name", "Value": "Noa"}]
    )


def confirm(pool, email: str, **session) -> dict:
    return pool.client.confirm_sign_up(
        ClientId=pool.handle.client_id, Username=email, ConfirmationCode=pool.latest_code(email), **session
    )


def sign_in_after(pool, email: str, session: str) -> dict:
    return pool.client.initiate_auth(
        ClientId=pool.handle.client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": email}, Session=session
    )


def test_a_passwordless_sign_up_signs_in_once_with_the_confirmations_session(pool, new_email):
    signed_up = passwordless_sign_up(pool, new_email)
    assert signed_up["UserConfirmed"] is False and signed_up["Session"]
    confirmed = confirm(pool, new_email, Session=signed_up["Session"])
    tokens = sign_in_after(pool, new_email, confirmed["Session"])["AuthenticationResult"]
    factors = pool.client.get_user_auth_factors(AccessToken=tokens["AccessToken"])
    assert factors["ConfiguredUserAuthFactors"] == ["EMAIL_OTP"]  # no password

    with pytest.raises(ClientError) as again:
        sign_in_after(pool, new_email, confirmed["Session"])
    assert error_of(again)[0] == "NotAuthorizedException"


def test_a_passwordless_user_signs_in_with_no_password_until_one_is_set(pool, new_email):
    confirm(pool, new_email, Session=passwordless_sign_up(pool, new_email)["Session"])
    for empty_or_guessed in ("", PASSWORD):
        with pytest.raises(ClientError) as refused:
            pool.srp_sign_in(new_email, empty_or_guessed or "x")
        assert error_of(refused) == ("NotAuthorizedException", "Incorrect username or password.")

    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    pool.client.confirm_forgot_password(
        ClientId=pool.handle.client_id,
        Username=new_email,
        ConfirmationCode=pool.latest_code(new_email, "FORGOT_PASSWORD"),
        Password=PASSWORD,
    )
    tokens = pool.srp_sign_in(new_email)["AuthenticationResult"]
    factors = pool.client.get_user_auth_factors(AccessToken=tokens["AccessToken"])["ConfiguredUserAuthFactors"]
    assert factors == ["PASSWORD", "EMAIL_OTP"]


def test_a_pool_without_emailed_codes_requires_a_password(start_own_pool, new_email):
    pool = start_own_pool(allowed_first_auth_factors=("PASSWORD",))
    with pytest.raises(ClientError) as refused:
        passwordless_sign_up(pool, new_email)
    assert error_of(refused)[0] == "InvalidPasswordException"


def test_only_this_users_live_sign_up_session_signs_in(pool, new_email):
    other = f"other-{new_email}"
    others = passwordless_sign_up(pool, other)["Session"]
    signed_up = passwordless_sign_up(pool, new_email)
    assert "Session" not in confirm(pool, new_email, Session=others)  # confirmed all the same, no session
    with pytest.raises(ClientError) as not_confirmation:
        sign_in_after(pool, other, others)  # SignUp's Session is not ConfirmSignUp's
    assert error_of(not_confirmation)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as twice:
        confirm(pool, new_email, Session=signed_up["Session"])
    assert error_of(twice)[0] == "NotAuthorizedException"  # already confirmed


def test_the_confirmations_session_names_its_user_and_expires(pool, new_email):
    other = f"other-{new_email}"
    confirm(pool, other, Session=passwordless_sign_up(pool, other)["Session"])
    session = confirm(pool, new_email, Session=passwordless_sign_up(pool, new_email)["Session"])["Session"]
    with pytest.raises(ClientError) as someone_else:
        sign_in_after(pool, other, session)
    assert error_of(someone_else) == ("NotAuthorizedException", "Invalid session for the user.")
    pool.clock.advance(181)
    with pytest.raises(ClientError) as expired:
        sign_in_after(pool, new_email, session)
    assert error_of(expired) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")

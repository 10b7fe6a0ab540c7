"""ForgotPassword and ConfirmForgotPassword: codes by mailbox, wrong/expired/reused codes,
policy, unknown users, unconfirmed users, rate limit."""

import pytest

from .support import PASSWORD, error_of

NEW_PASSWORD = "N3w-password!"


def confirm(pool, email, code, password=NEW_PASSWORD):
    return pool.client.confirm_forgot_password(
        ClientId=pool.handle.client_id, Username=email, ConfirmationCode=code, Password=password
    )


def test_reset_with_the_mailed_code_changes_the_password(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.cognito(new_email)

    user.initiate_forgot_password()
    code = pool.latest_code(new_email, "FORGOT_PASSWORD")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    with pytest.raises(pool.client.exceptions.CodeMismatchException):
        user.confirm_forgot_password(wrong, NEW_PASSWORD)
    user.confirm_forgot_password(code, NEW_PASSWORD)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.signed_in(new_email, PASSWORD)
    pool.signed_in(new_email, NEW_PASSWORD)


def test_forgot_password_answers_with_masked_delivery(pool, new_email):
    pool.confirmed_user(new_email)

    reply = pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    assert reply["CodeDeliveryDetails"] == {
        "Destination": f"{new_email[0]}***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }


def test_a_reset_code_works_only_once(pool, new_email):
    pool.confirmed_user(new_email)
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    code = pool.latest_code(new_email, "FORGOT_PASSWORD")
    confirm(pool, new_email, code)

    with pytest.raises(pool.client.exceptions.ExpiredCodeException) as excinfo:
        confirm(pool, new_email, code, "An0ther-password!")
    assert error_of(excinfo)[1] == "Invalid code provided, please request a code again."


def test_a_reset_code_expires_after_an_hour(pool, new_email):
    pool.confirmed_user(new_email)
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    code = pool.latest_code(new_email, "FORGOT_PASSWORD")

    pool.clock.advance(3601)
    with pytest.raises(pool.client.exceptions.ExpiredCodeException):
        confirm(pool, new_email, code)


def test_a_weak_new_password_is_refused_without_spending_the_code(pool, new_email):
    pool.confirmed_user(new_email)
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    code = pool.latest_code(new_email, "FORGOT_PASSWORD")

    with pytest.raises(pool.client.exceptions.InvalidPasswordException) as excinfo:
        confirm(pool, new_email, code, "nouppercase1!")
    assert error_of(excinfo)[1] == "Password did not conform with policy: Password must have uppercase characters"
    confirm(pool, new_email, code)


def test_too_many_wrong_reset_codes_are_refused(pool, new_email):
    pool.confirmed_user(new_email)
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    code = pool.latest_code(new_email, "FORGOT_PASSWORD")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            confirm(pool, new_email, wrong)

    with pytest.raises(pool.client.exceptions.TooManyFailedAttemptsException):
        confirm(pool, new_email, code)


def test_a_reset_unlocks_a_locked_out_user(pool, new_email):
    pool.confirmed_user(new_email)
    for _ in range(5):
        with pytest.raises(pool.client.exceptions.NotAuthorizedException):
            pool.password_auth(new_email, "Wr0ng-password!")
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    confirm(pool, new_email, pool.latest_code(new_email, "FORGOT_PASSWORD"))

    pool.password_auth(new_email, NEW_PASSWORD)


def test_unknown_user_is_answered_as_if_a_code_was_sent(pool, new_email):
    before = len(pool.mailbox())

    reply = pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)

    assert reply["CodeDeliveryDetails"]["Destination"] == f"{new_email[0]}***@e***"
    assert len(pool.mailbox()) == before
    with pytest.raises(pool.client.exceptions.CodeMismatchException):
        confirm(pool, new_email, "123456")


def test_an_unconfirmed_user_without_a_verified_address_is_answered_like_an_unknown_one(pool, new_email):
    pool.sign_up(new_email)
    before = len(pool.mailbox())

    reply = pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)

    assert reply["CodeDeliveryDetails"]["Destination"] == f"{new_email[0]}***@e***"
    assert len(pool.mailbox()) == before  # there is no verified address to send to
    with pytest.raises(pool.client.exceptions.CodeMismatchException):
        confirm(pool, new_email, "123456")


def test_forgot_password_is_rate_limited(pool, new_email):
    pool.confirmed_user(new_email)
    for _ in range(5):
        pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)

    with pytest.raises(pool.client.exceptions.LimitExceededException) as excinfo:
        pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    assert error_of(excinfo)[1] == "Attempt limit exceeded, please try after some time."

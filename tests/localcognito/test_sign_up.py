"""SignUp, ConfirmSignUp and ResendConfirmationCode through boto3, codes read from /_mailbox."""

import pytest

from .support import PASSWORD, error_of


def test_sign_up_answers_unconfirmed_with_masked_email_delivery(pool, new_email):
    reply = pool.sign_up(new_email)

    assert reply["UserConfirmed"] is False
    assert reply["CodeDeliveryDetails"] == {
        "Destination": f"{new_email[0]}***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert len(reply["UserSub"]) == 36 and reply["UserSub"].count("-") == 4


def test_sign_up_sends_a_six_digit_code_to_the_mailbox(pool, new_email):
    reply = pool.sign_up(new_email)

    message = next(m for m in pool.mailbox() if m["to"] == new_email)
    assert message["kind"] == "SIGN_UP"
    assert message["username"] == reply["UserSub"]
    assert len(message["code"]) == 6 and message["code"].isdigit()


def test_wrong_code_is_refused_and_right_code_confirms(pool, new_email):
    pool.sign_up(new_email)
    code = pool.latest_code(new_email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    with pytest.raises(pool.client.exceptions.CodeMismatchException) as excinfo:
        pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=wrong)
    assert error_of(excinfo) == ("CodeMismatchException", "Invalid verification code provided, please try again.")

    pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=code)
    assert pool.password_auth(new_email)["AuthenticationResult"]["TokenType"] == "Bearer"


def test_confirming_twice_says_the_user_is_already_confirmed(pool, new_email):
    pool.confirmed_user(new_email)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.client.confirm_sign_up(
            ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=pool.latest_code(new_email)
        )
    assert error_of(excinfo)[1] == "User cannot be confirmed. Current status is CONFIRMED"


def test_sign_up_code_expires_after_24_hours(pool, new_email):
    pool.sign_up(new_email)
    code = pool.latest_code(new_email)
    pool.clock.advance(24 * 3600 + 1)

    with pytest.raises(pool.client.exceptions.ExpiredCodeException) as excinfo:
        pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=code)
    assert error_of(excinfo)[1] == "Invalid code provided, please request a code again."


def test_too_many_wrong_codes_burn_the_code_until_a_new_one_is_sent(pool, new_email):
    pool.sign_up(new_email)
    code = pool.latest_code(new_email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=wrong)

    with pytest.raises(pool.client.exceptions.TooManyFailedAttemptsException):
        pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=code)

    pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=new_email)
    fresh = pool.latest_code(new_email)
    pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=fresh)


def test_resend_replaces_the_code_and_the_old_one_stops_working(pool, new_email):
    pool.sign_up(new_email)
    old = pool.latest_code(new_email)

    reply = pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=new_email.upper())
    new = pool.latest_code(new_email)
    assert reply["CodeDeliveryDetails"]["Destination"] == f"{new_email[0]}***@e***"

    if old != new:
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=old)
    pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=new)


def test_resend_is_rate_limited_and_recovers_after_the_window(pool, new_email):
    pool.sign_up(new_email)  # the first of five codes allowed per hour
    for _ in range(4):
        pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=new_email)

    with pytest.raises(pool.client.exceptions.LimitExceededException) as excinfo:
        pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=new_email)
    assert error_of(excinfo)[1] == "Attempt limit exceeded, please try after some time."

    pool.clock.advance(3601)
    pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=new_email)


def test_resend_for_a_confirmed_user_is_an_invalid_parameter(pool, new_email):
    pool.confirmed_user(new_email)

    with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
        pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=new_email)
    assert error_of(excinfo)[1] == "User is already confirmed."


def test_resend_for_an_unknown_user_answers_as_if_sent_and_delivers_nothing(pool, new_email):
    before = len(pool.mailbox())

    reply = pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=new_email)

    assert reply["CodeDeliveryDetails"] == {
        "Destination": f"{new_email[0]}***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    assert len(pool.mailbox()) == before


def test_confirming_an_unknown_user_looks_like_a_wrong_code(pool, new_email):
    with pytest.raises(pool.client.exceptions.CodeMismatchException):
        pool.client.confirm_sign_up(ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode="123456")


def test_existing_email_in_any_case_or_spacing_is_refused(pool, new_email):
    pool.sign_up(new_email)

    with pytest.raises(pool.client.exceptions.UsernameExistsException) as excinfo:
        pool.sign_up(f"  {new_email.upper()} ")
    assert error_of(excinfo)[1] == "An account with the given email already exists."


def test_taken_handle_is_refused_case_insensitively(pool, new_email):
    handle = f"h{new_email[5:15]}"
    pool.sign_up(new_email, handle=handle)

    with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
        pool.sign_up(f"other-{new_email}", handle=handle.upper())
    assert error_of(excinfo)[1] == "An account with the given preferred_username already exists."


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt!", "Password not long enough"),
        ("lower-only-1!", "Password must have uppercase characters"),
        ("UPPER-ONLY-1!", "Password must have lowercase characters"),
        ("No-digits-here!", "Password must have numeric characters"),
        ("NoSymbols123", "Password must have symbol characters"),
    ],
)
def test_password_policy_is_enforced_on_sign_up(pool, new_email, password, rule):
    with pytest.raises(pool.client.exceptions.InvalidPasswordException) as excinfo:
        pool.sign_up(new_email, password=password)
    assert error_of(excinfo)[1] == f"Password did not conform with policy: {rule}"


def test_username_must_be_an_email(pool):
    with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
        pool.sign_up("not-an-email")
    assert error_of(excinfo)[1] == "Username should be an email."


def test_name_is_a_required_attribute(pool, new_email):
    with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
        pool.client.sign_up(ClientId=pool.handle.client_id, Username=new_email, Password=PASSWORD)
    assert "name: The attribute name is required" in error_of(excinfo)[1]


def test_unknown_app_client_is_resource_not_found(pool, new_email):
    with pytest.raises(pool.client.exceptions.ResourceNotFoundException) as excinfo:
        pool.client.sign_up(ClientId="nosuchclient", Username=new_email, Password=PASSWORD)
    assert error_of(excinfo)[1] == "User pool client nosuchclient does not exist."

"""Changing the e-mail, as Cognito does it: UpdateUserAttributes, GetUserAttributeVerificationCode,
VerifyUserAttribute and AdminUpdateUserAttributes, in a pool that keeps the original address in use
while a change is pending (the default) and in one that changes it at once."""

import json

import pytest

from .support import error_of

VERIFY = "VERIFY_EMAIL"
AT_ONCE = {"AttributesRequireVerificationBeforeUpdate": []}


def other(email: str, prefix: str = "new") -> str:
    return f"{prefix}-{email}"


def access_token(pool, email: str) -> str:
    return pool.password_auth(email)["AuthenticationResult"]["AccessToken"]


def attributes(pool, access: str) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in pool.client.get_user(AccessToken=access)["UserAttributes"]}


def change_email(pool, access: str, email: str, **more: str) -> dict:
    items = [{"Name": "email", "Value": email}, *({"Name": k, "Value": v} for k, v in more.items())]
    return pool.client.update_user_attributes(AccessToken=access, UserAttributes=items)


def verify(pool, access: str, code: str) -> dict:
    return pool.client.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)


def resend(pool, access: str) -> dict:
    return pool.client.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def signs_in(pool, email: str) -> bool:
    try:
        pool.password_auth(email)
    except pool.client.exceptions.NotAuthorizedException:
        return False
    return True


def test_a_new_email_waits_for_its_code_and_the_old_one_signs_in_until_then(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)
    moved = other(new_email)

    reply = change_email(pool, user.access_token, moved.upper())

    assert reply["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    ]
    messages = [m for m in pool.mailbox() if m["kind"] == VERIFY and m["username"] == user.get_user().sub]
    assert [m["to"] for m in messages] == [moved]  # to the new address only, normalised
    before = attributes(pool, user.access_token)
    assert (before["email"], before["email_verified"]) == (new_email, "true")
    assert signs_in(pool, new_email) and not signs_in(pool, moved)

    verify(pool, user.access_token, pool.latest_code(moved, VERIFY))

    now = attributes(pool, user.access_token)  # the same access token: the session carries on
    assert (now["email"], now["email_verified"]) == (moved, "true")
    assert signs_in(pool, moved) and not signs_in(pool, new_email)
    user.renew_access_token()  # so does the refresh token, and the new ID token names the new address
    assert user.id_claims["email"] == moved and user.id_claims["email_verified"] is True
    pool.confirmed_user(new_email)  # the old address is free again


def test_wrong_expired_and_reused_codes_are_refused_and_a_new_code_can_be_sent(pool, new_email):
    pool.confirmed_user(new_email)
    access = access_token(pool, new_email)
    moved = other(new_email)
    change_email(pool, access, moved)
    first = pool.latest_code(moved, VERIFY)

    with pytest.raises(pool.client.exceptions.CodeMismatchException) as excinfo:
        verify(pool, access, wrong(first))
    assert error_of(excinfo)[1] == "Invalid verification code provided, please try again."
    pool.clock.advance(24 * 3600 + 1)
    access = access_token(pool, new_email)  # a day on, the old access token has expired
    with pytest.raises(pool.client.exceptions.ExpiredCodeException):
        verify(pool, access, first)

    reply = resend(pool, access)

    assert reply["CodeDeliveryDetails"] == {
        "Destination": "n***@e***",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    second = pool.latest_code(moved, VERIFY)
    verify(pool, access, second)
    assert attributes(pool, access)["email"] == moved
    with pytest.raises(pool.client.exceptions.ExpiredCodeException):
        verify(pool, access, second)  # spent


def test_too_many_wrong_codes_burn_the_code_until_a_new_one_is_sent(pool, new_email):
    pool.confirmed_user(new_email)
    access = access_token(pool, new_email)
    moved = other(new_email)
    change_email(pool, access, moved)
    code = pool.latest_code(moved, VERIFY)

    for _ in range(5):
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            verify(pool, access, wrong(code))
    with pytest.raises(pool.client.exceptions.LimitExceededException) as excinfo:
        verify(pool, access, code)
    assert error_of(excinfo)[1] == "Attempt limit exceeded, please try after some time."

    resend(pool, access)
    verify(pool, access, pool.latest_code(moved, VERIFY))
    assert attributes(pool, access)["email"] == moved


def test_codes_are_sent_five_times_an_hour_at_most(pool, new_email):
    pool.confirmed_user(new_email)
    access = access_token(pool, new_email)
    change_email(pool, access, other(new_email))
    for _ in range(4):
        resend(pool, access)

    with pytest.raises(pool.client.exceptions.LimitExceededException):
        resend(pool, access)
    with pytest.raises(pool.client.exceptions.LimitExceededException):
        change_email(pool, access, other(new_email, "third"), name="Not Applied")
    assert attributes(pool, access)["name"] == "Jane Doe"  # a refused request changes nothing
    pool.clock.advance(3601)
    access = access_token(pool, new_email)
    resend(pool, access)


def test_a_later_change_replaces_the_pending_one_and_the_current_address_cancels_it(pool, new_email):
    pool.confirmed_user(new_email)
    access = access_token(pool, new_email)
    first, second = other(new_email, "first"), other(new_email, "second")
    change_email(pool, access, first)
    first_code = pool.latest_code(first, VERIFY)
    change_email(pool, access, second)

    with pytest.raises(pool.client.exceptions.CodeMismatchException):
        verify(pool, access, first_code)
    verify(pool, access, pool.latest_code(second, VERIFY))
    assert attributes(pool, access)["email"] == second

    change_email(pool, access, first)
    assert change_email(pool, access, second.upper()).get("CodeDeliveryDetailsList") is None  # in use: no code
    with pytest.raises(pool.client.exceptions.ExpiredCodeException):
        verify(pool, access, pool.latest_code(first, VERIFY))  # nothing pending any more
    assert attributes(pool, access)["email"] == second


def test_an_address_another_user_holds_is_refused_when_verified(pool, new_email):
    pool.confirmed_user(new_email)
    access = access_token(pool, new_email)
    taken, later = other(new_email, "taken"), other(new_email, "later")
    pool.confirmed_user(taken)

    change_email(pool, access, taken)  # accepted: the code goes to the address's owner, who is told nothing
    with pytest.raises(pool.client.exceptions.AliasExistsException) as excinfo:
        verify(pool, access, pool.latest_code(taken, VERIFY))
    assert error_of(excinfo)[1] == "An account with the given email already exists."

    change_email(pool, access, later)
    pool.sign_up(later)  # a pending address is nobody's yet: someone else may sign up with it
    with pytest.raises(pool.client.exceptions.AliasExistsException):
        verify(pool, access, pool.latest_code(later, VERIFY))
    with pytest.raises(pool.client.exceptions.ExpiredCodeException):
        verify(pool, access, pool.latest_code(later, VERIFY))  # the change was dropped
    assert attributes(pool, access)["email"] == new_email and signs_in(pool, new_email)


def test_without_the_setting_the_address_changes_at_once_unverified(start_own_pool, new_email):
    pool = start_own_pool(user_attribute_update_settings=AT_ONCE)
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)
    moved = other(new_email)

    reply = change_email(pool, user.access_token, moved)

    assert reply["CodeDeliveryDetailsList"][0]["Destination"] == "n***@e***"
    now = attributes(pool, user.access_token)
    assert (now["email"], now["email_verified"]) == (moved, "false")
    assert signs_in(pool, moved) and not signs_in(pool, new_email)
    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=moved)
    assert not [m for m in pool.mailbox() if m["kind"] == "FORGOT_PASSWORD"]  # no verified address to reset by

    verify(pool, user.access_token, pool.latest_code(moved, VERIFY))
    assert attributes(pool, user.access_token)["email_verified"] == "true"
    pool.client.get_user(AccessToken=user.access_token)  # tokens carry on throughout


def test_without_the_setting_a_taken_address_is_refused_at_once_and_nothing_changes(start_own_pool, new_email):
    pool = start_own_pool(user_attribute_update_settings=AT_ONCE)
    pool.confirmed_user(new_email)
    taken = other(new_email, "taken")
    pool.sign_up(taken)  # unconfirmed, yet the address is its sign-in name
    access = access_token(pool, new_email)

    with pytest.raises(pool.client.exceptions.AliasExistsException):
        change_email(pool, access, taken, name="Not Applied")

    now = attributes(pool, access)
    assert (now["email"], now["name"]) == (new_email, "Jane Doe")
    assert not [m for m in pool.mailbox() if m["kind"] == VERIFY and m["to"] == taken]


def test_an_unverified_address_is_replaced_at_once_even_with_the_setting(pool, new_email):
    pool.confirmed_user(new_email)
    pool.client.admin_update_user_attributes(
        UserPoolId=pool.handle.user_pool_id,
        Username=new_email,
        UserAttributes=[{"Name": "email_verified", "Value": "false"}],
    )
    access = access_token(pool, new_email)
    moved = other(new_email)

    change_email(pool, access, moved)

    assert attributes(pool, access)["email"] == moved and signs_in(pool, moved)
    resend(pool, access)  # a code for the current, unverified address
    verify(pool, access, pool.latest_code(moved, VERIFY))
    assert attributes(pool, access)["email_verified"] == "true"


def test_admin_update_holds_a_new_address_back_unless_it_says_verified(pool, new_email):
    sub = pool.confirmed_user(new_email)["UserSub"]
    moved, direct = other(new_email), other(new_email, "direct")

    def admin_update(username, **values):
        items = [{"Name": name, "Value": value} for name, value in values.items()]
        return pool.client.admin_update_user_attributes(
            UserPoolId=pool.handle.user_pool_id, Username=username, UserAttributes=items
        )

    def admin_attributes():
        reply = pool.client.admin_get_user(UserPoolId=pool.handle.user_pool_id, Username=sub)
        return {a["Name"]: a["Value"] for a in reply["UserAttributes"]}

    admin_update(new_email, email=moved, name="Janet")
    assert admin_attributes()["email"] == new_email and admin_attributes()["name"] == "Janet"
    verify(pool, access_token(pool, new_email), pool.latest_code(moved, VERIFY))
    assert admin_attributes()["email"] == moved

    admin_update(sub, email=direct, email_verified="true")
    assert (admin_attributes()["email"], admin_attributes()["email_verified"]) == (direct, "true")
    assert not [m for m in pool.mailbox() if m["to"] == direct]  # no code
    assert signs_in(pool, direct)

    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        admin_update(sub, email_verified="yes")
    with pytest.raises(pool.client.exceptions.UserNotFoundException):
        admin_update(other(new_email, "nobody"), name="X")
    owner = other(new_email, "owner")
    pool.confirmed_user(owner)
    with pytest.raises(pool.client.exceptions.AliasExistsException):
        admin_update(sub, email=owner, email_verified="true")


def test_an_unconfirmed_users_new_address_is_confirmed_by_a_new_sign_up_code(pool, new_email):
    pool.sign_up(new_email)
    old_code = pool.latest_code(new_email)
    moved = other(new_email)

    pool.client.admin_update_user_attributes(
        UserPoolId=pool.handle.user_pool_id, Username=new_email, UserAttributes=[{"Name": "email", "Value": moved}]
    )

    confirm = {"ClientId": pool.handle.client_id, "Username": moved}
    with pytest.raises(pool.client.exceptions.ExpiredCodeException):
        pool.client.confirm_sign_up(**confirm, ConfirmationCode=old_code)  # it went to the old address
    pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=moved)
    pool.client.confirm_sign_up(**confirm, ConfirmationCode=pool.latest_code(moved))
    assert signs_in(pool, moved)


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("UpdateUserAttributes", {"UserAttributes": [{"Name": "email", "Value": "not an address"}]}),
        ("VerifyUserAttribute", {"AttributeName": "name", "Code": "123456"}),
        ("VerifyUserAttribute", {"AttributeName": "email"}),
        ("VerifyUserAttribute", {"AttributeName": "email", "Code": "12 34"}),
        ("GetUserAttributeVerificationCode", {"AttributeName": "phone_number"}),
        ("GetUserAttributeVerificationCode", {}),
    ],
)
def test_malformed_requests_are_invalid_parameters(pool, new_email, operation, body):
    pool.confirmed_user(new_email)
    request = json.dumps({"AccessToken": access_token(pool, new_email), **body}).encode()

    status, reply = pool.post(operation, request)

    assert (status, reply["__type"]) == (400, "InvalidParameterException")
    assert "12 34" not in reply["message"]  # codes are not echoed

"""The IAM-signed user operations (boto3 signs them with the dummy keys; the signature is not
checked): AdminGetUser, AdminUserGlobalSignOut, AdminDisableUser, AdminEnableUser, AdminDeleteUser."""

import datetime

import pytest

from .support import PASSWORD, error_of

ADMIN_OPERATIONS = [
    "admin_get_user",
    "admin_user_global_sign_out",
    "admin_disable_user",
    "admin_enable_user",
    "admin_delete_user",
]


def refresh(pool, refresh_token: str) -> dict:
    return pool.client.initiate_auth(
        ClientId=pool.handle.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh_token}
    )


def admin(pool, operation: str, username: str) -> dict:
    return getattr(pool.client, operation)(UserPoolId=pool.handle.user_pool_id, Username=username)


def test_admin_get_user_finds_a_user_by_email_or_by_sub(pool, new_email):
    sub = pool.confirmed_user(new_email, handle=f"h{new_email[5:15]}")["UserSub"]

    for username in (new_email.upper(), sub):
        reply = admin(pool, "admin_get_user", username)
        assert reply["Username"] == sub and reply["Enabled"] is True and reply["UserStatus"] == "CONFIRMED"
        attributes = {a["Name"]: a["Value"] for a in reply["UserAttributes"]}
        assert attributes["email"] == new_email and attributes["sub"] == sub
        assert isinstance(reply["UserCreateDate"], datetime.datetime)
    pool.sign_up(f"pending-{new_email}")
    assert admin(pool, "admin_get_user", f"pending-{new_email}")["UserStatus"] == "UNCONFIRMED"


@pytest.mark.parametrize("operation", ADMIN_OPERATIONS)
def test_admin_operations_name_unknown_users_and_other_pools(pool, new_email, operation):
    with pytest.raises(pool.client.exceptions.UserNotFoundException) as excinfo:
        admin(pool, operation, new_email)
    assert error_of(excinfo)[1] == "User does not exist."

    pool.sign_up(new_email)
    with pytest.raises(pool.client.exceptions.ResourceNotFoundException) as excinfo:
        getattr(pool.client, operation)(UserPoolId="us-east-1_Other", Username=new_email)
    assert error_of(excinfo)[1] == "User pool us-east-1_Other does not exist."


def test_admin_global_sign_out_ends_every_sign_in(pool, new_email):
    pool.confirmed_user(new_email)
    first = pool.password_auth(new_email)["AuthenticationResult"]
    second = pool.signed_in(new_email)

    admin(pool, "admin_user_global_sign_out", new_email)

    for access in (first["AccessToken"], second.access_token):
        with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
            pool.client.get_user(AccessToken=access)
        assert error_of(excinfo)[1] == "Access Token has been revoked"
    for token in (first["RefreshToken"], second.refresh_token):
        with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
            refresh(pool, token)
        assert error_of(excinfo)[1] == "Refresh Token has been revoked"
    pool.signed_in(new_email)


def test_a_disabled_user_can_neither_sign_in_nor_use_or_refresh_tokens_until_enabled(pool, new_email):
    sub = pool.confirmed_user(new_email)["UserSub"]
    result = pool.password_auth(new_email)["AuthenticationResult"]

    admin(pool, "admin_disable_user", sub)

    assert admin(pool, "admin_get_user", new_email)["Enabled"] is False
    disabled = ("NotAuthorizedException", "User is disabled.")
    attempts = {
        "GetUser": lambda: pool.client.get_user(AccessToken=result["AccessToken"]),
        "refresh": lambda: refresh(pool, result["RefreshToken"]),
        "USER_PASSWORD_AUTH": lambda: pool.password_auth(new_email),
        "USER_SRP_AUTH": lambda: pool.signed_in(new_email),
    }
    for name, attempt in attempts.items():
        with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
            attempt()
        assert error_of(excinfo) == disabled, name
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.password_auth(new_email, "Wr0ng-password!")  # only the password's owner learns it is disabled
    assert error_of(excinfo)[1] == "Incorrect username or password."

    admin(pool, "admin_enable_user", new_email)

    assert admin(pool, "admin_get_user", new_email)["Enabled"] is True
    pool.signed_in(new_email, PASSWORD)
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        refresh(pool, result["RefreshToken"])  # disabling revoked it for good
    assert error_of(excinfo)[1] == "Refresh Token has been revoked"


def test_a_disabled_user_is_answered_like_an_unknown_one_by_recovery_and_confirmation(pool, new_email):
    unknown = f"nobody-{new_email}"
    pool.confirmed_user(new_email)
    pool.sign_up(f"pending-{new_email}")
    for username in (new_email, f"pending-{new_email}"):
        admin(pool, "admin_disable_user", username)
    before = len(pool.mailbox())

    def forgot(username):
        return pool.client.forgot_password(ClientId=pool.handle.client_id, Username=username)["CodeDeliveryDetails"]

    def resend(username):
        reply = pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username=username)
        return reply["CodeDeliveryDetails"]

    def as_if_sent(username):
        return {"Destination": f"{username[0]}***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    for username in (new_email, unknown):
        assert forgot(username) == as_if_sent(username)
    for username in (f"pending-{new_email}", f"pending-{unknown}"):
        assert resend(username) == as_if_sent(username)
    assert len(pool.mailbox()) == before
    for username in (new_email, unknown):
        with pytest.raises(pool.client.exceptions.CodeMismatchException):
            pool.client.confirm_forgot_password(
                ClientId=pool.handle.client_id, Username=username, ConfirmationCode="123456", Password="N3w-password!"
            )


def test_a_deleted_user_is_gone_with_its_tokens(pool, new_email):
    sub = pool.confirmed_user(new_email)["UserSub"]
    result = pool.password_auth(new_email)["AuthenticationResult"]

    admin(pool, "admin_delete_user", new_email)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.client.get_user(AccessToken=result["AccessToken"])
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        refresh(pool, result["RefreshToken"])
    with pytest.raises(pool.client.exceptions.UserNotFoundException):
        admin(pool, "admin_get_user", sub)
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.password_auth(new_email)
    assert error_of(excinfo)[1] == "Incorrect username or password."
    assert pool.confirmed_user(new_email)["UserSub"] != sub  # the address is free again

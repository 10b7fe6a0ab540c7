"""GetUser, UpdateUserAttributes, ChangePassword, DeleteUser."""

import pytest

from .support import PASSWORD, error_of

NEW_PASSWORD = "N3w-password!"


def test_get_user_answers_the_internal_username_and_attributes(pool, new_email):
    handle = f"h{new_email[5:15]}"
    sub = pool.confirmed_user(new_email, handle=handle)["UserSub"]
    user = pool.signed_in(new_email)

    reply = pool.client.get_user(AccessToken=user.access_token)
    assert reply["Username"] == sub
    assert {a["Name"]: a["Value"] for a in reply["UserAttributes"]} == {
        "sub": sub,
        "email_verified": "true",
        "name": "Jane Doe",
        "preferred_username": handle,
        "email": new_email,
    }
    profile = user.get_user()  # pycognito's view of the same reply
    assert profile.sub == sub and profile.email_verified is True and profile.preferred_username == handle


def test_update_user_attributes_changes_name_and_handle(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)

    user.update_profile({"name": "Janet", "preferred_username": f"n{new_email[5:15]}"})

    attributes = {a["Name"]: a["Value"] for a in pool.client.get_user(AccessToken=user.access_token)["UserAttributes"]}
    assert attributes["name"] == "Janet" and attributes["preferred_username"] == f"n{new_email[5:15]}"
    user.renew_access_token()
    assert user.id_claims["name"] == "Janet"


def test_update_to_a_taken_handle_is_an_alias_conflict(pool, new_email):
    taken = f"t{new_email[5:15]}"
    pool.confirmed_user(f"first-{new_email}", handle=taken)
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)

    with pytest.raises(pool.client.exceptions.AliasExistsException):
        user.update_profile({"preferred_username": taken.upper()})


@pytest.mark.parametrize("name", ["sub", "email_verified", "custom:plan"])
def test_read_only_and_unknown_attributes_cannot_be_updated(pool, new_email, name):
    pool.confirmed_user(new_email)
    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]

    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.client.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": name, "Value": "x"}])


def test_change_password_checks_the_old_one_and_the_policy(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        user.change_password("Wr0ng-password!", NEW_PASSWORD)
    assert error_of(excinfo)[1] == "Incorrect username or password."
    with pytest.raises(pool.client.exceptions.InvalidPasswordException) as excinfo:
        user.change_password(PASSWORD, "weak")
    assert error_of(excinfo)[1] == "Password did not conform with policy: Password not long enough"

    user.change_password(PASSWORD, NEW_PASSWORD)
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.signed_in(new_email, PASSWORD)
    pool.signed_in(new_email, NEW_PASSWORD)


def test_deleted_user_can_no_longer_sign_in_or_use_tokens(pool, new_email):
    pool.confirmed_user(new_email)
    user = pool.signed_in(new_email)
    access = user.access_token

    user.delete_user()

    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.client.get_user(AccessToken=access)
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        pool.signed_in(new_email)
    assert error_of(excinfo)[1] == "Incorrect username or password."
    pool.confirmed_user(new_email)  # the address is free again

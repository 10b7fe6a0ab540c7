"""Remembered devices, with pycognito's own device code: a sign-in hands out NewDeviceMetadata,
ConfirmDevice takes the verifier pycognito's generate_hash_device makes, and a later sign-in
that names the device runs the device SRP (DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER) in place of
the TOTP code; a forgotten device's key stops working and the code is asked again."""

import re

import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from .support import PASSWORD, error_of

REMEMBER = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
ASK_FIRST = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}


def signed_in_with_code(pool, email, secret) -> dict:
    """A sign-in without a device key, through the TOTP code: its AuthenticationResult."""
    challenge = pool.srp_sign_in(email)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    return pool.answer_totp(email, challenge["Session"], pool.next_code(secret))["AuthenticationResult"]


def confirmed_device(pool, result, name="laptop") -> tuple[dict, dict]:
    """ConfirmDevice with pycognito's verifier: (its reply, the device keys AWSSRP takes)."""
    metadata = result["NewDeviceMetadata"]
    password, verifier_config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    reply = pool.client.confirm_device(
        AccessToken=result["AccessToken"],
        DeviceKey=metadata["DeviceKey"],
        DeviceSecretVerifierConfig=verifier_config,
        DeviceName=name,
    )
    device = {
        "device_key": metadata["DeviceKey"],
        "device_group_key": metadata["DeviceGroupKey"],
        "device_password": password,
    }
    return reply, device


def device_sign_in(pool, email, device) -> dict:
    """pycognito's whole USER_SRP_AUTH with a device: PASSWORD_VERIFIER, then DEVICE_SRP_AUTH and
    DEVICE_PASSWORD_VERIFIER, which it answers without a Session."""
    srp = AWSSRP(email, PASSWORD, pool.handle.user_pool_id, pool.handle.client_id, client=pool.client, **device)
    return srp.authenticate_user()


def device_srp(pool, email, device) -> tuple[AWSSRP, dict]:
    """Answer DEVICE_SRP_AUTH by hand with pycognito's SRP values: (the client, the reply)."""
    srp = AWSSRP(email, PASSWORD, pool.handle.user_pool_id, pool.handle.client_id, client=pool.client, **device)
    answers = {"USERNAME": email, "DEVICE_KEY": device["device_key"], "SRP_A": f"{srp.large_a_value:x}"}
    reply = pool.client.respond_to_auth_challenge(
        ClientId=pool.handle.client_id, ChallengeName="DEVICE_SRP_AUTH", ChallengeResponses=answers
    )
    return srp, reply


def attributes(device_type) -> dict:
    return {item["Name"]: item["Value"] for item in device_type["DeviceAttributes"]}


def test_a_remembered_device_signs_in_without_the_code(start_own_pool, new_email):
    pool = start_own_pool(device_configuration=REMEMBER)
    secret = pool.totp_user(new_email)
    result = signed_in_with_code(pool, new_email, secret)
    metadata = result["NewDeviceMetadata"]
    region = pool.handle.user_pool_id.split("_")[0]
    uuid4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}"
    assert re.fullmatch(f"{region}_{uuid4}", metadata["DeviceKey"])
    assert metadata["DeviceGroupKey"]

    reply, device = confirmed_device(pool, result)
    assert reply["UserConfirmationNecessary"] is False

    tokens = device_sign_in(pool, new_email, device)
    assert "ChallengeName" not in tokens
    assert "NewDeviceMetadata" not in tokens["AuthenticationResult"]  # the sign-in named its device
    access = tokens["AuthenticationResult"]["AccessToken"]
    shown = pool.client.get_device(AccessToken=access, DeviceKey=device["device_key"])
    assert attributes(shown["Device"]) == {
        "device_status": "valid",
        "device_name": "laptop",
        "dev:device_remembered_status": "remembered",
    }
    assert shown["Device"]["DeviceLastAuthenticatedDate"] > shown["Device"]["DeviceCreateDate"]


def test_the_device_exchange_names_its_steps_and_checks_the_device_password(start_own_pool, new_email):
    pool = start_own_pool(device_configuration=REMEMBER)
    secret = pool.totp_user(new_email)
    _reply, device = confirmed_device(pool, signed_in_with_code(pool, new_email, secret))

    after_password = pool.srp_sign_in(new_email, **device)
    assert after_password["ChallengeName"] == "DEVICE_SRP_AUTH"
    srp, verifier = device_srp(pool, new_email, device)
    assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    parameters = verifier["ChallengeParameters"]
    assert set(parameters) == {"DEVICE_KEY", "USERNAME", "SALT", "SRP_B", "SECRET_BLOCK"}

    impostor = AWSSRP(
        new_email,
        PASSWORD,
        pool.handle.user_pool_id,
        pool.handle.client_id,
        client=pool.client,
        **{**device, "device_password": "not-the-device-password"},
    )
    impostor.large_a_value, impostor.small_a_value = srp.large_a_value, srp.small_a_value
    with pytest.raises(pool.client.exceptions.NotAuthorizedException):
        pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id,
            ChallengeName="DEVICE_PASSWORD_VERIFIER",
            ChallengeResponses=impostor.process_device_challenge(parameters),
        )
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:  # its exchange was spent
        pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id,
            ChallengeName="DEVICE_PASSWORD_VERIFIER",
            ChallengeResponses=srp.process_device_challenge(parameters),
        )
    assert error_of(excinfo)[1] == "Invalid session for the user."


def test_the_device_password_alone_does_not_sign_in(start_own_pool, new_email):
    pool = start_own_pool(device_configuration=REMEMBER)
    secret = pool.totp_user(new_email)
    _reply, device = confirmed_device(pool, signed_in_with_code(pool, new_email, secret))

    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:  # no password proven first
        device_srp(pool, new_email, device)
    assert error_of(excinfo)[1] == "Invalid session for the user."

    assert pool.srp_sign_in(new_email, **device)["ChallengeName"] == "DEVICE_SRP_AUTH"
    pool.clock.advance(181)  # the proven password opens the device exchange for one Session's lifetime
    with pytest.raises(pool.client.exceptions.NotAuthorizedException) as excinfo:
        device_srp(pool, new_email, device)
    assert error_of(excinfo)[1] == "Invalid session for the user, session is expired."


def test_a_forgotten_device_no_longer_works_and_the_code_is_asked_again(start_own_pool, new_email):
    pool = start_own_pool(device_configuration=REMEMBER)
    secret = pool.totp_user(new_email)
    result = signed_in_with_code(pool, new_email, secret)
    _reply, device = confirmed_device(pool, result)

    pool.client.forget_device(AccessToken=result["AccessToken"], DeviceKey=device["device_key"])

    srp = AWSSRP(new_email, PASSWORD, pool.handle.user_pool_id, pool.handle.client_id, client=pool.client, **device)
    challenge = pool.client.initiate_auth(
        ClientId=pool.handle.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params()
    )
    answer = srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params())

    def respond(answers):
        return pool.client.respond_to_auth_challenge(
            ClientId=pool.handle.client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=answers
        )

    with pytest.raises(pool.client.exceptions.ResourceNotFoundException) as excinfo:
        respond(answer)
    assert error_of(excinfo)[1] == "Device does not exist."
    # The refusal spent nothing: the JS SDK answers the same challenge again without the key.
    del answer["DEVICE_KEY"]
    assert respond(answer)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(SoftwareTokenMFAChallengeException):
        pool.cognito(new_email).authenticate(PASSWORD)
    with pytest.raises(pool.client.exceptions.ResourceNotFoundException):
        pool.client.get_device(AccessToken=result["AccessToken"], DeviceKey=device["device_key"])


def test_where_users_choose_a_confirmed_device_still_needs_the_code_until_remembered(start_own_pool, new_email):
    pool = start_own_pool(device_configuration=ASK_FIRST)
    secret = pool.totp_user(new_email)
    result = signed_in_with_code(pool, new_email, secret)
    reply, device = confirmed_device(pool, result)
    assert reply["UserConfirmationNecessary"] is True
    listed = pool.client.list_devices(AccessToken=result["AccessToken"])["Devices"]
    assert [attributes(d)["dev:device_remembered_status"] for d in listed] == ["not_remembered"]

    with pytest.raises(SoftwareTokenMFAChallengeException) as challenge:  # tracked, not remembered
        device_sign_in(pool, new_email, device)
    after_code = pool.answer_totp(new_email, challenge.value.get_tokens()["Session"], pool.next_code(secret))
    assert after_code["ChallengeName"] == "DEVICE_SRP_AUTH"  # then the device proves itself

    pool.client.update_device_status(
        AccessToken=result["AccessToken"], DeviceKey=device["device_key"], DeviceRememberedStatus="remembered"
    )
    assert "AuthenticationResult" in device_sign_in(pool, new_email, device)


def test_confirming_takes_a_key_this_user_was_given_once(start_own_pool, new_email):
    pool = start_own_pool(device_configuration=REMEMBER)
    pool.confirmed_user(new_email)
    pool.confirmed_user(f"other-{new_email}")
    mine = pool.srp_sign_in(new_email)["AuthenticationResult"]
    theirs = pool.srp_sign_in(f"other-{new_email}")["AuthenticationResult"]

    with pytest.raises(pool.client.exceptions.ResourceNotFoundException):
        confirmed_device(pool, {**mine, "NewDeviceMetadata": theirs["NewDeviceMetadata"]})
    confirmed_device(pool, mine)
    with pytest.raises(pool.client.exceptions.DeviceKeyExistsException):
        confirmed_device(pool, mine)
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.client.confirm_device(
            AccessToken=mine["AccessToken"],
            DeviceKey=theirs["NewDeviceMetadata"]["DeviceKey"],
            DeviceSecretVerifierConfig={"PasswordVerifier": "not base64!", "Salt": "AA=="},
        )


def test_without_mfa_a_tracked_device_still_proves_itself(start_own_pool, new_email):
    pool = start_own_pool(device_configuration=REMEMBER)
    pool.confirmed_user(new_email)
    _reply, device = confirmed_device(pool, pool.srp_sign_in(new_email)["AuthenticationResult"])

    assert pool.srp_sign_in(new_email, **device)["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert "AuthenticationResult" in device_sign_in(pool, new_email, device)
    assert "NewDeviceMetadata" in pool.password_auth(new_email)["AuthenticationResult"]  # no key named: a new one


def test_devices_are_listed_a_page_at_a_time_and_administered(start_own_pool, new_email):
    pool = start_own_pool(device_configuration=REMEMBER)
    pool.confirmed_user(new_email)
    keys = []
    for name in ("one", "two", "three"):
        result = pool.srp_sign_in(new_email)["AuthenticationResult"]
        keys.append(confirmed_device(pool, result, name)[1]["device_key"])
        pool.clock.advance(1)
    access = result["AccessToken"]

    first = pool.client.list_devices(AccessToken=access, Limit=2)
    assert [d["DeviceKey"] for d in first["Devices"]] == keys[:2]
    rest = pool.client.list_devices(AccessToken=access, Limit=2, PaginationToken=first["PaginationToken"])
    assert [d["DeviceKey"] for d in rest["Devices"]] == keys[2:] and "PaginationToken" not in rest

    admin = {"UserPoolId": pool.handle.user_pool_id, "Username": new_email}
    assert [d["DeviceKey"] for d in pool.client.admin_list_devices(**admin)["Devices"]] == keys
    pool.client.admin_update_device_status(**admin, DeviceKey=keys[0], DeviceRememberedStatus="not_remembered")
    shown = pool.client.admin_get_device(**admin, DeviceKey=keys[0])["Device"]
    assert attributes(shown)["dev:device_remembered_status"] == "not_remembered"
    assert shown["DeviceLastModifiedDate"] >= shown["DeviceCreateDate"]
    pool.client.admin_forget_device(**admin, DeviceKey=keys[0])
    assert [d["DeviceKey"] for d in pool.client.list_devices(AccessToken=access)["Devices"]] == keys[1:]
    with pytest.raises(pool.client.exceptions.UserNotFoundException):
        pool.client.admin_list_devices(UserPoolId=pool.handle.user_pool_id, Username=f"nobody-{new_email}")


def test_a_pool_that_remembers_no_devices_hands_out_no_keys(pool, new_email):
    pool.confirmed_user(new_email)
    result = pool.srp_sign_in(new_email)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result

    with pytest.raises(pool.client.exceptions.InvalidUserPoolConfigurationException):
        pool.client.list_devices(AccessToken=result["AccessToken"])

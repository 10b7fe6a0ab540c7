"""amazon-cognito-identity-js in Chromium against a pool with TOTP and remembered devices (users
choose: DeviceOnlyRememberedOnUserPrompt): associateSoftwareToken, verifySoftwareToken and
setUserMfaPreference; a sign-in that meets totpRequired and completes with sendMFACode (the code
computed in Python with pyotp, by the provider's clock); and the library's own device handling —
ConfirmDevice after a sign-in, its device SRP on the next, getDevice, setDeviceStatusRemembered
(after which the code is no longer asked), its retry without a key the pool forgot, and
forgetDevice (after which the code is asked again)."""

import uuid

import pytest

from tests.localcognito.support import PASSWORD, start_pool

from .conftest import spa_page

USERS_CHOOSE = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}


@pytest.fixture(scope="module")
def device_pool(tmp_path_factory, site_origin):
    pool = start_pool(
        tmp_path_factory.mktemp("device-pool"), allowed_origins=(site_origin,), device_configuration=USERS_CHOOSE
    )
    yield pool
    pool.handle.stop()


@pytest.fixture
def spa(browser, site_origin, device_pool):
    with spa_page(browser, site_origin, device_pool) as page:
        yield page


def test_totp_setup_sign_in_with_the_code_and_the_librarys_device_handling(spa, device_pool):
    email = f"mfa-{uuid.uuid4().hex[:12]}@example.com"
    device_pool.confirmed_user(email)
    first = spa.ok("signIn", email, PASSWORD)
    assert first["confirmationNecessary"] is True  # the library confirmed its new device; users choose here

    secret = spa.ok("associateSoftwareToken", email)
    assert spa.ok("verifySoftwareToken", email, device_pool.code(secret), "browser")["Status"] == "SUCCESS"
    spa.ok("setTotpPreferred", email)
    device = spa.ok("getDevice", email)
    attributes = {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}
    assert attributes["dev:device_remembered_status"] == "not_remembered"
    assert "Chrome" in attributes["device_name"]  # the library names a device by its user agent

    challenge = spa.ok("signIn", email, PASSWORD)  # a device not remembered does not stand in for the code
    assert challenge == {"challenge": "SOFTWARE_TOKEN_MFA", "parameters": {"FRIENDLY_DEVICE_NAME": "browser"}}
    code = device_pool.next_code(secret)
    wrong = spa.call("sendMFACode", email, "000000" if code != "000000" else "111111")
    assert wrong["ok"] is False and wrong["error"]["code"] == "CodeMismatchException"
    session = spa.ok("sendMFACode", email, code)  # then the library's device SRP, then tokens
    assert session["valid"] is True and session["idClaims"]["email"] == email

    spa.ok("setDeviceStatusRemembered", email)
    remembered = spa.ok("signIn", email, PASSWORD)
    assert remembered["valid"] is True  # no code: the remembered device answered DEVICE_SRP_AUTH
    assert {a["Name"]: a["Value"] for a in spa.ok("getDevice", email)["DeviceAttributes"]}[
        "dev:device_remembered_status"
    ] == "remembered"

    # Forgotten behind the library's back: its stale key is refused with ResourceNotFoundException
    # at PASSWORD_VERIFIER, the library drops it and answers the same challenge again without it.
    admin = {"UserPoolId": device_pool.handle.user_pool_id, "Username": email}
    device_pool.client.admin_forget_device(**admin, DeviceKey=device["DeviceKey"])
    assert spa.ok("signIn", email, PASSWORD)["challenge"] == "SOFTWARE_TOKEN_MFA"
    again = spa.ok("sendMFACode", email, device_pool.next_code(secret))
    assert again["confirmationNecessary"] is True  # a new device key, confirmed by the library
    replacement = spa.ok("getDevice", email)["DeviceKey"]
    assert replacement != device["DeviceKey"]

    spa.ok("forgetDevice", email)
    assert spa.ok("signIn", email, PASSWORD)["challenge"] == "SOFTWARE_TOKEN_MFA"
    spa.ok("sendMFACode", email, device_pool.next_code(secret))
    devices = spa.ok("listDevices", email)
    assert len(devices) == 1 and devices[0]["DeviceKey"] not in (device["DeviceKey"], replacement)
    assert not [line for line in spa.console if "CORS" in line or "pageerror" in line], spa.console

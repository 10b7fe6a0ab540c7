"""The pool's own rules handed in as configuration: the password policy (PasswordPolicyType),
read back with DescribeUserPool and enforced by every operation that sets a password; the
handle rule SignUp and UpdateUserAttributes apply to preferred_username; the MFA and device
configuration, also read and set with Get/SetUserPoolMfaConfig; and how attribute changes take effect."""

import subprocess
import sys

import pytest

from cruddur.localcognito import LocalCognitoConfig, PasswordPolicy

from .support import PASSWORD, ROOT, boto3_client, error_of, standalone

HANDLE_RULE = "[a-z0-9_]{2,30}"


def test_describe_user_pool_reports_cognitos_defaults_and_optional_totp(pool):
    reply = pool.client.describe_user_pool(UserPoolId=pool.handle.user_pool_id)["UserPool"]

    assert reply["Id"] == pool.handle.user_pool_id and reply["Name"] == "localcognito"
    assert reply["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 7,
    }
    assert reply["UsernameAttributes"] == ["email"] and reply["AutoVerifiedAttributes"] == ["email"]
    assert reply["MfaConfiguration"] == "OPTIONAL"  # the embedded pool's: TOTP for those who turn it on
    assert "DeviceConfiguration" not in reply  # devices are not remembered unless configured
    # A changed e-mail waits for its code; the old one signs in until then.
    assert reply["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}


def test_describing_another_pool_is_resource_not_found(pool):
    with pytest.raises(pool.client.exceptions.ResourceNotFoundException) as excinfo:
        pool.client.describe_user_pool(UserPoolId="us-east-1_Other")
    assert error_of(excinfo)[1] == "User pool us-east-1_Other does not exist."


def test_a_configured_policy_is_read_back_and_enforced_wherever_a_password_is_set(start_own_pool, new_email):
    policy = PasswordPolicy.from_type({"MinimumLength": 12, "RequireSymbols": False})
    pool = start_own_pool(password_policy=policy, pool_name="cruddur")
    described = pool.client.describe_user_pool(UserPoolId=pool.handle.user_pool_id)["UserPool"]
    assert described["Name"] == "cruddur"
    assert described["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert described["Policies"]["PasswordPolicy"]["RequireSymbols"] is False

    with pytest.raises(pool.client.exceptions.InvalidPasswordException) as excinfo:
        pool.sign_up(new_email, password="Elev3n-char")
    assert error_of(excinfo)[1] == "Password did not conform with policy: Password not long enough"
    pool.confirmed_user(new_email, password="NoSymbols1234")  # 13 characters, no symbol: fine here

    user = pool.signed_in(new_email, "NoSymbols1234")
    with pytest.raises(pool.client.exceptions.InvalidPasswordException):
        user.change_password("NoSymbols1234", "Sh0rt-one")
    user.change_password("NoSymbols1234", "Changed12345")

    pool.client.forgot_password(ClientId=pool.handle.client_id, Username=new_email)
    code = pool.latest_code(new_email, "FORGOT_PASSWORD")
    with pytest.raises(pool.client.exceptions.InvalidPasswordException) as excinfo:
        pool.client.confirm_forgot_password(
            ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=code, Password="nouppercase123"
        )
    assert error_of(excinfo)[1] == "Password did not conform with policy: Password must have uppercase characters"
    pool.client.confirm_forgot_password(
        ClientId=pool.handle.client_id, Username=new_email, ConfirmationCode=code, Password="Reset1234567"
    )
    pool.password_auth(new_email, "Reset1234567")


@pytest.mark.parametrize("bad", [{"MinimumLength": 5}, {"RequireNumbers": "yes"}, {"PasswordHistorySize": 3}])
def test_a_policy_cognito_would_not_hold_is_refused_at_start(bad):
    with pytest.raises(ValueError):
        PasswordPolicy.from_type(bad)


def test_without_a_handle_rule_any_handle_is_taken(pool, new_email):
    pool.sign_up(new_email, handle="Jane Doe ✓")


def test_the_handle_rule_checks_the_value_as_typed_ignoring_case(start_own_pool, new_email):
    pool = start_own_pool(handle_pattern=HANDLE_RULE)

    for bad in ("jane doe", "j", " jane", "jane!"):
        with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
            pool.sign_up(new_email, handle=bad)
        assert error_of(excinfo)[1] == (
            f"Attributes did not conform to the schema: preferred_username must match {HANDLE_RULE} (case ignored)"
        )
    pool.confirmed_user(new_email, handle="Jane_Doe")

    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]
    attributes = {a["Name"]: a["Value"] for a in pool.client.get_user(AccessToken=access)["UserAttributes"]}
    assert attributes["preferred_username"] == "Jane_Doe"  # kept as typed
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.sign_up(f"other-{new_email}", handle="JANE_DOE")  # taken, whatever the case


def test_the_handle_rule_applies_to_attribute_updates(start_own_pool, new_email):
    pool = start_own_pool(handle_pattern=HANDLE_RULE)
    pool.confirmed_user(new_email, handle="first")
    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]

    def update(handle):
        pool.client.update_user_attributes(
            AccessToken=access, UserAttributes=[{"Name": "preferred_username", "Value": handle}]
        )

    with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
        update("not a handle")
    assert "preferred_username must match" in error_of(excinfo)[1]
    update("New_Handle")
    attributes = {a["Name"]: a["Value"] for a in pool.client.get_user(AccessToken=access)["UserAttributes"]}
    assert attributes["preferred_username"] == "New_Handle"


def test_the_command_takes_the_policy_and_handle_rule(tmp_path, new_email):
    flags = ("--password-policy", '{"MinimumLength": 12}', "--handle-pattern", HANDLE_RULE)
    with standalone(tmp_path, *flags) as (info, _process):
        client = boto3_client(info, retries=0)
        policy = client.describe_user_pool(UserPoolId=info.user_pool_id)["UserPool"]["Policies"]["PasswordPolicy"]
        assert policy["MinimumLength"] == 12 and policy["RequireSymbols"] is True

        def sign_up(password, handle):
            client.sign_up(
                ClientId=info.client_id,
                Username=new_email,
                Password=password,
                UserAttributes=[{"Name": "name", "Value": "Jane"}, {"Name": "preferred_username", "Value": handle}],
            )

        with pytest.raises(client.exceptions.InvalidPasswordException):
            sign_up(PASSWORD[:11], "jane")
        with pytest.raises(client.exceptions.InvalidParameterException):
            sign_up(PASSWORD, "jane doe")
        sign_up(PASSWORD, "jane")


def test_the_command_refuses_a_policy_it_cannot_hold(tmp_path):
    command = [sys.executable, "-m", "cruddur.localcognito", "--data-dir", str(tmp_path)]
    command += ["--port", "0", "--password-policy", '{"MinimumLength": 4}']
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode == 2 and not result.stdout
    assert "MinimumLength must be 6 to 99" in result.stderr


def test_the_mfa_configuration_is_read_and_set_through_the_api(start_own_pool, new_email):
    pool = start_own_pool()
    pool_id = pool.handle.user_pool_id
    configured = pool.client.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert configured["MfaConfiguration"] == "OPTIONAL"
    assert configured["SoftwareTokenMfaConfiguration"] == {"Enabled": True}

    secret = pool.totp_user(new_email)
    reply = pool.client.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert reply["MfaConfiguration"] == "OFF" and reply["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert pool.client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "OFF"
    assert "AuthenticationResult" in pool.password_auth(new_email)  # OFF: nobody is asked

    pool.client.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL")
    session = pool.password_auth(new_email)["Session"]
    pool.answer_totp(new_email, session, pool.code(secret))

    for refused in (
        {"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": False}},  # no factor left
        {"SmsMfaConfiguration": {"SmsAuthenticationMessage": "{####}"}},  # no SMS here
    ):
        with pytest.raises(pool.client.exceptions.InvalidParameterException):
            pool.client.set_user_pool_mfa_config(UserPoolId=pool_id, **refused)
    with pytest.raises(pool.client.exceptions.ResourceNotFoundException):
        pool.client.get_user_pool_mfa_config(UserPoolId="us-east-1_Other")


def test_without_software_tokens_no_one_can_set_one_up(start_own_pool, new_email):
    pool = start_own_pool(mfa_configuration="OFF", software_token_mfa=False)
    pool.confirmed_user(new_email)
    access = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]

    with pytest.raises(pool.client.exceptions.SoftwareTokenMFANotFoundException) as excinfo:
        pool.client.associate_software_token(AccessToken=access)
    assert error_of(excinfo)[1] == "Software Token MFA has not been enabled by the userPool."


@pytest.mark.parametrize(
    "bad",
    [
        {"mfa_configuration": "ALWAYS"},
        {"mfa_configuration": "ON", "software_token_mfa": False},
        {"device_configuration": {"RememberForever": True}},
        {"device_configuration": {"ChallengeRequiredOnNewDevice": "yes"}},
        {"auth_session_seconds": 60},
        {"user_attribute_update_settings": {"AttributesRequireVerificationBeforeUpdate": ["phone_number"]}},
        {"user_attribute_update_settings": {"AttributesRequireVerificationBeforeUpdate": "email"}},
        {"user_attribute_update_settings": {}},
    ],
)
def test_pool_settings_cognito_or_this_pool_would_not_hold_are_refused_at_start(tmp_path, bad):
    with pytest.raises(ValueError):
        LocalCognitoConfig(data_dir=tmp_path, **bad)


def test_the_command_takes_the_mfa_device_and_attribute_update_configuration(tmp_path):
    devices = '{"ChallengeRequiredOnNewDevice": true}'
    updates = '{"AttributesRequireVerificationBeforeUpdate": []}'
    flags = ("--mfa-configuration", "ON", "--device-configuration", devices)
    flags += ("--user-attribute-update-settings", updates)
    with standalone(tmp_path, *flags) as (info, _process):
        described = boto3_client(info, retries=0).describe_user_pool(UserPoolId=info.user_pool_id)["UserPool"]
    assert described["MfaConfiguration"] == "ON"
    assert described["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": []}
    assert described["DeviceConfiguration"] == {
        "ChallengeRequiredOnNewDevice": True,
        "DeviceOnlyRememberedOnUserPrompt": False,
    }

    command = [sys.executable, "-m", "cruddur.localcognito", "--data-dir", str(tmp_path), "--port", "0"]
    result = subprocess.run(
        [*command, "--mfa-configuration", "ON", "--no-software-token-mfa"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "needs software token MFA" in result.stderr

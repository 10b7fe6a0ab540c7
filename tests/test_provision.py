"""`python -m cruddur.provision` against moto's Cognito: create, update, dry run, .env; and the
pool it makes against the embedded localcognito made from the same settings."""

import dataclasses

import boto3
import pytest
from moto import mock_aws
from moto.cognitoidp.models import CognitoIdpUserPool

from cruddur import provision as prov
from cruddur.auth.managed_login import SCOPES
from cruddur.auth.password_policy import DEFAULT_POLICY, PasswordPolicy
from cruddur.embedded_identity import provider_config
from cruddur.localcognito import start_in_thread
from cruddur.settings import IdentitySource, Settings
from tests.localcognito.support import boto3_client

REGION = "us-east-1"
READ_ONLY = ("List", "Describe", "Get")
SRP_AND_REFRESH = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


@pytest.fixture
def aws(monkeypatch, tmp_path):
    """Fake credentials, no shared AWS config, and moto keeping create-only pool settings."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)

    # moto gap: its UpdateUserPool also drops UsernameAttributes and UsernameConfiguration,
    # which real Cognito keeps (UpdateUserPool does not accept them). Mirror AWS here.
    original = CognitoIdpUserPool.update_extended_config

    def keep_create_only(self, config):
        kept = {
            k: v
            for k, v in getattr(self, "extended_config", {}).items()
            if k in ("UsernameAttributes", "UsernameConfiguration")
        }
        original(self, {**config, **kept})

    monkeypatch.setattr(CognitoIdpUserPool, "update_extended_config", keep_create_only)
    with mock_aws():
        yield


@pytest.fixture
def settings(make_settings):
    """The app's settings, as defaults: MFA OPTIONAL, browsers remembered when the person asks."""
    return make_settings()


@pytest.fixture
def cognito(aws):
    return boto3.client("cognito-idp", region_name=REGION)


@pytest.fixture
def calls(cognito):
    """Names of the Cognito operations `cognito` sends, in order."""
    sent = []
    cognito.meta.events.register("before-call.cognito-idp", lambda model, **_: sent.append(model.name))
    return sent


@pytest.fixture
def sent(cognito):
    """(operation, parameters) of each call `cognito` makes, in order."""
    made = []
    cognito.meta.events.register(
        "provide-client-params.cognito-idp", lambda params, model, **_: made.append((model.name, dict(params)))
    )
    return made


def describe_pool(cognito, pool_id):
    return cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def describe_client(cognito, pool_id, client_id):
    return cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]


def pool_count(cognito):
    return len(cognito.list_user_pools(MaxResults=60)["UserPools"])


def run_main(monkeypatch, cognito, *args, settings=None):
    """main() with `cognito` as its client, so its calls can be watched, and `settings` (else the
    defaults) as the app's."""
    monkeypatch.setattr(prov, "make_client", lambda region, endpoint_url=None: cognito)
    monkeypatch.setattr(prov, "load_settings", lambda: settings or Settings(_env_file=None))
    return prov.main(["--region", REGION, *args])


# --- First run ----------------------------------------------------------------------------------


def test_first_run_creates_pool_with_email_sign_in_required_name_and_handle(cognito, settings):
    result = prov.provision(cognito, settings)

    pool = describe_pool(cognito, result.pool_id)
    assert result.pool_action == "created"
    assert pool["Name"] == "cruddur"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    attributes = {a["Name"]: a for a in pool["SchemaAttributes"]}
    assert attributes["name"]["Required"] is True
    assert attributes["preferred_username"]["Required"] is False
    assert attributes["preferred_username"]["Mutable"] is True


def test_first_run_sends_email_codes_and_recovers_by_verified_email(cognito, settings):
    pool = describe_pool(cognito, prov.provision(cognito, settings).pool_id)

    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    assert "{####}" in pool["VerificationMessageTemplate"]["EmailMessage"]
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [{"Name": "verified_email", "Priority": 1}]


def test_first_run_gives_pool_the_password_policy_the_signup_checklist_shows(cognito, settings):
    pool = describe_pool(cognito, prov.provision(cognito, settings).pool_id)

    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": DEFAULT_POLICY.minimum_length,
        "RequireUppercase": DEFAULT_POLICY.require_uppercase,
        "RequireLowercase": DEFAULT_POLICY.require_lowercase,
        "RequireNumbers": DEFAULT_POLICY.require_numbers,
        "RequireSymbols": DEFAULT_POLICY.require_symbols,
        "TemporaryPasswordValidityDays": 7,
    }


def test_first_run_creates_public_srp_client_with_revocation_and_token_lifetimes(cognito, settings):
    result = prov.provision(cognito, settings)

    client = describe_client(cognito, result.pool_id, result.client_id)
    assert result.client_action == "created"
    assert client["ClientName"] == "cruddur-web"
    assert "ClientSecret" not in client
    assert sorted(client["ExplicitAuthFlows"]) == SRP_AND_REFRESH
    assert client["EnableTokenRevocation"] is True
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert (client["AccessTokenValidity"], client["IdTokenValidity"]) == (1, 1)
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}


def test_password_policy_is_built_from_the_policy_given(settings):
    policy = PasswordPolicy(minimum_length=12, require_symbols=False)

    config = prov.desired_pool_config(settings, policy=policy)

    pool_policy = config["Policies"]["PasswordPolicy"]
    assert pool_policy["MinimumLength"] == 12
    assert pool_policy["RequireSymbols"] is False


# --- Second run ---------------------------------------------------------------------------------


def test_second_run_creates_nothing_and_returns_the_same_ids(cognito, settings):
    first = prov.provision(cognito, settings)
    second = prov.provision(cognito, settings)

    assert (second.pool_id, second.client_id) == (first.pool_id, first.client_id)
    assert (second.pool_action, second.client_action) == ("updated", "updated")
    assert pool_count(cognito) == 1
    clients = cognito.list_user_pool_clients(UserPoolId=first.pool_id, MaxResults=60)
    assert len(clients["UserPoolClients"]) == 1


def test_second_run_restores_settings_changed_by_hand(cognito, settings):
    first = prov.provision(cognito, settings)
    cognito.update_user_pool(
        UserPoolId=first.pool_id,
        Policies={"PasswordPolicy": {"MinimumLength": 6, "RequireSymbols": False}},
    )
    cognito.update_user_pool_client(
        UserPoolId=first.pool_id,
        ClientId=first.client_id,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="LEGACY",
        AccessTokenValidity=24,
    )

    prov.provision(cognito, settings)

    pool = describe_pool(cognito, first.pool_id)
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 8
    assert pool["Policies"]["PasswordPolicy"]["RequireSymbols"] is True
    # Omitted settings are reset by UpdateUserPool, so these prove the full config was sent.
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"][0]["Name"] == "verified_email"
    client = describe_client(cognito, first.pool_id, first.client_id)
    assert sorted(client["ExplicitAuthFlows"]) == SRP_AND_REFRESH
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert client["AccessTokenValidity"] == 1


def test_update_never_sends_settings_cognito_fixes_at_creation(settings):
    params = prov.pool_update_params("pool-id", prov.desired_pool_config(settings))

    assert not {"UsernameAttributes", "UsernameConfiguration", "Schema"} & params.keys()
    assert "GenerateSecret" not in prov.client_update_params("p", "c", prov.desired_client_config())


def test_pool_and_client_on_later_list_pages_are_found(cognito, calls):
    cognito.create_user_pool(PoolName="other")
    pool_id = cognito.create_user_pool(PoolName="cruddur")["UserPool"]["Id"]
    for name in ("a", "b", "cruddur-web"):
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=name)
    calls.clear()

    assert prov.find_pool_id(cognito, "cruddur", page_size=1) == pool_id
    client_id = prov.find_client_id(cognito, pool_id, "cruddur-web", page_size=1)

    assert describe_client(cognito, pool_id, client_id)["ClientName"] == "cruddur-web"
    assert calls.count("ListUserPools") == 2 and calls.count("ListUserPoolClients") == 3


# --- Second factor, remembered devices, e-mail changes -------------------------------------------


def mfa_of(cognito, pool_id):
    reply = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    return reply["MfaConfiguration"], reply["SoftwareTokenMfaConfiguration"]


def test_first_run_creates_the_pool_without_mfa_then_turns_totp_on(cognito, sent, settings):
    pool_id = prov.provision(cognito, settings).pool_id

    names = [name for name, _ in sent]
    assert names.index("CreateUserPool") < names.index("SetUserPoolMfaConfig")
    created = dict(sent)["CreateUserPool"]
    assert "MfaConfiguration" not in created  # no factor can be on before the pool exists
    assert dict(sent)["SetUserPoolMfaConfig"] == {
        "UserPoolId": pool_id,
        "MfaConfiguration": "OPTIONAL",
        "SoftwareTokenMfaConfiguration": {"Enabled": True},
        "WebAuthnConfiguration": {"RelyingPartyId": "localhost", "UserVerification": "required"},
    }
    assert mfa_of(cognito, pool_id) == ("OPTIONAL", {"Enabled": True})
    assert created["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}


def test_first_run_remembers_browsers_as_asked_and_holds_email_changes_back(cognito, settings):
    pool = describe_pool(cognito, prov.provision(cognito, settings).pool_id)

    assert pool["DeviceConfiguration"] == {
        "ChallengeRequiredOnNewDevice": True,
        "DeviceOnlyRememberedOnUserPrompt": True,
    }
    assert pool["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}


@pytest.mark.parametrize(
    ("mfa", "remember", "software_token", "devices"),
    [
        ("ON", "always", True, {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}),
        ("OFF", "off", False, None),
    ],
)
def test_the_settings_decide_mfa_and_devices(cognito, make_settings, mfa, remember, software_token, devices):
    pool_id = prov.provision(cognito, make_settings(mfa=mfa, remember_devices=remember)).pool_id

    assert mfa_of(cognito, pool_id) == (mfa, {"Enabled": software_token})
    assert describe_pool(cognito, pool_id).get("DeviceConfiguration") == devices


def test_an_update_sets_the_factor_before_the_pool_and_keeps_mfa_on(cognito, sent, make_settings):
    pool_id = prov.provision(cognito, make_settings(mfa="OFF")).pool_id
    sent.clear()

    prov.provision(cognito, make_settings(mfa="ON", remember_devices="off"))

    names = [name for name, _ in sent]
    assert names.index("SetUserPoolMfaConfig") < names.index("UpdateUserPool")
    update = dict(sent)["UpdateUserPool"]
    assert update["MfaConfiguration"] == "ON"  # left out, UpdateUserPool would turn MFA off
    assert "DeviceConfiguration" not in update  # left out, UpdateUserPool forgets it
    assert mfa_of(cognito, pool_id) == ("ON", {"Enabled": True})
    assert "DeviceConfiguration" not in describe_pool(cognito, pool_id)


def test_a_dry_run_prints_what_would_change_and_changes_nothing(cognito, calls, monkeypatch, capsys, make_settings):
    pool_id = prov.provision(cognito, make_settings()).pool_id
    cognito.update_user_pool(
        **{
            **prov.pool_update_params(pool_id, prov.desired_pool_config(make_settings())),
            "Policies": {"PasswordPolicy": {**prov.password_policy_config(), "MinimumLength": 6}},
        }
    )
    calls.clear()

    code = run_main(monkeypatch, cognito, "--dry-run", settings=make_settings(mfa="ON", remember_devices="always"))

    assert code == 0
    assert calls and all(name.startswith(READ_ONLY) for name in calls)
    err = capsys.readouterr().err
    assert "  Policies.PasswordPolicy.MinimumLength: 6 -> 8" in err
    assert "  DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt: true -> false" in err
    assert '  MfaConfiguration: "OPTIONAL" -> "ON"' in err
    assert mfa_of(cognito, pool_id) == ("OPTIONAL", {"Enabled": True})
    assert describe_pool(cognito, pool_id)["Policies"]["PasswordPolicy"]["MinimumLength"] == 6


def test_a_dry_run_after_provisioning_finds_nothing_to_change(cognito, settings):
    prov.provision(cognito, settings)

    again = prov.provision(cognito, settings, dry_run=True)

    assert (again.pool_changes, again.client_changes) == ((), ())


def test_a_dry_run_names_device_remembering_that_would_stop_and_client_changes(cognito, make_settings):
    first = prov.provision(cognito, make_settings())
    cognito.update_user_pool_client(
        UserPoolId=first.pool_id, ClientId=first.client_id, ClientName="cruddur-web", AccessTokenValidity=24
    )

    dry = prov.provision(cognito, make_settings(remember_devices="off"), dry_run=True)

    remembered = '{"ChallengeRequiredOnNewDevice": true, "DeviceOnlyRememberedOnUserPrompt": true}'
    assert dry.pool_changes == (f"DeviceConfiguration: {remembered} -> unset",)
    assert "AccessTokenValidity: 24 -> 1" in dry.client_changes


@pytest.mark.parametrize(("mfa", "remember"), [("OPTIONAL", "opt-in"), ("ON", "always"), ("OFF", "off")])
def test_the_embedded_pool_is_the_pool_provisioning_makes(cognito, make_settings, tmp_path, mfa, remember):
    """The same settings make both. moto takes any MFA configuration, so localcognito, which refuses
    what Cognito refuses, also takes the one provisioning sends."""
    settings = make_settings(mfa=mfa, remember_devices=remember)
    provisioned_id = prov.provision(cognito, settings).pool_id
    provisioned = describe_pool(cognito, provisioned_id)
    embedded = start_in_thread(dataclasses.replace(provider_config(settings, DEFAULT_POLICY), port=0))
    try:
        local = boto3_client(embedded, retries=0)
        pool = local.describe_user_pool(UserPoolId=embedded.user_pool_id)["UserPool"]
        for key in ("Policies", "DeviceConfiguration", "UserAttributeUpdateSettings", "AutoVerifiedAttributes"):
            assert pool.get(key) == provisioned.get(key), key
        assert mfa_of(local, embedded.user_pool_id) == mfa_of(cognito, provisioned_id)
        local.set_user_pool_mfa_config(UserPoolId=embedded.user_pool_id, **settings.mfa_configuration)
    finally:
        embedded.stop()


# --- Settings that cannot change ----------------------------------------------------------------


def test_pool_signing_in_by_username_is_reported_and_left_untouched(cognito, calls, monkeypatch, capsys):
    pool_id = cognito.create_user_pool(PoolName="cruddur")["UserPool"]["Id"]
    calls.clear()

    code = run_main(monkeypatch, cognito)

    assert code != 0
    err = capsys.readouterr().err
    assert "cannot be changed after creation" in err
    assert "UsernameAttributes" in err
    assert all(name.startswith(READ_ONLY) for name in calls)
    assert "UsernameAttributes" not in describe_pool(cognito, pool_id)


def test_client_with_a_secret_is_reported_and_left_untouched(cognito, calls, settings):
    pool_id = prov.provision(cognito, settings).pool_id
    old = prov.desired_client_config()
    client_id = prov.find_client_id(cognito, pool_id, "cruddur-web")
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    cognito.create_user_pool_client(UserPoolId=pool_id, **{**old, "GenerateSecret": True})
    calls.clear()

    with pytest.raises(prov.ImmutableSettingsError, match="secret"):
        prov.provision(cognito, settings)
    assert all(name.startswith(READ_ONLY) for name in calls)


def test_two_pools_with_the_same_name_are_reported(cognito, settings):
    cognito.create_user_pool(PoolName="cruddur")
    cognito.create_user_pool(PoolName="cruddur")

    with pytest.raises(prov.AmbiguousNameError, match="2 user pools"):
        prov.provision(cognito, settings)


# --- Dry run ------------------------------------------------------------------------------------


def test_dry_run_on_a_fresh_account_says_create_and_calls_no_mutating_api(cognito, calls, monkeypatch, capsys):
    code = run_main(monkeypatch, cognito, "--dry-run")

    assert code == 0
    assert calls and all(name.startswith(READ_ONLY) for name in calls)
    assert pool_count(cognito) == 0
    captured = capsys.readouterr()
    assert "User pool 'cruddur': would create" in captured.err
    assert "App client 'cruddur-web': would create" in captured.err
    assert f"COGNITO_REGION={REGION}" in captured.out


def test_dry_run_on_an_existing_pool_says_update_and_changes_nothing(cognito, calls, monkeypatch, capsys, settings):
    first = prov.provision(cognito, settings)
    cognito.update_user_pool(UserPoolId=first.pool_id, Policies={"PasswordPolicy": {"MinimumLength": 6}})
    calls.clear()

    code = run_main(monkeypatch, cognito, "--dry-run")

    assert code == 0
    assert all(name.startswith(READ_ONLY) for name in calls)
    assert describe_pool(cognito, first.pool_id)["Policies"]["PasswordPolicy"]["MinimumLength"] == 6
    captured = capsys.readouterr()
    assert "would update" in captured.err
    assert f"COGNITO_USER_POOL_ID={first.pool_id}" in captured.out
    assert f"COGNITO_APP_CLIENT_ID={first.client_id}" in captured.out


def test_dry_run_does_not_write_the_env_file(cognito, monkeypatch, tmp_path):
    env = tmp_path / ".env"
    env.write_text("LOG_LEVEL=debug\n")

    run_main(monkeypatch, cognito, "--dry-run", "--write-env", str(env))

    assert env.read_text() == "LOG_LEVEL=debug\n"


# --- Output and .env ----------------------------------------------------------------------------


def test_main_prints_the_settings_the_app_reads(cognito, monkeypatch, capsys):
    code = run_main(monkeypatch, cognito)

    pool_id = prov.find_pool_id(cognito, "cruddur")
    client_id = prov.find_client_id(cognito, pool_id, "cruddur-web")
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        f"COGNITO_REGION={REGION}",
        f"COGNITO_USER_POOL_ID={pool_id}",
        f"COGNITO_APP_CLIENT_ID={client_id}",
    ]


def test_main_honours_pool_and_client_names(cognito, monkeypatch):
    run_main(monkeypatch, cognito, "--pool-name", "cruddur-staging", "--client-name", "staging-web")

    pool_id = prov.find_pool_id(cognito, "cruddur-staging")
    assert pool_id and prov.find_pool_id(cognito, "cruddur") is None
    assert prov.find_client_id(cognito, pool_id, "staging-web")


def test_write_env_sets_the_three_settings_and_keeps_unrelated_lines(cognito, monkeypatch, tmp_path):
    env = tmp_path / ".env"
    env.write_text("# local settings\nDATABASE_URL=sqlite:///data/x.db\nCOGNITO_REGION=eu-west-1\n\nLOG_LEVEL=debug\n")

    assert run_main(monkeypatch, cognito, "--write-env", str(env)) == 0

    pool_id = prov.find_pool_id(cognito, "cruddur")
    client_id = prov.find_client_id(cognito, pool_id, "cruddur-web")
    assert env.read_text().splitlines() == [
        "# local settings",
        "DATABASE_URL=sqlite:///data/x.db",
        f"COGNITO_REGION={REGION}",
        "",
        "LOG_LEVEL=debug",
        f"COGNITO_USER_POOL_ID={pool_id}",
        f"COGNITO_APP_CLIENT_ID={client_id}",
    ]


def test_written_env_makes_the_app_use_the_provisioned_pool(cognito, monkeypatch, tmp_path):
    for name in ("COGNITO_REGION", "COGNITO_USER_POOL_ID", "COGNITO_APP_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    env = tmp_path / ".env"
    run_main(monkeypatch, cognito, "--write-env", str(env))

    settings = Settings(_env_file=env)

    assert settings.identity_source() is IdentitySource.USER_POOL
    assert settings.cognito_user_pool_id == prov.find_pool_id(cognito, "cruddur")


def test_env_update_replaces_exported_and_duplicate_assignments(tmp_path):
    env = tmp_path / ".env"
    env.write_text("export COGNITO_USER_POOL_ID=old\nA=1\nCOGNITO_USER_POOL_ID=older\n")

    prov.update_env_file(env, {"COGNITO_USER_POOL_ID": "new"})

    assert env.read_text() == "COGNITO_USER_POOL_ID=new\nA=1\n"


def test_write_env_warns_when_file_points_the_app_at_another_endpoint(cognito, monkeypatch, tmp_path, capsys):
    env = tmp_path / ".env"
    env.write_text("COGNITO_ENDPOINT_URL=http://127.0.0.1:9229\n")

    run_main(monkeypatch, cognito, "--write-env", str(env))

    assert "COGNITO_ENDPOINT_URL=http://127.0.0.1:9229" in env.read_text()
    assert "still sets COGNITO_ENDPOINT_URL" in capsys.readouterr().err


def test_endpoint_url_is_passed_to_boto3_and_written_with_the_settings(aws, monkeypatch, tmp_path, capsys):
    seen = {}
    real_make_client = prov.make_client

    def recording_make_client(region, endpoint_url=None):
        seen.update(region=region, endpoint_url=endpoint_url)
        return real_make_client(region)  # moto intercepts AWS, not an arbitrary URL

    monkeypatch.setattr(prov, "make_client", recording_make_client)
    env = tmp_path / ".env"

    prov.main(["--region", REGION, "--endpoint-url", "http://127.0.0.1:9229", "--write-env", str(env)])

    assert seen == {"region": REGION, "endpoint_url": "http://127.0.0.1:9229"}
    assert "COGNITO_ENDPOINT_URL=http://127.0.0.1:9229" in env.read_text().splitlines()
    assert "still sets" not in capsys.readouterr().err


def test_aws_errors_are_reported_without_a_traceback(cognito, monkeypatch, capsys):
    def failing(*args, **kwargs):
        from botocore.exceptions import NoCredentialsError

        raise NoCredentialsError()

    monkeypatch.setattr(prov, "provision", failing)

    assert run_main(monkeypatch, cognito) == 1
    assert "Unable to locate credentials" in capsys.readouterr().err


# --- Federated sign-in: OIDC providers from presets, the pool's domain, the client's OAuth -----------

APP = "https://cruddur.example"
FEDERATED = [
    "--provider", "google", "--provider", "microsoft", "--domain", "cruddur-example",
    "--callback-url", f"{APP}/_federation/callback", "--sign-out-url", f"{APP}/",
]  # fmt: skip
SECRETS = {
    "google_client_id": "google-id.apps.googleusercontent.com",
    "google_client_secret": "google-secret",
    "microsoft_client_id": "ms-id",
    "microsoft_client_secret": "ms-secret",
    "microsoft_tenant_id": "tenant-1",
}


def test_providers_domain_and_client_urls_are_provisioned_and_printed(cognito, monkeypatch, capsys, make_settings):
    assert run_main(monkeypatch, cognito, *FEDERATED, settings=make_settings(**SECRETS)) == 0
    out = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    pool_id, client_id = out["COGNITO_USER_POOL_ID"], out["COGNITO_APP_CLIENT_ID"]
    assert out["FEDERATED_PROVIDERS"] == "GoogleOIDC,Microsoft"
    assert out["COGNITO_DOMAIN_URL"] == f"https://cruddur-example.auth.{REGION}.amazoncognito.com"
    assert (out["OAUTH_CALLBACK_URL"], out["OAUTH_SIGN_OUT_URL"]) == (f"{APP}/_federation/callback", f"{APP}/")

    google = cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="GoogleOIDC")["IdentityProvider"]
    assert google["ProviderType"] == "OIDC"
    assert google["ProviderDetails"]["oidc_issuer"] == "https://accounts.google.com"
    assert google["ProviderDetails"]["client_id"] == SECRETS["google_client_id"]
    assert google["AttributeMapping"]["email_verified"] == "email_verified"
    microsoft = cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Microsoft")["IdentityProvider"]
    assert microsoft["ProviderDetails"]["oidc_issuer"] == "https://login.microsoftonline.com/tenant-1/v2.0"
    assert "email" not in microsoft["AttributeMapping"]  # Microsoft's email claim is not verified

    assert cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "cruddur-example"
    client = describe_client(cognito, pool_id, client_id)
    assert client["CallbackURLs"] == [f"{APP}/_federation/callback"] and client["LogoutURLs"] == [f"{APP}/"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert sorted(client["AllowedOAuthScopes"]) == sorted(SCOPES.split())
    assert sorted(client["SupportedIdentityProviders"]) == ["COGNITO", "GoogleOIDC", "Microsoft"]


def test_a_second_run_updates_the_providers_in_place(cognito, monkeypatch, capsys, make_settings):
    run_main(monkeypatch, cognito, *FEDERATED, settings=make_settings(**SECRETS))
    capsys.readouterr()
    rotated = make_settings(**(SECRETS | {"google_client_secret": "rotated"}))
    assert run_main(monkeypatch, cognito, *FEDERATED, settings=rotated) == 0
    captured = capsys.readouterr()
    assert "IdentityProvider GoogleOIDC: updated" in captured.err
    assert "Domain" not in captured.err  # the domain is there already
    pool_id = dict(line.split("=", 1) for line in captured.out.splitlines())["COGNITO_USER_POOL_ID"]
    google = cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="GoogleOIDC")["IdentityProvider"]
    assert google["ProviderDetails"]["client_secret"] == "rotated"


def test_a_dry_run_says_what_it_would_add_and_calls_nothing_that_changes(
    cognito, calls, monkeypatch, capsys, make_settings
):
    assert run_main(monkeypatch, cognito, "--dry-run", *FEDERATED, settings=make_settings(**SECRETS)) == 0
    err = capsys.readouterr().err
    assert "IdentityProvider GoogleOIDC: would create" in err and "Domain cruddur-example: would create" in err
    assert calls and all(name.startswith(READ_ONLY) for name in calls)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--provider", "google"], "--domain, --callback-url, --sign-out-url"),
        (["--domain", "cruddur-example"], "need at least one --provider"),
    ],
)
def test_half_a_federation_is_refused(cognito, monkeypatch, capsys, make_settings, args, said):
    assert run_main(monkeypatch, cognito, *args, settings=make_settings(**SECRETS)) == 2
    assert said in capsys.readouterr().err


def test_a_preset_without_its_client_in_the_environment_is_refused(cognito, monkeypatch, capsys, make_settings):
    assert run_main(monkeypatch, cognito, *FEDERATED, settings=make_settings()) == 2
    assert "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET" in capsys.readouterr().err


def test_without_federation_the_client_has_no_oauth(cognito, monkeypatch, capsys, make_settings):
    assert run_main(monkeypatch, cognito, settings=make_settings()) == 0
    out = capsys.readouterr().out
    assert "FEDERATED_PROVIDERS" not in out
    assert prov.federation_of(make_settings(), [], None, None, None) is None

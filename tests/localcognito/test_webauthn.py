"""Passkeys through boto3, with a software authenticator: registering one (StartWebAuthnRegistration,
CompleteWebAuthnRegistration), listing and deleting them, GetUserAuthFactors, the pool's
WebAuthnConfiguration, and the registrations refused with Cognito's errors."""

import pytest

from cruddur.localcognito import LocalCognitoConfig
from tests.support.authenticator import SoftAuthenticator

from .support import boto3_client, error_of, standalone, start_pool


def access_token(pool, email):
    pool.confirmed_user(email)
    return pool.password_auth(email)["AuthenticationResult"]["AccessToken"]


@pytest.mark.parametrize(("alg", "attestation"), [("ES256", "none"), ("RS256", "packed"), ("EdDSA", "packed")])
def test_a_passkey_registers_and_is_listed(pool, new_email, alg, attestation):
    access = access_token(pool, new_email)
    options = pool.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    assert options["rp"] == {"id": "localhost", "name": "localcognito"}
    assert options["user"]["name"] == new_email
    assert [param["alg"] for param in options["pubKeyCredParams"]] == [-7, -257, -8]
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["excludeCredentials"] == []

    authenticator = SoftAuthenticator(alg=alg)
    credential = authenticator.create(options, attestation=attestation)
    assert pool.client.complete_web_authn_registration(AccessToken=access, Credential=credential)

    (listed,) = pool.client.list_web_authn_credentials(AccessToken=access)["Credentials"]
    assert listed["CredentialId"] == credential["id"]
    assert listed["RelyingPartyId"] == "localhost"
    assert listed["AuthenticatorAttachment"] == "platform"
    assert listed["AuthenticatorTransports"] == ["internal", "hybrid"]
    assert listed["FriendlyCredentialName"].startswith("Passkey created ")
    assert listed["CreatedAt"].timestamp() == pytest.approx(pool.clock(), abs=5)
    factors = pool.client.get_user_auth_factors(AccessToken=access)
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]

    again = pool.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    assert [c["id"] for c in again["excludeCredentials"]] == [credential["id"]]


def test_passkeys_page_and_delete(pool, new_email):
    access = access_token(pool, new_email)
    authenticator = SoftAuthenticator()
    ids = []
    for _ in range(3):
        ids.append(pool.register_passkey(access, authenticator)["id"])
        pool.clock.advance(1)  # listed oldest first

    first = pool.client.list_web_authn_credentials(AccessToken=access, MaxResults=2)
    assert [c["CredentialId"] for c in first["Credentials"]] == ids[:2]
    rest = pool.client.list_web_authn_credentials(AccessToken=access, MaxResults=2, NextToken=first["NextToken"])
    assert [c["CredentialId"] for c in rest["Credentials"]] == ids[2:] and "NextToken" not in rest
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        pool.client.list_web_authn_credentials(AccessToken=access, NextToken="not-a-credential")

    other = access_token(pool, f"other-{new_email}")
    with pytest.raises(pool.client.exceptions.ResourceNotFoundException):
        pool.client.delete_web_authn_credential(AccessToken=other, CredentialId=ids[0])
    pool.client.delete_web_authn_credential(AccessToken=access, CredentialId=ids[0])
    remaining = pool.client.list_web_authn_credentials(AccessToken=access)["Credentials"]
    assert [c["CredentialId"] for c in remaining] == ids[1:]


def complete(pool, access, credential):
    return pool.client.complete_web_authn_registration(AccessToken=access, Credential=credential)


@pytest.mark.parametrize(
    ("how", "error"),
    [
        ({"origin": "https://evil.example"}, "WebAuthnOriginNotAllowedException"),
        ({"origin": "http://127.0.0.1:3000"}, "WebAuthnOriginNotAllowedException"),
        ({"rp_id": "example.com"}, "WebAuthnRelyingPartyMismatchException"),
        ({"challenge": "c29tZSBvdGhlciBjaGFsbGVuZ2U"}, "WebAuthnChallengeNotFoundException"),
        ({"client_type": "webauthn.get"}, "WebAuthnChallengeNotFoundException"),
    ],
)
def test_registrations_for_another_origin_party_or_challenge_are_refused(pool, new_email, how, error):
    access = access_token(pool, new_email)
    options = pool.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    origin = how.pop("origin", "http://localhost:5173")
    credential = SoftAuthenticator().create(options, origin, **how)
    with pytest.raises(pool.client.exceptions.ClientError) as excinfo:
        complete(pool, access, credential)
    assert error_of(excinfo)[0] == error
    assert pool.client.list_web_authn_credentials(AccessToken=access)["Credentials"] == []


def test_a_registration_challenge_is_answered_once_and_expires(pool, new_email):
    access = access_token(pool, new_email)
    authenticator = SoftAuthenticator()
    options = pool.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    complete(pool, access, authenticator.create(options))
    with pytest.raises(pool.client.exceptions.WebAuthnChallengeNotFoundException):
        complete(pool, access, authenticator.create(options))  # the same challenge again

    options = pool.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    pool.clock.advance(181)  # the app client's AuthSessionValidity
    with pytest.raises(pool.client.exceptions.WebAuthnChallengeNotFoundException):
        complete(pool, access, authenticator.create(options))


def test_unsupported_keys_and_unverified_users_are_refused_where_required(start_own_pool, new_email):
    pool = start_own_pool(webauthn_user_verification="required")
    access = access_token(pool, new_email)
    for authenticator in (SoftAuthenticator(alg="ES512"), SoftAuthenticator(user_verified=False)):
        options = pool.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
        assert options["authenticatorSelection"]["userVerification"] == "required"
        with pytest.raises(pool.client.exceptions.WebAuthnCredentialNotSupportedException):
            complete(pool, access, authenticator.create(options))
    pool.client.start_web_authn_registration(AccessToken=access)
    with pytest.raises(pool.client.exceptions.InvalidParameterException):
        complete(pool, access, {"id": "x", "response": {}})


def test_a_pool_without_passkeys_refuses_registration(start_own_pool, new_email):
    pool = start_own_pool(allowed_first_auth_factors=("PASSWORD", "EMAIL_OTP"))
    access = access_token(pool, new_email)
    with pytest.raises(pool.client.exceptions.WebAuthnNotEnabledException):
        pool.client.start_web_authn_registration(AccessToken=access)
    described = pool.client.describe_user_pool(UserPoolId=pool.handle.user_pool_id)["UserPool"]
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    factors = pool.client.get_user_auth_factors(AccessToken=access)["ConfiguredUserAuthFactors"]
    assert factors == ["PASSWORD", "EMAIL_OTP"]


def test_the_relying_party_is_set_through_the_mfa_configuration(start_own_pool, new_email):
    pool = start_own_pool()
    pool_id = pool.handle.user_pool_id
    assert pool.client.get_user_pool_mfa_config(UserPoolId=pool_id)["WebAuthnConfiguration"] == {
        "RelyingPartyId": "localhost",
        "UserVerification": "preferred",
    }
    access = access_token(pool, new_email)
    local = pool.register_passkey(access, SoftAuthenticator())

    reply = pool.client.set_user_pool_mfa_config(
        UserPoolId=pool_id, WebAuthnConfiguration={"RelyingPartyId": "example.com"}
    )
    assert reply["WebAuthnConfiguration"] == {"RelyingPartyId": "example.com", "UserVerification": "preferred"}
    for origin in ("https://example.com", "https://app.example.com:8443", "http://localhost:8000"):
        pool.register_passkey(access, SoftAuthenticator(), origin)
    for origin in ("http://example.com", "https://example.com.evil.org", "https://badexample.com"):
        options = pool.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
        with pytest.raises(pool.client.exceptions.WebAuthnOriginNotAllowedException):
            complete(pool, access, SoftAuthenticator().create(options, origin))

    listed = pool.client.list_web_authn_credentials(AccessToken=access)["Credentials"]
    assert [c["RelyingPartyId"] for c in listed] == ["localhost", "example.com", "example.com", "example.com"]
    assert listed[0]["CredentialId"] == local["id"]
    for refused in ({"RelyingPartyId": "https://example.com"}, {"FactorConfiguration": "SINGLE_FACTOR"}):
        with pytest.raises(pool.client.exceptions.InvalidParameterException):
            pool.client.set_user_pool_mfa_config(UserPoolId=pool_id, WebAuthnConfiguration=refused)


@pytest.mark.parametrize(
    "bad",
    [
        {"allowed_first_auth_factors": ("EMAIL_OTP", "WEB_AUTHN")},  # PASSWORD must be there
        {"allowed_first_auth_factors": ("PASSWORD", "SMS_OTP")},
        {"allowed_first_auth_factors": ("PASSWORD", "PASSWORD")},
        {"webauthn_relying_party_id": "https://localhost"},
        {"webauthn_relying_party_id": "localhost:3000"},
        {"webauthn_user_verification": "discouraged"},
    ],
)
def test_sign_in_policies_cognito_would_not_hold_are_refused_at_start(tmp_path, bad):
    with pytest.raises(ValueError):
        LocalCognitoConfig(data_dir=tmp_path, **bad)


def test_passkeys_and_a_pending_registration_survive_a_restart(tmp_path, new_email):
    authenticator = SoftAuthenticator()
    first = start_pool(tmp_path)
    try:
        access = first.passkey_user(new_email, authenticator)
        options = first.client.start_web_authn_registration(AccessToken=access)["CredentialCreationOptions"]
    finally:
        first.handle.stop()

    second = start_pool(tmp_path, port=int(first.handle.endpoint_url.rsplit(":", 1)[1]))  # the tokens' issuer
    try:
        second.client.complete_web_authn_registration(AccessToken=access, Credential=authenticator.create(options))
        assert len(second.client.list_web_authn_credentials(AccessToken=access)["Credentials"]) == 2
        reply = second.user_auth(new_email, "WEB_AUTHN")
        credential = authenticator.get(reply["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
        assert second.answer("WEB_AUTHN", reply["Session"], new_email, CREDENTIAL=credential)["AuthenticationResult"]
    finally:
        second.handle.stop()


def test_deleting_a_user_deletes_its_passkeys(pool, new_email):
    access = pool.passkey_user(new_email, SoftAuthenticator())
    pool.client.delete_user(AccessToken=access)
    pool.confirmed_user(new_email)
    again = pool.password_auth(new_email)["AuthenticationResult"]["AccessToken"]
    assert pool.client.list_web_authn_credentials(AccessToken=again)["Credentials"] == []


def test_the_command_takes_the_sign_in_policy_and_relying_party(tmp_path):
    flags = ("--allowed-first-auth-factors", "PASSWORD, WEB_AUTHN", "--webauthn-relying-party-id", "example.com")
    with standalone(tmp_path, *flags, "--webauthn-user-verification", "required") as (info, _process):
        client = boto3_client(info, retries=0)
        described = client.describe_user_pool(UserPoolId=info.user_pool_id)["UserPool"]
        configured = client.get_user_pool_mfa_config(UserPoolId=info.user_pool_id)
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}
    assert configured["WebAuthnConfiguration"] == {"RelyingPartyId": "example.com", "UserVerification": "required"}

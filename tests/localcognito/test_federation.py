"""Federated sign-in through the pool domain's managed login, against a real OpenID provider
(npm's oidc-provider, tests/support/dev_oidc) on loopback: httpx follows the redirects and fills in
the provider's login and consent pages. One pool and one provider for the module; each test signs
in with accounts of its own."""

import base64
import hashlib
import json
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest

from cruddur.localcognito.app_client import AppClientOAuth
from tests.support.oidc_provider import sign_in_at, start_oidc_provider

from .support import PASSWORD, boto3_client, error_of, standalone, start_pool

CALLBACK = "http://localhost:3000/callback"
SIGNED_OUT = "http://localhost:3000/signed-out"
PROVIDER = "DevOIDC"
SCOPES = "openid email profile aws.cognito.signin.user.admin"
OAUTH = AppClientOAuth(
    callback_urls=(CALLBACK,),
    logout_urls=(SIGNED_OUT,),
    allowed_oauth_flows=("code",),
    allowed_oauth_scopes=("openid", "email", "profile", "aws.cognito.signin.user.admin"),
    allowed_oauth_flows_user_pool_client=True,
    supported_identity_providers=(PROVIDER,),
)


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    pool = start_pool(tmp_path_factory.mktemp("federation"), domain="devpool", app_client_oauth=OAUTH)
    idp = start_oidc_provider([f"{pool.handle.endpoint_url}/oauth2/idpresponse"])
    pool.client.create_identity_provider(
        UserPoolId=pool.handle.user_pool_id,
        ProviderName=PROVIDER,
        ProviderType="OIDC",
        ProviderDetails={
            "client_id": idp.client_id,
            "client_secret": idp.client_secret,
            "authorize_scopes": "openid email profile",
            "attributes_request_method": "GET",
            "oidc_issuer": idp.issuer,
        },
        AttributeMapping={"email": "email", "email_verified": "email_verified", "name": "name"},
    )
    yield pool
    idp.stop()
    pool.handle.stop()


@pytest.fixture(autouse=True)
def _clock_back(fed):
    yield
    fed.clock.offset = 0.0


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _query(response: httpx.Response) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(response.headers["location"]).query).items()}


def authorize(fed, browser: httpx.Client, challenge: str, **params) -> httpx.Response:
    query = {
        "response_type": "code",
        "client_id": fed.handle.client_id,
        "redirect_uri": CALLBACK,
        "state": "app-state-1",
        "scope": SCOPES,
        "identity_provider": PROVIDER,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "nonce": "app-nonce-1",
        **params,
    }
    present = {name: value for name, value in query.items() if value is not None}  # None: left out
    return browser.get(f"{fed.handle.endpoint_url}/oauth2/authorize", params=present)


def federated_code(fed, browser: httpx.Client, login: str, **params) -> tuple[str, str]:
    """(code, code_verifier) of a managed-login sign-in as `login` at the provider."""
    verifier, challenge = _pkce()
    back = sign_in_at(browser, authorize(fed, browser, challenge, **params), login, until=CALLBACK)
    query = _query(back)
    assert query["state"] == params.get("state", "app-state-1"), query
    return query["code"], verifier


def redeem(fed, code: str, verifier: str, **overrides) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": fed.handle.client_id,
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        **overrides,
    }
    return httpx.post(f"{fed.handle.endpoint_url}/oauth2/token", data=form)


def tokens_for(fed, login: str) -> dict:
    with httpx.Client() as browser:
        code, verifier = federated_code(fed, browser, login)
    reply = redeem(fed, code, verifier)
    assert reply.status_code == 200, reply.text
    return reply.json()


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_the_first_sign_in_makes_a_federated_user_and_the_next_signs_it_in_again(fed):
    first = tokens_for(fed, "alice")
    assert set(first) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    id_claims = claims(first["id_token"])
    assert id_claims["cognito:username"] == "DevOIDC_alice"
    assert id_claims["nonce"] == "app-nonce-1"
    assert id_claims["email"] == "alice@example.com" and id_claims["email_verified"] is True
    assert id_claims["iss"] == fed.handle.issuer and id_claims["aud"] == fed.handle.client_id
    [identity] = id_claims["identities"]
    assert identity["userId"] == "alice" and identity["providerName"] == PROVIDER
    assert identity["providerType"] == "OIDC" and identity["primary"] == "true"
    assert claims(first["access_token"])["scope"] == SCOPES

    user = fed.client.admin_get_user(UserPoolId=fed.handle.user_pool_id, Username="DevOIDC_alice")
    assert user["UserStatus"] == "EXTERNAL_PROVIDER"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == "alice@example.com" and attributes["name"] == "Alice"
    assert '"providerName":"DevOIDC"' in attributes["identities"]

    second = tokens_for(fed, "alice")
    assert claims(second["id_token"])["sub"] == id_claims["sub"]


def test_managed_login_tokens_work_with_the_json_api_and_the_oauth2_endpoints(fed):
    tokens = tokens_for(fed, "bob")
    assert fed.client.get_user(AccessToken=tokens["access_token"])["Username"] == "DevOIDC_bob"
    info = httpx.get(
        f"{fed.handle.endpoint_url}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    ).json()
    assert info["username"] == "DevOIDC_bob" and info["email"] == "bob@example.com"

    refreshed = fed.client.initiate_auth(
        ClientId=fed.handle.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["refresh_token"]},
    )["AuthenticationResult"]
    assert claims(refreshed["IdToken"])["cognito:username"] == "DevOIDC_bob"
    by_grant = httpx.post(
        f"{fed.handle.endpoint_url}/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": fed.handle.client_id,
            "refresh_token": tokens["refresh_token"],
        },
    ).json()
    assert "nonce" not in claims(by_grant["id_token"]) and "refresh_token" not in by_grant

    fed.client.global_sign_out(AccessToken=tokens["access_token"])
    after = httpx.post(
        f"{fed.handle.endpoint_url}/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": fed.handle.client_id,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert (after.status_code, after.json()["error"]) == (400, "invalid_grant")


def test_a_token_without_the_admin_scope_does_not_call_the_api(fed):
    with httpx.Client() as browser:
        code, verifier = federated_code(fed, browser, "carol", scope="openid email")
    tokens = redeem(fed, code, verifier).json()
    with pytest.raises(fed.client.exceptions.NotAuthorizedException) as refused:
        fed.client.get_user(AccessToken=tokens["access_token"])
    assert error_of(refused)[1] == "Access Token does not have required scopes"


def test_a_code_is_redeemed_once_with_its_verifier_and_redirect_uri(fed):
    with httpx.Client() as browser:
        code, verifier = federated_code(fed, browser, "dave")
        assert redeem(fed, code, verifier).status_code == 200
        reused = redeem(fed, code, verifier)
        assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")

        code, _ = federated_code(fed, browser, "dave")
        wrong = redeem(fed, code, "a-different-verifier-" + "x" * 30)
        assert wrong.json()["error"] == "invalid_grant"
        assert redeem(fed, code, verifier).json()["error"] == "invalid_grant"  # a refused attempt spends it

        code, verifier = federated_code(fed, browser, "dave")
        elsewhere = redeem(fed, code, verifier, redirect_uri="http://localhost:3000/other")
        assert elsewhere.json()["error"] == "invalid_grant"

        code, verifier = federated_code(fed, browser, "dave")
        fed.clock.advance(301)
        assert redeem(fed, code, verifier).json()["error"] == "invalid_grant"  # five minutes


def test_a_redirect_uri_not_in_the_callback_urls_is_refused_at_authorize(fed):
    _, challenge = _pkce()
    with httpx.Client() as browser:
        reply = authorize(fed, browser, challenge, redirect_uri="http://localhost:3000/callback/evil")
    assert reply.status_code == 302
    assert reply.headers["location"].startswith(f"{fed.handle.endpoint_url}/error?error=redirect_mismatch")


def test_unknown_providers_and_scopes_go_back_to_the_app_as_errors(fed):
    _, challenge = _pkce()
    with httpx.Client() as browser:
        unknown = _query(authorize(fed, browser, challenge, identity_provider="Nope"))
        scope = _query(authorize(fed, browser, challenge, scope="openid phone"))
    assert unknown["error"] == "invalid_request" and unknown["state"] == "app-state-1"
    assert scope["error"] == "invalid_scope"


def test_a_forged_or_replayed_state_is_refused(fed):
    with httpx.Client() as browser:
        _, challenge = _pkce()
        to_idp = authorize(fed, browser, challenge)
        our_state = parse_qs(urlsplit(to_idp.headers["location"]).query)["state"][0]
        idp_response = f"{fed.handle.endpoint_url}/oauth2/idpresponse"
        forged = browser.get(idp_response, params={"code": "x", "state": our_state[:-8] + "AAAAAAA="})
        assert "error=invalid_state" in forged.headers["location"]

        back = sign_in_at(browser, to_idp, "erin", until=idp_response)
        replay_url = back.headers["location"]
        assert _query(browser.get(replay_url))["code"]
        replayed = browser.get(replay_url)
        assert "error=invalid_state" in replayed.headers["location"]

    with httpx.Client() as other_browser:  # a state is bound to the browser that started it
        _, challenge = _pkce()
        to_idp = authorize(fed, other_browser, challenge)
        back = sign_in_at(other_browser, to_idp, "erin", until=idp_response)
        other_browser.cookies.clear()
        assert "error=invalid_state" in other_browser.get(back.headers["location"]).headers["location"]


def test_a_linked_identity_signs_in_as_the_native_user_until_unlinked(fed, new_email):
    native = fed.confirmed_user(new_email)["UserSub"]
    source = {"ProviderName": PROVIDER, "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "frank"}
    fed.client.admin_link_provider_for_user(
        UserPoolId=fed.handle.user_pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": new_email},
        SourceUser=source,
    )
    linked = claims(tokens_for(fed, "frank")["id_token"])
    assert linked["sub"] == native and linked["cognito:username"] == native and linked["email"] == new_email
    assert [(i["providerName"], i["userId"], i["primary"]) for i in linked["identities"]] == [
        (PROVIDER, "frank", "false")
    ]
    with pytest.raises(fed.client.exceptions.AliasExistsException):
        fed.client.admin_link_provider_for_user(
            UserPoolId=fed.handle.user_pool_id,
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": new_email},
            SourceUser=source,
        )

    fed.client.admin_disable_provider_for_user(UserPoolId=fed.handle.user_pool_id, User=source)
    unlinked = claims(tokens_for(fed, "frank")["id_token"])
    assert unlinked["sub"] != native and unlinked["cognito:username"] == "DevOIDC_frank"
    native_user = fed.client.admin_get_user(UserPoolId=fed.handle.user_pool_id, Username=new_email)
    assert "identities" not in {a["Name"] for a in native_user["UserAttributes"]}


def test_an_identity_that_signed_in_already_is_not_merged(fed, new_email):
    tokens_for(fed, "alice")
    fed.confirmed_user(new_email)
    with pytest.raises(fed.client.exceptions.InvalidParameterException):
        fed.client.admin_link_provider_for_user(
            UserPoolId=fed.handle.user_pool_id,
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": new_email},
            SourceUser={
                "ProviderName": PROVIDER,
                "ProviderAttributeName": "Cognito_Subject",
                "ProviderAttributeValue": "alice",
            },
        )


def test_logout_ends_the_managed_login_session(fed):
    with httpx.Client() as browser:
        federated_code(fed, browser, "bob")
        _, challenge = _pkce()
        again = authorize(fed, browser, challenge, identity_provider=None)  # signed in: straight back with a code
        assert _query(again)["code"]

        bad = browser.get(
            f"{fed.handle.endpoint_url}/logout",
            params={"client_id": fed.handle.client_id, "logout_uri": "http://evil/"},
        )
        assert "error=redirect_mismatch" in bad.headers["location"]
        out = browser.get(
            f"{fed.handle.endpoint_url}/logout", params={"client_id": fed.handle.client_id, "logout_uri": SIGNED_OUT}
        )
        assert out.headers["location"] == SIGNED_OUT
        after = authorize(fed, browser, challenge, identity_provider=None)
        # Signed out: off to the client's one provider again, not straight back with a code.
        assert after.status_code == 302 and not after.headers["location"].startswith(CALLBACK)


def test_the_pool_publishes_its_managed_login_endpoints(fed):
    document = httpx.get(f"{fed.handle.issuer}/.well-known/openid-configuration").json()
    assert document["authorization_endpoint"] == f"{fed.handle.endpoint_url}/oauth2/authorize"
    assert document["token_endpoint"] == f"{fed.handle.endpoint_url}/oauth2/token"
    assert document["jwks_uri"] == fed.handle.jwks_url


def test_identity_providers_are_created_read_updated_and_deleted_as_cognito_does(tmp_path):
    pool = start_pool(tmp_path, domain="crud-pool", app_client_oauth=OAUTH)
    try:
        client, pool_id = boto3_client(pool.handle, retries=0), pool.handle.user_pool_id
        details = {
            "client_id": "abc",
            "client_secret": "shh",
            "authorize_scopes": "openid email",
            "attributes_request_method": "GET",
            "oidc_issuer": "https://idp.example.com",
        }
        created = client.create_identity_provider(
            UserPoolId=pool_id,
            ProviderName="Corp",
            ProviderType="OIDC",
            ProviderDetails=details,
            IdpIdentifiers=["corp.com"],
        )["IdentityProvider"]
        assert created["AttributeMapping"] == {"username": "sub"} and created["ProviderDetails"] == details
        with pytest.raises(client.exceptions.DuplicateProviderException) as duplicate:
            client.create_identity_provider(
                UserPoolId=pool_id, ProviderName="Corp", ProviderType="OIDC", ProviderDetails=details
            )
        assert error_of(duplicate)[1] == f"Corp already exists in user pool {pool_id}"
        for bad in (
            {**details, "oidc_issuer": "http://idp.example.com"},
            {"client_id": "abc"},
            {**details, "attributes_request_method": "PUT"},
        ):
            with pytest.raises(client.exceptions.InvalidParameterException):
                client.create_identity_provider(
                    UserPoolId=pool_id, ProviderName="Other", ProviderType="OIDC", ProviderDetails=bad
                )
        with pytest.raises(client.exceptions.InvalidParameterException):
            client.create_identity_provider(
                UserPoolId=pool_id, ProviderName="Goog", ProviderType="Google", ProviderDetails=details
            )

        client.create_identity_provider(
            UserPoolId=pool_id, ProviderName="Beta", ProviderType="OIDC", ProviderDetails=details
        )
        first = client.list_identity_providers(UserPoolId=pool_id, MaxResults=1)
        assert [p["ProviderName"] for p in first["Providers"]] == ["Beta"]
        rest = client.list_identity_providers(UserPoolId=pool_id, MaxResults=1, NextToken=first["NextToken"])
        assert [p["ProviderName"] for p in rest["Providers"]] == ["Corp"] and "NextToken" not in rest

        updated = client.update_identity_provider(
            UserPoolId=pool_id, ProviderName="Corp", AttributeMapping={"email": "email"}
        )
        assert updated["IdentityProvider"]["AttributeMapping"] == {"username": "sub", "email": "email"}
        assert client.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")["IdentityProvider"][
            "IdpIdentifiers"
        ] == ["corp.com"]
        client.delete_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")

        app_client = client.describe_user_pool_client(UserPoolId=pool_id, ClientId=pool.handle.client_id)[
            "UserPoolClient"
        ]
        assert app_client["CallbackURLs"] == [CALLBACK] and app_client["AllowedOAuthFlows"] == ["code"]
        assert app_client["SupportedIdentityProviders"] == [PROVIDER] and app_client["AllowedOAuthFlowsUserPoolClient"]
        assert "ALLOW_USER_AUTH" in app_client["ExplicitAuthFlows"]  # choice-based sign-in is served too
        assert client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "crud-pool"
    finally:
        pool.handle.stop()


def test_app_client_settings_are_checked_as_cognito_checks_them():
    with pytest.raises(ValueError):
        AppClientOAuth(callback_urls=("http://example.com/cb",))  # https, except for localhost
    with pytest.raises(ValueError):
        AppClientOAuth(allowed_oauth_flows_user_pool_client=True)  # needs flows, scopes and callbacks
    with pytest.raises(ValueError):
        AppClientOAuth(allowed_oauth_flows=("implicit",))
    assert AppClientOAuth.from_type(OAUTH.as_type()) == OAUTH


def test_the_command_takes_a_domain_and_the_app_clients_settings(tmp_path):
    flags = ("--domain", "cli-pool", "--app-client", json.dumps(OAUTH.as_type()))
    with standalone(tmp_path, *flags) as (info, _process):
        client = boto3_client(info, retries=0)
        described = client.describe_user_pool_client(UserPoolId=info.user_pool_id, ClientId=info.client_id)
        assert described["UserPoolClient"]["CallbackURLs"] == [CALLBACK]
        assert httpx.get(f"{info.endpoint_url}/logout").status_code == 302  # served: there is a domain


def test_revoke_ends_a_refresh_token_and_userinfo_refuses_what_is_not_a_live_token(fed):
    tokens = tokens_for(fed, "carol")
    base, client_id = fed.handle.endpoint_url, fed.handle.client_id
    jwt_given = httpx.post(f"{base}/oauth2/revoke", data={"token": tokens["access_token"], "client_id": client_id})
    assert jwt_given.json()["error"] == "unsupported_token_type"
    assert httpx.post(
        f"{base}/oauth2/revoke", data={"token": tokens["refresh_token"], "client_id": client_id}
    ).is_success
    refresh = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": tokens["refresh_token"]}
    assert httpx.post(f"{base}/oauth2/token", data=refresh).json()["error"] == "invalid_grant"
    revoked = httpx.get(f"{base}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert revoked.status_code == 401 and 'error="invalid_token"' in revoked.headers["www-authenticate"]
    wrong_client = httpx.post(f"{base}/oauth2/token", data={**refresh, "client_id": "someoneelse"})
    assert wrong_client.json()["error"] == "invalid_client"
    unsupported = httpx.post(f"{base}/oauth2/token", data={**refresh, "grant_type": "password"})
    assert unsupported.json()["error"] == "unsupported_grant_type"


# --- Federated users and the JSON API's own sign-ins, passkeys and e-mail changes -----------------


def test_a_federated_user_has_no_first_factor_of_the_json_api(fed):
    """It signs in at its provider only: USER_AUTH answers it as a stand-in, its address gets no
    code, no password matches, ForgotPassword sends nothing, and no passkey registers."""
    access = tokens_for(fed, "erin")["access_token"]
    name, client_id = "DevOIDC_erin", fed.handle.client_id
    factors = fed.client.get_user_auth_factors(AccessToken=access)
    assert (factors["Username"], factors["ConfiguredUserAuthFactors"]) == (name, [])

    chosen = fed.client.initiate_auth(
        ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP"}
    )
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    with pytest.raises(fed.client.exceptions.CodeMismatchException):
        fed.client.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="EMAIL_OTP",
            Session=chosen["Session"],
            ChallengeResponses={"USERNAME": name, "EMAIL_OTP_CODE": "123456"},
        )
    for flow, parameters in (
        ("USER_AUTH", {"USERNAME": name, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}),
        ("USER_PASSWORD_AUTH", {"USERNAME": name, "PASSWORD": PASSWORD}),
    ):
        with pytest.raises(fed.client.exceptions.NotAuthorizedException) as refused:
            fed.client.initiate_auth(ClientId=client_id, AuthFlow=flow, AuthParameters=parameters)
        assert error_of(refused)[1] == "Incorrect username or password."
    fed.client.forgot_password(ClientId=client_id, Username=name)
    assert not [m for m in fed.mailbox() if m["to"] in ("erin@example.com", name) or m["kind"] == "EMAIL_OTP"]

    with pytest.raises(fed.client.exceptions.InvalidParameterException) as refused:
        fed.client.start_web_authn_registration(AccessToken=access)
    assert "federated users" in error_of(refused)[1]
    assert fed.client.list_web_authn_credentials(AccessToken=access)["Credentials"] == []


def _attributes(reply: dict) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in reply["UserAttributes"]}


def test_a_federated_user_changes_and_verifies_its_email_attribute(fed, new_email):
    access = tokens_for(fed, "grace")["access_token"]
    fed.confirmed_user(new_email)  # a native user's address: no alias of a federated user, so not refused
    sent = fed.client.update_user_attributes(AccessToken=access, UserAttributes=[{"Name": "email", "Value": new_email}])
    assert sent["CodeDeliveryDetailsList"][0]["AttributeName"] == "email"
    assert _attributes(fed.client.get_user(AccessToken=access))["email"] == "grace@example.com"  # pending

    code = fed.latest_code(new_email, "VERIFY_EMAIL")
    fed.client.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    attributes = _attributes(fed.client.get_user(AccessToken=access))
    assert (attributes["email"], attributes["email_verified"]) == (new_email, "true")
    # The address is still the native user's sign-in name, never the federated user's.
    native = fed.client.admin_get_user(UserPoolId=fed.handle.user_pool_id, Username=new_email)
    assert native["Username"] != "DevOIDC_grace" and native["UserStatus"] == "CONFIRMED"
    fed.password_auth(new_email)

    again = fed.client.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    assert again["CodeDeliveryDetails"]["Destination"].startswith(new_email[0])
    refreshed = claims(tokens_for(fed, "grace")["id_token"])  # the provider's next sign-in maps it again
    assert refreshed["email"] == "grace@example.com"


def test_deleting_a_linked_user_frees_its_identity_for_another(fed, new_email):
    source = {"ProviderName": PROVIDER, "ProviderAttributeName": "Cognito_Subject", "ProviderAttributeValue": "heidi"}
    pool_id, other = fed.handle.user_pool_id, f"other-{new_email}"
    for email in (new_email, other):
        fed.confirmed_user(email)

    def link(email: str) -> None:
        fed.client.admin_link_provider_for_user(
            UserPoolId=pool_id,
            DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": email},
            SourceUser=source,
        )

    link(new_email)
    fed.client.admin_delete_user(UserPoolId=pool_id, Username=new_email)
    link(other)
    assert claims(tokens_for(fed, "heidi")["id_token"])["email"] == other

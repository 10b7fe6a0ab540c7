"""The same shape assertions against moto (a second implementation) and localcognito, for the
replies moto models faithfully: SignUp and GetUser, and the pool MFA configuration, TOTP setup
and SOFTWARE_TOKEN_MFA sign-in. (moto has no devices.)"""

import boto3
import pytest
from moto import mock_aws

from .support import PASSWORD


def assert_sign_up_shape(reply: dict) -> None:
    assert {"UserConfirmed", "UserSub", "CodeDeliveryDetails"} <= set(reply)
    assert reply["UserConfirmed"] is False
    assert set(reply["CodeDeliveryDetails"]) == {"Destination", "DeliveryMedium", "AttributeName"}
    assert "***" in reply["CodeDeliveryDetails"]["Destination"]  # masked


def assert_get_user_shape(reply: dict, sub: str, email: str) -> None:
    assert reply["Username"] == sub  # e-mail pools: the username is the sub, not the address
    assert all(set(item) == {"Name", "Value"} for item in reply["UserAttributes"])
    attributes = {item["Name"]: item["Value"] for item in reply["UserAttributes"]}
    assert attributes["sub"] == sub and attributes["email"] == email and attributes["name"] == "Jane Doe"


@pytest.fixture
def moto_pool():
    # Keep boto3's default session: by default moto gives clients made inside it a session of their
    # own, and the shared pool's client, if first made here, would then raise exception classes
    # that pycognito's clients in later tests do not share (pytest.raises would not catch them).
    with mock_aws(config={"core": {"reset_boto3_session": False}}):
        client = boto3.client("cognito-idp", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        pool_id = client.create_user_pool(
            PoolName="cruddur", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"]
        )["UserPool"]["Id"]
        client_id = client.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        yield client, pool_id, client_id


def sign_up_and_get_user(client, client_id, email, confirm):
    attributes = [{"Name": "name", "Value": "Jane Doe"}]
    sign_up = client.sign_up(ClientId=client_id, Username=email, Password=PASSWORD, UserAttributes=attributes)
    confirm(email)
    access = client.initiate_auth(
        ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD}
    )["AuthenticationResult"]["AccessToken"]
    return sign_up, client.get_user(AccessToken=access)


def test_sign_up_and_get_user_replies_have_the_same_shape_as_motos(pool, moto_pool, new_email):
    moto_client, moto_pool_id, moto_client_id = moto_pool
    moto_sign_up, moto_user = sign_up_and_get_user(
        moto_client,
        moto_client_id,
        new_email,
        lambda email: moto_client.admin_confirm_sign_up(UserPoolId=moto_pool_id, Username=email),
    )
    ours_sign_up, ours_user = sign_up_and_get_user(
        pool.client,
        pool.handle.client_id,
        new_email,
        lambda email: pool.client.confirm_sign_up(
            ClientId=pool.handle.client_id, Username=email, ConfirmationCode=pool.latest_code(email)
        ),
    )

    for sign_up, user in ((moto_sign_up, moto_user), (ours_sign_up, ours_user)):
        assert_sign_up_shape(sign_up)
        assert_get_user_shape(user, sign_up["UserSub"], new_email)
    # Session: Cognito's (botocore's model has it) for signing in once confirmed; moto 5 has none yet.
    assert set(ours_sign_up) - {"ResponseMetadata", "Session"} == set(moto_sign_up) - {"ResponseMetadata"}
    assert ours_sign_up["Session"]


def totp_walk(client, pool_id, client_id, email, code_for):
    """Pool MFA config, TOTP setup and a sign-in through SOFTWARE_TOKEN_MFA: the replies, by step."""
    replies = {
        "set": client.set_user_pool_mfa_config(
            UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="OPTIONAL"
        )
    }
    replies["get"] = client.get_user_pool_mfa_config(UserPoolId=pool_id)
    credentials = {"USERNAME": email, "PASSWORD": PASSWORD}
    password = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": credentials}
    access = client.initiate_auth(**password)["AuthenticationResult"]["AccessToken"]
    replies["associate"] = client.associate_software_token(AccessToken=access)
    secret = replies["associate"]["SecretCode"]
    replies["verify"] = client.verify_software_token(AccessToken=access, UserCode=code_for(secret))
    client.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    replies["user"] = client.get_user(AccessToken=access)
    replies["challenge"] = client.initiate_auth(**password)
    replies["tokens"] = client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=replies["challenge"]["Session"],
        ChallengeResponses={"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code_for(secret)},
    )
    return {step: {k: v for k, v in reply.items() if k != "ResponseMetadata"} for step, reply in replies.items()}


def test_mfa_replies_have_motos_shapes(pool, moto_pool, new_email):
    moto_client, moto_pool_id, moto_client_id = moto_pool
    moto_client.sign_up(ClientId=moto_client_id, Username=new_email, Password=PASSWORD)
    moto_client.admin_confirm_sign_up(UserPoolId=moto_pool_id, Username=new_email)
    moto = totp_walk(moto_client, moto_pool_id, moto_client_id, new_email, lambda _secret: "123456")  # moto takes any
    pool.confirmed_user(new_email)
    ours = totp_walk(pool.client, pool.handle.user_pool_id, pool.handle.client_id, new_email, pool.next_code)

    passkeys = {"RelyingPartyId": "localhost", "UserVerification": "preferred"}
    for step in ("set", "get"):  # moto 5.2 models no passkeys; ours also tells the WebAuthnConfiguration
        assert ours[step].pop("WebAuthnConfiguration") == passkeys
    assert ours["set"] == moto["set"] and ours["get"] == moto["get"]
    assert set(ours["associate"]) == set(moto["associate"]) == {"SecretCode"}
    assert ours["verify"]["Status"] == moto["verify"]["Status"] == "SUCCESS"
    for key in ("UserMFASettingList", "PreferredMfaSetting"):
        assert ours["user"][key] == moto["user"][key]
    assert set(ours["challenge"]) == set(moto["challenge"]) == {"ChallengeName", "Session", "ChallengeParameters"}
    assert ours["challenge"]["ChallengeName"] == moto["challenge"]["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert set(ours["tokens"]["AuthenticationResult"]) == set(moto["tokens"]["AuthenticationResult"])

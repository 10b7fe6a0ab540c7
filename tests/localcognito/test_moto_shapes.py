"""The same shape assertions against moto (a second implementation) and localcognito, for the
replies moto models faithfully: SignUp and GetUser."""

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
    with mock_aws():
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
    assert set(ours_sign_up) - {"ResponseMetadata"} == set(moto_sign_up) - {"ResponseMetadata"}

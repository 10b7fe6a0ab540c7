"""The wire protocol itself, through raw HTTP where botocore would validate client-side:
Cognito's 400 bodies for missing/invalid parameters, malformed JSON and unknown targets."""

import json

import pytest


def test_missing_required_parameters_are_named_in_cognitos_words(pool):
    status, body = pool.post("SignUp", json.dumps({"ClientId": pool.handle.client_id}).encode())

    assert status == 400
    assert body == {
        "__type": "InvalidParameterException",
        "message": "1 validation error detected: Value null at 'username' failed to satisfy constraint: "
        "Member must not be null",
    }


def test_several_validation_errors_are_counted_and_secrets_not_echoed(pool):
    status, body = pool.post("ConfirmForgotPassword", json.dumps({"Password": " spaced out "}).encode())

    assert status == 400 and body["__type"] == "InvalidParameterException"
    assert body["message"].startswith("4 validation errors detected: ")
    assert (
        "Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern"
        in body["message"]
    )
    assert "spaced out" not in body["message"]


def test_malformed_json_is_an_invalid_parameter_not_a_server_error(pool):
    status, body = pool.post("SignUp", b"{not json")

    assert status == 400
    assert body["__type"] == "InvalidParameterException"


def test_unknown_or_missing_target_is_a_400(pool):
    assert pool.post("ListUsers", b"{}")[0] == 400
    status, body = pool.post(None, b"{}")
    assert status == 400 and body["__type"] == "UnknownOperationException"


def test_missing_auth_parameter_is_reported_like_cognito(pool, new_email):
    with pytest.raises(pool.client.exceptions.InvalidParameterException) as excinfo:
        pool.client.initiate_auth(
            ClientId=pool.handle.client_id, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": new_email}
        )
    assert excinfo.value.response["Error"]["Message"] == "Missing required parameter SRP_A"


def test_replies_are_amz_json(pool):
    status, _ = pool.post(
        "ResendConfirmationCode",
        json.dumps({"ClientId": pool.handle.client_id, "Username": "nobody@example.com"}).encode(),
    )
    assert status == 200
    reply = pool.client.resend_confirmation_code(ClientId=pool.handle.client_id, Username="nobody@example.com")
    headers = reply["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/x-amz-json-1.1"
    assert headers["x-amzn-requestid"]

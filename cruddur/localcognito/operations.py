"""The operation table: X-Amz-Target name → handler, and the one entry point that parses the
JSON body, validates it against the model shape and runs the handler (blocking; call it in a
worker thread)."""

import json
from collections.abc import Callable

from . import account, admin, passwords, signin, signup
from .errors import CognitoError, invalid_parameter
from .provider import Provider
from .validation import validate

OPERATIONS: dict[str, Callable[[Provider, dict], dict]] = {
    "SignUp": signup.sign_up,
    "ConfirmSignUp": signup.confirm_sign_up,
    "ResendConfirmationCode": signup.resend_confirmation_code,
    "InitiateAuth": signin.initiate_auth,
    "RespondToAuthChallenge": signin.respond_to_auth_challenge,
    "ForgotPassword": passwords.forgot_password,
    "ConfirmForgotPassword": passwords.confirm_forgot_password,
    "ChangePassword": passwords.change_password,
    "GetUser": account.get_user,
    "UpdateUserAttributes": account.update_user_attributes,
    "DeleteUser": account.delete_user,
    "GlobalSignOut": account.global_sign_out,
    "RevokeToken": account.revoke_token,
    "DescribeUserPool": admin.describe_user_pool,
}


def call(provider: Provider, operation: str, body: bytes) -> dict:
    handler = OPERATIONS.get(operation)
    if handler is None:
        raise CognitoError("UnknownOperationException", f"Operation {operation} is not supported by localcognito.")
    try:
        request = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise invalid_parameter("The request body is not valid JSON.") from None
    if not isinstance(request, dict):
        raise invalid_parameter("The request body must be a JSON object.")
    validate(operation, request)
    return handler(provider, request)

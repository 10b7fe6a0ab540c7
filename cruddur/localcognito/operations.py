"""The operation table: X-Amz-Target name → handler and the request-rate category AWS counts it
in, and the one entry point that admits the request, parses the JSON body, validates it against
the model shape and runs the handler (blocking; call it in a worker thread)."""

import json
from collections.abc import Callable

from . import (
    account,
    admin,
    auth_factors,
    challenges,
    devices,
    federation,
    identity_providers,
    mfa,
    passwords,
    signin,
    signup,
    user_pool_client,
    webauthn_credentials,
)
from .errors import CognitoError, invalid_parameter
from .provider import Provider
from .validation import validate

OPERATIONS: dict[str, tuple[Callable[[Provider, dict], dict], str]] = {
    "SignUp": (signup.sign_up, "UserCreation"),
    "ConfirmSignUp": (signup.confirm_sign_up, "UserCreation"),
    "ResendConfirmationCode": (signup.resend_confirmation_code, "UserAccountRecovery"),
    "InitiateAuth": (signin.initiate_auth, "UserAuthentication"),
    "RespondToAuthChallenge": (challenges.respond_to_auth_challenge, "UserAuthentication"),
    "ForgotPassword": (passwords.forgot_password, "UserAccountRecovery"),
    "ConfirmForgotPassword": (passwords.confirm_forgot_password, "UserAccountRecovery"),
    "ChangePassword": (passwords.change_password, "UserAccountRecovery"),
    "GetUser": (account.get_user, "UserRead"),
    "UpdateUserAttributes": (account.update_user_attributes, "UserUpdate"),
    "GetUserAttributeVerificationCode": (account.get_user_attribute_verification_code, "UserAccountRecovery"),
    "VerifyUserAttribute": (account.verify_user_attribute, "UserUpdate"),
    "DeleteUser": (account.delete_user, "UserUpdate"),
    "GlobalSignOut": (account.global_sign_out, "UserToken"),
    "RevokeToken": (account.revoke_token, "UserToken"),
    "DescribeUserPool": (admin.describe_user_pool, "UserPoolRead"),
    "AdminGetUser": (admin.admin_get_user, "UserRead"),
    "AdminUpdateUserAttributes": (admin.admin_update_user_attributes, "UserUpdate"),
    "AdminUserGlobalSignOut": (admin.admin_user_global_sign_out, "UserToken"),
    "AdminDisableUser": (admin.admin_disable_user, "UserUpdate"),
    "AdminEnableUser": (admin.admin_enable_user, "UserUpdate"),
    "AdminDeleteUser": (admin.admin_delete_user, "UserUpdate"),
    "AssociateSoftwareToken": (mfa.associate_software_token, "UserUpdate"),
    "VerifySoftwareToken": (mfa.verify_software_token, "UserUpdate"),
    "SetUserMFAPreference": (mfa.set_user_mfa_preference, "UserUpdate"),
    "AdminSetUserMFAPreference": (admin.admin_set_user_mfa_preference, "UserUpdate"),
    "SetUserPoolMfaConfig": (admin.set_user_pool_mfa_config, "UserPoolUpdate"),
    "GetUserPoolMfaConfig": (admin.get_user_pool_mfa_config, "UserPoolRead"),
    "ConfirmDevice": (devices.confirm_device, "UserUpdate"),
    "UpdateDeviceStatus": (devices.update_device_status, "UserUpdate"),
    "ForgetDevice": (devices.forget_device, "UserUpdate"),
    "GetDevice": (devices.get_device, "UserRead"),
    "ListDevices": (devices.list_devices, "UserRead"),
    "AdminListDevices": (admin.admin_list_devices, "UserRead"),
    "AdminGetDevice": (admin.admin_get_device, "UserRead"),
    "AdminUpdateDeviceStatus": (admin.admin_update_device_status, "UserUpdate"),
    "AdminForgetDevice": (admin.admin_forget_device, "UserUpdate"),
    "StartWebAuthnRegistration": (webauthn_credentials.start_webauthn_registration, "UserUpdate"),
    "CompleteWebAuthnRegistration": (webauthn_credentials.complete_webauthn_registration, "UserUpdate"),
    "ListWebAuthnCredentials": (webauthn_credentials.list_webauthn_credentials, "UserRead"),
    "DeleteWebAuthnCredential": (webauthn_credentials.delete_webauthn_credential, "UserUpdate"),
    "GetUserAuthFactors": (auth_factors.get_user_auth_factors, "UserRead"),
    "DescribeUserPoolClient": (user_pool_client.describe_user_pool_client, "UserPoolClientRead"),
    "CreateIdentityProvider": (identity_providers.create_identity_provider, "IdentityProviderUpdate"),
    "DescribeIdentityProvider": (identity_providers.describe_identity_provider, "IdentityProviderRead"),
    "ListIdentityProviders": (identity_providers.list_identity_providers, "IdentityProviderRead"),
    "UpdateIdentityProvider": (identity_providers.update_identity_provider, "IdentityProviderUpdate"),
    "DeleteIdentityProvider": (identity_providers.delete_identity_provider, "IdentityProviderUpdate"),
    "AdminLinkProviderForUser": (federation.admin_link_provider_for_user, "UserFederation"),
    "AdminDisableProviderForUser": (federation.admin_disable_provider_for_user, "UserFederation"),
}


def call(provider: Provider, operation: str, body: bytes) -> dict:
    if operation not in OPERATIONS:
        raise CognitoError("UnknownOperationException", f"Operation {operation} is not supported by localcognito.")
    handler, category = OPERATIONS[operation]
    provider.throttle.admit(operation, category)
    try:
        request = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise invalid_parameter("The request body is not valid JSON.") from None
    if not isinstance(request, dict):
        raise invalid_parameter("The request body must be a JSON object.")
    validate(operation, request)
    return handler(provider, request)

"""Operations AWS authorises with IAM credentials (SigV4-signed requests): DescribeUserPool, the
pool's MFA configuration, and the Admin* user, MFA and device operations. localcognito accepts the signature
without verifying it — it is a loopback development tool. Unlike the public operations, these say
when a user does not exist."""

from sqlmodel import Session as DbSession
from sqlmodel import func, select

from . import attribute_changes, devices, mfa
from .account import remove_user, revoke_sessions
from .attributes import parse_attributes, user_attributes
from .errors import invalid_parameter, user_not_found
from .models import User
from .pool import device_configuration_type, user_attribute_update_settings_type
from .provider import Provider, find_user
from .software_tokens import mfa_settings


def describe_user_pool(p: Provider, req: dict) -> dict:
    """The pool's configuration in UserPoolType terms: what a client needs to read the rules back."""
    p.check_pool(req["UserPoolId"])
    with p.store.read() as session:
        users = session.exec(select(func.count()).select_from(User)).one()
    devices_remembered = p.config.device_configuration
    return {
        "UserPool": {
            "Id": p.pool_id,
            "Name": p.config.pool_name,
            "Policies": {
                "PasswordPolicy": p.config.password_policy.as_type(),
                "SignInPolicy": {"AllowedFirstAuthFactors": list(p.config.allowed_first_auth_factors)},
            },
            "UsernameAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": False},
            "AutoVerifiedAttributes": ["email"],
            "MfaConfiguration": p.mfa.configuration,
            # Left out where devices are not remembered, as Cognito leaves it null.
            **({"DeviceConfiguration": device_configuration_type(devices_remembered)} if devices_remembered else {}),
            "UserAttributeUpdateSettings": user_attribute_update_settings_type(p.config.user_attribute_update_settings),
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
            "EstimatedNumberOfUsers": users,
            **({"Domain": p.config.domain} if p.config.domain else {}),
        }
    }


def _user(p: Provider, session: DbSession, req: dict) -> User:
    """The user a request names by e-mail or by canonical username (sub), in this pool."""
    p.check_pool(req["UserPoolId"])
    user = find_user(session, req["Username"])
    if user is None:
        raise user_not_found()
    return user


def admin_get_user(p: Provider, req: dict) -> dict:
    with p.store.read() as session:
        user = _user(p, session, req)
        mfa_fields = mfa_settings(session, user.sub)
    return {
        "Username": user.cognito_username,
        "UserAttributes": user_attributes(user),
        "UserCreateDate": user.created_at,
        "UserLastModifiedDate": user.updated_at,
        "Enabled": user.enabled,
        "UserStatus": user.status,
        **mfa_fields,
    }


def admin_update_user_attributes(p: Provider, req: dict) -> dict:
    """UpdateUserAttributes for the user named; email_verified=true puts a new e-mail in effect
    at once, with no code (the API reference's way for an administrator to skip verification)."""
    attributes = parse_attributes(req["UserAttributes"], admin=True)
    verified = None
    if "email_verified" in attributes:
        value = attributes.pop("email_verified").lower()
        if value not in ("true", "false"):
            raise invalid_parameter("Attributes did not conform to the schema: email_verified must be true or false")
        verified = value == "true"
    with p.store.write() as session:
        attribute_changes.update(p, session, _user(p, session, req), attributes, p.now(), verified=verified)
    return {}


def admin_user_global_sign_out(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        revoke_sessions(session, _user(p, session, req).sub)
    return {}


def admin_disable_user(p: Provider, req: dict) -> dict:
    """Disable the user and, as Cognito does, revoke every token it holds."""
    with p.store.write() as session:
        user = _user(p, session, req)
        user.enabled = False
        user.updated_at = p.now()
        session.add(user)
        revoke_sessions(session, user.sub)
    return {}


def admin_enable_user(p: Provider, req: dict) -> dict:
    """Let the user sign in again; tokens revoked when it was disabled stay revoked."""
    with p.store.write() as session:
        user = _user(p, session, req)
        user.enabled = True
        user.updated_at = p.now()
        session.add(user)
    return {}


def admin_delete_user(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        remove_user(session, _user(p, session, req))
    return {}


def set_user_pool_mfa_config(p: Provider, req: dict) -> dict:
    """Changes the running provider's pool; the configuration it started with returns on restart."""
    p.check_pool(req["UserPoolId"])
    p.mfa = p.mfa.updated(req)
    return p.mfa.as_type()


def get_user_pool_mfa_config(p: Provider, req: dict) -> dict:
    p.check_pool(req["UserPoolId"])
    return p.mfa.as_type()


def admin_set_user_mfa_preference(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        mfa.set_preference(p, session, _user(p, session, req).sub, req)
    return {}


def admin_list_devices(p: Provider, req: dict) -> dict:
    with p.store.read() as session:
        return devices.page(p, session, _user(p, session, req).sub, req)


def admin_get_device(p: Provider, req: dict) -> dict:
    with p.store.read() as session:
        return {"Device": devices.device_type(devices.owned(p, session, _user(p, session, req).sub, req["DeviceKey"]))}


def admin_update_device_status(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        devices.set_status(p, session, _user(p, session, req).sub, req)
    return {}


def admin_forget_device(p: Provider, req: dict) -> dict:
    with p.store.write() as session:
        devices.forget(p, session, _user(p, session, req).sub, req["DeviceKey"])
    return {}

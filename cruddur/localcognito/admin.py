"""Operations AWS authorises with IAM credentials (SigV4-signed requests): DescribeUserPool.
localcognito accepts the signature without verifying it — it is a loopback development tool."""

from sqlmodel import func, select

from .models import User
from .provider import Provider


def describe_user_pool(p: Provider, req: dict) -> dict:
    """The pool's configuration in UserPoolType terms: what a client needs to read the rules back."""
    p.check_pool(req["UserPoolId"])
    with p.store.read() as session:
        users = session.exec(select(func.count()).select_from(User)).one()
    return {
        "UserPool": {
            "Id": p.pool_id,
            "Name": p.config.pool_name,
            "Policies": {"PasswordPolicy": p.config.password_policy.as_type()},
            "UsernameAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": False},
            "AutoVerifiedAttributes": ["email"],
            "MfaConfiguration": "OFF",
            "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
            "EstimatedNumberOfUsers": users,
        }
    }

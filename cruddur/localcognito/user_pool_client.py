"""DescribeUserPoolClient: the pool's one app client in UserPoolClientType terms, managed-login
settings included, so a client (or a provisioning script) can read them back."""

from .provider import Provider

# The sign-in flows the JSON API serves to this client (USER_AUTH: choice-based sign-in, user_auth.py).
EXPLICIT_AUTH_FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def describe_user_pool_client(p: Provider, req: dict) -> dict:
    p.check_pool(req["UserPoolId"])
    p.check_client(req["ClientId"])
    config = p.config
    return {
        "UserPoolClient": {
            "UserPoolId": p.pool_id,
            "ClientName": config.pool_name,
            "ClientId": p.client_id,
            "RefreshTokenValidity": config.refresh_token_seconds,
            "AccessTokenValidity": config.access_token_seconds,
            "IdTokenValidity": config.id_token_seconds,
            "TokenValidityUnits": {"AccessToken": "seconds", "IdToken": "seconds", "RefreshToken": "seconds"},
            "ExplicitAuthFlows": EXPLICIT_AUTH_FLOWS,
            "PreventUserExistenceErrors": "ENABLED",
            "EnableTokenRevocation": True,
            "AuthSessionValidity": config.auth_session_seconds // 60,
            **config.app_client_oauth.as_type(),
        }
    }

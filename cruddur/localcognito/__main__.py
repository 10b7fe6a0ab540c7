"""`python -m cruddur.localcognito --port PORT --data-dir DIR [--pool-id ID --client-id ID]
[--allow-origin ORIGIN ...] [--password-policy JSON] [--handle-pattern REGEX] [--echo-codes]
[--request-rates JSON] [--mfa-configuration OFF|OPTIONAL|ON] [--no-software-token-mfa]
[--device-configuration JSON] [--user-attribute-update-settings JSON] [--allowed-first-auth-factors LIST]
[--webauthn-relying-party-id HOST] [--webauthn-user-verification required|preferred] [--domain PREFIX]
[--app-client JSON]`: serve on loopback until
stopped, after printing one JSON line with endpoint_url, user_pool_id, client_id, region,
mailbox_url, issuer, jwks_url. See docs/localcognito.md."""

import argparse
import json
from pathlib import Path

from .app_client import AppClientOAuth
from .config import LocalCognitoConfig
from .pool import KEEP_ORIGINAL_EMAIL, MFA_CONFIGURATIONS, PasswordPolicy
from .provider import Provider
from .server import LocalCognitoHandle, bind, build_app, uvicorn_server
from .sign_in_policy import FIRST_AUTH_FACTORS, USER_VERIFICATIONS


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m cruddur.localcognito", description=__doc__)
    parser.add_argument("--port", type=int, default=9229, help="0 picks a free port")
    parser.add_argument("--data-dir", type=Path, default=Path("data"))
    parser.add_argument("--host", default="127.0.0.1", help="a loopback address")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--pool-id", default=None)
    parser.add_argument("--client-id", default=None)
    parser.add_argument(
        "--allow-origin",
        action="append",
        dest="allowed_origins",
        metavar="ORIGIN",
        help="a browser origin (e.g. http://localhost:5173) allowed to call cross-origin; repeatable. "
        "Default: any origin, echoed back",
    )
    parser.add_argument(
        "--password-policy",
        metavar="JSON",
        help='the pool\'s PasswordPolicyType, e.g. \'{"MinimumLength": 10, "RequireSymbols": false}\'; '
        "members left out keep Cognito's defaults (8, and all four character classes required)",
    )
    parser.add_argument(
        "--handle-pattern",
        metavar="REGEX",
        help="a regular expression every preferred_username must match in full, case ignored "
        "(e.g. '[a-z0-9_]{2,30}'). Default: any value",
    )
    parser.add_argument(
        "--echo-codes",
        action="store_true",
        help="also print each code the mailbox receives to stderr (default: only GET /_mailbox has them)",
    )
    parser.add_argument(
        "--request-rates",
        metavar="JSON",
        help="requests per second per operation category, e.g. '{\"UserRead\": 1000}'; "
        "categories left out keep AWS's default quotas",
    )
    parser.add_argument(
        "--mfa-configuration",
        choices=MFA_CONFIGURATIONS,
        default="OPTIONAL",
        help="the pool's MfaConfiguration: OFF, OPTIONAL (asked of users who turned TOTP on; the default) or ON",
    )
    parser.add_argument(
        "--software-token-mfa",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="SoftwareTokenMfaConfiguration.Enabled: whether users may set up TOTP (default: on)",
    )
    parser.add_argument(
        "--device-configuration",
        metavar="JSON",
        help="the pool's DeviceConfigurationType, e.g. '{\"ChallengeRequiredOnNewDevice\": true, "
        '"DeviceOnlyRememberedOnUserPrompt": false}\'. Default: devices are not remembered',
    )
    parser.add_argument(
        "--user-attribute-update-settings",
        metavar="JSON",
        default=json.dumps(KEEP_ORIGINAL_EMAIL),
        help="the pool's UserAttributeUpdateSettingsType. Default: %(default)s, a changed e-mail waits for its "
        "code while the old one signs in; '{\"AttributesRequireVerificationBeforeUpdate\": []}' changes it at once",
    )
    parser.add_argument(
        "--allowed-first-auth-factors",
        metavar="LIST",
        default=",".join(FIRST_AUTH_FACTORS),
        help="SignInPolicy.AllowedFirstAuthFactors for USER_AUTH sign-ins, comma-separated, PASSWORD among them. "
        "Default: %(default)s",
    )
    parser.add_argument(
        "--webauthn-relying-party-id",
        default="localhost",
        help="the host name passkeys are bound to (WebAuthnConfiguration.RelyingPartyId); ceremonies may come "
        "from https on it or its subdomains, and from http://localhost. Default: %(default)s",
    )
    parser.add_argument(
        "--webauthn-user-verification",
        choices=USER_VERIFICATIONS,
        default="preferred",
        help="WebAuthnConfiguration.UserVerification. Default: %(default)s",
    )
    parser.add_argument(
        "--domain",
        metavar="PREFIX",
        help="the pool's domain prefix: serves managed login (/oauth2/authorize, /oauth2/token, /logout, ...) "
        "at this provider's base URL. Default: no domain, no managed login",
    )
    parser.add_argument(
        "--app-client",
        metavar="JSON",
        help="the app client's managed-login settings in UserPoolClientType terms, e.g. '{\"CallbackURLs\": "
        '["http://localhost:3000/callback"], "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], '
        '"AllowedOAuthFlowsUserPoolClient": true, "SupportedIdentityProviders": ["MyOIDC"]}\'',
    )
    args = parser.parse_args(argv)
    try:
        policy = PasswordPolicy.from_type(json.loads(args.password_policy or "{}"))
        config = LocalCognitoConfig(
            data_dir=args.data_dir,
            port=args.port,
            host=args.host,
            region=args.region,
            pool_id=args.pool_id,
            client_id=args.client_id,
            allowed_origins=tuple(args.allowed_origins) if args.allowed_origins else None,
            password_policy=policy,
            handle_pattern=args.handle_pattern,
            echo_codes_to_console=args.echo_codes,
            request_rates=json.loads(args.request_rates or "{}"),
            mfa_configuration=args.mfa_configuration,
            software_token_mfa=args.software_token_mfa,
            device_configuration=json.loads(args.device_configuration) if args.device_configuration else None,
            user_attribute_update_settings=json.loads(args.user_attribute_update_settings),
            allowed_first_auth_factors=tuple(f.strip() for f in args.allowed_first_auth_factors.split(",")),
            webauthn_relying_party_id=args.webauthn_relying_party_id,
            webauthn_user_verification=args.webauthn_user_verification,
            domain=args.domain,
            app_client_oauth=AppClientOAuth.from_type(json.loads(args.app_client or "{}")),
        )
    except (ValueError, TypeError) as error:  # json.JSONDecodeError is a ValueError
        parser.error(str(error))
    sock, config = bind(config)
    provider = Provider.open(config)
    info = LocalCognitoHandle.describe(provider)
    keys = ("endpoint_url", "user_pool_id", "client_id", "region", "mailbox_url", "issuer", "jwks_url")
    print(json.dumps({key: info[key] for key in keys}), flush=True)
    try:
        uvicorn_server(build_app(provider)).run(sockets=[sock])
    finally:
        provider.store.dispose()


if __name__ == "__main__":
    main()

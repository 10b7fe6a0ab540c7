"""Create or update, idempotently, the Cognito user pool and app client Cruddur needs.

    python -m cruddur.provision --region us-east-1 [--write-env .env] [--dry-run]
    python -m cruddur.provision --identity-pool --bucket NAME ...   # and what avatars need

With --identity-pool it then brings the avatars' bucket, identity pool and IAM role in line too
(`cruddur/identity_pool_provisioning.py`) and adds AVATAR_BUCKET and COGNITO_IDENTITY_POOL_ID.

The pool and client are found by name. A missing one is created; an existing one is updated
with the *full* desired configuration, because UpdateUserPool and UpdateUserPoolClient reset
every setting they are not sent. Settings Cognito fixes at creation (sign-in attribute, schema,
username case sensitivity, client secret) cannot be updated: when an existing pool or client
differs in one of them, provisioning stops with an error instead of carrying on half-right.

The pool's second factor (MFA), remembered devices (REMEMBER_DEVICES) and e-mail changes come from
the app's settings, the same ones the embedded provider is made from. What an update changes is
printed; a dry run prints it and changes nothing.

The settings the app reads (COGNITO_REGION, COGNITO_USER_POOL_ID, COGNITO_APP_CLIENT_ID) are
printed on stdout and, with --write-env, written into a `.env` file, keeping its other lines.

Federated sign-in ("Continue with …", docs/federation.md) is added with

    --provider google --provider microsoft --domain cruddur-example \
    --callback-url https://cruddur.example/_federation/callback --sign-out-url https://cruddur.example/

each provider an OIDC identity provider from its preset (issuer, scopes, attribute mapping; the
client id and secret from GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET, MICROSOFT_CLIENT_ID /
MICROSOFT_CLIENT_SECRET / MICROSOFT_TENANT_ID), the pool's prefix domain (managed login), and the
app client's OAuth settings (code flow, scopes, callback and sign-out URLs, the providers); then
FEDERATED_PROVIDERS, COGNITO_DOMAIN_URL, OAUTH_CALLBACK_URL and OAUTH_SIGN_OUT_URL are printed too.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cruddur.auth.cognito import PoolConfig
from cruddur.auth.managed_login import SCOPES
from cruddur.auth.password_policy import DEFAULT_POLICY, PasswordPolicy
from cruddur.identity_pool_provisioning import IdentityPoolProvisionError, provision_identity_pool
from cruddur.settings import ConfigurationError, Settings, load_settings

DEFAULT_POOL_NAME = "cruddur"
DEFAULT_CLIENT_NAME = "cruddur-web"

# Accepted by CreateUserPool only; an existing pool keeps what it was created with.
POOL_CREATE_ONLY = ("UsernameAttributes", "UsernameConfiguration", "Schema")
# Accepted by UpdateUserPool only: a pool is created without MFA, as no factor can be turned on
# before it exists (SetUserPoolMfaConfig does that).
POOL_UPDATE_ONLY = ("MfaConfiguration",)
# Accepted by CreateUserPoolClient only.
CLIENT_CREATE_ONLY = ("GenerateSecret",)


class ProvisionError(Exception):
    """Provisioning cannot go on; the message says why and what to do."""


class ImmutableSettingsError(ProvisionError):
    """An existing pool or client differs in a setting Cognito cannot change after creation."""

    def __init__(self, resource: str, differences: list[str]):
        self.resource = resource
        self.differences = differences
        lines = "\n".join(f"  - {d}" for d in differences)
        super().__init__(
            f"{resource} exists but differs in settings that cannot be changed after creation:\n"
            f"{lines}\n"
            "Create a new one under another name (--pool-name / --client-name), or delete it."
        )


class AmbiguousNameError(ProvisionError):
    """More than one pool (or client) carries the name, so there is no telling which to update."""


# --- Desired configuration (pure) ---------------------------------------------------------------


def _string_attribute(name: str, *, required: bool, mutable: bool = True) -> dict[str, Any]:
    return {"Name": name, "AttributeDataType": "String", "Required": required, "Mutable": mutable}


def desired_schema() -> list[dict[str, Any]]:
    """Standard attributes the app relies on: e-mail to sign in, a name, a mutable handle."""
    return [
        _string_attribute("email", required=True),
        _string_attribute("name", required=True),
        _string_attribute("preferred_username", required=False, mutable=True),
    ]


def password_policy_config(policy: PasswordPolicy = DEFAULT_POLICY) -> dict[str, Any]:
    return policy.as_cognito() | {"TemporaryPasswordValidityDays": 7}


def desired_pool_config(
    settings: Settings, pool_name: str = DEFAULT_POOL_NAME, policy: PasswordPolicy = DEFAULT_POLICY
) -> dict[str, Any]:
    """The pool Cruddur needs, in CreateUserPool and UpdateUserPool terms (pool_create_params and
    pool_update_params pick each call's members)."""
    devices = settings.device_configuration
    return {
        "PoolName": pool_name,
        "UsernameAttributes": ["email"],
        "UsernameConfiguration": {"CaseSensitive": False},
        "Schema": desired_schema(),
        "AutoVerifiedAttributes": ["email"],
        "VerificationMessageTemplate": {
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailSubject": "Your Cruddur verification code",
            "EmailMessage": "Your Cruddur verification code is {####}",
        },
        "Policies": {"PasswordPolicy": password_policy_config(policy), "SignInPolicy": settings.sign_in_policy},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "UserAttributeUpdateSettings": settings.user_attribute_update_settings,
        # Left out when devices are not remembered: UpdateUserPool then resets it to none.
        **({"DeviceConfiguration": devices} if devices else {}),
        # UpdateUserPool resets a pool's MFA to OFF unless told; SetUserPoolMfaConfig sets the factor.
        "MfaConfiguration": settings.mfa,
    }


def pool_create_params(desired: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in desired.items() if k not in POOL_UPDATE_ONLY}


def pool_update_params(pool_id: str, desired: Mapping[str, Any]) -> dict[str, Any]:
    """UpdateUserPool parameters: every updatable desired setting, so nothing gets reset."""
    params = {k: v for k, v in desired.items() if k not in POOL_CREATE_ONLY}
    return {"UserPoolId": pool_id, **params}


def desired_client_config(client_name: str = DEFAULT_CLIENT_NAME) -> dict[str, Any]:
    """CreateUserPoolClient parameters (without UserPoolId) for the web app's client."""
    return {
        "ClientName": client_name,
        "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "SupportedIdentityProviders": ["COGNITO"],
        "EnableTokenRevocation": True,
        "PreventUserExistenceErrors": "ENABLED",
        "AccessTokenValidity": 1,
        "IdTokenValidity": 1,
        "RefreshTokenValidity": 30,
        "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
    }


def client_update_params(pool_id: str, client_id: str, desired: Mapping[str, Any]) -> dict[str, Any]:
    params = {k: v for k, v in desired.items() if k not in CLIENT_CREATE_ONLY}
    return {"UserPoolId": pool_id, "ClientId": client_id, **params}


def pool_immutable_differences(existing: Mapping[str, Any], desired: Mapping[str, Any]) -> list[str]:
    """What an existing pool (DescribeUserPool's UserPool) has that cannot become `desired`."""
    differences = []
    have = sorted(existing.get("UsernameAttributes") or [])
    want = sorted(desired["UsernameAttributes"])
    if have != want:
        have_text = have or "unset (plain usernames)"
        differences.append(f"UsernameAttributes is {have_text}, want {want}")

    # Pools created without UsernameConfiguration have case-sensitive usernames.
    have_cs = (existing.get("UsernameConfiguration") or {}).get("CaseSensitive", True)
    want_cs = desired["UsernameConfiguration"]["CaseSensitive"]
    if have_cs != want_cs:
        differences.append(f"UsernameConfiguration.CaseSensitive is {have_cs}, want {want_cs}")

    # Standard attributes Cognito did not list keep their defaults: optional and mutable.
    attributes = {a["Name"]: a for a in existing.get("SchemaAttributes") or []}
    for want_attr in desired["Schema"]:
        have_attr = attributes.get(want_attr["Name"], {"Required": False, "Mutable": True})
        for key in ("Required", "Mutable"):
            if bool(have_attr.get(key)) != want_attr[key]:
                differences.append(
                    f"attribute {want_attr['Name']!r} has {key}={bool(have_attr.get(key))}, want {want_attr[key]}"
                )
    return differences


def _shown(value: Any) -> str:
    return "unset" if value is None else json.dumps(value, sort_keys=True)


def setting_changes(have: Any, want: Any, path: str = "") -> list[str]:
    """`path: have -> want` for each setting in `want` that `have` (a Describe/Get reply) does not
    match. Members a reply has beyond `want` are Cognito's own additions and not compared; lists of
    names compare in any order."""
    if isinstance(want, Mapping) and isinstance(have, Mapping):
        return [line for key, value in want.items() for line in setting_changes(have.get(key), value, f"{path}.{key}")]
    if isinstance(want, list) and isinstance(have, list) and all(isinstance(v, str) for v in want + have):
        have, want = sorted(have), sorted(want)
    return [] if have == want else [f"{path.lstrip('.')}: {_shown(have)} -> {_shown(want)}"]


def pool_setting_changes(
    pool: Mapping[str, Any], mfa: Mapping[str, Any], desired: Mapping[str, Any], desired_mfa: Mapping[str, Any]
) -> list[str]:
    """What an update changes in an existing pool: DescribeUserPool's `pool` and GetUserPoolMfaConfig's
    `mfa` (the MFA state is read from there) against the desired ones."""
    # The pool was found by its PoolName (DescribeUserPool says Name); MfaConfiguration is in `mfa`.
    wanted = {k: v for k, v in desired.items() if k not in (*POOL_CREATE_ONLY, "PoolName", "MfaConfiguration")}
    found = setting_changes(pool, wanted)
    if "DeviceConfiguration" not in wanted and pool.get("DeviceConfiguration"):
        found.append(f"DeviceConfiguration: {_shown(pool['DeviceConfiguration'])} -> unset")
    # A pool that never had a software token configuration has it off.
    mfa = {**mfa, "SoftwareTokenMfaConfiguration": mfa.get("SoftwareTokenMfaConfiguration") or {"Enabled": False}}
    if "WebAuthnConfiguration" not in mfa:  # moto reports none; an update sets it all the same
        desired_mfa = {k: v for k, v in desired_mfa.items() if k != "WebAuthnConfiguration"}
    return found + setting_changes(mfa, desired_mfa)


def client_immutable_differences(existing: Mapping[str, Any]) -> list[str]:
    """What an existing client (DescribeUserPoolClient's UserPoolClient) has that cannot change."""
    if existing.get("ClientSecret"):
        return ["the client has a secret; a browser app's client must have none"]
    return []


# --- Federated sign-in (pure) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Federation:
    """What --provider/--domain/--callback-url/--sign-out-url ask for: OIDC providers (CreateIdentityProvider
    terms, without UserPoolId), the pool's domain prefix, and the app client's URLs."""

    providers: tuple[dict[str, Any], ...]
    domain: str
    callback_url: str
    sign_out_url: str

    @property
    def names(self) -> list[str]:
        return [p["ProviderName"] for p in self.providers]

    def domain_url(self, region: str) -> str:
        return f"https://{self.domain}.auth.{region}.amazoncognito.com"


PRESETS = ("google", "microsoft")


def oidc_preset(name: str, settings: Settings) -> dict[str, Any]:
    """A provider's OIDC settings. Google states whether it verified the e-mail; Microsoft's `email`
    claim is not verified, so it is not mapped (a Microsoft sign-in never links to a password account
    by its e-mail: it makes an account of its own)."""
    if name == "google":
        client_id, secret = settings.google_client_id, settings.google_client_secret
        names = "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET"
        # "Google" is the name Cognito keeps for its own Google provider type.
        provider, issuer = "GoogleOIDC", "https://accounts.google.com"
        mapping = {"email": "email", "email_verified": "email_verified", "name": "name"}
    elif name == "microsoft":
        client_id, secret = settings.microsoft_client_id, settings.microsoft_client_secret
        names = "MICROSOFT_CLIENT_ID, MICROSOFT_CLIENT_SECRET and MICROSOFT_TENANT_ID"
        if not settings.microsoft_tenant_id:
            client_id = None
        provider = "Microsoft"
        issuer = f"https://login.microsoftonline.com/{settings.microsoft_tenant_id}/v2.0"
        mapping = {"name": "name"}
    else:
        raise ProvisionError(f"no preset for provider {name!r}: choose from {', '.join(PRESETS)}")
    if not client_id or not secret:
        raise ProvisionError(f"--provider {name} needs {names} in the environment (the OAuth client registered there)")
    return {
        "ProviderName": provider,
        "ProviderType": "OIDC",
        "ProviderDetails": {
            "client_id": client_id,
            "client_secret": secret,
            "authorize_scopes": "openid email profile",
            "attributes_request_method": "GET",
            "oidc_issuer": issuer,
        },
        "AttributeMapping": mapping,
    }


def federation_of(
    settings: Settings, providers: list[str], domain: str | None, callback_url: str | None, sign_out_url: str | None
) -> Federation | None:
    """The federation the command line asks for, or None; half of it is a ProvisionError."""
    given = {"--domain": domain, "--callback-url": callback_url, "--sign-out-url": sign_out_url}
    if not providers:
        if any(given.values()):
            raise ProvisionError(f"{', '.join(k for k, v in given.items() if v)} need at least one --provider")
        return None
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise ProvisionError(f"--provider needs {', '.join(missing)} too")
    return Federation(
        tuple(oidc_preset(name, settings) for name in dict.fromkeys(providers)),
        domain or "",
        callback_url or "",
        sign_out_url or "",
    )


def client_oauth_config(federation: Federation) -> dict[str, Any]:
    """The app client's managed-login settings (UserPoolClientType terms)."""
    return {
        "CallbackURLs": [federation.callback_url],
        "LogoutURLs": [federation.sign_out_url],
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": SCOPES.split(),
        "AllowedOAuthFlowsUserPoolClient": True,
        "SupportedIdentityProviders": ["COGNITO", *federation.names],
    }


def provider_changes(cognito, pool_id: str | None, federation: Federation) -> tuple[list[str], list[str]]:
    """(what would be created, what would be updated) among the identity providers."""
    create, update = [], []
    for provider in federation.providers:
        name = provider["ProviderName"]
        if pool_id is None:
            create.append(name)
            continue
        try:
            have = cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName=name)["IdentityProvider"]
        except cognito.exceptions.ResourceNotFoundException:
            create.append(name)
            continue
        want = {"ProviderDetails": provider["ProviderDetails"], "AttributeMapping": provider["AttributeMapping"]}
        found = [line for line in setting_changes(have, want) if "client_secret" not in line]
        if (
            found
            or have.get("ProviderDetails", {}).get("client_secret") != provider["ProviderDetails"]["client_secret"]
        ):
            update.append(name)
    return create, update


def apply_federation(cognito, pool_id: str, federation: Federation, create: list[str]) -> None:
    """Identity providers first (the client may only name existing ones), then the domain."""
    for provider in federation.providers:
        if provider["ProviderName"] in create:
            cognito.create_identity_provider(UserPoolId=pool_id, **provider)
        else:
            cognito.update_identity_provider(
                UserPoolId=pool_id,
                ProviderName=provider["ProviderName"],
                ProviderDetails=provider["ProviderDetails"],
                AttributeMapping=provider["AttributeMapping"],
            )
    have = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Domain")
    if not have:
        cognito.create_user_pool_domain(UserPoolId=pool_id, Domain=federation.domain)


# --- Talking to Cognito -------------------------------------------------------------------------


@dataclass(frozen=True)
class Provisioned:
    """Outcome of a run. Ids are None only in a dry run, for what would be created."""

    region: str
    pool_id: str | None
    client_id: str | None
    pool_action: str  # "created", "updated", "would create", "would update"
    client_action: str
    # What the update of an existing pool and client changes (or would): "Setting: old -> new".
    pool_changes: tuple[str, ...] = ()
    client_changes: tuple[str, ...] = ()
    federation: Federation | None = None
    # "IdentityProvider GoogleOIDC: created" and the like; "Domain ...: would create".
    federation_changes: tuple[str, ...] = ()

    def settings(self) -> dict[str, str]:
        """The settings the app reads, as NAME -> value."""
        found = {
            "COGNITO_REGION": self.region,
            "COGNITO_USER_POOL_ID": self.pool_id or "<assigned on create>",
            "COGNITO_APP_CLIENT_ID": self.client_id or "<assigned on create>",
        }
        if self.federation is not None:
            found |= {
                "FEDERATED_PROVIDERS": ",".join(self.federation.names),
                "COGNITO_DOMAIN_URL": self.federation.domain_url(self.region),
                "OAUTH_CALLBACK_URL": self.federation.callback_url,
                "OAUTH_SIGN_OUT_URL": self.federation.sign_out_url,
            }
        return found


def _single(matches: list[str], what: str) -> str | None:
    if len(matches) > 1:
        raise AmbiguousNameError(
            f"{len(matches)} {what} share that name ({', '.join(matches)}); "
            "rename or delete the extras, or choose another name."
        )
    return matches[0] if matches else None


def find_pool_id(cognito, pool_name: str, page_size: int = 60) -> str | None:
    pages = cognito.get_paginator("list_user_pools").paginate(MaxResults=page_size)
    matches = [p["Id"] for page in pages for p in page["UserPools"] if p["Name"] == pool_name]
    return _single(matches, f"user pools named {pool_name!r}")


def find_client_id(cognito, pool_id: str, client_name: str, page_size: int = 60) -> str | None:
    pages = cognito.get_paginator("list_user_pool_clients").paginate(UserPoolId=pool_id, MaxResults=page_size)
    matches = [c["ClientId"] for page in pages for c in page["UserPoolClients"] if c["ClientName"] == client_name]
    return _single(matches, f"app clients named {client_name!r}")


def provision(
    cognito,
    settings: Settings,
    *,
    pool_name: str = DEFAULT_POOL_NAME,
    client_name: str = DEFAULT_CLIENT_NAME,
    policy: PasswordPolicy = DEFAULT_POLICY,
    dry_run: bool = False,
    federation: Federation | None = None,
) -> Provisioned:
    """Bring the pool and client named here to the configuration `settings` ask for.

    `cognito` is a boto3 "cognito-idp" client. A dry run only lists, describes and gets.
    Raises ImmutableSettingsError (before changing anything) when an existing pool or client
    cannot be brought to the desired configuration, and AmbiguousNameError on duplicate names.
    """
    pool_config = desired_pool_config(settings, pool_name, policy)
    mfa_config = settings.mfa_configuration
    client_config = desired_client_config(client_name)
    if federation is not None:
        client_config |= client_oauth_config(federation)

    pool_id = find_pool_id(cognito, pool_name)
    client_id = None
    pool_changes: list[str] = []
    client_changes: list[str] = []
    if pool_id:
        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        if fixed := pool_immutable_differences(pool, pool_config):
            raise ImmutableSettingsError(f"User pool {pool_name!r} ({pool_id})", fixed)
        client_id = find_client_id(cognito, pool_id, client_name)
        if client_id:
            client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
            if fixed := client_immutable_differences(client):
                raise ImmutableSettingsError(f"App client {client_name!r} ({client_id})", fixed)
            updatable = {k: v for k, v in client_config.items() if k not in CLIENT_CREATE_ONLY}
            client_changes = setting_changes(client, updatable)
        mfa = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
        pool_changes = pool_setting_changes(pool, mfa, pool_config, mfa_config)

    region = cognito.meta.region_name
    create: list[str] = []
    federated: list[str] = []
    if federation is not None:
        create, update = provider_changes(cognito, pool_id, federation)
        domain = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"].get("Domain") if pool_id else None
        if domain and domain != federation.domain:
            raise ProvisionError(
                f"the pool's domain is {domain!r}, not {federation.domain!r}: a domain cannot be renamed "
                "(DeleteUserPoolDomain first, or pass --domain " + domain + ")"
            )
        made, changed = ("would create", "would update") if dry_run else ("created", "updated")
        federated = [f"IdentityProvider {name}: {made}" for name in create]
        federated += [f"IdentityProvider {name}: {changed}" for name in update]
        if not domain:
            federated.append(f"Domain {federation.domain}: {made}")
    changes = {
        "pool_changes": tuple(pool_changes),
        "client_changes": tuple(client_changes),
        "federation": federation,
        "federation_changes": tuple(federated),
    }
    if dry_run:
        return Provisioned(
            region,
            pool_id,
            client_id,
            pool_action="would update" if pool_id else "would create",
            client_action="would update" if client_id else "would create",
            **changes,
        )

    if pool_id:
        # The factor first: UpdateUserPool refuses an MfaConfiguration but OFF while the pool has no factor.
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, **mfa_config)
        cognito.update_user_pool(**pool_update_params(pool_id, pool_config))
        pool_action = "updated"
    else:
        pool_id = cognito.create_user_pool(**pool_create_params(pool_config))["UserPool"]["Id"]
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, **mfa_config)
        pool_action = "created"

    if federation is not None:
        apply_federation(cognito, pool_id, federation, create)

    if client_id:
        cognito.update_user_pool_client(**client_update_params(pool_id, client_id, client_config))
        client_action = "updated"
    else:
        created = cognito.create_user_pool_client(UserPoolId=pool_id, **client_config)
        client_id = created["UserPoolClient"]["ClientId"]
        client_action = "created"

    return Provisioned(region, pool_id, client_id, pool_action, client_action, **changes)


# --- .env ---------------------------------------------------------------------------------------

_ENV_KEY = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")


def update_env_file(path: Path, values: Mapping[str, str]) -> None:
    """Set each NAME=value in the dotenv file at `path`, keeping every other line as it was.

    An existing assignment is replaced in place (later duplicates of it are dropped, so the
    file cannot disagree with itself); names not yet present are appended.
    """
    lines = path.read_text().splitlines() if path.exists() else []
    pending = dict(values)
    out = []
    for line in lines:
        match = _ENV_KEY.match(line)
        name = match.group(1) if match else None
        if name in pending:
            out.append(f"{name}={pending.pop(name)}")
        elif name not in values:
            out.append(line)
    out.extend(f"{name}={value}" for name, value in pending.items())
    path.write_text("\n".join(out) + "\n")


def env_file_names(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {m.group(1) for line in path.read_text().splitlines() if (m := _ENV_KEY.match(line))}


# --- Command line -------------------------------------------------------------------------------


def make_client(region: str, endpoint_url: str | None = None):
    return boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cruddur.provision",
        description="Create or update the Cognito user pool and app client Cruddur needs.",
    )
    parser.add_argument("--region", help="AWS region (default: COGNITO_REGION, else us-east-1)")
    parser.add_argument("--pool-name", default=DEFAULT_POOL_NAME)
    parser.add_argument("--client-name", default=DEFAULT_CLIENT_NAME)
    parser.add_argument("--endpoint-url", help="Cognito endpoint to use instead of AWS (testing)")
    parser.add_argument(
        "--write-env", metavar="PATH", type=Path, help="write the settings into this .env file, keeping its other lines"
    )
    parser.add_argument("--dry-run", action="store_true", help="show what would be created or updated; change nothing")
    federated = parser.add_argument_group("federated sign-in (docs/federation.md)")
    federated.add_argument(
        "--provider", action="append", default=[], choices=PRESETS, help="an OIDC identity provider (repeatable)"
    )
    federated.add_argument("--domain", help="the pool's domain prefix, for managed login")
    federated.add_argument(
        "--callback-url", help="the app's /_federation/callback, e.g. https://cruddur.example/_federation/callback"
    )
    federated.add_argument(
        "--sign-out-url", help="where managed login's sign-out returns, e.g. https://cruddur.example/"
    )
    parser.add_argument(
        "--identity-pool",
        action="store_true",
        help="also the avatars' bucket, the identity pool trusting the user pool, and its IAM role",
    )
    parser.add_argument("--bucket", help="the avatars' S3 bucket (default: AVATAR_BUCKET)")
    return parser.parse_args(argv)


def make_aws_clients(region: str, endpoint_url: str | None = None) -> dict[str, Any]:
    """The s3, cognito-identity and iam clients --identity-pool uses."""
    return {
        "s3": boto3.client("s3", region_name=region, endpoint_url=endpoint_url),
        "identity": boto3.client("cognito-identity", region_name=region, endpoint_url=endpoint_url),
        "iam": boto3.client("iam", region_name=region, endpoint_url=endpoint_url),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        app_settings = load_settings()
    except ConfigurationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.region is None:
        args.region = app_settings.cognito_region
    cognito = make_client(args.region, args.endpoint_url)

    try:
        federation = federation_of(app_settings, args.provider, args.domain, args.callback_url, args.sign_out_url)
        result = provision(
            cognito,
            app_settings,
            pool_name=args.pool_name,
            client_name=args.client_name,
            dry_run=args.dry_run,
            federation=federation,
        )
    except ProvisionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError) as exc:
        print(f"error: Cognito call failed: {exc}", file=sys.stderr)
        return 1

    pool_ref = f" ({result.pool_id})" if result.pool_id else ""
    client_ref = f" ({result.client_id})" if result.client_id else ""
    print(f"User pool {args.pool_name!r}: {result.pool_action}{pool_ref}", file=sys.stderr)
    for change in result.pool_changes:
        print(f"  {change}", file=sys.stderr)
    print(f"App client {args.client_name!r}: {result.client_action}{client_ref}", file=sys.stderr)
    for change in result.client_changes:
        print(f"  {change}", file=sys.stderr)
    for change in result.federation_changes:
        print(change, file=sys.stderr)

    settings = result.settings()
    if args.identity_pool:
        user_pool = PoolConfig(args.region, result.pool_id or "<user pool id>", result.client_id or "<client id>")
        try:
            plan = provision_identity_pool(
                **make_aws_clients(args.region, args.endpoint_url),
                user_pool=user_pool,
                bucket=args.bucket or app_settings.avatar_bucket or "",
                dry_run=args.dry_run,
            )
        except IdentityPoolProvisionError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except (BotoCoreError, ClientError) as exc:
            print(f"error: AWS call failed: {exc}", file=sys.stderr)
            return 1
        for line in plan.lines:
            print(line, file=sys.stderr)
        settings |= plan.settings()
        if args.endpoint_url:
            settings["AVATAR_ENDPOINT_URL"] = args.endpoint_url
    if args.endpoint_url:  # the app must talk to the same endpoint the pool lives behind
        settings["COGNITO_ENDPOINT_URL"] = args.endpoint_url
    for name, value in settings.items():
        print(f"{name}={value}")

    if args.write_env:
        if args.dry_run:
            print(f"Would write these settings to {args.write_env}", file=sys.stderr)
        else:
            update_env_file(args.write_env, settings)
            print(f"Wrote these settings to {args.write_env}", file=sys.stderr)
            if "COGNITO_ENDPOINT_URL" in env_file_names(args.write_env) - settings.keys():
                print(
                    f"warning: {args.write_env} still sets COGNITO_ENDPOINT_URL, so the app "
                    "will talk to that endpoint rather than AWS",
                    file=sys.stderr,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())

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

    def settings(self) -> dict[str, str]:
        """The settings the app reads, as NAME -> value."""
        return {
            "COGNITO_REGION": self.region,
            "COGNITO_USER_POOL_ID": self.pool_id or "<assigned on create>",
            "COGNITO_APP_CLIENT_ID": self.client_id or "<assigned on create>",
        }


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
) -> Provisioned:
    """Bring the pool and client named here to the configuration `settings` ask for.

    `cognito` is a boto3 "cognito-idp" client. A dry run only lists, describes and gets.
    Raises ImmutableSettingsError (before changing anything) when an existing pool or client
    cannot be brought to the desired configuration, and AmbiguousNameError on duplicate names.
    """
    pool_config = desired_pool_config(settings, pool_name, policy)
    mfa_config = settings.mfa_configuration
    client_config = desired_client_config(client_name)

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
    changes = {"pool_changes": tuple(pool_changes), "client_changes": tuple(client_changes)}
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
        result = provision(
            cognito, app_settings, pool_name=args.pool_name, client_name=args.client_name, dry_run=args.dry_run
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

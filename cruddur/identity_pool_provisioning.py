"""Create or update, idempotently, what avatars need at AWS (`python -m cruddur.provision
--identity-pool`): the bucket, a Cognito identity pool that trusts the user pool and the app's
client (signed-in people only), and the IAM role that pool hands out, allowed to write and delete
only under `avatars/${cognito-identity.amazonaws.com:sub}/` in the bucket.

Each piece is found by name; a missing one is created, one that differs is brought back, one that
matches is left alone. A dry run only reads (List, Describe, Get, Head) and says what it would do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from cruddur.auth.cognito import PoolConfig
from cruddur.auth.identity_pool import trusted_user_pool

IDENTITY_POOL_NAME = "cruddur"
ROLE_NAME = "cruddur-avatars"
POLICY_NAME = "own-avatar-prefix"
FEDERATED = "cognito-identity.amazonaws.com"


class IdentityPoolProvisionError(Exception):
    """Provisioning cannot go on; the message says why and what to do."""


def trust_policy(identity_pool_id: str) -> dict[str, Any]:
    """Who may take the role: people the identity pool signed in (never its guests)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": FEDERATED},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{FEDERATED}:aud": identity_pool_id},
                    "ForAnyValue:StringLike": {f"{FEDERATED}:amr": "authenticated"},
                },
            }
        ],
    }


def avatar_policy(bucket: str) -> dict[str, Any]:
    """What the role may do: write and delete under the person's own prefix, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": f"arn:aws:s3:::{bucket}/avatars/${{{FEDERATED}:sub}}/*",
            }
        ],
    }


def desired_identity_pool(user_pool: PoolConfig) -> dict[str, Any]:
    return {
        "IdentityPoolName": IDENTITY_POOL_NAME,
        "AllowUnauthenticatedIdentities": False,
        "CognitoIdentityProviders": [trusted_user_pool(user_pool)],
    }


@dataclass
class IdentityPoolPlan:
    """What a run did (or would do): one line per piece, and the settings the app reads."""

    bucket: str
    identity_pool_id: str | None = None
    role_arn: str | None = None
    lines: list[str] = field(default_factory=list)

    def settings(self) -> dict[str, str]:
        return {
            "AVATAR_BUCKET": self.bucket,
            "COGNITO_IDENTITY_POOL_ID": self.identity_pool_id or "<assigned on create>",
        }


def _find_identity_pool(identity, name: str) -> str | None:
    matches, token = [], None
    while True:
        page = identity.list_identity_pools(MaxResults=60, **({"NextToken": token} if token else {}))
        matches += [p["IdentityPoolId"] for p in page.get("IdentityPools", []) if p["IdentityPoolName"] == name]
        token = page.get("NextToken")
        if not token:
            break
    if len(matches) > 1:
        raise IdentityPoolProvisionError(
            f"{len(matches)} identity pools are named {name!r} ({', '.join(matches)}): delete the extras"
        )
    return matches[0] if matches else None


def _same_document(have: Any, want: dict[str, Any]) -> bool:
    if isinstance(have, str):  # IAM may hand back the JSON as text (URL-encoded on the wire)
        have = json.loads(have)
    return have == want


def provision_identity_pool(
    *, s3, identity, iam, user_pool: PoolConfig, bucket: str, dry_run: bool = False
) -> IdentityPoolPlan:
    """Bring bucket, identity pool, role and the pool's roles to what avatars need.

    `s3`, `identity`, `iam` are boto3 clients ("s3", "cognito-identity", "iam")."""
    if not bucket:
        raise IdentityPoolProvisionError("no bucket named: pass --bucket NAME or set AVATAR_BUCKET")
    plan = IdentityPoolPlan(bucket)
    would = "would " if dry_run else ""

    # The bucket.
    try:
        s3.head_bucket(Bucket=bucket)
        plan.lines.append(f"Bucket {bucket!r}: exists")
    except ClientError as error:
        if error.response["Error"]["Code"] not in ("404", "NoSuchBucket", "NotFound"):
            raise
        if not dry_run:
            region = s3.meta.region_name
            where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            s3.create_bucket(Bucket=bucket, **where)
            s3.put_public_access_block(
                Bucket=bucket,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
        plan.lines.append(f"Bucket {bucket!r}: {would}create (public access blocked)")

    # The identity pool, trusting the user pool and the app's client.
    desired = desired_identity_pool(user_pool)
    pool_id = _find_identity_pool(identity, IDENTITY_POOL_NAME)
    if pool_id is None:
        if not dry_run:
            pool_id = identity.create_identity_pool(**desired)["IdentityPoolId"]
        plan.lines.append(f"Identity pool {IDENTITY_POOL_NAME!r}: {would}create")
    else:
        have = identity.describe_identity_pool(IdentityPoolId=pool_id)
        changes = [
            f"{name}: {json.dumps(have.get(name))} -> {json.dumps(value)}"
            for name, value in desired.items()
            if have.get(name) != value
        ]
        if changes and not dry_run:
            identity.update_identity_pool(IdentityPoolId=pool_id, **desired)
        state = f"{would}update" if changes else "up to date"
        plan.lines.append(f"Identity pool {IDENTITY_POOL_NAME!r} ({pool_id}): {state}")
        plan.lines += [f"  {change}" for change in changes]
    plan.identity_pool_id = pool_id

    # The role people get, its trust (this identity pool, signed in) and its policy.
    trust = trust_policy(pool_id or "<identity pool id>")
    policy = avatar_policy(bucket)
    try:
        role = iam.get_role(RoleName=ROLE_NAME)["Role"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchEntity":
            raise
        role = None
    if role is None:
        if not dry_run:
            role = iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
        plan.lines.append(f"IAM role {ROLE_NAME!r}: {would}create, trusted by the identity pool's signed-in people")
    elif not _same_document(role.get("AssumeRolePolicyDocument"), trust):
        if not dry_run:
            iam.update_assume_role_policy(RoleName=ROLE_NAME, PolicyDocument=json.dumps(trust))
        plan.lines.append(f"IAM role {ROLE_NAME!r}: {would}update who may take it")
    else:
        plan.lines.append(f"IAM role {ROLE_NAME!r}: up to date")
    plan.role_arn = role["Arn"] if role else None

    have_policy = None
    if plan.role_arn:
        try:
            have_policy = iam.get_role_policy(RoleName=ROLE_NAME, PolicyName=POLICY_NAME)["PolicyDocument"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "NoSuchEntity":
                raise
    if have_policy is None or not _same_document(have_policy, policy):
        if not dry_run:
            iam.put_role_policy(RoleName=ROLE_NAME, PolicyName=POLICY_NAME, PolicyDocument=json.dumps(policy))
        verb = "set" if have_policy is None else "update"
        plan.lines.append(f"  policy {POLICY_NAME!r}: {would}{verb}: {policy['Statement'][0]['Resource']}")
    else:
        plan.lines.append(f"  policy {POLICY_NAME!r}: up to date")

    # The identity pool hands that role to signed-in people.
    attached = None
    try:
        if pool_id and plan.role_arn:
            attached = identity.get_identity_pool_roles(IdentityPoolId=pool_id).get("Roles", {}).get("authenticated")
        if (attached != plan.role_arn or attached is None) and not dry_run and pool_id and plan.role_arn:
            identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": plan.role_arn})
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) < 500:
            raise
        raise IdentityPoolProvisionError(
            f"the endpoint failed at {error.operation_name} (moto 5.2.5 does not implement the identity pool's "
            f"roles): everything before is in place; attach {plan.role_arn} as the pool's authenticated role "
            "there by hand, or run against AWS (running again changes nothing that is already right)"
        ) from None
    if attached != plan.role_arn or attached is None:
        plan.lines.append(f"Signed-in people get {ROLE_NAME!r}: {would}attach")
    else:
        plan.lines.append(f"Signed-in people get {ROLE_NAME!r}: up to date")
    return plan

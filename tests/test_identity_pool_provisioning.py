"""`python -m cruddur.provision --identity-pool` against moto (S3, IAM, Cognito Identity): the
bucket, the identity pool trusting the user pool, the role limited to the person's own prefix;
a dry run that only reads, and a second run that changes nothing.

moto 5.2.5 lacks GetIdentityPoolRoles / SetIdentityPoolRoles: the `aws` fixture adds the two, as
AWS answers them (roles kept per pool), so provisioning's last step can be run and watched."""

import json

import boto3
import pytest
from moto import mock_aws
from moto.cognitoidentity.responses import CognitoIdentityResponse

from cruddur import provision as prov
from cruddur.auth.cognito import PoolConfig
from cruddur.identity_pool_provisioning import (
    IDENTITY_POOL_NAME,
    POLICY_NAME,
    ROLE_NAME,
    provision_identity_pool,
)
from cruddur.settings import Settings

REGION = "us-east-1"
BUCKET = "cruddur-avatars-test"
USER_POOL = PoolConfig(REGION, "us-east-1_TestPool1", "testclient00000000000000000")
READ_ONLY = ("List", "Describe", "Get", "Head")


@pytest.fixture
def aws(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    roles: dict[str, dict] = {}

    def set_identity_pool_roles(self):
        roles[self._get_param("IdentityPoolId")] = self._get_param("Roles")
        return ""

    def get_identity_pool_roles(self):
        pool_id = self._get_param("IdentityPoolId")
        return json.dumps({"IdentityPoolId": pool_id, "Roles": roles.get(pool_id, {})})

    monkeypatch.setattr(CognitoIdentityResponse, "set_identity_pool_roles", set_identity_pool_roles, raising=False)
    monkeypatch.setattr(CognitoIdentityResponse, "get_identity_pool_roles", get_identity_pool_roles, raising=False)
    with mock_aws():
        yield


@pytest.fixture
def clients(aws):
    return {
        "s3": boto3.client("s3", region_name=REGION),
        "identity": boto3.client("cognito-identity", region_name=REGION),
        "iam": boto3.client("iam", region_name=REGION),
    }


@pytest.fixture
def calls(clients):
    """Names of the operations the three clients send, in order."""
    sent = []
    for client in clients.values():
        client.meta.events.register("before-call", lambda model, **_: sent.append(model.name))
    return sent


def run(clients, **kwargs):
    return provision_identity_pool(**clients, user_pool=USER_POOL, bucket=BUCKET, **kwargs)


def test_a_dry_run_only_reads_and_says_what_it_would_create(clients, calls):
    plan = run(clients, dry_run=True)
    assert calls and all(name.startswith(READ_ONLY) for name in calls), calls
    assert plan.identity_pool_id is None
    assert "would create" in plan.lines[0] and any(f"{ROLE_NAME!r}: would create" in line for line in plan.lines)
    assert clients["s3"].list_buckets()["Buckets"] == []
    assert clients["identity"].list_identity_pools(MaxResults=60)["IdentityPools"] == []


def test_the_first_run_makes_a_pool_trusting_the_user_pool_and_a_role_for_the_own_prefix_only(clients):
    plan = run(clients)
    pool = clients["identity"].describe_identity_pool(IdentityPoolId=plan.identity_pool_id)
    assert pool["IdentityPoolName"] == IDENTITY_POOL_NAME
    assert pool["AllowUnauthenticatedIdentities"] is False
    assert pool["CognitoIdentityProviders"] == [
        {
            "ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1",
            "ClientId": USER_POOL.client_id,
            "ServerSideTokenCheck": True,
        }
    ]
    role = clients["iam"].get_role(RoleName=ROLE_NAME)["Role"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"cognito-identity.amazonaws.com:aud": plan.identity_pool_id}
    assert trust["Condition"]["ForAnyValue:StringLike"] == {"cognito-identity.amazonaws.com:amr": "authenticated"}
    policy = clients["iam"].get_role_policy(RoleName=ROLE_NAME, PolicyName=POLICY_NAME)["PolicyDocument"]
    [allowed] = policy["Statement"]
    assert allowed["Resource"] == f"arn:aws:s3:::{BUCKET}/avatars/${{cognito-identity.amazonaws.com:sub}}/*"
    assert sorted(allowed["Action"]) == ["s3:DeleteObject", "s3:PutObject"]
    roles = clients["identity"].get_identity_pool_roles(IdentityPoolId=plan.identity_pool_id)["Roles"]
    assert roles == {"authenticated": role["Arn"]}
    blocked = clients["s3"].get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(blocked.values())
    assert plan.settings() == {"AVATAR_BUCKET": BUCKET, "COGNITO_IDENTITY_POOL_ID": plan.identity_pool_id}


def test_a_second_run_changes_nothing_and_finds_the_same_pool(clients, calls):
    first = run(clients)
    calls.clear()
    second = run(clients)
    assert second.identity_pool_id == first.identity_pool_id and second.role_arn == first.role_arn
    assert all(name.startswith(READ_ONLY) for name in calls), calls
    assert len(clients["identity"].list_identity_pools(MaxResults=60)["IdentityPools"]) == 1
    assert all("would" not in line and "create" not in line for line in second.lines), second.lines


def test_a_pool_changed_by_hand_is_brought_back(clients):
    first = run(clients)
    clients["identity"].update_identity_pool(
        IdentityPoolId=first.identity_pool_id,
        IdentityPoolName=IDENTITY_POOL_NAME,
        AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[],
    )
    dry = run(clients, dry_run=True)
    assert any("AllowUnauthenticatedIdentities: true -> false" in line for line in dry.lines), dry.lines
    run(clients)
    pool = clients["identity"].describe_identity_pool(IdentityPoolId=first.identity_pool_id)
    assert pool["AllowUnauthenticatedIdentities"] is False and len(pool["CognitoIdentityProviders"]) == 1


def test_the_command_prints_the_avatar_settings(clients, monkeypatch, capsys):
    cognito = boto3.client("cognito-idp", region_name=REGION)
    monkeypatch.setattr(prov, "make_client", lambda region, endpoint_url=None: cognito)
    monkeypatch.setattr(prov, "make_aws_clients", lambda region, endpoint_url=None: clients)
    monkeypatch.setattr(prov, "load_settings", lambda: Settings(_env_file=None))  # type: ignore[call-arg]
    assert prov.main(["--region", REGION, "--identity-pool", "--bucket", BUCKET]) == 0
    out = capsys.readouterr()
    printed = dict(line.split("=", 1) for line in out.out.splitlines())
    assert printed["AVATAR_BUCKET"] == BUCKET
    assert printed["COGNITO_IDENTITY_POOL_ID"].startswith("us-east-1:")
    assert f"Identity pool {IDENTITY_POOL_NAME!r}: create" in out.err
